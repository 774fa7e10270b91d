import ArgumentParser
import Foundation
import Replica
import VaultCore

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract:
            "Compare two snapshots record by record: added, deleted and modified records per object, with alerts.",
        discussion: """
            Alerts when more than --max-deleted-percent of an object's records were deleted, or a field was blanked in \
            more than --max-blanked-percent of them: the mass-delete or ransomware signal a monthly job should raise \
            (exit 1 with --fail-on-alert). Bounded memory: each export is partitioned by id on disk under --work-dir.
            """)

    @OptionGroup var vault: VaultOptions
    @OptionGroup var passphrase: PassphraseOptions
    @OptionGroup var audit: AuditOptions

    @Argument(help: "The older snapshot: `latest` or a unique prefix of its id.") var a: String
    @Argument(help: "The newer snapshot.") var b: String

    @Option(help: "Only this object (e.g. Contact).") var object: String?
    @Flag(help: "List the ids added, deleted and modified (with --object).") var ids = false
    @Option(help: "Alert when more than this percentage of an object's records is deleted.") var maxDeletedPercent = 5.0
    @Option(help: "Alert when a field is blanked in more than this percentage of an object's records.")
    var maxBlankedPercent = 5.0
    @Flag(help: "Exit 1 when there is an alert.") var failOnAlert = false
    @Option(help: "Where to restore the snapshots and partition them (removed afterwards). Default: $TMPDIR.")
    var workDir: String?
    @OptionGroup var output: OutputOptions
    @Flag(
        help:
            "Print the object's changed records as CSV (object, change, id), safe to open in a spreadsheet (with --object)."
    )
    var csv = false

    func validate() throws {
        if (ids || csv) && object == nil {
            throw ValidationError("--ids and --csv list one object's changed records: add --object NAME.")
        }
        if output.json && csv { throw ValidationError("Choose --json or --csv, not both.") }
        if output.quiet && (csv || ids) { throw ValidationError("--quiet prints no list: leave out --ids and --csv.") }
        for (name, value) in [
            ("--max-deleted-percent", maxDeletedPercent), ("--max-blanked-percent", maxBlankedPercent),
        ]
        where !(0...100).contains(value) {
            throw ValidationError("\(name) is a percentage from 0 to 100.")
        }
    }

    func run() throws {
        try audited("diff", vaultPath: vault.name, recordsPaths: audit.auditVerbose) { context in
            let (opened, keys) = try vault.openWithOwnerKeys(passphrase, context: &context)
            let chain = try opened.loadChain()
            let work = URL(fileURLWithPath: workDir ?? FileManager.default.temporaryDirectory.path)
            let older = try RestoredExport(
                try opened.resolveSnapshot(a, in: chain), of: opened, keys: keys, under: work)
            let newer = try RestoredExport(
                try opened.resolveSnapshot(b, in: chain), of: opened, keys: keys, under: work)
            for failure in older.failures + newer.failures { printWarning(TerminalText.escaped(failure)) }
            var options = ExportDiff.Options(workDirectory: work)
            options.object = object
            options.listsIDs = ids || csv
            options.deletedPerMille = Int((maxDeletedPercent * 10).rounded())
            options.blankedPerMille = Int((maxBlankedPercent * 10).rounded())
            var report = try ExportDiff.compare(older.url, newer.url, options: options)
            report.a = .init(
                snapshot: older.origin.snapshot, label: older.origin.label, time: older.origin.time,
                source: older.origin.source)
            report.b = .init(
                snapshot: newer.origin.snapshot, label: newer.origin.label, time: newer.origin.time,
                source: newer.origin.source)
            if output.json {
                try printJSON(report)
            } else if csv {
                Swift.print(Self.csv(report), terminator: "")
            } else if output.quiet {
                // Under cron the alerts are the point: they go to standard error even with --quiet.
                DiffReportPrinter.printAlerts(report)
            } else {
                DiffReportPrinter.print(report)
            }
            context.outcome =
                "diff \(older.origin.snapshot.prefix(12))..\(newer.origin.snapshot.prefix(12)): \(report.alerts.count) alerts"
            if failOnAlert && !report.alerts.isEmpty { throw ExitCode(1) }
        }
    }

    static func csv(_ report: DiffReport) -> String {
        var text = SpreadsheetCSV.row(["object", "change", "id"])
        for object in report.objects {
            for (change, ids) in [
                ("added", object.addedIDs), ("deleted", object.deletedIDs), ("modified", object.modifiedIDs),
            ] {
                for id in ids ?? [] { text += SpreadsheetCSV.row([object.name, change, id]) }
            }
        }
        return text
    }
}

/// The human summary of a diff; every value from the exports is escaped.
enum DiffReportPrinter {
    static func print(_ report: DiffReport) {
        func side(_ side: DiffReport.Side) -> String {
            let details = [side.label.map { TerminalText.escaped($0) }, side.time].compactMap { $0 }.filter { !$0.isEmpty }
            return "\(side.snapshot?.prefix(12) ?? "?")" + (details.isEmpty ? "" : " (\(details.joined(separator: ", ")))")
        }
        Swift.print("Changes from \(side(report.a)) to \(side(report.b)):")
        for object in report.objects {
            let name = TerminalText.escaped(object.name)
            Swift.print(
                "  \(name): \(object.recordsA) → \(object.recordsB) records; \(object.added) added, \(object.deleted) deleted, "
                    + "\(object.modified) modified, \(object.unchanged) unchanged"
                    + (object.key == "row" ? " (no Id column: whole rows compared)" : ""))
            let top = object.fields.prefix(5).map {
                "\(TerminalText.escaped($0.name)) \($0.changed)" + ($0.blanked > 0 ? " (\($0.blanked) blanked)" : "")
            }
            if !top.isEmpty { Swift.print("    most changed: \(top.joined(separator: ", "))") }
            if !object.columnsAdded.isEmpty {
                Swift.print(
                    "    columns added: \(object.columnsAdded.map { TerminalText.escaped($0) }.joined(separator: ", "))"
                )
            }
            if !object.columnsRemoved.isEmpty {
                Swift.print(
                    "    columns removed: \(object.columnsRemoved.map { TerminalText.escaped($0) }.joined(separator: ", "))"
                )
            }
            for (change, ids) in [
                ("added", object.addedIDs), ("deleted", object.deletedIDs), ("modified", object.modifiedIDs),
            ] {
                guard let ids, !ids.isEmpty else { continue }
                Swift.print("    \(change): \(ids.map { TerminalText.escaped($0) }.joined(separator: " "))")
            }
        }
        for warning in report.warnings { Swift.print("WARNING: \(TerminalText.escaped(warning))") }
        for alert in report.alerts { Swift.print("ALERT: \(TerminalText.escaped(alert.message))") }
        if report.alerts.isEmpty { Swift.print("No alerts.") }
    }

    /// `--quiet`: only the alerts, on standard error (what a monthly cron job must mail).
    static func printAlerts(_ report: DiffReport) {
        for alert in report.alerts {
            FileHandle.standardError.write(Data("ALERT: \(TerminalText.escaped(alert.message))\n".utf8))
        }
    }
}
