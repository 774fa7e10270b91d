import ArgumentParser
import Foundation
import Schedule
import VaultCore

struct ScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Print cron lines or systemd units that run the schedules, for the host's own scheduler.",
        subcommands: [Crontab.self, Systemd.self])

    struct Crontab: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Print crontab lines running `crmvault pull --config FILE` per schedule, alerting on a non-zero exit.")

        @OptionGroup var schedules: SchedulesOptions
        @Option(help: "The crmvault binary the lines run (default: this one).") var crmvault: String?

        func run() throws {
            try reportingVaultErrors {
                let entries = try schedules.catalog().valid().map(\.entry)
                let renderer = CrontabRenderer(
                    executable: crmvault ?? currentExecutable(), hostTimeZone: .current,
                    environment: ProcessInfo.processInfo.environment)
                print(try renderer.render(entries, schedulesDirectory: schedules.directory), terminator: "")
            }
        }
    }

    struct Systemd: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Print hardened systemd units: a service and a timer per schedule, or with --daemon one daemon service.",
            discussion: """
                Install: crmvault schedule systemd --output /etc/systemd/system && systemctl daemon-reload && \
                systemctl enable --now crmvault-pull-NAME.timer (or crmvault-daemon.service with --daemon).
                """)

        @OptionGroup var schedules: SchedulesOptions
        @Option(help: "The crmvault binary the units run (default: this one).") var crmvault: String?
        @Option(help: "Run the services as this user (default: root).") var user: String?
        @Option(help: "The state directory the services use.") var stateDirectory = "/var/lib/crmvault"
        @Flag(help: "One service running `crmvault daemon` instead of a timer per schedule.") var daemon = false
        @Option(help: "Write the unit files into this directory instead of printing them.", completion: .directory)
        var output: String?

        func validate() throws {
            if let user, user.isEmpty || !user.allSatisfy({ $0.isLetter || $0.isNumber || "_-.".contains($0) }) {
                throw ValidationError("--user takes a user name (letters, digits, `_`, `-`, `.`).")
            }
            if !stateDirectory.hasPrefix("/") { throw ValidationError("--state-directory must be an absolute path.") }
        }

        func run() throws {
            try reportingVaultErrors {
                let entries = try schedules.catalog().valid().map(\.entry)
                let renderer = SystemdUnitRenderer(
                    executable: crmvault ?? currentExecutable(), stateDirectory: URL(fileURLWithPath: stateDirectory),
                    user: user)
                let units =
                    daemon
                    ? [try renderer.daemonUnit(for: entries, schedulesDirectory: schedules.directory)]
                    : try renderer.timerUnits(for: entries)
                guard let output else {
                    print(units.map { "# \($0.name)\n\($0.contents)" }.joined(separator: "\n"), terminator: "")
                    return
                }
                for unit in units {
                    let file = URL(fileURLWithPath: output).appendingPathComponent(unit.name)
                    do {
                        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
                        try Data(unit.contents.utf8).write(to: file, options: .atomic)
                        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
                    } catch {
                        throw VaultError(
                            .ioFailed, "Cannot write \(TerminalText.escaped(file.path)): \(error.localizedDescription)",
                            remedy:
                                "Check that \(TerminalText.escaped(output)) exists and that you may write there (as root for /etc/systemd/system)."
                        )
                    }
                    print("wrote \(TerminalText.escaped(file.path))")
                }
                let enable =
                    daemon
                    ? "crmvault-daemon.service"
                    : units.filter { $0.name.hasSuffix(".timer") }.map(\.name).joined(separator: " ")
                print("next: systemctl daemon-reload && systemctl enable --now \(enable)")
            }
        }
    }
}
