import ArgumentParser
import ExportLayout
import Foundation
import Replica
import VaultCore

struct ReplicaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replica",
        abstract: "Restore a snapshot into a SQLite replica of the CRM and check it.",
        discussion: """
            One table per exported object, named after its CSV file, columns as in the CSV header, Id the primary key, \
            references as foreign keys, binary files as BLOBs in crmvault_files; the crmvault_* tables describe the \
            replica and its checks. Malformed CSV records are reported with file and line and exit 1; --lenient builds \
            from the well-formed ones and lists the others. The database is renamed into place only when complete.
            """)

    @OptionGroup var vault: VaultOptions
    @OptionGroup var passphrase: PassphraseOptions
    @OptionGroup var audit: AuditOptions
    @OptionGroup var replica: ReplicaBuildOptions

    @Option(help: "The SQLite database file to write (must not exist unless --force).")
    var db: String

    @Flag(help: "Replace an existing database file, once the new replica is complete.") var force = false

    @Option(help: "Where to restore the snapshot while the replica is built (default: the database's directory).")
    var workDir: String?

    @OptionGroup var output: OutputOptions

    @Argument(help: "The snapshot: `latest` or a unique prefix of its id.")
    var snapshot: String

    func run() throws {
        try audited("replica", vaultPath: vault.name, recordsPaths: audit.auditVerbose) { context in
            let (opened, keys) = try vault.openWithOwnerKeys(passphrase, context: &context)
            let entry = try opened.resolveSnapshot(snapshot, in: try opened.loadChain())
            let target = URL(fileURLWithPath: db)
            try ReplicaBuilder.checkTarget(target, replacing: force)  // before the restore, not after it
            let work = URL(fileURLWithPath: workDir ?? target.deletingLastPathComponent().path)
            let restored = try RestoredExport(entry, of: opened, keys: keys, under: work)
            if !restored.failures.isEmpty && !replica.lenient {
                throw VaultError(
                    .chunkCorrupted,
                    "\(restored.failures.count) files of snapshot \(entry.entry.snapshot?.prefix(12) ?? "") could not be restored; "
                        + "no replica was written:",
                    details: restored.failures,
                    remedy:
                        "Run `crmvault verify --vault \(vault.name)`; --lenient builds the replica from the files that restore."
                )
            }
            var options = replica.options
            options.replacesExisting = force
            options.origin = restored.origin
            var report = try ReplicaBuilder.build(exportAt: restored.url, into: target, options: options)
            for failure in restored.failures {
                report.checks.append(ReplicaCheck(check: "restore", status: .fail, detail: failure))
            }
            report.status = report.isPassed ? "ok" : "failed"
            if output.json {
                try printJSON(report)
            } else if output.quiet {
                ReplicaReportPrinter.printFailures(report)
            } else {
                ReplicaReportPrinter.print(report, restoreSeconds: restored.seconds)
            }
            context.outcome =
                "replica of snapshot \(entry.entry.snapshot ?? "") "
                + (report.isPassed
                    ? "passed its checks"
                    : "FAILED: "
                        + report.failures.prefix(3).joined(separator: "; "))
                + (report.database.map { ", written to \($0)" } ?? ", not written")
            if !report.isPassed { throw ExitCode(1) }
        }
    }
}

/// The options every command that builds a replica takes.
struct ReplicaBuildOptions: ParsableArguments {
    @Option(help: "The CSV files' encoding: utf-8, windows-1252 or iso-8859-1 (default: detected per file).")
    var encoding: String?

    @Flag(help: "Build from the well-formed records and list the malformed ones, instead of refusing the export.")
    var lenient = false

    func validate() throws {
        if let encoding, CSVEncoding(name: encoding) == nil {
            throw ValidationError(
                "--encoding takes utf-8, windows-1252 or iso-8859-1; \"\(encoding)\" is none of them.")
        }
    }

    var options: ReplicaOptions {
        var options = ReplicaOptions()
        options.encoding = encoding.flatMap(CSVEncoding.init(name:))
        options.isLenient = lenient
        options.crmvaultVersion = CRMVault.configuration.version
        return options
    }
}

/// The human summary of a replica build: tables, checks, records left out. Every value from the export is escaped.
enum ReplicaReportPrinter {
    static func print(_ report: ReplicaReport, restoreSeconds: Double? = nil) {
        let rows = report.objects.map(\.rows).reduce(0, +)
        let place =
            report.database.map { "written to \(TerminalText.escaped($0))" } ?? "built in a temporary place and removed"
        Swift.print(
            "Replica \(place): \(report.objects.count) tables, \(rows) rows, \(report.files) files "
                + "(\(formatBytes(report.fileBytes))) in \(String(format: "%.1f", report.durations.total)) s"
                + (restoreSeconds.map { " after a \(String(format: "%.1f", $0)) s restore" } ?? "") + ".")
        for object in report.objects {
            let vendor = object.vendorRecords.map { ", vendor reported \($0)" } ?? ""
            Swift.print(
                "  \(TerminalText.escaped(object.table)): \(object.rows) rows (\(object.recordsParsed) records in the CSV\(vendor)), "
                    + "\(object.columns) columns, \(object.typedColumns) typed, "
                    + (object.foreignKeys == 1 ? "1 foreign key" : "\(object.foreignKeys) foreign keys")
                    + (object.polymorphicReferences > 0 ? ", \(object.polymorphicReferences) polymorphic" : "")
                    + (object.leftOut > 0 ? ", \(object.leftOut) LEFT OUT" : ""))
        }
        for warning in report.warnings { Swift.print("WARNING: \(TerminalText.escaped(warning))") }
        let failed = report.checks.filter { $0.status == .fail }
        let warned = report.checks.filter { $0.status == .warn }
        Swift.print(
            "Checks: \(report.checks.count - failed.count - warned.count) passed, \(warned.count) warnings, \(failed.count) failed."
        )
        for check in warned { Swift.print("  warning: \(TerminalText.escaped(check.sentence))") }
        for check in failed { Swift.print("  FAILED: \(TerminalText.escaped(check.sentence))") }
        if !report.leftOut.isEmpty {
            Swift.print("\(report.leftOut.count) records left out (listed in crmvault_left_out):")
            for problem in report.leftOut.prefix(50) {
                Swift.print(
                    "  \(TerminalText.escaped(problem.file)), line \(problem.line): \(TerminalText.escaped(problem.problem))"
                )
            }
            if report.leftOut.count > 50 { Swift.print("  … and \(report.leftOut.count - 50) more") }
        }
        Swift.print(report.isPassed ? "OK: every check passed." : "FAILED: \(failed.count) checks failed.")
    }

    /// `--quiet`: nothing when every check passed, else each failed check on standard error.
    static func printFailures(_ report: ReplicaReport) {
        for check in report.checks where check.status == .fail { printError("replica check FAILED: \(check.sentence)") }
    }
}
