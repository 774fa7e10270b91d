/// One backup in progress: chunks every file of an export, deduplicates against the vault's index,
/// groups new chunks into blocks for the `PackSink`, and collects the manifest entries.
final class BackupSession: ExportVisitor {
    private let keys: VaultKeys
    private let chunker: ContentDefinedChunker
    private let sink: PackSink
    private let blockTarget: Int
    private let known: [Digest: ChunkLocation]
    private var newChunks: [Digest: Int] = [:]
    private var block: PendingBlock
    private var fileExistingPacks: Set<Digest> = []
    private var fileBlocks: Set<Int> = []
    private var fileReferences: [Int: (packs: Set<Digest>, blocks: Set<Int>)] = [:]
    private(set) var entries: [SnapshotManifest.Entry] = []
    private(set) var bytesIn = 0
    /// Bytes chunked so far, new or not, list chunks included: the compression level depends on it (CompressionLevels).
    private var chunkedBytes = 0
    private(set) var chunkCount = 0
    private(set) var newChunkBytes = 0
    /// Where to report progress, with the report so far (totals from the survey of the export).
    var progress: (report: OperationProgress, handler: ProgressHandler)?
    /// Entries left out, each "path (reason)" with the path escaped.
    private(set) var skipped: [String] = []

    init(keys: VaultKeys, config: VaultConfig, known: [Digest: ChunkLocation], sink: PackSink) {
        self.keys = keys
        self.chunker = ContentDefinedChunker(parameters: config.chunker, key: keys.chunkerKey)
        self.sink = sink
        self.blockTarget = config.blockTarget
        self.known = known
        block = PendingBlock(number: 0)
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
        // Every byte is hashed once, into its chunk id; the file digest is computed from the ids (FORMAT.md §4.3).
        var ids: [Digest] = []
        var buffer: [UInt8] = []
        var start = 0
        var total = 0
        let maximum = chunker.parameters.maximum
        try contents { bytes in
            total += bytes.count
            if var progress {
                progress.report.bytesDone += Int64(bytes.count)
                progress.handler(progress.report)
                self.progress = progress
            }
            buffer.append(contentsOf: bytes)
            while buffer.count - start >= maximum {
                start += try cutChunk(from: buffer, at: start, ids: &ids)
            }
            if start >= 8 << 20 {
                buffer.removeFirst(start)
                start = 0
            }
        }
        while start < buffer.count { start += try cutChunk(from: buffer, at: start, ids: &ids) }
        bytesIn += total
        progress?.report.itemsDone += 1
        if let progress { progress.handler(progress.report) }
        let content = try storeContent(ids)
        fileReferences[entries.count] = (fileExistingPacks, fileBlocks)
        fileExistingPacks = []
        fileBlocks = []
        entries.append(.init(
            path: path, type: "file", mode: mode, mtime: mtime.seconds, mtimeNanoseconds: mtime.nanoseconds, size: total,
            digest: FileDigest.of(size: total, ids: ids, key: keys.fileDigestKey).hex, content: content))
    }

    private func cutChunk(from buffer: [UInt8], at start: Int, ids: inout [Digest]) throws -> Int {
        try buffer.withUnsafeBytes { all in
            let rest = UnsafeRawBufferPointer(rebasing: all[start...])
            let length = chunker.nextChunkLength(in: rest)
            let chunk = UnsafeRawBufferPointer(rebasing: rest[0..<length])
            ids.append(try store(chunk))
            return length
        }
    }

    /// Records a chunk, adding it to the current block unless the vault or this backup already has it.
    private func store(_ chunk: UnsafeRawBufferPointer) throws -> Digest {
        let id = keys.chunkID(of: chunk)
        chunkCount += 1
        chunkedBytes += chunk.count
        if let location = known[id] {
            fileExistingPacks.insert(location.pack)
        } else if let blockNumber = newChunks[id] {
            fileBlocks.insert(blockNumber)
        } else {
            newChunks[id] = block.number
            fileBlocks.insert(block.number)
            block.ids.append(id)
            block.lengths.append(chunk.count)
            block.data.append(contentsOf: chunk)
            newChunkBytes += chunk.count
            // A block ends at its byte target or at the format's chunk-count limit, whichever comes first: an export
            // of many tiny files must never produce a block its own reader refuses (docs/FORMAT.md §6).
            if block.data.count >= blockTarget || block.ids.count >= PackFormat.maximumChunksPerBlock { try flushBlock() }
        }
        return id
    }

    private func flushBlock() throws {
        guard !block.ids.isEmpty else { return }
        var full = block
        (full.backupNewBytes, full.backupInputBytes) = (newChunkBytes, chunkedBytes)
        block = PendingBlock(number: full.number + 1)
        try sink.submit(full)
    }

    /// Small files list their chunk ids inline; large ones store the id list itself as chunks (docs/FORMAT.md §8).
    private func storeContent(_ ids: [Digest]) throws -> SnapshotManifest.Content {
        if ids.count <= SnapshotManifest.inlineChunkLimit { return .init(chunks: ids.map(\.hex)) }
        var list: [UInt8] = []
        list.reserveCapacity(ids.count * 32)
        for id in ids { list.append(contentsOf: id.bytes) }
        var listIDs: [Digest] = []
        var start = 0
        while start < list.count { start += try cutChunk(from: list, at: start, ids: &listIDs) }
        return .init(count: ids.count, list: listIDs.map(\.hex))
    }

    /// Seals the last block, records each file's packs, and returns every pack the snapshot references.
    func finish() throws -> [Digest] {
        try flushBlock()
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
