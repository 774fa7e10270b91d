import ArgumentParser
import Definitions
import ExportLayout
import Foundation
import Logging
import Pull
import Schedule
import VaultCore

#if canImport(Glibc)
    import Glibc
#endif

/// `crmvault pull`: one pull of one schedule, now. Parses and wires; the work is `Puller`'s.
struct PullCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Pull the vendor's full export and back it up as one snapshot.",
        discussion: """
            The schedule (Schedules/NAME.toml, README "IT admin") names the vendor, the vault and the writer key. \
            Schedules are looked up in $CRMVAULT_SCHEDULES, else Schedules/ in the current directory. Progress goes \
            to standard error on a terminal; under cron only errors are printed. A pull that fails leaves no \
            snapshot and exits 3 for vendor and network failures. The run is recorded in the daemon's state \
            directory ($CRMVAULT_STATE_DIR, /var/lib/crmvault as root, else $XDG_STATE_HOME/crmvault), so \
            `crmvault status` shows pulls started by cron or a systemd timer.
            """)

    @Option(help: "A schedule definition file.", completion: .file(extensions: ["toml"]))
    var config: String?

    @Option(help: "The name of a schedule in the schedules directory.")
    var schedule: String?

    @OptionGroup var passphrase: PassphraseOptions
    @OptionGroup var audit: AuditOptions

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard (config == nil) != (schedule == nil) else {
            throw ValidationError("Give either --schedule NAME or --config FILE.")
        }
    }

    /// `$CRMVAULT_SCHEDULES`, else `Schedules/` in the current directory.
    static var schedulesDirectory: URL {
        if let directory = ProcessInfo.processInfo.environment["CRMVAULT_SCHEDULES"], !directory.isEmpty {
            return URL(fileURLWithPath: directory)
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("Schedules")
    }

    func run() async throws {
        let definition: ScheduleDefinition
        do {
            definition =
                try config.map { try ScheduleDefinition.load(file: URL(fileURLWithPath: $0)) }
                ?? ScheduleDefinition.load(named: schedule!, in: Self.schedulesDirectory)
        } catch let error as DefinitionError {
            report(VaultError(.usage, error.description))
            throw ExitCode(2)
        }
        let onTerminal = isatty(STDERR_FILENO) == 1 && !output.quiet
        // On a terminal, the pull's warnings (retries, waits) show as they happen; its final error is printed once, by
        // the failure report. Under cron, only that report.
        let logger = Logger(label: "crmvault.pull") { _ in WarningLogHandler(isEnabled: onTerminal) }
        let passphraseFile = passphrase.passphraseFile
        let puller = Puller(
            passphrase: { try PassphraseSource.read(file: passphraseFile, confirming: false) },
            progress: { line in if onTerminal { FileHandle.standardError.write(Data("\(line)\n".utf8)) } })
        let started = Self.beginRecording(definition)
        try await audited("pull", vaultPath: definition.vault.path, recordsPaths: audit.auditVerbose) { context in
            var recorder = started
            let result: PullResult
            do {
                let vault = try Vault.open(at: definition.vault)
                context.vault = vault
                let keys = try puller.keys(of: vault, for: definition)
                context.keys = keys
                result = try await puller.run(definition, vault: vault, keys: keys, now: Date(), logger: logger)
            } catch {
                Self.record { try recorder?.failed(error, at: Date()) }
                throw error
            }
            Self.record { try recorder?.succeeded(snapshots: result.exports.map(\.snapshot), at: Date()) }
            context.outcome =
                "ok: " + result.exports.map { "snapshot \($0.snapshot) (\($0.label))" }.joined(separator: ", ")
            if output.json {
                try printJSON(result)
                return
            }
            // Under cron, a successful pull says nothing (cron mails any output); --json is for scripts.
            guard output.isTalking && (onTerminal || isatty(STDOUT_FILENO) == 1) else { return }
            if result.exports.isEmpty { print("nothing new to pull for \(definition.name)") }
            for export in result.exports {
                print("snapshot \(export.snapshot) \(export.label)")
                let records = export.objects.reduce(0) { $0 + $1.records }
                FileHandle.standardError.write(
                    Data(
                        """
                        \(export.objects.count) objects, \(records) records, \(formatBytes(export.bytesIn)) in, \
                        \(formatBytes(export.bytesStored)) newly stored\(Self.skippedNote(export.skipped))

                        """.utf8))
            }
        }
    }
}

extension PullCommand {
    /// "; left out, refused by the vendor: X (CODE: …)" for the objects the vendor refused, else nothing (the reasons
    /// are the vendor's words, escaped here; the names are API names).
    static func skippedNote(_ skipped: [SkippedObject]) -> String {
        skipped.isEmpty
            ? ""
            : "; left out, refused by the vendor: "
                + skipped.map { "\($0.name) (\(TerminalText.escaped($0.reason.prefix(80))))" }.joined(separator: ", ")
    }

    /// Records the run as started in the state directory, or warns (and records nothing) when it cannot be written:
    /// the pull itself does not depend on it.
    static func beginRecording(_ definition: ScheduleDefinition) -> PullRunRecorder? {
        let recorder = PullRunRecorder(
            definition: definition, store: RunStateStore(directory: RunStateStore.defaultDirectory()), started: Date())
        do {
            try recorder.begin()
            return recorder
        } catch {
            printWarning("this run is not recorded for `crmvault status`: \(TerminalText.escaped("\(error)"))")
            return nil
        }
    }

    static func record(_ body: () throws -> Void) {
        do { try body() } catch {
            printWarning(
                "this run's outcome is not recorded for `crmvault status`: \(TerminalText.escaped("\(error)"))")
        }
    }
}

/// Shows a library's warnings on standard error as `warning: …` lines, like the CLI's own; drops everything else.
private struct WarningLogHandler: LogHandler {
    let isEnabled: Bool
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .warning

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        guard isEnabled, event.level == .warning else { return }
        printWarning(event.message.description)
    }
}
