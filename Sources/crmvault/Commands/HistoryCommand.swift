import ArgumentParser
import Foundation
import Replica
import VaultCore

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show one record in every snapshot, with what changed from one to the next.")

    @OptionGroup var vault: VaultOptions
    @OptionGroup var passphrase: PassphraseOptions
    @OptionGroup var audit: AuditOptions

    @Option(help: "The object (e.g. Contact).") var object: String
    @Option(help: "The record's id.") var id: String
    @Option(help: "Only the snapshots of this source (backup --source).") var source: String?
    @Flag(help: "Print the history as JSON.") var json = false
    @Flag(
        help:
            "Print the changes as CSV (snapshot, time, label, status, field, before, after), safe to open in a spreadsheet."
    )
    var csv = false

    func validate() throws {
        if json && csv { throw ValidationError("Choose --json or --csv, not both.") }
    }

    func run() throws {
        try audited("history", vaultPath: vault.name, recordsPaths: audit.auditVerbose) { context in
            let (opened, keys) = try vault.openWithOwnerKeys(passphrase, context: &context)
            var snapshots = try opened.loadChain().snapshotEntries
            if let source {
                snapshots = try snapshots.filter {
                    (try opened.loadManifest($0).manifest.source.origin ?? "default") == source
                }
            }
            let history = try RecordHistory.of(id, object: object, in: snapshots, vault: opened, keys: keys)
            if json {
                try printJSON(history)
            } else if csv {
                Swift.print(Self.csv(history), terminator: "")
            } else {
                Self.print(history)
            }
            context.outcome =
                "history of \(object) \(id): \(history.versions.filter { $0.status == "present" }.count) versions"
        }
    }

    static func csv(_ history: RecordHistory) -> String {
        var text = SpreadsheetCSV.row(["snapshot", "time", "label", "status", "field", "before", "after"])
        for version in history.versions {
            let head = [version.snapshot, version.time, version.label, version.status]
            if version.changes.isEmpty { text += SpreadsheetCSV.row(head + ["", "", ""]) }
            for change in version.changes {
                text += SpreadsheetCSV.row(head + [change.field, change.before, change.after])
            }
        }
        return text
    }

    static func print(_ history: RecordHistory) {
        Swift.print(
            "\(TerminalText.escaped(history.object)) \(TerminalText.escaped(history.id)) in \(history.versions.count) snapshots:"
        )
        var isFirst = true
        for version in history.versions {
            let head = "  \(version.time) \(version.snapshot.prefix(12)) \(TerminalText.escaped(version.label)):"
            switch version.status {
            case "present" where isFirst:
                isFirst = false
                Swift.print("\(head) present")
                for field in version.fields ?? [] where !field.value.isEmpty {
                    Swift.print("      \(TerminalText.escaped(field.name)) = \(TerminalText.escaped(field.value))")
                }
            case "present":
                Swift.print(
                    "\(head) " + (version.changes.isEmpty ? "unchanged" : "\(version.changes.count) fields changed"))
                for change in version.changes {
                    Swift.print(
                        "      \(TerminalText.escaped(change.field)): \(TerminalText.escaped(change.before)) → \(TerminalText.escaped(change.after))"
                    )
                }
            case "absent":
                Swift.print("\(head) ABSENT (deleted, or not yet created)")
            default:
                Swift.print("\(head) the export has no \(TerminalText.escaped(history.object)).csv")
            }
        }
    }
}
