import ArgumentParser
import ExportLayout
import Foundation
import Replica
import VaultCore

struct DrillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drill",
        abstract:
            "Prove a restore works: restore into a temporary replica, check it, and sign the result into the vault.",
        discussion: """
            Without a snapshot, drills the latest snapshot of each source. The result (pass or fail, per-object counts \
            and digests, durations) is appended to the vault's chain, signed by the owner, so that keyless \
            `crmvault verify` shows every source's last drill. Exits 1 when a drill fails.
            """)

    @OptionGroup var vault: VaultOptions
    @OptionGroup var passphrase: PassphraseOptions
    @OptionGroup var audit: AuditOptions

    @Option(help: "The CSV files' encoding: utf-8, windows-1252 or iso-8859-1 (default: detected per file).")
    var encoding: String?

    @Option(
        help: "Where to restore and build (removed afterwards; needs about twice the export's size). Default: $TMPDIR.")
    var workDir: String?

    @OptionGroup var output: OutputOptions

    @Argument(help: "The snapshot: `latest` or a unique prefix of its id (default: the latest of each source).")
    var snapshot: String?

    func validate() throws {
        if let encoding, CSVEncoding(name: encoding) == nil {
            throw ValidationError(
                "--encoding takes utf-8, windows-1252 or iso-8859-1; \"\(encoding)\" is none of them.")
        }
    }

    func run() throws {
        try audited("drill", vaultPath: vault.name, recordsPaths: audit.auditVerbose) { context in
            let (opened, keys) = try vault.openWithOwnerKeys(passphrase, context: &context)
            let chain = try opened.loadChain()
            let snapshots =
                try snapshot.map { [try opened.resolveSnapshot($0, in: chain)] }
                ?? Drill.latestPerSource(of: opened, chain: chain)
            guard !snapshots.isEmpty else {
                throw VaultError(
                    .snapshotNotFound, "The vault at \(opened.location) has no snapshots to drill.",
                    remedy: "Run `crmvault backup` first.")
            }
            var options = Drill.Options(
                workDirectory: URL(fileURLWithPath: workDir ?? FileManager.default.temporaryDirectory.path))
            options.encoding = encoding.flatMap(CSVEncoding.init(name:))
            options.crmvaultVersion = CRMVault.configuration.version
            var reports: [Drill.Report] = []
            for entry in snapshots {
                let report = try Drill.run(entry, of: opened, keys: keys, options: options)
                reports.append(report)
                if output.isTalking {
                    Swift.print(
                        "Drill of snapshot \(report.snapshot.prefix(12)) (source \(TerminalText.escaped(report.source)), "
                            + "label \(TerminalText.escaped(report.label))): \(report.result.uppercased()), recorded as chain entry "
                            + "\(report.sequence.map(String.init) ?? "?").")
                    ReplicaReportPrinter.print(report.replica)
                    Swift.print("")
                }
            }
            let failed = reports.filter { $0.result != "pass" }
            // One object, the listing a member of it (docs/CLI.md).
            if output.json { try printJSON(DrillOutput(drills: reports), status: failed.isEmpty ? "ok" : "failed") }
            context.outcome = reports.map { "drill of \($0.snapshot): \($0.result)" }.joined(separator: "; ")
            if !failed.isEmpty {
                printError(
                    "\(failed.count) of \(reports.count) drills FAILED: "
                        + failed.flatMap { $0.record.failures.prefix(3) }.map { TerminalText.escaped($0) }.joined(
                            separator: "; "))
                throw ExitCode(1)
            }
        }
    }
}

/// `drill --json`: the drills run, one report per snapshot.
struct DrillOutput: Encodable {
    var drills: [Drill.Report]
}
