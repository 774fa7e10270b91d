import Foundation

/// A file's keyed digest computed on a thread of its own, so the thread that reads and chunks a file (backup) or
/// decrypts and writes it (restore) does not also hash every byte a second time: on two cores the two hash passes
/// (chunk ids, file digest) run side by side. Pieces are hashed in the order they were submitted; at most `depth`
/// wait, so memory stays bounded.
final class BackgroundDigest: @unchecked Sendable {
    private let hasher: KeyedHasher
    private let queue = DispatchQueue(label: "crmvault.file-digest")
    private let slots: DispatchSemaphore

    init(key: SecretBytes, depth: Int = 4) {
        hasher = KeyedHasher(key: key)
        slots = DispatchSemaphore(value: depth)
    }

    /// Queues the next bytes of the file; waits while `depth` pieces are already queued.
    func update(_ bytes: [UInt8]) {
        slots.wait()
        queue.async {
            defer { self.slots.signal() }
            bytes.withUnsafeBytes { self.hasher.update($0) }
        }
    }

    /// Waits for every queued piece and returns the digest of all of them.
    func finalize() -> Digest {
        queue.sync { hasher.finalize() }
    }
}
