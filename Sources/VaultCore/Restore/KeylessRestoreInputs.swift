import Foundation

/// What a restore reads before it needs the owner key, read on a thread of its own while the key is derived (Argon2id
/// MODERATE takes about a second of one core): the snapshot's manifest and where each of its chunks is. Both are
/// keyless (manifests and sealed pack indexes are signed, not encrypted: FORMAT.md §4, §7), and reading them writes
/// nothing, so a wrong passphrase still leaves the target untouched. The chunk ids by first word, which its chunk
/// lists' short references are resolved in (§8), are gathered there too.
final class KeylessRestoreInputs: Sendable {
    /// The manifest, and where its chunks are or why that could not be read.
    private let inputs: BackgroundResult<(SnapshotManifest, Result<([Digest: ChunkLocation], ChunkWords), any Error>)>

    /// Starts reading the inputs of restoring `entry` from `vault`.
    init(_ vault: Vault, _ entry: StoredChainEntry) {
        inputs = BackgroundResult(onThreadOfItsOwn: {
            let manifest = try vault.loadManifest(entry).manifest
            return (manifest, Result {
                // Only chunk lists hold references to resolve (§8): a snapshot of small files needs no words. The words
                // are gathered on another core, pack by pack, while the next pack's index is read and its locations
                // are mapped: the restore waits for the later of the two, not for both one after the other.
                let words = manifest.files.contains { $0.content?.list != nil } ? ChunkWordsGathering() : nil
                let locations = try vault.loadChunkLocations(of: manifest.packs.compactMap(Digest.init(hex:)),
                    sealers: vault.indexSealers(try vault.loadChain()), added: words?.add)
                return (locations, words?.words() ?? ChunkWords())
            })
        })
    }

    /// Waits for the reading thread; the manifest, or why it cannot be used.
    func waitForManifest() throws -> SnapshotManifest { try inputs.get().0 }

    /// The chunk locations of the manifest's packs, or why they could not be read (after `waitForManifest`).
    func chunkLocations() throws -> [Digest: ChunkLocation] { try inputs.get().1.get().0 }

    /// The ids of the manifest's packs by first word, for its chunk lists' references (after `waitForManifest`).
    func chunkWords() throws -> ChunkWords { try inputs.get().1.get().1 }
}

/// Chunk words gathered on a queue of their own from batches of distinct ids, while the thread that hands them on reads
/// the next batch.
private final class ChunkWordsGathering: @unchecked Sendable {
    private let queue = DispatchQueue(label: "crmvault.chunk-words")
    // Touched only on `queue`.
    private var gathered = ChunkWords()

    /// Queues `ids`, none of them given before.
    func add(_ ids: [Digest]) {
        queue.async { for id in ids { self.gathered.insert(distinct: id) } }
    }

    /// The words of every id added, once the queue has gathered them.
    func words() -> ChunkWords { queue.sync { gathered } }
}
