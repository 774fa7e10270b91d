/// One backup in progress: chunks every file of an export, deduplicates against the vault's index,
/// groups new chunks into blocks for the `PackSink`, and collects the manifest entries and the ids of its `resolve`.
final class BackupSession: ExportVisitor {
    private let keys: VaultKeys
    private let chunker: ContentDefinedChunker
    private let fileChunker: FileChunker
    private let sink: PackSink
    private let blockTarget: Int
    /// The vault's chunks this backup may deduplicate against, and the chunks it stored so far (by block).
    private var index: BackupIndex
    /// Ids written short in a chunk list before a chunk stored later began with the same 8 bytes (§8).
    private var resolveIDs: Set<Digest> = []
    private var block: PendingBlock
    /// Chunks of files' chunk lists gather in blocks of their own, as they did when each list was stored after its
    /// file: ids do not compress, and mixed into the data blocks they cost the data blocks' compression.
    private var listBlock: PendingBlock
    private var nextBlockNumber = 2
    /// The vault's packs the current file uses, by number in `index.packs`, each once (`fileOfPack` marks them).
    private var fileExistingPacks: [Int] = []
    private var fileOfPack: [Int]
    private var fileBlocks: Set<Int> = []
    private var fileReferences: [Int: (packs: Set<Digest>, blocks: Set<Int>)] = [:]
    private(set) var entries: [SnapshotManifest.Entry] = []
    private(set) var bytesIn = 0
    private(set) var chunkCount = 0
    private(set) var newChunkBytes = 0
    /// Of `newChunkBytes`, the bytes and count of new list chunks (docs/FORMAT.md §8), for the storage benchmark.
    private(set) var newListBytes = 0
    private(set) var newListChunks = 0
    /// Where to report progress, with the report so far (totals from the survey of the export).
    var progress: (report: OperationProgress, handler: ProgressHandler)?
    /// Entries left out, each "path (reason)" with the path escaped.
    private(set) var skipped: [String] = []

    /// `hashThreads` compute chunk ids (one per core by default); the snapshot is the same for any number.
    init(keys: VaultKeys, config: VaultConfig, known: BackupIndex, sink: PackSink, hashThreads: Int) {
        self.keys = keys
        self.chunker = ContentDefinedChunker(parameters: config.chunker, key: keys.chunkerKey)
        fileChunker = FileChunker(chunker: chunker, keys: keys, threads: hashThreads)
        self.sink = sink
        self.blockTarget = config.blockTarget
        index = known
        fileOfPack = Array(repeating: -1, count: known.packs.count)
        block = PendingBlock(number: 0)
        listBlock = PendingBlock(number: 1)
    }

    func directory(_ path: String, mode: Int, mtime: FileTime) throws {
        entries.append(.init(path: path, type: "directory", mode: mode, mtime: mtime.seconds, mtimeNanoseconds: mtime.nanoseconds))
    }

    func skipped(_ path: String, reason: String) { skipped.append("\(path) (\(reason))") }

    func symlink(_ path: String, target: String, mtime: FileTime) throws {
        entries.append(.init(path: path, type: "symlink", mode: 0o777, mtime: mtime.seconds, mtimeNanoseconds: mtime.nanoseconds,
            target: target))
    }

    func file(_ path: String, mode: Int, mtime: FileTime, size: Int,
              contents: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        // Every byte is hashed once, into its chunk id, on every core (`FileChunker`). The file digest is computed from
        // the size and the ids (FORMAT.md §4.3) as they come, and the ids go straight into the file's content, so
        // nothing here grows with the file but the ids of its chunk list's own chunks.
        let digest = FileDigest(key: keys.fileDigestKey, size: size)
        var content = ChunkListBuilder()
        let take = { (chunk: UnsafeRawBufferPointer, id: Digest) throws in
            digest.add(id)
            try self.store(chunk, id: id)
            try content.add(id, chunker: self.chunker, reference: { self.index.reference(to: $0) }, store: self.storeListChunk)
        }
        var total = 0
        do {
            try contents { bytes in
                total += bytes.count
                if var progress {
                    progress.report.bytesDone += Int64(bytes.count)
                    progress.handler(progress.report)
                    self.progress = progress
                }
                try fileChunker.add(bytes, take)
            }
            try fileChunker.finish(take)
        } catch {
            fileChunker.reset()
            throw error
        }
        // The digest began with the size the source gave; a file that grew or shrank while it was read would have
        // another (a zip member's size is checked by its source, so this is a directory's file being written).
        guard total == size else {
            throw VaultError(.inputUnreadable,
                "\(TerminalText.escaped(path)) changed while it was read: \(size) bytes when listed, \(total) bytes read.",
                remedy: "Back up the export once it is complete and nothing writes to it any more.")
        }
        bytesIn += total
        progress?.report.itemsDone += 1
        if let progress { progress.handler(progress.report) }
        let stored = try content.finish(chunker: chunker, store: storeListChunk)
        fileReferences[entries.count] = (Set(fileExistingPacks.map { index.packs[$0] }), fileBlocks)
        fileExistingPacks = []
        fileBlocks = []
        entries.append(.init(
            path: path, type: "file", mode: mode, mtime: mtime.seconds, mtimeNanoseconds: mtime.nanoseconds, size: total,
            digest: digest.finalize().hex, content: stored))
    }

    /// Stores a chunk of a file's chunk list (§8), hashed here: list chunks are a small share of the bytes.
    private func storeListChunk(_ chunk: UnsafeRawBufferPointer) throws -> Digest {
        let id = keys.chunkID(of: chunk)
        try store(chunk, id: id, isListChunk: true)
        return id
    }

    /// Records a chunk, adding it to the current block unless the vault or this backup already has it.
    private func store(_ chunk: UnsafeRawBufferPointer, id: Digest, isListChunk: Bool = false) throws {
        chunkCount += 1
        switch index.holder(of: id) {
        case .pack(let pack):
            if fileOfPack[pack] != entries.count {
                fileOfPack[pack] = entries.count
                fileExistingPacks.append(pack)
            }
        case .block(let blockNumber):
            fileBlocks.insert(blockNumber)
        case nil where isListChunk:
            newListBytes += chunk.count
            newListChunks += 1
            try add(chunk, id: id, to: &listBlock)
        case nil:
            try add(chunk, id: id, to: &block)
        }
    }

    private func add(_ chunk: UnsafeRawBufferPointer, id: Digest, to pending: inout PendingBlock) throws {
        resolveIDs.formUnion(index.addStored(id, block: pending.number))
        fileBlocks.insert(pending.number)
        pending.ids.append(id)
        pending.lengths.append(chunk.count)
        pending.data.append(contentsOf: chunk)
        newChunkBytes += chunk.count
        // A block ends at its byte target or at the format's chunk-count limit, whichever comes first: an export
        // of many tiny files must never produce a block its own reader refuses (docs/FORMAT.md §6).
        if pending.data.count >= blockTarget || pending.ids.count >= PackFormat.maximumChunksPerBlock { try flush(&pending) }
    }

    private func flush(_ pending: inout PendingBlock) throws {
        guard !pending.ids.isEmpty else { return }
        let full = pending
        pending = PendingBlock(number: nextBlockNumber)
        nextBlockNumber += 1
        pending.data.reserveCapacity(blockTarget + chunker.parameters.maximum)  // grown once, not by doubling
        try sink.submit(full)
    }

    /// The manifest's `resolve` (§8): hex ids, sorted; empty in all but the rarest backups.
    var resolve: [String] { resolveIDs.map(\.hex).sorted() }

    /// Seals the last block, records each file's packs, and returns every pack the snapshot references.
    func finish() throws -> [Digest] {
        try flush(&block)
        try flush(&listBlock)
        let packOfBlock = try sink.finish()
        var packsOfFile: [Int: Set<Digest>] = [:]
        for (entry, references) in fileReferences {
            packsOfFile[entry] = try references.packs.union(references.blocks.map { number in
                guard let pack = packOfBlock[number] else { throw VaultError(.ioFailed, "internal error: block \(number) has no pack") }
                return pack
            })
        }
        let referenced = packsOfFile.values.reduce(into: Set<Digest>()) { $0.formUnion($1) }.sorted()
        let position = Dictionary(uniqueKeysWithValues: referenced.enumerated().map { ($1, $0) })
        for (entry, packs) in packsOfFile { entries[entry].packs = packs.compactMap { position[$0] }.sorted() }
        return referenced
    }
}
