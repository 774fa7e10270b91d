import Foundation
import VaultCore

/// Writes, for every snapshot of a kept benchmark vault and every file stored through a chunk list (more than 256
/// chunks), one line `snapshot-number path id,id,…` (hex chunk ids in file order), read with the owner passphrase
/// (`CRMVAULT_PASSPHRASE`). `scripts/list-storage.py` replays those ids to weigh other ways of storing chunk lists
/// (docs/BENCHMARKS.md, "Chunk lists").
enum ListIDDump {
    static func write(vault path: String, to output: String) throws {
        let vault = try Vault.open(at: URL(fileURLWithPath: path))
        let keys = try vault.unlock(passphrase: try VaultChildModes.passphrase())
        let snapshots = try vault.loadChain().snapshotEntries
        FileManager.default.createFile(atPath: output, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: output) else { throw BenchError("cannot write \(output)") }
        defer { try? handle.close() }
        for (number, snapshot) in snapshots.enumerated() {
            for file in try vault.loadManifest(snapshot).manifest.files where file.content?.list != nil {
                let reader = try SnapshotFileReader(file.path, of: snapshot, in: vault, keys: keys)
                let line = "\(number) \(file.path) " + reader.chunkIDs.map(\.hex).joined(separator: ",") + "\n"
                try handle.write(contentsOf: Data(line.utf8))
            }
        }
    }
}
