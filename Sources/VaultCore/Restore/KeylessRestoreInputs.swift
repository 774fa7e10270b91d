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
                let chain = try vault.loadChain()
                let locations = try vault.loadChunkLocations(of: manifest.packs.compactMap(Digest.init(hex:)),
                    sealers: vault.indexSealers(chain), sizeLimit: vault.packSizeLimits(chain))
                // Only chunk lists hold references to resolve (§8): a snapshot of small files needs no words.
                let hasList = manifest.files.contains { $0.content?.list != nil }
                return (locations, hasList ? ChunkWords(distinct: locations.keys) : ChunkWords())
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
