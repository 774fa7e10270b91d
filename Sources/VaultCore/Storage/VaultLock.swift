import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The one-writer lock: an exclusive `flock` on `locks/writer.lock`, released when the process ends,
/// so a killed backup never leaves a stale lock. The file names its holder for the error message.
final class VaultLock {
    private let fd: Int32

    private init(fd: Int32) { self.fd = fd }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }

    static func acquire(vaultPath: String, operation: String) throws -> VaultLock {
        let directory = vaultPath + "/locks"
        try LocalDirectoryStorage.makeDirectory(directory)
        let path = directory + "/writer.lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw LocalDirectoryStorage.errnoError("open the lock", path) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
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
