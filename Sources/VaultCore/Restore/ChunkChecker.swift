import Foundation

/// Checks restored bytes off the thread that decrypts and writes: every chunk against its keyed id on one thread,
/// and the whole file against its recorded digest on another (`BackgroundDigest`). At most two batches wait for
/// each, so memory stays bounded.
final class ChunkChecker: @unchecked Sendable {
    private let keys: VaultKeys
    private let digest: BackgroundDigest
    private let queue = DispatchQueue(label: "crmvault.chunk-checker")
    private let slots = DispatchSemaphore(value: 2)
    // Touched only on `queue`.
    private var firstMismatch: Digest?

    init(keys: VaultKeys) {
        self.keys = keys
        digest = BackgroundDigest(key: keys.fileDigestKey, depth: 2)
    }

    /// Queues a batch of consecutive file bytes and the chunks it is made of.
    func submit(_ batch: [UInt8], chunks: [(id: Digest, range: Range<Int>)]) {
        digest.update(batch)
        slots.wait()
        queue.async {
            defer { self.slots.signal() }
            batch.withUnsafeBytes { bytes in
                guard self.firstMismatch == nil else { return }
                for chunk in chunks where self.keys.chunkID(of: UnsafeRawBufferPointer(rebasing: bytes[chunk.range])) != chunk.id {
                    self.firstMismatch = chunk.id
                    return
                }
            }
        }
    }

    /// Waits for every batch; returns the file digest and the first chunk that did not match its id.
    func finish() -> (digest: Digest, mismatch: Digest?) {
        let mismatch = queue.sync { firstMismatch }
        return (digest.finalize(), mismatch)
    }
}
