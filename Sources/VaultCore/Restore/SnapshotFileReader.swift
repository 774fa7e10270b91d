/// Reads one file of a snapshot straight from the vault, chunk by chunk, without writing it anywhere: for readers
/// that need one export file of many snapshots (`crmvault history`). Every chunk is checked against its id as it is
/// decrypted, and the whole file against its recorded size and digest when its end is read; a mismatch throws
/// `chunkCorrupted` then, so a caller must not trust what it read before the end.
public final class SnapshotFileReader {
    public let path: String
    public let size: Int
    /// The file's chunk ids in order (from its manifest entry or its chunk list), for measurements of chunk lists.
    public var chunkIDs: [Digest] { chunks }
    private let reader: ChunkReader
    private let chunks: [Digest]
    private let expectedDigest: String?
    private let digest: Digest
    private var nextChunk = 0
    private var current: [UInt8] = []
    private var offset = 0
    private var bytesRead = 0
    private var isFinished = false

    /// Opens `path` of `snapshot`; throws `snapshotNotFound` when the snapshot has no such file.
    public init(_ path: String, of snapshot: StoredChainEntry, in vault: Vault, keys: VaultKeys) throws {
        guard keys.canRead else {
            throw VaultError(.readOnlyKey, "A writer key cannot read a snapshot.", remedy: "Use the owner passphrase.")
        }
        let manifest = try vault.loadManifest(snapshot).manifest
        guard let file = manifest.files.first(where: { $0.path == path && $0.type == "file" }) else {
            throw VaultError(
                .snapshotNotFound, "Snapshot \(snapshot.entry.snapshot?.prefix(12) ?? "") has no file \(path).")
        }
        let chain = try vault.loadChain()
        let locations = try vault.loadChunkLocations(of: manifest.packs.compactMap(Digest.init(hex:)),
            sealers: vault.indexSealers(chain), sizeLimit: vault.packSizeLimits(chain))
        reader = ChunkReader(storage: vault.storage, keys: keys, locations: locations)
        // Only a chunk list has references to resolve (§8); a file of inline ids needs no words.
        let words = file.content?.list == nil ? ChunkWords() : ChunkWords(distinct: locations.keys)
        var resolver = ChunkResolver(words, of: manifest)
        var chunks: [Digest] = []
        try vault.forEachChunkID(of: file, reader: reader, resolver: &resolver) { chunks.append($0) }
        self.chunks = chunks
        self.path = path
        size = file.size ?? 0
        expectedDigest = file.digest
        // From the ids (FORMAT.md §4.3); each chunk is checked against its id as it is read.
        digest = FileDigest.of(size: size, ids: chunks, key: keys.fileDigestKey)
    }

    /// Copies up to `buffer.count` next bytes of the file into `buffer`; 0 at its end, once size and digest matched.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while offset == current.count {
            guard nextChunk < chunks.count else {
                try finish()
                return 0
            }
            current = try reader.withChunk(chunks[nextChunk]) { Array($0) }
            guard bytesRead + current.count <= size else {
                throw VaultError(
                    .chunkCorrupted, "\(path) holds more than its recorded \(size) bytes (damaged or crafted manifest).",
                    remedy: "Run `crmvault verify --deep` to find the damaged snapshot.")
            }
            nextChunk += 1
            offset = 0
        }
        let count = min(buffer.count, current.count - offset)
        current.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + offset, byteCount: count)
        }
        offset += count
        bytesRead += count
        return count
    }

    private func finish() throws {
        guard !isFinished else { return }
        isFinished = true
        guard bytesRead == size, digest.hex == expectedDigest else {
            throw VaultError(
                .chunkCorrupted, "\(path) does not match its recorded size and digest (damaged data).",
                remedy: "Run `crmvault verify --deep` to find the damaged pack.")
        }
    }
}
