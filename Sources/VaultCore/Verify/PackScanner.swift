/// Reads one pack front to back exactly once: hashes every byte, parses every block header within the
/// format's limits, recomputes the pack's index and, given the owner's keys, authenticates and decompresses
/// every block and checks every chunk id (docs/FORMAT.md §10).
struct PackScanner {
    struct Result {
        var hash: Digest
        var size: UInt64
        var index: PackIndex?
        /// The first structural or cryptographic problem, if any.
        var problem: String?
        var chunks = 0
    }

    let storage: any VaultStorage
    let ownerKeys: VaultKeys?

    func scan(_ name: Digest) throws -> Result {
        let file = try storage.openSequential(PackFormat.packPath(name))
        var reader = BufferedReader(file: file)
        var records: [(id: Digest, location: ChunkLocation)] = []
        var problem: String?
        var chunks = 0
        var seen: Set<Digest> = []
        let decompressor = ZstdDecompressor()
        var dataKey: SecretBytes?
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
                guard let ciphertext = try reader.read(exactly: Int(header.ciphertextLength)) else {
                    problem = "block at offset \(offset) is truncated"
                    break scanning
                }
                let blockLength = UInt32(4 + headerLength + ciphertext.count)
                var offsetInBlock: UInt32 = 0
                for chunk in header.chunks {
                    guard seen.insert(chunk.id).inserted else {
                        problem = "holds chunk \(chunk.id.shortForm) twice (the format allows one copy per pack)"
                        break scanning
                    }
                    records.append((chunk.id, ChunkLocation(
                        pack: name, blockOffset: offset, blockLength: blockLength, offsetInBlock: offsetInBlock, length: chunk.length)))
                    offsetInBlock &+= chunk.length
                }
                chunks += header.chunks.count
                if let dataKey, let ownerKeys {
                    do {
                        let opened = try BlockOpener.open(
                            lengthBytes + headerBytes + ciphertext, key: dataKey, decompressor: decompressor, pack: name, offset: offset)
                        var start = 0
                        try opened.plaintext.withUnsafeBytes { plain in
                            for chunk in header.chunks {
                                let bytes = UnsafeRawBufferPointer(rebasing: plain[start..<(start + Int(chunk.length))])
                                guard ownerKeys.chunkID(of: bytes) == chunk.id else {
                                    throw VaultError(.chunkCorrupted, "chunk \(chunk.id.shortForm) at offset \(offset) does not match its id")
                                }
                                start += Int(chunk.length)
                            }
                        }
                    } catch let error as VaultError {
                        problem = error.message
                        break scanning
                    }
                }
            }
        }
        try reader.drain()
        let hash = reader.finalize()
        let index = problem == nil ? PackIndex(pack: name, records: records) : nil
        return Result(hash: hash, size: reader.offset, index: index, problem: problem, chunks: chunks)
    }
}

/// Sequential reading in 4 MiB pieces that hashes every byte it hands out.
struct BufferedReader {
    let file: any SequentialFile
    private var buffer: [UInt8] = []
    private var position = 0
    private var hasher = SHA256Hasher()
    private(set) var offset: UInt64 = 0
    private var isAtEnd = false

    init(file: any SequentialFile) { self.file = file }

    /// Exactly `count` bytes, or nil (consuming what is left) if the file ends first.
    mutating func read(exactly count: Int) throws -> [UInt8]? {
        var result: [UInt8] = []
        result.reserveCapacity(count)
        while result.count < count {
            if position == buffer.count {
                guard try refill() else {
                    hasher.update(result)
                    offset += UInt64(result.count)
                    return nil
                }
            }
            let take = min(count - result.count, buffer.count - position)
            result.append(contentsOf: buffer[position..<(position + take)])
            position += take
        }
        hasher.update(result)
        offset += UInt64(count)
        return result
    }

    /// Hashes the rest of the file, so the pack's hash covers every byte even after a structural problem.
    mutating func drain() throws {
        if position < buffer.count {
            hasher.update(Array(buffer[position...]))
            offset += UInt64(buffer.count - position)
            position = buffer.count
        }
        while try refill() {
            hasher.update(buffer)
            offset += UInt64(buffer.count)
            position = buffer.count
        }
    }

    mutating func finalize() -> Digest { hasher.finalize() }

    private mutating func refill() throws -> Bool {
        guard !isAtEnd else { return false }
        buffer = try file.read(upTo: 4 << 20)
        position = 0
        if buffer.isEmpty { isAtEnd = true }
        return !buffer.isEmpty
    }
}
