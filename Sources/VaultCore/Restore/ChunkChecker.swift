import Foundation

/// Checks restored bytes on the second core while the first decrypts and writes: every chunk against its
/// keyed id, and the whole file against its recorded digest. At most two batches wait, so memory stays bounded.
final class ChunkChecker: @unchecked Sendable {
    private let keys: VaultKeys
    private let digest: KeyedHasher
    private let queue = DispatchQueue(label: "crmvault.chunk-checker")
    private let slots = DispatchSemaphore(value: 2)
    // Touched only on `queue`.
    private var firstMismatch: Digest?

    init(keys: VaultKeys) {
        self.keys = keys
        digest = KeyedHasher(key: keys.fileDigestKey)
    }

    /// Queues a batch of consecutive file bytes and the chunks it is made of.
    func submit(_ batch: [UInt8], chunks: [(id: Digest, range: Range<Int>)]) {
        slots.wait()
        queue.async {
            defer { self.slots.signal() }
            batch.withUnsafeBytes { bytes in
                self.digest.update(bytes)
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
        queue.sync { (digest.finalize(), firstMismatch) }
    }
}
