import ArgumentParser
import Foundation
import VaultCore

struct CleanupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cleanup",
        abstract: "Remove the leftovers of interrupted backups now, and say how much space that freed.",
        discussion: """
            Leftovers are what a backup that stopped before its commit (disk full, killed, power cut) left in the \
            vault: files in tmp/, packs and indexes no chain entry claims, manifests no chain entry names \
            (docs/FORMAT.md §9). The next backup reuses what it can verify and removes the rest by itself; cleanup \
            removes all of them at once, under the writer lock (exit 4 while a backup runs). Nothing the chain claims \
            is ever touched, and a vault whose chain does not read whole is refused. Needs no key.
            """)

    @OptionGroup var vault: VaultOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        try audited("cleanup", vaultPath: vault.name) { context in
            let opened = try vault.open()
            context.vault = opened
            let cleanup = try opened.cleanUpLeftovers()
            context.outcome = "ok: removed \(cleanup.removed.count) leftover files, \(cleanup.bytesFreed) bytes"
            if output.json {
                try printJSON(CleanupOutput(
                    files: cleanup.removed.count, bytesFreed: cleanup.bytesFreed, removed: cleanup.removed,
                    orphanSnapshots: cleanup.orphanSnapshots))
                return
            }
            guard !cleanup.removed.isEmpty else { return output.say("No leftovers: nothing to remove.") }
            output.say("Removed \(counted(cleanup.removed.count, "leftover file")) of interrupted backups, "
                + "\(formatBytes(cleanup.bytesFreed)) freed.")
            for path in cleanup.removed.prefix(20) { output.say("  \(TerminalText.escaped(path))") }
            if cleanup.removed.count > 20 { output.say("  … and \(cleanup.removed.count - 20) more (--json lists all)") }
            if !cleanup.orphanSnapshots.isEmpty {
                output.say("\(counted(cleanup.orphanSnapshots.count, "of them was a manifest", plural: "of them were manifests")) "
                    + "no chain entry names (a backup stopped just before its commit).")
            }
        }
    }
}

struct CleanupOutput: Encodable {
    var files: Int
    var bytesFreed: Int64
    var removed: [String]
    var orphanSnapshots: [String]
}
