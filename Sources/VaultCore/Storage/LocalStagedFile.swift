#if canImport(Glibc)
import Glibc
#endif

/// A file being written in the vault's `tmp/`, renamed into place relative to directories opened without following
/// links, so neither the staging file nor its final place can be redirected outside the vault.
final class LocalStagedFile: StagedFile {
    private var fd: Int32
    private var directory: Int32
    private let name: String
    private let storage: LocalDirectoryStorage

    init(fd: Int32, directory: Int32, name: String, storage: LocalDirectoryStorage) {
        self.fd = fd
        self.directory = directory
        self.name = name
        self.storage = storage
    }

    deinit { abandon() }

    private var temporaryPath: String { storage.fullPath("tmp/" + name) }

    func write(_ bytes: UnsafeRawBufferPointer) throws { try Self.write(bytes, to: fd, path: temporaryPath) }

    /// Writes all of `bytes` to `fd`, however many `write` calls it takes; the error names `path`, and `failure` (read
    /// while `errno` still holds the cause) says whose disk it is.
    static func write(
        _ bytes: UnsafeRawBufferPointer, to fd: Int32, path: String,
        failure: (String, String) -> any Error = { LocalDirectoryStorage.errnoError($0, $1) }
    ) throws {
        var done = 0
        while done < bytes.count {
            let count = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if count < 0 {
                if errno == EINTR { continue }
                throw failure("write", path)
            }
            done += count
        }
    }

    func commit(as path: String) throws {
        try closeSynced()
        let (parent, target) = try openTarget(path)
        defer { close(parent) }
        guard renameat(directory, name, parent, target) == 0 else {
            throw LocalDirectoryStorage.errnoError("rename into place", storage.fullPath(path))
        }
        _ = fsync(parent)
    }

    func commitIfAbsent(as path: String) throws -> Bool {
        try closeSynced()
        defer { unlinkat(directory, name, 0) }
        let (parent, target) = try openTarget(path)
        defer { close(parent) }
        // linkat(2) creates the name only if it does not exist: an atomic create-if-absent. File systems without
        // hard links (exFAT, LTFS) get a check then a rename; there the writer lock is the only guard.
        if linkat(directory, name, parent, target, 0) != 0 {
            switch errno {
            case EEXIST:
                return false
            case EPERM, ENOTSUP, EOPNOTSUPP, EMLINK, ENOSYS:
                if try LocalDirectoryStorage.kind(of: target, in: parent, fullPath: storage.fullPath(path)) != nil { return false }
                guard renameat(directory, name, parent, target) == 0 else {
                    throw LocalDirectoryStorage.errnoError("rename into place", storage.fullPath(path))
                }
            default:
                throw LocalDirectoryStorage.errnoError("link into place", storage.fullPath(path))
            }
        }
        _ = fsync(parent)
        return true
    }

    func abandon() {
        if fd >= 0 {
            close(fd)
            fd = -1
            unlinkat(directory, name, 0)
        }
        if directory >= 0 {
            close(directory)
            directory = -1
        }
    }

    private func closeSynced() throws {
        guard fsync(fd) == 0 else { throw LocalDirectoryStorage.errnoError("fsync", temporaryPath) }
        close(fd)
        fd = -1
    }

    /// The target's directory, opened (and created) without following links, and the target's name in it.
    private func openTarget(_ path: String) throws -> (directory: Int32, name: String) {
        let (parent, name) = LocalDirectoryStorage.split(path)
        return (try storage.openDirectory(parent, creating: true)!, name)
    }
}
