/// How a pack's stored index compares with the index recomputed from the pack.
enum IndexComparison {
    case missing
    /// The stored file cannot be read or parsed, or is not the index of this pack.
    case unreadable(String)
    case differs
    /// Same records; `seal` is the stored signer and signature (nil in the first v1 vaults), and `recordHash` the
    /// SHA-256 of the record part that the seal signs (§7).
    case matches(seal: (signer: PublicSigningKey, signature: [UInt8])?, recordHash: Digest)

    /// True when the records match and carry a valid seal by one of `signers`.
    func isSealed(byOneOf signers: Set<PublicSigningKey>) -> Bool {
        guard case .matches(let seal?, let recordHash) = self, signers.contains(seal.signer) else { return false }
        return seal.signer.isValidSignature(seal.signature, over: recordHash.bytes, domain: PackIndex.sealDomain)
    }

    var sealer: PublicSigningKey? {
        if case .matches(let seal?, _) = self { return seal.signer }
        return nil
    }
}

/// Streams a stored index file (§7) against the records a ``PackScanner`` recomputes, 52 bytes at a time, so that
/// neither index is ever held whole: a planted pack or index of any size costs a fixed amount of memory to check.
struct IndexComparer {
    private var reader: BufferedReader?
    private var failure: IndexComparison?
    private var declaredCount = 0
    private var compared = 0
    private var expected = ByteWriter()

    init(storage: any VaultStorage, pack: Digest) {
        let path = PackFormat.indexPath(pack)
        guard storage.exists(path) else {
            failure = .missing
            return
        }
        do {
            var reader = BufferedReader(file: try storage.openSequential(path))
            guard let header = try reader.read(exactly: 44), Array(header[0..<8]) == PackFormat.indexMagic,
                Digest(bytes: header[8..<40]) == pack
            else {
                failure = .unreadable("is not the index of this pack (bad magic or pack name)")
                return
            }
            declaredCount = Int(header.readUInt32(at: 40))
            self.reader = reader
        } catch let error as VaultError {
            failure = .unreadable(error.message)
        } catch {
            failure = .unreadable("cannot be read")
        }
    }

    /// The signer a stored index names in its seal, read from its last 96 bytes alone (nil without a seal); a cheap
    /// first test before a pack is read.
    static func storedSealer(storage: any VaultStorage, pack: Digest) -> PublicSigningKey? {
        let path = PackFormat.indexPath(pack)
        guard let size = try? storage.size(of: path), size >= 44 + 96, (size - 44 - 96) % 52 == 0,
            let tail = try? storage.read(path, offset: size - 96, count: 32)
        else { return nil }
        return PublicSigningKey(bytes: tail)
    }

    /// Compares the next stored record with the one recomputed from the pack.
    mutating func compare(_ id: Digest, _ location: ChunkLocation) {
        guard failure == nil, reader != nil else { return }
        compared += 1
        // One record's buffer, reused: this runs once per chunk of the vault.
        expected.bytes.removeAll(keepingCapacity: true)
        expected.append(id)
        expected.append(location.blockOffset)
        expected.append(location.blockLength)
        expected.append(location.offsetInBlock)
        expected.append(location.length)
        guard compared <= declaredCount, (try? reader!.nextEquals(expected.bytes)) == true else {
            failure = .differs
            return
        }
    }

    /// The verdict once the pack has `records` records: the stored index must hold exactly those, then nothing or a seal.
    mutating func finish(records: Int) -> IndexComparison {
        if let failure { return failure }
        guard var reader, declaredCount == records else { return .differs }
        let recordHash = reader.finalize()
        // Only the record part is hashed for the seal; the seal itself is read from a reader of its own.
        guard let rest = try? Self.remainder(&reader) else { return .unreadable("cannot be read") }
        switch rest.count {
        case 0: return .matches(seal: nil, recordHash: recordHash)
        case 96:
            return .matches(seal: (PublicSigningKey(bytes: Array(rest[0..<32]))!, Array(rest[32..<96])), recordHash: recordHash)
        default: return .differs
        }
    }

    /// What follows the records: at most 96 bytes are taken (a longer tail is refused as it stands).
    private static func remainder(_ reader: inout BufferedReader) throws -> [UInt8] {
        var rest: [UInt8] = []
        while rest.count <= 96, let byte = try reader.read(exactly: 1) { rest += byte }
        return rest
    }
}
