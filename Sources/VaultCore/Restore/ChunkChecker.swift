import Foundation

/// Checks restored chunks against their keyed ids off the thread that decrypts and writes them: the one hash pass
/// over every restored byte, which ties the plaintext to the ids the file digest is computed from (FORMAT.md §4.3).
/// At most two batches wait, so memory stays bounded (each holds the blocks its chunks lie in).
final class ChunkChecker: @unchecked Sendable {
    private let keys: VaultKeys
    private let queue = DispatchQueue(label: "crmvault.chunk-checker")
    private let slots = DispatchSemaphore(value: 2)
    // Touched only on `queue`.
    private var firstMismatch: Digest?

    init(keys: VaultKeys) { self.keys = keys }

    /// Queues the chunks of one written batch: each is `range` of a decrypted `block`, the very bytes that were
    /// written, and must hash to `id`. The blocks stay alive until they are checked.
    func submit(_ chunks: [(block: PlainBlock, range: Range<Int>, id: Digest)]) {
        slots.wait()
        queue.async {
            defer { self.slots.signal() }
            guard self.firstMismatch == nil else { return }
            for chunk in chunks where self.keys.chunkID(of: UnsafeRawBufferPointer(rebasing: chunk.block.bytes[chunk.range])) != chunk.id {
                self.firstMismatch = chunk.id
                return
            }
        }
    }

    /// Waits for every batch; returns the first chunk that did not match its id.
    func finish() -> Digest? { queue.sync { firstMismatch } }
}
