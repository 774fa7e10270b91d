import Foundation

/// Block buffers of one capacity, kept for the next block once a block is released: a restore decompresses a block
/// into a buffer that was written moments ago (its pages mapped, often still in cache) instead of a fresh allocation
/// the kernel must fault in and zero page by page. A block larger than `capacity` (a vault with a larger block target,
/// or a crafted block) gets an allocation of its own. At most `limit` free buffers are kept; the others are freed, and
/// so are all of them when the pool goes (a block keeps its pool alive while it lives).
final class PlainBlockPool: @unchecked Sendable {
    let capacity: Int
    private let limit: Int
    private var free: [UnsafeMutableRawBufferPointer] = []
    private let lock = NSLock()

    init(capacity: Int, limit: Int) {
        self.capacity = max(capacity, 1)
        self.limit = max(limit, 0)
    }

    deinit { for buffer in free { buffer.deallocate() } }

    /// The pool for blocks of `config`: its block target plus one largest chunk, the most a backup puts in a block.
    convenience init(for config: VaultConfig, limit: Int) {
        self.init(
            capacity: min(config.blockTarget - 1 + config.chunker.maximum, PackFormat.maximumBlockTarget), limit: limit)
    }

    /// A buffer of `capacity` bytes, uninitialized or holding an earlier block's bytes.
    func take() -> UnsafeMutableRawBufferPointer {
        lock.withLock { free.popLast() } ?? .allocate(byteCount: capacity, alignment: 16)
    }

    /// Takes back a buffer from `take()`; frees it when `limit` buffers are already waiting.
    func give(_ buffer: UnsafeMutableRawBufferPointer) {
        let kept = lock.withLock {
            guard free.count < limit else { return false }
            free.append(buffer)
            return true
        }
        if !kept { buffer.deallocate() }
    }

    /// How many free buffers wait (for tests).
    var freeCount: Int { lock.withLock { free.count } }
}
