import ArgumentParser
import Foundation
import VaultCore

struct SnapshotsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "snapshots", abstract: "List the snapshots of a vault.")

    @OptionGroup var vault: VaultOptions
    @Flag(help: "Print a JSON array, one object per snapshot.") var json = false

    func run() throws {
        try reportingVaultErrors {
            let snapshots = try vault.open().snapshots()
            if json {
                print(OrderedJSON.array(snapshots.map(\.orderedFields)))
                return
            }
            if snapshots.isEmpty {
                print("No snapshots yet.")
                return
            }
            let header = ["ID", "TIME", "LABEL", "SOURCE", "FILES", "IN", "NEW", "SIGNED BY"]
            // Labels, sources, times and writer names come from manifests and chain entries a key holder wrote: escaped,
            // so a label cannot draw a forged "owner" row.
            let rows = snapshots.map {
                [String($0.id.prefix(12)), $0.time, $0.label, ($0.origin == "default" ? "" : "\($0.origin): ") + "\($0.sourceKind) \($0.source)",
                 String($0.files), formatBytes($0.bytesIn), formatBytes($0.bytesStored), $0.signer].map(TerminalText.escaped)
            }
            let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max()! }
            for row in [header] + rows {
                print(row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  "))
            }
        }
    }
}
