import Foundation

/// The second stage of a backup: compresses blocks on `compressThreads` threads at once, and encrypts and writes them,
/// in the order submitted, on its own thread, while the first stage reads and chunks, so a backup uses every core.
/// At most `depth` blocks wait in memory. Which pack a block lands in, and where, depends only on the order of the
/// blocks and their compressed bytes, never on which thread compressed them or when.
final class PackSink: @unchecked Sendable {
    private let storage: any VaultStorage
    private let sealing: SealingKey
    private let keys: VaultKeys
    private let packTarget: UInt64
    private let compressors: CompressorPool
    private let compressThreads: Int
    private let queue = DispatchQueue(label: "crmvault.pack-sink")
    private let slots: DispatchSemaphore
    /// The first stage-two failure, read by `submit` without waiting for the queue (a `queue.sync` there would wait
    /// for every block queued before, and so keep at most one block in stage two).
    private let failureLock = NSLock()
    private var failure: (any Error)?
    // Touched only on `queue`.
    private var writer: PackWriter?
    private var blocksInWriter: [Int] = []
    private var packOfBlock: [Int: Digest] = [:]
    private var written: [Digest] = []

    init(storage: any VaultStorage, keys: VaultKeys, sealing: SealingKey, compressionLevel: Int, packTarget: Int,
         depth: Int = 4, compressThreads: Int = 1) {
        self.storage = storage
        self.keys = keys
        self.sealing = sealing
        self.packTarget = UInt64(packTarget)
        compressors = CompressorPool(level: compressionLevel)
        self.compressThreads = max(1, compressThreads)
        slots = DispatchSemaphore(value: max(depth, self.compressThreads + 1))
    }

    private var firstFailure: (any Error)? { failureLock.withLock { failure } }

    private func fail(_ error: any Error) { failureLock.withLock { if failure == nil { failure = error } } }

    /// Queues a block; blocks when `depth` blocks are already waiting. Throws an earlier stage-two failure.
    func submit(_ block: PendingBlock) throws {
        if let failure = firstFailure { throw failure }
        slots.wait()
        let compressors = compressors
        let compressed = BackgroundResult<[UInt8]>()
        if compressThreads > 1 { DispatchQueue.global().async { compressed.compute { try compressors.compress(block) } } }
        queue.async {
            defer { self.slots.signal() }
            // Waited for even after a failure: a block's slot is given back only once nothing works on it.
            if self.compressThreads > 1 { compressed.wait() } else { compressed.compute { try compressors.compress(block) } }
            guard self.firstFailure == nil else { return }
            do {
                let bytes = try compressed.get()
                // A pack ends at its byte target or before it would pass the format's chunk limit (§6).
                if let writer = self.writer, writer.chunkCount + block.ids.count > PackFormat.maximumChunksPerPack { try self.closePack() }
                if self.writer == nil { self.writer = try PackWriter(storage: self.storage, sealing: self.sealing) }
                try self.writer!.append(block, compressed: bytes)
                self.blocksInWriter.append(block.number)
                if self.writer!.size >= self.packTarget { try self.closePack() }
            } catch {
                self.fail(error)
            }
        }
    }

    private func closePack() throws {
        guard let writer else { return }
        self.writer = nil
        let result = try writer.finish(storage: storage, keys: keys)
        for block in blocksInWriter { packOfBlock[block] = result.name }
        blocksInWriter = []
        written.append(result.name)
    }

    /// Waits for every queued block, closes the last pack, and returns which pack holds each block.
    func finish() throws -> [Int: Digest] {
        try queue.sync {
            if let failure = firstFailure { throw failure }
            try closePack()
            return packOfBlock
        }
    }

    /// Drops the pack being written (an abandoned backup); finished packs stay for the next run to reuse.
    func abandon() -> [Digest] {
        queue.sync {
            writer?.abandon()
            writer = nil
            return written
        }
    }
}

/// zstd contexts for the compressing threads, each used by one thread at a time and kept for the next block.
private final class CompressorPool: @unchecked Sendable {
    private let level: Int
    private let lock = NSLock()
    private var idle: [ZstdCompressor] = []

    init(level: Int) { self.level = level }

    func compress(_ block: PendingBlock) throws -> [UInt8] {
        let compressor = lock.withLock { idle.popLast() } ?? ZstdCompressor(level: level)
        defer { lock.withLock { idle.append(compressor) } }
        return try PackWriter.compress(block, compressor: compressor)
    }
}
