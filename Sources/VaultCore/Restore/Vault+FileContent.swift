extension Vault {
    /// Calls `body` with each chunk id of `file`, in file order. A stored chunk list is read one list chunk at a time,
    /// never whole, its references resolved by `resolver` (docs/FORMAT.md §8), and is refused as soon as it holds more
    /// references than the file's `count` says, or more bytes than `count` full references take, or `count` more than
    /// the file has bytes (every chunk holds at least one): a crafted manifest cannot make a reader loop or allocate
    /// without bound. A list that ends inside a reference, or holds fewer than `count`, is refused at its end.
    func forEachChunkID(of file: SnapshotManifest.Entry, reader: ChunkReader, resolver: inout ChunkResolver,
                        _ body: (Digest) throws -> Void) throws
    {
        guard let content = file.content else { return }
        let size = max(file.size ?? 0, 0)
        if let chunks = content.chunks {
            guard chunks.count <= SnapshotManifest.inlineChunkLimit, chunks.count <= size else { throw Self.oversized(file) }
            for hex in chunks { try body(try Self.digest(hex)) }
            return
        }
        let count = content.count ?? -1, list = content.list ?? []
        let longest = ChunkReference.listLengthRange(count: count).longest
        guard content.list != nil, count >= 0, count <= size, list.count <= longest else {
            throw VaultError(.manifestCorrupted, "The chunk list of \(file.path) does not fit its recorded size of \(size) bytes.")
        }
        var pending: [UInt8] = []
        var listBytes = 0
        var delivered = 0
        for listChunk in list {
            try reader.withChunk(try Self.digest(listChunk)) { bytes in
                listBytes += bytes.count
                guard listBytes <= longest else {
                    throw VaultError(.manifestCorrupted,
                        "The chunk list of \(file.path) is longer than the \(count) references it declares can be.")
                }
                pending.append(contentsOf: bytes)
            }
            let (references, consumed) = ChunkReference.decode(pending[...])
            guard references.count <= count - delivered else {
                throw VaultError(.manifestCorrupted,
                    "The chunk list of \(file.path) holds more than the \(count) references it declares.")
            }
            pending.removeFirst(consumed)
            for reference in references {
                try body(try resolver.id(for: reference, in: file.path))
            }
            delivered += references.count
        }
        guard pending.isEmpty else {
            throw VaultError(.manifestCorrupted, "The chunk list of \(file.path) ends in the middle of a reference.")
        }
        guard delivered == count else {
            throw VaultError(.manifestCorrupted,
                "The chunk list of \(file.path) holds \(delivered) references where it declares \(count).")
        }
    }

    /// The error for a file whose chunks add up to more than its recorded size.
    static func oversized(_ file: SnapshotManifest.Entry) -> VaultError {
        VaultError(.manifestCorrupted,
            "\(file.path): its chunks add up to more than its recorded size of \(file.size ?? 0) bytes, so it was stopped there "
                + "(its manifest was crafted or damaged).",
            remedy: "Run `crmvault verify` for the snapshots this affects; the other files are restored.")
    }

    static func digest(_ hex: String) throws -> Digest {
        guard let digest = Digest(hex: hex) else { throw VaultError(.manifestCorrupted, "A chunk id in the manifest is malformed.") }
        return digest
    }
}
