extension Vault {
    /// Calls `body` with each chunk id of `file`, in file order. A stored chunk list is read one list chunk at a time,
    /// never whole, and is refused as soon as it holds more ids than the file's `count` says, or `count` more than the
    /// file has bytes (every chunk holds at least one): a crafted manifest cannot make a reader loop or allocate
    /// without bound.
    func forEachChunkID(of file: SnapshotManifest.Entry, reader: ChunkReader, _ body: (Digest) throws -> Void) throws {
        guard let content = file.content else { return }
        let size = max(file.size ?? 0, 0)
        if let chunks = content.chunks {
            guard chunks.count <= SnapshotManifest.inlineChunkLimit, chunks.count <= size else { throw Self.oversized(file) }
            for hex in chunks { try body(try Self.digest(hex)) }
            return
        }
        guard let count = content.count, let list = content.list, count >= 0, count <= size, list.count <= count * 32 else {
            throw VaultError(.manifestCorrupted, "The chunk list of \(file.path) does not fit its recorded size of \(size) bytes.")
        }
        var pending: [UInt8] = []
        var delivered = 0
        for listChunk in list {
            try reader.withChunk(try Self.digest(listChunk)) { bytes in
                guard (delivered * 32) + pending.count + bytes.count <= count * 32 else {
                    throw VaultError(.manifestCorrupted, "The chunk list of \(file.path) holds more than the \(count) ids it declares.")
                }
                pending.append(contentsOf: bytes)
            }
            var offset = 0
            while pending.count - offset >= 32 {
                try body(Digest(bytes: pending[offset..<(offset + 32)])!)
                offset += 32
                delivered += 1
            }
            pending.removeFirst(offset)
        }
        guard delivered == count, pending.isEmpty else {
            throw VaultError(.manifestCorrupted, "The chunk list of \(file.path) has the wrong length.")
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
