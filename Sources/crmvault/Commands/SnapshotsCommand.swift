import ArgumentParser
import Foundation
import VaultCore

struct SnapshotsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshots",
        abstract: "List the snapshots of a vault: label, source, month, time, id, size and who signed it.",
        discussion: """
            MONTH is the month a snapshot covers (its label when that is a month, else the month of its time); a \
            second snapshot of the same source and month is marked as such. Restore a snapshot by its label, by \
            `latest` with --source, or by an id prefix.
            """)

    @OptionGroup var vault: VaultOptions
    @OptionGroup var output: OutputOptions

    @Option(help: ArgumentHelp("Only the snapshots of this source (backup --source; `default` for none).", valueName: "name"))
    var source: String?

    func run() throws {
        try reportingVaultErrors {
            let snapshots = try vault.open().snapshots().filter { source == nil || $0.origin == source }
            if output.json {
                try printJSON(["snapshots": snapshots])
                return
            }
            guard output.isTalking else { return }
            if snapshots.isEmpty {
                print(source.map { "No snapshots of source \(TerminalText.escaped($0))." } ?? "No snapshots yet.")
                return
            }
            let header = ["LABEL", "SOURCE", "MONTH", "TIME", "ID", "INPUT", "FILES", "IN", "NEW", "SIGNED BY"]
            // Labels, sources, times and writer names come from manifests and chain entries a key holder wrote: escaped,
            // so a label cannot draw a forged "owner" row.
            let rows = snapshots.map { snapshot in
                [
                    snapshot.label.isEmpty ? "-" : snapshot.label, snapshot.origin,
                    snapshot.month + (snapshot.numberInMonth > 1 ? " (\(Self.ordinal(snapshot.numberInMonth)) of the month)" : ""),
                    snapshot.time, String(snapshot.id.prefix(12)), "\(snapshot.sourceKind) \(snapshot.source)", String(snapshot.files),
                    formatBytes(snapshot.bytesIn), formatBytes(snapshot.bytesStored), snapshot.signedBy,
                ].map(TerminalText.escaped)
            }
            let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max()! }
            for row in [header] + rows {
                let padded = row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                print(padded.joined(separator: "  ").trimmingCharacters(in: .whitespaces))
            }
        }
    }

    /// "2nd", "3rd", "4th".
    static func ordinal(_ number: Int) -> String {
        let suffix = (11...13).contains(number % 100) ? "th" : [1: "st", 2: "nd", 3: "rd"][number % 10] ?? "th"
        return "\(number)\(suffix)"
    }
}
