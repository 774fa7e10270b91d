import Foundation
import VaultCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file being written in the staging area: created new (never through a link), mode 0600 (it holds plaintext
/// personal data), with a cap on its size so a hostile vendor cannot fill the disk.
final class StagedFile {
    let url: URL
    private let fd: Int32
    private(set) var size: Int
    let limit: Int
    private var isClosed = false

    /// Creates `url` (it must not exist), or with `appending`, opens an existing regular file at its end.
    init(creating url: URL, limit: Int, appending: Bool = false) throws {
        self.url = url
        self.limit = limit
        let flags = O_WRONLY | O_CLOEXEC | O_NOFOLLOW | (appending ? O_APPEND : (O_CREAT | O_EXCL))
        fd = open(url.path, flags, 0o600)
        guard fd >= 0 else {
            throw VaultError(
                errno == ENOSPC ? .diskFull : .ioFailed,
                "Cannot create the staging file \(url.path): \(String(cString: strerror(errno))).")
        }
        var status = stat()
        guard fstat(fd, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw VaultError(.ioFailed, "The staging file \(url.path) is not a regular file.")
        }
        size = Int(status.st_size)
    }

    deinit { if !isClosed { close(fd) } }

    func append(_ bytes: some Collection<UInt8>) throws {
        guard !bytes.isEmpty else { return }
        guard size + bytes.count <= limit else {
            throw VaultError(
                .vendorFailed,
                "The vendor sent more than \(limit >> 20) MiB for \(url.lastPathComponent); the pull stopped rather than fill the disk.",
                remedy: "If the export really is this large, raise the limit (PullOptions.maximumFileBytes).")
        }
        let written: Int? =
            bytes.withContiguousStorageIfAvailable { buffer in
                writeAll(UnsafeRawBufferPointer(buffer))
            } ?? Array(bytes).withUnsafeBytes { writeAll($0) }
        guard let written, written == bytes.count else {
            throw VaultError(
                errno == ENOSPC ? .diskFull : .ioFailed,
                "Writing the staging file \(url.path) failed: \(String(cString: strerror(errno))).",
                remedy: "Free space in the pull host's work_dir, then run the pull again.")
        }
        size += written
    }

    private func writeAll(_ buffer: UnsafeRawBufferPointer) -> Int? {
        var done = 0
        while done < buffer.count {
            let result = write(fd, buffer.baseAddress! + done, buffer.count - done)
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else { return nil }
            done += result
        }
        return done
    }

    /// Cuts the file back to `length` bytes (a page that must be fetched again).
    func truncate(to length: Int) throws {
        guard ftruncate(fd, off_t(length)) == 0, lseek(fd, off_t(length), SEEK_SET) >= 0 else {
            throw VaultError(.ioFailed, "Cannot truncate the staging file \(url.path).")
        }
        size = length
    }

    /// Flushes to disk and closes.
    func finish() throws {
        guard !isClosed else { return }
        isClosed = true
        let synced = fsync(fd) == 0
        let closed = close(fd) == 0
        guard synced && closed else {
            throw VaultError(
                errno == ENOSPC ? .diskFull : .ioFailed, "Cannot write the staging file \(url.path) to disk.")
        }
    }

    /// Flushes to disk without closing.
    func sync() throws {
        guard fsync(fd) == 0 else { throw VaultError(.ioFailed, "Cannot flush the staging file \(url.path) to disk.") }
    }
}
