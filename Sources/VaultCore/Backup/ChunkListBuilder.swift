/// A file's chunk ids as they are cut, turned into its manifest `content` without holding them all
/// (docs/FORMAT.md §8): the first `SnapshotManifest.inlineChunkLimit` are kept to be listed inline; from the next one
/// on, each id's **reference** (8 bytes short, or 40 full, as `reference` decides at the moment it is written) is
/// appended to the bytes of the file's chunk list, cut into chunks with the file's chunker as they arrive (a cut only
/// once the chunker's maximum lies ahead, so the list's chunks are those of the whole list cut at once) and stored
/// through `store`. Memory is one list chunk's worth of references plus the list chunks' own ids (one per ~250
/// references).
struct ChunkListBuilder {
    private var inline: [Digest] = []
    private var list: [UInt8] = []
    private var listStart = 0
    private var listIDs: [Digest] = []
    private(set) var count = 0

    /// Adds the file's next chunk id; `reference` says how the list names an id (asked once per id, when its reference
    /// is written), `store` stores a chunk of the list and returns its id.
    mutating func add(_ id: Digest, chunker: ContentDefinedChunker, reference: (Digest) -> ChunkReference,
                      store: (UnsafeRawBufferPointer) throws -> Digest) throws {
        count += 1
        if count <= SnapshotManifest.inlineChunkLimit {
            inline.append(id)
            return
        }
        if !inline.isEmpty {
            for earlier in inline { reference(earlier).append(to: &list) }
            inline = []
        }
        reference(id).append(to: &list)
        try cut(chunker: chunker, isFinal: false, store: store)
    }

    /// The manifest content: the ids inline, or the count and the ids of the list's chunks.
    mutating func finish(chunker: ContentDefinedChunker,
                         store: (UnsafeRawBufferPointer) throws -> Digest) throws -> SnapshotManifest.Content {
        if count <= SnapshotManifest.inlineChunkLimit { return .init(chunks: inline.map(\.hex)) }
        try cut(chunker: chunker, isFinal: true, store: store)
        return .init(count: count, list: listIDs.map(\.hex))
    }

    private mutating func cut(chunker: ContentDefinedChunker, isFinal: Bool,
                              store: (UnsafeRawBufferPointer) throws -> Digest) throws {
        let maximum = chunker.parameters.maximum
        while list.count - listStart >= maximum || (isFinal && listStart < list.count) {
            let stored = try list.withUnsafeBytes { all in
                let rest = UnsafeRawBufferPointer(rebasing: all[listStart...])
                let length = chunker.nextChunkLength(in: rest)
                return (length, try store(UnsafeRawBufferPointer(rebasing: rest[0..<length])))
            }
            listStart += stored.0
            listIDs.append(stored.1)
        }
        if listStart >= 64 << 10 {
            list.removeFirst(listStart)
            listStart = 0
        }
    }
}
