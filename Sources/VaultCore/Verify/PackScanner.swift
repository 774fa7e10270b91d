#if canImport(Glibc)
import Glibc
#endif

/// Reads one pack front to back exactly once: hashes every byte, parses every block header within the format's
/// limits, recomputes the pack's index record by record and compares it with the stored index as it goes, and,
/// given the owner's keys, authenticates and decompresses every block and checks every chunk id (docs/FORMAT.md §10).
///
/// Memory is bounded per pack whatever the pack holds: records are handed to the caller one at a time and never
/// collected, ciphertext is hashed and skipped unless it is to be decrypted, and the one list that grows with the pack
/// (its chunk ids, sorted at the end for the one-copy-per-pack rule: 32 bytes each, a third of what a set costs) is
/// bounded by the per-pack chunk limit (§6).
struct PackScanner {
    struct Result {
        var hash: Digest
        var size: UInt64
        /// The first structural or cryptographic problem, if any.
        var problem: String?
        var chunks = 0
        /// How the stored index compares with the one recomputed from the pack (nil when no comparison was asked
        /// for, or the pack has a problem).
        var index: IndexComparison?
        /// With the owner's keys: the blocks that fail authentication, decompression or a chunk id. Each block is
        /// sealed on its own, so the scan goes on past one that fails.
        var damagedBlocks: [DamagedBlock] = []
        /// With the owner's keys: the offsets of the blocks that opened and whose every chunk matched its id.
        var openedBlocks: [UInt64] = []
        /// Why the pack was not read at all: it is larger than any intact pack of its name can be (``PackSizeLimit``);
        /// `hash` is then no hash of it.
        var oversized: String?
    }

    /// A block whose ciphertext does not open, or whose chunks do not match their ids.
    struct DamagedBlock: Sendable {
        var offset: UInt64
        var chunks: Int
        var reason: String
    }

    let storage: any VaultStorage
    let ownerKeys: VaultKeys?
    /// The most bytes each pack can hold intact; a larger one is reported from its size and not read.
    var sizeLimit: (@Sendable (Digest) -> PackSizeLimit?)? = nil

    /// Scans pack `name`, calling `record` with each chunk's id and location in pack order; with `comparingIndex`,
    /// also streams the stored index file against the records.
    func scan(_ name: Digest, comparingIndex: Bool = false, record: (Digest, ChunkLocation) -> Void = { _, _ in }) throws -> Result {
        if let limit = sizeLimit?(name), let size = try? storage.size(of: PackFormat.packPath(name)), size > limit.bytes
        {
            return Result(hash: .zero, size: size, problem: nil,
                oversized: "is \(size) bytes, more than \(limit.reason); it was not read")
        }
        let file = try storage.openSequential(PackFormat.packPath(name))
        var reader = BufferedReader(file: file)
        var comparer = comparingIndex ? IndexComparer(storage: storage, pack: name) : nil
        var problem: String?
        var chunks = 0
        var ids: [Digest] = []
        var dataKey: SecretBytes?
        // With the owner's keys, blocks are checked on the other cores while this thread reads and hashes.
        var blockChecks: BlockChecks?
        var nonces: [(UInt64, UInt64, UInt64)] = []  // 24 bytes each, flat: bounded like `ids`
        scanning: do {
            guard let header = try reader.read(exactly: PackFormat.headerCount), Array(header[0..<8]) == PackFormat.magic else {
                problem = "does not start with a version 1 pack header"
                break scanning
            }
            if let ownerKeys {
                do { dataKey = try BlockOpener.openPackKey(header, sealing: ownerKeys.sealing, pack: name) } catch {
                    problem = "its data key cannot be opened with the owner key"
                    break scanning
                }
                blockChecks = BlockChecks(pack: name, key: dataKey!, keys: ownerKeys)
            }
            while true {
                let offset = reader.offset
                guard let lengthBytes = try reader.read(exactly: 4) else {
                    if reader.offset != offset { problem = "ends with \(reader.offset - offset) stray bytes after its last block" }
                    break
                }
                let headerLength = Int(lengthBytes.readUInt32(at: 0))
                guard headerLength <= BlockHeader.encodedCount(chunkCount: PackFormat.maximumChunksPerBlock),
                    let headerBytes = try reader.read(exactly: headerLength)
                else {
                    problem = "block at offset \(offset) has a header length out of range or is truncated"
                    break scanning
                }
                let header: BlockHeader
                do { header = try BlockHeader.decode(headerBytes) } catch {
                    problem = "block at offset \(offset): \(error.description)"
                    break scanning
                }
                guard chunks + header.chunks.count <= PackFormat.maximumChunksPerPack else {
                    problem = "holds more than \(PackFormat.maximumChunksPerPack) chunks, more than the format allows in one pack"
                    break scanning
                }
                // Keyless, the ciphertext is only hashed; it is read into memory only to be decrypted.
                var ciphertext: [UInt8]?
                if dataKey == nil {
                    guard try reader.skip(Int(header.ciphertextLength)) else {
                        problem = "block at offset \(offset) is truncated"
                        break scanning
                    }
                } else {
                    ciphertext = try reader.read(exactly: Int(header.ciphertextLength))
                    guard ciphertext != nil else {
                        problem = "block at offset \(offset) is truncated"
                        break scanning
                    }
                }
                let blockLength = UInt32(4 + headerLength + Int(header.ciphertextLength))
                var offsetInBlock: UInt32 = 0
                for chunk in header.chunks {
                    ids.append(chunk.id)
                    let location = ChunkLocation(
                        pack: name, blockOffset: offset, blockLength: blockLength, offsetInBlock: offsetInBlock, length: chunk.length)
                    comparer?.compare(chunk.id, location)
                    record(chunk.id, location)
                    offsetInBlock &+= chunk.length
                }
                chunks += header.chunks.count
                nonces.append(header.nonce.withUnsafeBytes {
                    ($0.loadUnaligned(fromByteOffset: 0, as: UInt64.self), $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                     $0.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
                })
                if let blockChecks, let ciphertext {
                    blockChecks.submit(lengthBytes + headerBytes + ciphertext, header: header, offset: offset)
                }
            }
        }
        if problem == nil && nonces.isEmpty {
            problem = "holds no block (a pack holds at least one)"
        }
        if problem == nil {
            nonces.sort { $0 < $1 }
            if zip(nonces, nonces.dropFirst()).contains(where: { $0.0 == $0.1 }) {
                problem = "uses one nonce for two blocks (every block has a fresh random nonce)"
            }
        }
        if problem == nil {
            ids.sort()
            if let repeated = zip(ids, ids.dropFirst()).first(where: { $0.0 == $0.1 })?.0 {
                problem = "holds chunk \(repeated.shortForm) twice (the format allows one copy per pack)"
            }
        }
        let checked = blockChecks?.finish()
        try reader.drain()
        return Result(hash: reader.finalize(), size: reader.offset, problem: problem, chunks: chunks,
            index: problem == nil ? comparer?.finish(records: chunks) : nil, damagedBlocks: checked?.damaged ?? [],
            openedBlocks: checked?.opened ?? [])
    }
}

/// Sequential reading that hashes every byte it hands out or skips, through one buffer reused for the whole file:
/// 256 KiB, so what the kernel copies in is still in the core's cache when SHA-256 reads it, and no fresh pages are
/// allocated, zeroed and faulted in per piece.
struct BufferedReader {
    static let bufferSize = 256 << 10

    let file: any SequentialFile
    private var buffer: ReadBuffer?
    private var filled = 0
    private var position = 0
    private var hasher = SHA256Hasher()
    private(set) var offset: UInt64 = 0
    private var isAtEnd = false

    init(file: any SequentialFile) { self.file = file }

    /// Exactly `count` bytes, or nil (consuming what is left) if the file ends first.
    mutating func read(exactly count: Int) throws -> [UInt8]? {
        var result: [UInt8] = []
        result.reserveCapacity(count)
        let complete = try consume(count) { result.append(contentsOf: $0) }
        return complete ? result : nil
    }

    /// Hashes the next `count` bytes without keeping them; false if the file ends first.
    mutating func skip(_ count: Int) throws -> Bool { try consume(count) { _ in } }

    /// True when the next bytes are `expected`, compared where they lie in the buffer; false if they differ or the file
    /// ends first. Consumes them either way.
    mutating func nextEquals(_ expected: [UInt8]) throws -> Bool {
        var compared = 0
        var isEqual = true
        let complete = try consume(expected.count) { piece in
            isEqual = isEqual
                && expected.withUnsafeBytes { memcmp($0.baseAddress! + compared, piece.baseAddress!, piece.count) == 0 }
            compared += piece.count
        }
        return complete && isEqual
    }

    private mutating func consume(_ count: Int, _ body: (UnsafeRawBufferPointer) -> Void) throws -> Bool {
        var done = 0
        while done < count {
            if position == filled {
                guard try refill() else { return false }
            }
            let take = min(count - done, filled - position)
            let piece = UnsafeRawBufferPointer(rebasing: buffer!.bytes[position..<(position + take)])
            hasher.update(piece)
            body(piece)
            position += take
            offset += UInt64(take)
            done += take
        }
        return true
    }

    /// Hashes the rest of the file, so the pack's hash covers every byte even after a structural problem.
    mutating func drain() throws {
        while try skip(Self.bufferSize) {}
    }

    mutating func finalize() -> Digest { hasher.finalize() }

    private mutating func refill() throws -> Bool {
        guard !isAtEnd else { return false }
        if buffer == nil { buffer = ReadBuffer(count: Self.bufferSize) }
        filled = try file.read(into: buffer!.bytes)
        position = 0
        if filled == 0 { isAtEnd = true }
        return filled > 0
    }
}

/// The memory a ``BufferedReader`` reads into, for as long as the reader (or a copy of it) lives.
private final class ReadBuffer {
    let bytes: UnsafeMutableRawBufferPointer

    init(count: Int) { bytes = .allocate(byteCount: count, alignment: 64) }

    deinit { bytes.deallocate() }
}
