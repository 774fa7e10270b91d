import Foundation
import VaultCore

#if canImport(Glibc)
import Glibc
#endif

/// One daemon per state directory: an exclusive `flock` on `daemon.lock`, released when the process ends (so a
/// killed daemon leaves no stale lock). The file names the holder; `crmvault status` reads it to say a daemon runs.
public final class DaemonLock: Sendable {
    private let fd: Int32

    private init(fd: Int32) { self.fd = fd }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }

    static func path(in store: RunStateStore) -> String { store.directory.appendingPathComponent("daemon.lock").path }

    /// Takes the lock, or throws `vaultLocked` naming the daemon that holds it.
    public static func acquire(in store: RunStateStore, schedulesDirectory: URL) throws -> DaemonLock {
        let path = path(in: store)
        let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw RunStateStore.failure("open the daemon lock", path) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw VaultError(
                .vaultLocked,
                "Another crmvault daemon is running with the state directory \(store.directory.path)"
                    + "\(holder(in: store).map { " (\($0))" } ?? "").",
                remedy:
                    "Stop it first (`systemctl stop crmvault-daemon`, or SIGTERM), or give this one its own CRMVAULT_STATE_DIR."
            )
        }
        let description = "pid \(getpid()), schedules \(schedulesDirectory.path), since \(Timestamp.now())"
        _ = ftruncate(fd, 0)
        _ = description.withCString { pwrite(fd, $0, strlen($0), 0) }
        return DaemonLock(fd: fd)
    }

    /// Who holds the lock, or nil when no daemon runs with this state directory.
    public static func holder(in store: RunStateStore) -> String? {
        let path = path(in: store)
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return nil
        }
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        let text = String(decoding: buffer.prefix(max(count, 0)), as: UTF8.self).trimmingCharacters(
            in: .whitespacesAndNewlines)
        return text.isEmpty ? "a daemon" : text
    }
}
