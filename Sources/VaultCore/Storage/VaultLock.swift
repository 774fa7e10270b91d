import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The one-writer lock: an exclusive `flock` on `locks/writer.lock`, released when the process ends,
/// so a killed backup never leaves a stale lock. The file names its holder for the error message.
///
/// The lock file is the one file every keyed command writes to in place, so it is opened without following a link
/// (`O_NOFOLLOW`, in a `locks/` opened the same way) and written only once `fstat` shows a regular file with one
/// name, owned by this user: a planted link or hard link to a file elsewhere is refused, never emptied.
final class VaultLock {
    private let fd: Int32

    private init(fd: Int32) { self.fd = fd }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }

    static func acquire(vaultPath: String, operation: String) throws -> VaultLock {
        let storage = LocalDirectoryStorage(root: URL(fileURLWithPath: vaultPath))
        let fd = try openLockFile(storage, creating: true)!
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = description(in: fd)
            close(fd)
            throw VaultError(.vaultLocked,
                "The vault at \(vaultPath) is locked by another crmvault process\(holder.map { " (\($0))" } ?? "").",
                remedy: "Wait for that operation to finish; the lock is released as soon as the process ends.")
        }
        let description = "\(operation), pid \(getpid()), host \(ProcessInfo.processInfo.hostName), since \(Timestamp.now())"
        _ = ftruncate(fd, 0)
        _ = description.withCString { pwrite(fd, $0, strlen($0), 0) }
        return VaultLock(fd: fd)
    }

    /// What the process holding the lock wrote about itself, when one holds it; nil when the vault is not locked.
    /// Never creates or writes anything (keyless verify uses it to say that a backup is running).
    static func holder(of storage: LocalDirectoryStorage) -> String? {
        guard let fd = try? openLockFile(storage, creating: false) else { return nil }
        defer { close(fd) }
        guard flock(fd, LOCK_SH | LOCK_NB) != 0 else {
            flock(fd, LOCK_UN)
            return nil
        }
        return description(in: fd) ?? "another crmvault process"
    }

    /// Checks the lock file as a writer would (regular, one name), without locking or writing; for verify.
    static func inspect(_ storage: LocalDirectoryStorage) throws {
        if let fd = try openLockFile(storage, creating: false) { close(fd) }
    }

    /// Opens `locks/writer.lock` (read-write when `creating`, else read-only), refusing anything but a regular file
    /// with one name, and, when it is to be written, one owned by this user. Nil when it does not exist and
    /// `creating` is false.
    private static func openLockFile(_ storage: LocalDirectoryStorage, creating: Bool) throws -> Int32? {
        guard let directory = try storage.openDirectory("locks", creating: creating) else { return nil }
        defer { close(directory) }
        let path = "locks/writer.lock"
        let flags = O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | (creating ? O_RDWR | O_CREAT : O_RDONLY)
        let fd = openat(directory, "writer.lock", flags, 0o644)
        guard fd >= 0 else {
            if errno == ENOENT && !creating { return nil }
            if errno == ELOOP { throw storage.misplaced(path, kind: .symlink, expected: .file) }
            if let kind = try LocalDirectoryStorage.kind(of: "writer.lock", in: directory, fullPath: storage.fullPath(path)),
                kind != .file
            {
                throw storage.misplaced(path, kind: kind, expected: .file)
            }
            throw storage.ioError("open the lock", path)
        }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            close(fd)
            throw storage.ioError("inspect the lock", path)
        }
        let kind = FileKind(mode: status.st_mode)
        guard kind == .file else {
            close(fd)
            throw storage.misplaced(path, kind: kind, expected: .file)
        }
        guard status.st_nlink == 1 else {
            close(fd)
            throw VaultError(.vaultDamaged,
                "\(storage.fullPath(path)) has \(status.st_nlink) names: it is a hard link to another file, which crmvault "
                    + "refuses to write to. Nothing was changed.",
                remedy: "Someone with access to the medium made it: run `crmvault verify --vault \(storage.location)`, then "
                    + "`rm \(storage.fullPath(path))` (crmvault creates a new lock file) and run the command again.")
        }
        guard !creating || status.st_uid == geteuid() || geteuid() == 0 else {
            close(fd)
            throw VaultError(.vaultDamaged,
                "\(storage.fullPath(path)) belongs to user \(status.st_uid), not to you (\(geteuid())): crmvault refuses to "
                    + "write to a lock file someone else made. Nothing was changed.",
                remedy: "Run crmvault as the user who owns the vault, or remove that lock file when no crmvault process runs.")
        }
        return fd
    }

    /// The holder's description, read from the open lock file (at most 512 bytes).
    private static func description(in fd: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }
}

/// RFC 3339 UTC times with whole seconds, as the format requires (docs/FORMAT.md §2).
public enum Timestamp {
    public static func now() -> String { format(Date()) }

    public static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    public static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
