import Foundation

/// The second stage of a backup: compresses, encrypts and writes blocks on its own thread while the
/// first stage reads and chunks, so a backup uses both cores. At most `depth` blocks wait in memory.
final class PackSink: @unchecked Sendable {
    private let storage: any VaultStorage
    private let sealing: SealingKey
    private let keys: VaultKeys
    private let packTarget: UInt64
    private let compressor: ZstdCompressor
    private let queue = DispatchQueue(label: "crmvault.pack-sink")
    private let slots: DispatchSemaphore
    // Touched only on `queue`.
    private var writer: PackWriter?
    private var blocksInWriter: [Int] = []
    private var packOfBlock: [Int: Digest] = [:]
    private var written: [Digest] = []
    private var failure: (any Error)?

    init(storage: any VaultStorage, keys: VaultKeys, sealing: SealingKey, compressionLevel: Int, packTarget: Int, depth: Int = 4) {
        self.storage = storage
        self.keys = keys
        self.sealing = sealing
        self.packTarget = UInt64(packTarget)
        compressor = ZstdCompressor(level: compressionLevel)
        slots = DispatchSemaphore(value: depth)
    }

    /// Queues a block; blocks when `depth` blocks are already waiting. Throws an earlier stage-two failure.
    func submit(_ block: PendingBlock) throws {
        if let failure = queue.sync(execute: { self.failure }) { throw failure }
        slots.wait()
        queue.async {
            defer { self.slots.signal() }
            guard self.failure == nil else { return }
            do {
                // A pack ends at its byte target or before it would pass the format's chunk limit (§6).
                if let writer = self.writer, writer.chunkCount + block.ids.count > PackFormat.maximumChunksPerPack { try self.closePack() }
                if self.writer == nil { self.writer = try PackWriter(storage: self.storage, sealing: self.sealing) }
                try self.writer!.append(block, compressor: self.compressor)
                self.blocksInWriter.append(block.number)
                if self.writer!.size >= self.packTarget { try self.closePack() }
            } catch {
                self.failure = error
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
            if let failure { throw failure }
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
