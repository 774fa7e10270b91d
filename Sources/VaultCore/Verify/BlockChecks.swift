import Foundation

/// Deep verify's check of every block of one pack, on every core, while the pack's reader goes on hashing it: each
/// block is authenticated, decompressed and each of its chunks checked against its id (docs/FORMAT.md §10). The
/// blocks that pass are the proof `checkFileDigests` proves files from without reading them again. At most a few
/// blocks (each at most 64 MiB) wait, so memory stays bounded.
final class BlockChecks: @unchecked Sendable {
    private let keys: VaultKeys
    private let key: SecretBytes
    private let pack: Digest
    private let group = DispatchGroup()
    private let slots: DispatchSemaphore
    private let lock = NSLock()
    // Under `lock`.
    private var idle: [ZstdDecompressor] = []
    private var opened: [UInt64] = []
    private var damaged: [PackScanner.DamagedBlock] = []

    init(pack: Digest, key: SecretBytes, keys: VaultKeys) {
        self.pack = pack
        self.key = key
        self.keys = keys
        slots = DispatchSemaphore(value: ProcessInfo.processInfo.activeProcessorCount + 1)
    }

    /// Queues one block (`bytes` = headerLength ‖ header ‖ ciphertext, starting at `offset` of the pack); waits while
    /// as many blocks as cores are already queued.
    func submit(_ bytes: [UInt8], header: BlockHeader, offset: UInt64) {
        slots.wait()
        group.enter()
        DispatchQueue.global().async {
            defer {
                self.slots.signal()
                self.group.leave()
            }
            let decompressor = self.lock.withLock { self.idle.popLast() } ?? ZstdDecompressor()
            let outcome = Result { try self.check(bytes, header: header, offset: offset, decompressor: decompressor) }
            self.lock.withLock {
                self.idle.append(decompressor)
                switch outcome {
                case .success: self.opened.append(offset)
                case .failure(let error as VaultError):
                    self.damaged.append(.init(offset: offset, chunks: header.chunks.count, reason: error.message))
                case .failure(let error):
                    self.damaged.append(.init(offset: offset, chunks: header.chunks.count, reason: "\(error)"))
                }
            }
        }
    }

    /// Waits for every queued block; returns the offsets of the blocks that passed and the blocks that did not, both in
    /// pack order.
    func finish() -> (opened: [UInt64], damaged: [PackScanner.DamagedBlock]) {
        group.wait()
        return lock.withLock { (opened.sorted(), damaged.sorted { $0.offset < $1.offset }) }
    }

    /// Authenticates and decompresses one block, and checks each chunk against its id.
    private func check(_ bytes: [UInt8], header: BlockHeader, offset: UInt64, decompressor: ZstdDecompressor) throws {
        let plaintext = try BlockOpener.open(bytes, key: key, decompressor: decompressor, pack: pack, offset: offset).plaintext
        var start = 0
        for chunk in header.chunks {
            let chunkBytes = UnsafeRawBufferPointer(rebasing: plaintext.bytes[start..<(start + Int(chunk.length))])
            guard keys.chunkID(of: chunkBytes) == chunk.id else {
                throw VaultError(.chunkCorrupted, "chunk \(chunk.id.shortForm) at offset \(offset) does not match its id")
            }
            start += Int(chunk.length)
        }
    }
}
