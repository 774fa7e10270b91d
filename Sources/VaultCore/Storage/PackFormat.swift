/// Byte layout of packs and their indexes (docs/FORMAT.md §6, §7).
enum PackFormat {
    static let magic = Array("CRMVPK01".utf8)
    static let indexMagic = Array("CRMVIX01".utf8)
    static let sealedKeyCount = 32 + SealingKey.sealOverhead
    static let headerCount = magic.count + sealedKeyCount
    static let blockAssociatedDataPrefix = Array("crmvault block v1\n".utf8)
    static let maximumChunksPerBlock = 65536
    /// So that checking a pack (whose chunk ids must be unique) costs bounded memory whatever it holds.
    static let maximumChunksPerPack = 1 << 20
    static let maximumChunkLength = 16 << 20
    static let maximumCiphertextLength = (64 << 20) + AEAD.tagCount
    /// The most a block may decompress to; checked before anything is allocated.
    static let maximumBlockPlaintext = 64 << 20
    static let maximumBlockLength = 4 + BlockHeader.encodedCount(chunkCount: maximumChunksPerBlock) + maximumCiphertextLength

    /// The most uncompressed bytes a writer puts in one block (a block target plus one maximal chunk stays below it),
    /// so that even incompressible data compresses to less than `maximumCiphertextLength`.
    static let maximumBlockTarget = maximumBlockPlaintext - (1 << 20)

    /// Checks a block about to be written against §6: 1…65536 chunks, each 1 byte…16 MiB, at most 64 MiB in all.
    static func checkLimits(chunkLengths: [Int]) throws {
        guard (1...maximumChunksPerBlock).contains(chunkLengths.count) else {
            throw limitExceeded("it holds \(chunkLengths.count) chunks")
        }
        guard chunkLengths.allSatisfy({ (1...maximumChunkLength).contains($0) }) else {
            throw limitExceeded("a chunk is empty or longer than \(maximumChunkLength) bytes")
        }
        guard chunkLengths.reduce(0, +) <= maximumBlockPlaintext else { throw limitExceeded("it holds more than 64 MiB") }
    }

    static func limitExceeded(_ reason: String) -> VaultError {
        VaultError(.ioFailed, "Internal error: a block was about to be written outside the format's limits (\(reason)); "
            + "nothing of it was written.", remedy: "Please report this; the vault is unchanged.")
    }

    static func packPath(_ name: Digest) -> String { "packs/\(name.hex.prefix(2))/\(name.hex).pack" }
    static func indexPath(_ name: Digest) -> String { "index/\(name.hex.prefix(2))/\(name.hex).index" }
}

/// Where one chunk is stored: the pack, the block inside it, and the chunk inside the decompressed block.
public struct ChunkLocation: Sendable, Equatable {
    public var pack: Digest
    public var blockOffset: UInt64
    public var blockLength: UInt32
    public var offsetInBlock: UInt32
    public var length: UInt32
}

/// The plaintext header of one block: its nonce, its chunks' ids and lengths, the ciphertext length.
struct BlockHeader {
    var nonce: [UInt8]
    var chunks: [(id: Digest, length: UInt32)]
    var ciphertextLength: UInt32

    var plaintextLength: Int { chunks.reduce(0) { $0 + Int($1.length) } }

    func encoded() -> [UInt8] {
        var writer = ByteWriter()
        writer.append(nonce)
        writer.append(UInt32(chunks.count))
        writer.append(ciphertextLength)
        for chunk in chunks {
            writer.append(chunk.id)
            writer.append(chunk.length)
        }
        return writer.bytes
    }

    static func encodedCount(chunkCount: Int) -> Int { AEAD.nonceCount + 8 + chunkCount * 36 }

    /// Parses and bounds-checks a header; the reason names what is out of range.
    static func decode(_ bytes: [UInt8]) throws(PackDecodingError) -> BlockHeader {
        var reader = ByteReader(bytes)
        do {
            let nonce = Array(try reader.take(AEAD.nonceCount))
            let count = Int(try reader.readUInt32())
            let ciphertextLength = try reader.readUInt32()
            guard count >= 1, count <= PackFormat.maximumChunksPerBlock else { throw PackDecodingError("block has \(count) chunks") }
            guard Int(ciphertextLength) >= AEAD.tagCount, Int(ciphertextLength) <= PackFormat.maximumCiphertextLength else {
                throw PackDecodingError("block ciphertext length \(ciphertextLength) is out of range")
            }
            guard reader.remaining == count * 36 else { throw PackDecodingError("block header length does not match its chunk count") }
            var chunks = [(id: Digest, length: UInt32)]()
            chunks.reserveCapacity(count)
            for _ in 0..<count {
                let id = Digest(bytes: try reader.take(32))!
                let length = try reader.readUInt32()
                guard length >= 1, Int(length) <= PackFormat.maximumChunkLength else { throw PackDecodingError("chunk length \(length) is out of range") }
                chunks.append((id, length))
            }
            let header = BlockHeader(nonce: nonce, chunks: chunks, ciphertextLength: ciphertextLength)
            guard header.plaintextLength <= PackFormat.maximumBlockPlaintext else {
                throw PackDecodingError("block decompresses to \(header.plaintextLength) bytes, more than the format allows")
            }
            return header
        } catch let error as PackDecodingError {
            throw error
        } catch {
            throw PackDecodingError("block header is truncated")
        }
    }
}

struct PackDecodingError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The index of one pack: every chunk's location, in pack order (docs/FORMAT.md §7).
struct PackIndex: Equatable {
    var pack: Digest
    /// Who wrote the pack, and their Ed25519 signature over the index's records (§7): proof, checkable without any
    /// secret, that the owner or an authorized writer made the pack and this index of it. Absent only in indexes
    /// of the first v1 vaults.
    var seal: (signer: PublicSigningKey, signature: [UInt8])? = nil
    var records: [(id: Digest, location: ChunkLocation)]

    static func == (a: PackIndex, b: PackIndex) -> Bool { a.encoded() == b.encoded() }

    static let sealDomain = "crmvault pack v1"

    /// Signs the pack's name, so a pack someone merely dropped into the vault is never taken for a leftover of an
    /// interrupted backup.
    mutating func seal(with keys: VaultKeys) {
        seal = (keys.signing.publicKey, keys.signing.sign(SHA256Hasher.hash(recordBytes()).bytes, domain: Self.sealDomain))
    }

    /// True when the index carries a valid signature by one of `signers`.
    func isSealed(byOneOf signers: Set<PublicSigningKey>) -> Bool {
        guard let seal, signers.contains(seal.signer) else { return false }
        return seal.signer.isValidSignature(seal.signature, over: SHA256Hasher.hash(recordBytes()).bytes, domain: Self.sealDomain)
    }

    /// The index bytes: records, then signer and signature when sealed.
    func encoded() -> [UInt8] { recordBytes() + (seal.map { $0.signer.bytes + $0.signature } ?? []) }

    /// The part of the index a keyless verifier recomputes from the pack.
    func recordBytes() -> [UInt8] {
        var writer = ByteWriter()
        writer.bytes.reserveCapacity(44 + records.count * 52)
        writer.append(PackFormat.indexMagic)
        writer.append(pack)
        writer.append(UInt32(records.count))
        for record in records {
            writer.append(record.id)
            writer.append(record.location.blockOffset)
            writer.append(record.location.blockLength)
            writer.append(record.location.offsetInBlock)
            writer.append(record.location.length)
        }
        return writer.bytes
    }

    static func decode(_ bytes: [UInt8]) throws(PackDecodingError) -> PackIndex {
        var reader = ByteReader(bytes)
        do {
            guard Array(try reader.take(8)) == PackFormat.indexMagic else { throw PackDecodingError("not a version 1 index (bad magic)") }
            let pack = Digest(bytes: try reader.take(32))!
            let count = Int(try reader.readUInt32())
            guard reader.remaining == count * 52 || reader.remaining == count * 52 + 96 else {
                throw PackDecodingError("index length does not match its record count")
            }
            var records = [(id: Digest, location: ChunkLocation)]()
            records.reserveCapacity(count)
            for _ in 0..<count {
                let id = Digest(bytes: try reader.take(32))!
                let location = ChunkLocation(
                    pack: pack, blockOffset: try reader.readUInt64(), blockLength: try reader.readUInt32(),
                    offsetInBlock: try reader.readUInt32(), length: try reader.readUInt32())
                records.append((id, location))
            }
            var index = PackIndex(pack: pack, records: records)
            if reader.remaining == 96 {
                index.seal = (PublicSigningKey(bytes: Array(try reader.take(32)))!, Array(try reader.take(64)))
            }
            return index
        } catch let error as PackDecodingError {
            throw error
        } catch {
            throw PackDecodingError("index is truncated")
        }
    }
}
