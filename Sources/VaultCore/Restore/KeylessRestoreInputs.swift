import Foundation

/// What a restore reads before it needs the owner key, read on a thread of its own while the key is derived (Argon2id
/// MODERATE takes about a second of one core): the snapshot's manifest and where each of its chunks is. Both are
/// keyless (manifests and sealed pack indexes are signed, not encrypted: FORMAT.md §4, §7), and reading them writes
/// nothing, so a wrong passphrase still leaves the target untouched.
final class KeylessRestoreInputs: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    // Written by the reading thread before `done` is signalled, read after it is waited for.
    private var manifest: Result<SnapshotManifest, any Error> = .failure(CancellationError())
    private var locations: Result<[Digest: ChunkLocation], any Error> = .failure(CancellationError())

    /// Starts reading the inputs of restoring `entry` from `vault`.
    init(_ vault: Vault, _ entry: StoredChainEntry) {
        Thread { [self] in
            manifest = Result { try vault.loadManifest(entry).manifest }
            if case .success(let loaded) = manifest {
                locations = Result {
                    try vault.loadChunkLocations(of: loaded.packs.compactMap(Digest.init(hex:)),
                        sealers: vault.indexSealers(try vault.loadChain()))
                }
            }
            done.signal()
        }.start()
    }

    /// Waits for the reading thread; the manifest, or why it cannot be used. Call once.
    func waitForManifest() throws -> SnapshotManifest {
        done.wait()
        return try manifest.get()
    }

    /// The chunk locations of the manifest's packs, or why they could not be read (after `waitForManifest`).
    func chunkLocations() throws -> [Digest: ChunkLocation] { try locations.get() }
}
