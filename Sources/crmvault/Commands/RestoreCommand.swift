import ArgumentParser
import Foundation
import VaultCore

struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore", abstract: "Restore a snapshot's files, byte-exact, into a directory.")

    @OptionGroup var vault: VaultOptions
    @OptionGroup var passphrase: PassphraseOptions
    @OptionGroup var audit: AuditOptions

    @Option(help: ArgumentHelp("A writer key cannot restore; given here, it is refused with an explanation.", visibility: .hidden))
    var key: String?

    @Option(help: "The directory to restore into (must be empty unless --force).")
    var to: String

    @Flag(help: "Restore into a non-empty directory, overwriting files of the same name.") var force = false
    @Flag(help: "Print the result as JSON.") var json = false

    @Argument(help: "The snapshot: `latest` or a unique prefix of its id.")
    var snapshot: String

    func run() throws {
        try audited("restore", vaultPath: vault.vault, recordsPaths: audit.auditVerbose) { context in
            let opened = try vault.open()
            context.vault = opened
            let keys = try passphrase.keys(for: opened, writerKeyFile: key)
            context.keys = keys
            let entry = try opened.resolveSnapshot(snapshot, in: try opened.loadChain())
            let started = Date()
            let report = try opened.restore(entry, to: URL(fileURLWithPath: to), keys: keys, force: force)
            let seconds = Date().timeIntervalSince(started)
            if json {
                try printJSON(RestoreOutput(
                    snapshot: entry.entry.snapshot ?? "", files: report.filesRestored, bytes: report.bytesRestored, seconds: seconds,
                    failures: report.failures.map { .init(path: $0.path, reason: $0.reason) }))
            } else {
                print("Restored \(report.filesRestored) files (\(formatBytes(report.bytesRestored))) of snapshot "
                    + "\(TerminalText.escaped(entry.entry.snapshot?.prefix(12) ?? "")) to \(TerminalText.escaped(to)) in "
                    + "\(String(format: "%.1f", seconds)) s.")
                for failure in report.failures { printError("\(failure.path) was not restored: \(failure.reason)") }
            }
            context.outcome = "restored \(report.filesRestored) files of snapshot \(entry.entry.snapshot ?? "") to \(to)"
                + (report.failures.isEmpty ? "" : "; \(report.failures.count) files failed")
            if !report.failures.isEmpty {
                printError("\(report.failures.count) files could not be restored; the rest were. Run `crmvault verify --vault \(vault.vault)`.")
                throw ExitCode(report.hasTargetFailure ? 5 : 1)
            }
        }
    }
}

struct RestoreOutput: Encodable {
    struct Failure: Encodable {
        var path: String
        var reason: String
    }

    var snapshot: String
    var files: Int
    var bytes: Int
    var seconds: Double
    var failures: [Failure]
}
