/// Writes one pack sequentially: the sealed data key, then blocks. Hashes as it writes, so the pack's
/// name is known at `finish` without reading it back.
final class PackWriter {
    private let file: any StagedFile
    private var hasher = SHA256Hasher()
    private let dataKey: SecretBytes
    private var records: [(id: Digest, location: ChunkLocation)] = []
    private(set) var size: UInt64 = 0
    private(set) var chunkCount = 0

    init(storage: any VaultStorage, sealing: SealingKey) throws {
        file = try storage.stageFile()
        dataKey = SecretBytes(randomCount: 32)
        let sealedKey = dataKey.withUnsafeBytes { sealing.seal($0) }
        try append(PackFormat.magic + sealedKey)
    }

    private func append(_ bytes: [UInt8]) throws {
        try file.write(bytes)
        hasher.update(bytes)
        size += UInt64(bytes.count)
    }

    /// Compresses one block of chunks, after checking it against every limit of docs/FORMAT.md §6: a writer never
    /// commits what its own reader would refuse. Needs no pack: blocks are compressed on any thread, then appended in
    /// order (`append(_:compressed:)`).
    static func compress(_ block: PendingBlock, compressor: ZstdCompressor) throws -> [UInt8] {
        try PackFormat.checkLimits(chunkLengths: block.lengths)
        let compressed = try block.data.withUnsafeBytes { try compressor.compress($0) }
        guard compressed.count + AEAD.tagCount <= PackFormat.maximumCiphertextLength else {
            throw PackFormat.limitExceeded("its compressed size \(compressed.count) exceeds the format's ciphertext limit")
        }
        return compressed
    }

    /// Encrypts and appends one block of chunks, `compressed` being `compress(block)`.
    func append(_ block: PendingBlock, compressed: [UInt8]) throws {
        let nonce = Sodium.randomBytes(AEAD.nonceCount)
        let header = BlockHeader(
            nonce: nonce, chunks: zip(block.ids, block.lengths).map { ($0, UInt32($1)) },
            ciphertextLength: UInt32(compressed.count + AEAD.tagCount)
        ).encoded()
        let ciphertext = compressed.withUnsafeBytes {
            AEAD.seal($0, key: dataKey, nonce: nonce, associatedData: PackFormat.blockAssociatedDataPrefix + header)
        }
        let blockOffset = size
        let blockLength = UInt32(4 + header.count + ciphertext.count)
        var prefix = ByteWriter()
        prefix.append(UInt32(header.count))
        try append(prefix.bytes + header)
        try append(ciphertext)
        chunkCount += block.ids.count
        var offsetInBlock: UInt32 = 0
        for (id, length) in zip(block.ids, block.lengths) {
            records.append((id, ChunkLocation(  // the pack's name is known, and set, at `finish`
                pack: .zero, blockOffset: blockOffset, blockLength: blockLength, offsetInBlock: offsetInBlock, length: UInt32(length))))
            offsetInBlock += UInt32(length)
        }
    }

    /// Makes the signed index durable, then the pack under its hash name; returns the name. Index first: a pack
    /// that exists always has its index, so an interrupted backup's packs are reused by the next one.
    func finish(storage: any VaultStorage, keys: VaultKeys) throws -> (name: Digest, size: UInt64) {
        let name = hasher.finalize()
        var index = PackIndex(pack: name, records: records)
        for position in index.records.indices { index.records[position].location.pack = name }
        index.seal(with: keys)
        try storage.writeDurably(PackFormat.indexPath(name), index.encoded())
        try file.commit(as: PackFormat.packPath(name))
        return (name, size)
    }

    func abandon() { file.abandon() }
}

/// A run of new chunks waiting to be sealed into a block.
struct PendingBlock: Sendable {
    var number: Int
    var ids: [Digest] = []
    var lengths: [Int] = []
    var data: [UInt8] = []
}
