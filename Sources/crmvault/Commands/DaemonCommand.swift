import ArgumentParser
import Foundation
import Logging
import Pull
import Schedule
import VaultCore

struct DaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract:
            "Run every schedule: catch up a run missed while down, then each at its time, one run at a time per vault.",
        discussion: """
            Reads every NAME.toml in the schedules directory once, at start (restart it after editing them); a wrong \
            one is reported and the daemon does not start (exit 2). Logs one line per event to standard error \
            (`level event key=value ...`, journald-friendly). SIGTERM or SIGINT stops it cleanly: a running pull is \
            cancelled, commits nothing, and is caught up at the next start. The last runs are kept in \
            $CRMVAULT_STATE_DIR (/var/lib/crmvault as root, else $XDG_STATE_HOME/crmvault); `crmvault status` reads \
            them. One daemon per state directory: a second exits 4.
            """)

    @OptionGroup var schedules: SchedulesOptions
    @OptionGroup var passphrase: PassphraseOptions

    @Option(help: "The least important events logged: trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level takes trace, debug, info, notice, warning, error or critical.")
        }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel)!
        LoggingSystem.bootstrap { label in
            var handler = LineLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "crmvault.daemon")
        do {
            let loaded = try schedules.catalog().valid()
            let passphraseFile = passphrase.passphraseFile
            let puller = Puller(passphrase: { try PassphraseSource.read(file: passphraseFile, confirming: false) })
            let daemon = ScheduleDaemon(
                schedules: loaded.map { ($0.entry, SchedulePullJob(definition: $0.definition, puller: puller)) },
                store: RunStateStore(directory: RunStateStore.defaultDirectory()))
            try await daemon.run(schedulesDirectory: schedules.directory, logger: logger)
        } catch let error as VaultError {
            report(error)
            throw ExitCode(error)
        }
    }
}
