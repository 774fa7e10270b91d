import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A restored file written whole under its temporary name, not yet checked to the end, synced or renamed: its
/// descriptor is closed and, unless it was renamed to its final name, the temporary file removed when it is released,
/// whatever path the restore took (an error on the writing thread, a failed check or fsync on the finishing one).
final class PartialFile: @unchecked Sendable {
    let fd: Int32
    let temporary: String
    /// The chunk-id checks of the bytes written, still running on their own queue.
    let checker: ChunkChecker
    private(set) var isRenamed = false

    init(fd: Int32, temporary: String, checker: ChunkChecker) {
        self.fd = fd
        self.temporary = temporary
        self.checker = checker
    }

    deinit {
        close(fd)
        if !isRenamed { unlink(temporary) }
    }

    /// Waits for the chunk-id checks, makes the bytes durable (`syncing`), then gives the file its name `path`: only
    /// a file whose every chunk matched its id, and that is on disk, ever appears under its name.
    func finish(as path: String, syncing: Bool) throws {
        if let mismatch = checker.finish() { throw Self.mismatch(mismatch) }
        if syncing { guard fsync(fd) == 0 else { throw RestoreTarget.failure("fsync", temporary) } }
        var existing = stat()
        if lstat(path, &existing) == 0 && existing.st_mode & S_IFMT == S_IFDIR {
            throw RestoreTarget.Failure(error: VaultError(.targetNotEmpty,
                "\(path) is a directory in the target; the file was not restored over it"), cause: .target)
        }
        guard rename(temporary, path) == 0 else { throw RestoreTarget.failure("rename", path) }
        isRenamed = true
    }

    /// The error for a restored chunk whose bytes do not hash to its id.
    static func mismatch(_ id: Digest) -> VaultError {
        VaultError(.chunkCorrupted, "chunk \(id.shortForm) does not match its id (damaged data).")
    }
}

/// Finishes restored files (the last chunk-id checks, the fsync, the rename) on a thread of its own, one after another,
/// while the threads that wrote them decrypt and write the next files: the disk flushes one file's tail while the cores
/// produce the next one's bytes, instead of a core waiting for each fsync. At most `pending` files wait, so the open
/// descriptors and the blocks their checks hold stay bounded.
final class FileFinisher: @unchecked Sendable {
    private let queue = DispatchQueue(label: "crmvault.file-finisher")
    private let slots: DispatchSemaphore

    init(pending: Int) { slots = DispatchSemaphore(value: max(1, pending)) }

    /// Queues `body`, waiting first while `pending` files already wait.
    func submit(_ body: @escaping @Sendable () -> Void) {
        slots.wait()
        queue.async {
            body()
            self.slots.signal()
        }
    }

    /// Waits until every queued file is finished.
    func wait() { queue.sync {} }
}
