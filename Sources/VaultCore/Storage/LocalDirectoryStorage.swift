import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A vault in a directory of a local file system (USB disk, NAS mount, LTFS).
public struct LocalDirectoryStorage: VaultStorage {
    public let root: URL

    public init(root: URL) { self.root = root.standardizedFileURL }

    public var location: String { root.path }

    func fullPath(_ path: String) -> String { root.appendingPathComponent(path).path }

    public func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: fullPath(path)) }

    public func read(_ path: String) throws -> [UInt8] {
        let fd = try openFile(path)
        defer { close(fd) }
        var result = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 { throw ioError("read", path) }
            if count == 0 { break }
            result.append(contentsOf: buffer[0..<count])
        }
        return result
    }

    public func read(_ path: String, offset: UInt64, count: Int) throws -> [UInt8] {
        try openRandomAccess(path).read(at: offset, count: count)
    }

    public func openRandomAccess(_ path: String) throws -> any RandomAccessFile {
        LocalOpenFile(fd: try openFile(path), path: fullPath(path))
    }

    public func size(of path: String) throws -> UInt64 {
        var status = stat()
        guard stat(fullPath(path), &status) == 0 else { throw ioError("stat", path) }
        return UInt64(status.st_size)
    }

    public func list(_ directory: String) throws -> [String] {
        let full = fullPath(directory)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), isDirectory.boolValue else { return [] }
        do {
            return try FileManager.default.contentsOfDirectory(atPath: full).sorted()
        } catch {
            throw VaultError(.ioFailed, "Cannot list \(full): \(error.localizedDescription)")
        }
    }

    public func writeDurably(_ path: String, _ bytes: [UInt8]) throws {
        let staged = try stageFile()
        do {
            try staged.write(bytes)
            try staged.commit(as: path)
        } catch {
            staged.abandon()
            throw error
        }
    }

    public func createDurably(_ path: String, _ bytes: [UInt8]) throws -> Bool {
        let staged = try stageFile()
        defer { staged.abandon() }
        try staged.write(bytes)
        return try staged.commitIfAbsent(as: path)
    }

    public func stageFile() throws -> any StagedFile {
        let temporaryDirectory = fullPath("tmp")
        try Self.makeDirectory(temporaryDirectory)
        let name = "\(temporaryDirectory)/\(Hex.encode(Sodium.randomBytes(8))).tmp"
        let fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Self.errnoError("create", name) }
        return LocalStagedFile(fd: fd, temporaryPath: name, storage: self)
    }

    public func openSequential(_ path: String) throws -> any SequentialFile {
        LocalOpenFile(fd: try openFile(path), path: fullPath(path))
    }

    public func remove(_ path: String) throws {
        if unlink(fullPath(path)) != 0 && errno != ENOENT { throw ioError("remove", path) }
    }

    private func openFile(_ path: String) throws -> Int32 {
        let fd = open(fullPath(path), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ioError("open", path) }
        return fd
    }

    func ioError(_ operation: String, _ path: String) -> VaultError { Self.errnoError(operation, fullPath(path)) }

    static func errnoError(_ operation: String, _ fullPath: String) -> VaultError {
        let code = errno
        let reason = String(cString: strerror(code))
        switch code {
        case ENOSPC, EDQUOT:
            return VaultError(.diskFull, "Cannot \(operation) \(fullPath): the medium is full (\(reason)).",
                remedy: "Free space or use a larger medium; nothing already committed was lost.")
        case ENOENT:
            return VaultError(.ioFailed, "Cannot \(operation) \(fullPath): it does not exist.",
                remedy: "Check that the medium is mounted.")
        default:
            return VaultError(.ioFailed, "Cannot \(operation) \(fullPath): \(reason).")
        }
    }

    /// Creates `path` and any missing parents, fsyncing each parent that gained an entry, so a committed file's
    /// directory survives a power cut (FAT and exFAT media lose unsynced directory entries).
    static func makeDirectory(_ path: String) throws {
        if FileManager.default.fileExists(atPath: path) { return }
        let parent = (path as NSString).deletingLastPathComponent
        if parent != path && !parent.isEmpty { try makeDirectory(parent) }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            syncDirectory(parent)
        } catch {
            throw VaultError(.ioFailed, "Cannot create directory \(path): \(error.localizedDescription)",
                remedy: "Check that the medium is mounted and writable.")
        }
    }

    static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }
}

final class LocalStagedFile: StagedFile {
    private var fd: Int32
    private let temporaryPath: String
    private let storage: LocalDirectoryStorage

    init(fd: Int32, temporaryPath: String, storage: LocalDirectoryStorage) {
        self.fd = fd
        self.temporaryPath = temporaryPath
        self.storage = storage
    }

    deinit { abandon() }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let count = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if count < 0 {
                if errno == EINTR { continue }
                throw LocalDirectoryStorage.errnoError("write", temporaryPath)
            }
            done += count
        }
    }

    func commit(as path: String) throws {
        guard fsync(fd) == 0 else { throw LocalDirectoryStorage.errnoError("fsync", temporaryPath) }
        close(fd)
        fd = -1
        let target = storage.fullPath(path)
        let directory = (target as NSString).deletingLastPathComponent
        try LocalDirectoryStorage.makeDirectory(directory)
        guard rename(temporaryPath, target) == 0 else { throw LocalDirectoryStorage.errnoError("rename into place", target) }
        LocalDirectoryStorage.syncDirectory(directory)
    }

    func commitIfAbsent(as path: String) throws -> Bool {
        guard fsync(fd) == 0 else { throw LocalDirectoryStorage.errnoError("fsync", temporaryPath) }
        close(fd)
        fd = -1
        defer { unlink(temporaryPath) }
        let target = storage.fullPath(path)
        let directory = (target as NSString).deletingLastPathComponent
        try LocalDirectoryStorage.makeDirectory(directory)
        // link(2) creates the name only if it does not exist: an atomic create-if-absent. File systems without
        // hard links (exFAT, LTFS) get a check then a rename; there the writer lock is the only guard.
        if link(temporaryPath, target) != 0 {
            switch errno {
            case EEXIST:
                return false
            case EPERM, ENOTSUP, EOPNOTSUPP, EMLINK, ENOSYS:
                if access(target, F_OK) == 0 { return false }
                guard rename(temporaryPath, target) == 0 else { throw LocalDirectoryStorage.errnoError("rename into place", target) }
            default:
                throw LocalDirectoryStorage.errnoError("link into place", target)
            }
        }
        LocalDirectoryStorage.syncDirectory(directory)
        return true
    }

    func abandon() {
        if fd >= 0 {
            close(fd)
            fd = -1
            unlink(temporaryPath)
        }
    }
}

/// An open file of the vault, read sequentially (verify) or at offsets (restore).
final class LocalOpenFile: SequentialFile, RandomAccessFile {
    private let fd: Int32
    private let path: String

    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    deinit { close(fd) }

    /// Reads until `count` bytes or the end; `offset` nil reads at the current position.
    private func read(_ count: Int, at offset: UInt64?) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let got = buffer.withUnsafeMutableBytes { bytes in
                offset.map { pread(fd, bytes.baseAddress! + done, count - done, off_t($0) + off_t(done)) }
                    ?? Glibc.read(fd, bytes.baseAddress! + done, count - done)
            }
            if got < 0 {
                if errno == EINTR { continue }
                throw LocalDirectoryStorage.errnoError("read", path)
            }
            if got == 0 { break }
            done += got
        }
        buffer.removeLast(count - done)
        return buffer
    }

    func read(upTo count: Int) throws -> [UInt8] { try read(count, at: nil) }

    func read(at offset: UInt64, count: Int) throws -> [UInt8] {
        let bytes = try read(count, at: offset)
        guard bytes.count == count else {
            throw VaultError(.packCorrupted, "\(path) ends before byte \(offset + UInt64(count)); it is truncated.",
                remedy: "Run `crmvault verify` to see what depends on it.")
        }
        return bytes
    }
}
