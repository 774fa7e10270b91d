/// Reads chunks back for the owner: opens each pack's data key once, authenticates and decompresses whole
/// blocks, keeps a few recent blocks (restores read consecutive chunks of the same block), and checks every
/// chunk's id against its plaintext.
final class ChunkReader {
    private let storage: any VaultStorage
    private let keys: VaultKeys
    private let locate: (Digest) -> ChunkLocation?
    private var packKeys: [Digest: SecretBytes] = [:]
    private var openPacks: [Digest: any RandomAccessFile] = [:]
    /// Decrypted blocks by (pack, offset), with the tick of their last use for LRU eviction. A restored file of
    /// month N interleaves chunks from the blocks of months 1…N, so the cache holds one block per month and more.
    private var blocks: [BlockKey: (plaintext: PlainBlock, lastUse: Int)] = [:]
    private var tick = 0
    /// The block the previous chunk came from: consecutive chunks of a file mostly share a block, and this spares
    /// them the cache's hashing and lookup. It is always in `blocks` too (the most recently used one).
    private var lastBlock: (key: BlockKey, plaintext: PlainBlock)?
    private let decompressor = ZstdDecompressor()
    /// Where decompressed blocks take their buffers from and give them back (restore: one pool for its threads).
    private let pool: PlainBlockPool?
    private let cacheSize = 64
    /// Blocks may be up to 64 MiB each; the cache never holds more than this in all (restore divides it among the
    /// readers of its threads).
    private let cacheBytes: Int
    static let defaultCacheBytes = 128 << 20
    private var cachedBytes = 0

    private struct BlockKey: Hashable {
        var pack: Digest
        var offset: UInt64
    }

    convenience init(storage: any VaultStorage, keys: VaultKeys, locations: [Digest: ChunkLocation],
                     cacheBytes: Int = defaultCacheBytes, pool: PlainBlockPool? = nil) {
        self.init(storage: storage, keys: keys, cacheBytes: cacheBytes, pool: pool) { locations[$0] }
    }

    /// A reader that asks `locate` where each chunk is (deep verify: one map of the packs in scope, seen per snapshot).
    init(storage: any VaultStorage, keys: VaultKeys, cacheBytes: Int = defaultCacheBytes, pool: PlainBlockPool? = nil,
         locate: @escaping (Digest) -> ChunkLocation?) {
        self.storage = storage
        self.keys = keys
        self.locate = locate
        self.cacheBytes = cacheBytes
        self.pool = pool
    }

    /// Where the chunk is read from, if any pack of this reader holds it.
    func location(of id: Digest) -> ChunkLocation? { locate(id) }

    /// Passes the chunk's plaintext to `body`, checked against its id.
    func withChunk<R>(_ id: Digest, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let (block, range) = try unverifiedChunk(id)
        let chunk = UnsafeRawBufferPointer(rebasing: block.bytes[range])
        guard keys.chunkID(of: chunk) == id else {
            throw VaultError(.chunkCorrupted, "Chunk \(id.shortForm) in pack \(locate(id)!.pack.shortForm) does not match its id.")
        }
        return try withExtendedLifetime(block) { try body(chunk) }
    }

    /// The decrypted block that holds the chunk and the chunk's range in it, **not** checked against its id: for a
    /// caller that writes the bytes straight from the block and checks the id from the same bytes (restore).
    func unverifiedChunk(_ id: Digest) throws -> (block: PlainBlock, range: Range<Int>) {
        guard let location = locate(id) else {
            throw VaultError(.chunkCorrupted, "Chunk \(id.shortForm) is in no pack of the vault (its pack or index is missing).")
        }
        let block = try decryptedBlock(location)
        let start = Int(location.offsetInBlock)
        let end = start + Int(location.length)
        guard end <= block.count else {
            throw VaultError(.chunkCorrupted, "Chunk \(id.shortForm) lies outside its block in pack \(location.pack.shortForm).")
        }
        return (block, start..<end)
    }

    private func decryptedBlock(_ location: ChunkLocation) throws -> PlainBlock {
        // The most recently used block keeps the highest tick without a new one: no other block was used since.
        if let last = lastBlock, last.key.offset == location.blockOffset, last.key.pack == location.pack {
            return last.plaintext
        }
        tick += 1
        let cacheKey = BlockKey(pack: location.pack, offset: location.blockOffset)
        if let cached = blocks[cacheKey] {
            blocks[cacheKey]!.lastUse = tick
            lastBlock = (cacheKey, cached.plaintext)
            return cached.plaintext
        }
        guard Int(location.blockLength) <= PackFormat.maximumBlockLength else {
            throw VaultError(.chunkCorrupted, "The index of pack \(location.pack.hex) names a block longer than the format allows.")
        }
        let key = try packKey(location.pack)
        let bytes = try pack(location.pack).read(at: location.blockOffset, count: Int(location.blockLength))
        let chunks = try BlockOpener.open(bytes, key: key, decompressor: decompressor, pool: pool, pack: location.pack,
            offset: location.blockOffset)
        lastBlock = nil  // it may be evicted below, and must not outlive the cache's hold on it
        while blocks.count >= cacheSize || (cachedBytes + chunks.plaintext.count > cacheBytes && !blocks.isEmpty),
            let oldest = blocks.min(by: { $0.value.lastUse < $1.value.lastUse })?.key
        {
            cachedBytes -= blocks.removeValue(forKey: oldest)?.plaintext.count ?? 0
        }
        blocks[cacheKey] = (chunks.plaintext, tick)
        cachedBytes += chunks.plaintext.count
        lastBlock = (cacheKey, chunks.plaintext)
        return chunks.plaintext
    }

    private func pack(_ name: Digest) throws -> any RandomAccessFile {
        if let file = openPacks[name] { return file }
        if openPacks.count >= 256 { openPacks.removeAll() }
        let file = try storage.openRandomAccess(PackFormat.packPath(name))
        openPacks[name] = file
        return file
    }

    private func packKey(_ pack: Digest) throws -> SecretBytes {
        if let key = packKeys[pack] { return key }
        // Each key is its own guarded allocation (a few pages); keep a bounded number, as with open packs.
        if packKeys.count >= 256 { packKeys.removeAll() }
        let header = try self.pack(pack).read(at: 0, count: PackFormat.headerCount)
        let key = try BlockOpener.openPackKey(header, sealing: keys.sealing, pack: pack)
        packKeys[pack] = key
        return key
    }
}

/// Opening of sealed pack keys and blocks, shared by restore and deep verify.
enum BlockOpener {
    static func openPackKey(_ header: [UInt8], sealing: SealingKey, pack: Digest) throws -> SecretBytes {
        guard header.count == PackFormat.headerCount, Array(header[0..<8]) == PackFormat.magic else {
            throw VaultError(.packCorrupted, "Pack \(pack.hex) does not start with a version 1 pack header.")
        }
        guard sealing.canOpen else {
            throw VaultError(.readOnlyKey, "A writer key cannot read data: it can only add snapshots.",
                remedy: "Use the owner passphrase (CRMVAULT_PASSPHRASE or --passphrase-file) instead of --key.")
        }
        guard let key = sealing.open(header[8...]), key.count == 32 else {
            throw VaultError(.packCorrupted, "The data key of pack \(pack.hex) cannot be opened with the owner key (damaged or foreign pack).")
        }
        return key
    }

    /// Parses, authenticates and decompresses one block (`bytes` = headerLength ‖ header ‖ ciphertext).
    static func open(
        _ bytes: [UInt8], key: SecretBytes, decompressor: ZstdDecompressor, pool: PlainBlockPool? = nil, pack: Digest,
        offset: UInt64
    ) throws -> (header: BlockHeader, plaintext: PlainBlock) {
        let damaged = { (reason: String) in
            VaultError(.chunkCorrupted, "The block at offset \(offset) of pack \(pack.hex) is damaged: \(reason).")
        }
        guard bytes.count >= 4 else { throw damaged("truncated") }
        let headerLength = Int(bytes.readUInt32(at: 0))
        guard headerLength <= bytes.count - 4 else { throw damaged("header length out of range") }
        let headerBytes = Array(bytes[4..<(4 + headerLength)])
        let header: BlockHeader
        do { header = try BlockHeader.decode(headerBytes) } catch { throw damaged(error.description) }
        guard 4 + headerLength + Int(header.ciphertextLength) == bytes.count else { throw damaged("length does not match its header") }
        guard let compressed = AEAD.open(bytes[(4 + headerLength)...], key: key, nonce: header.nonce[...],
            associatedData: (PackFormat.blockAssociatedDataPrefix + headerBytes)[...])
        else { throw damaged("authentication failed (altered bytes)") }
        guard let plaintext = decompressor.decompress(compressed, expectedSize: header.plaintextLength, pool: pool) else {
            throw damaged("does not decompress to its declared size")
        }
        return (header, plaintext)
    }
}
