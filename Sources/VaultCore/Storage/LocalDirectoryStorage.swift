import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A vault in a directory of a local file system (USB disk, NAS mount, LTFS).
///
/// Anyone who can write to the medium can plant links, FIFOs or devices in it, so no path is ever resolved as a
/// whole: every directory inside the vault is opened one component at a time with `O_NOFOLLOW` relative to its
/// parent, every file is opened with `O_NOFOLLOW | O_NONBLOCK | O_NOCTTY` and checked with `fstat` to be a regular
/// file, and every write, rename and delete happens relative to a directory opened that way. Only the vault's own
/// root may be a link: it is the path the user gave.
public struct LocalDirectoryStorage: VaultStorage {
    public let root: URL

    public init(root: URL) { self.root = root.standardizedFileURL }

    public var location: String { root.path }

    func fullPath(_ path: String) -> String { path.isEmpty ? root.path : root.appendingPathComponent(path).path }

    public func exists(_ path: String) -> Bool { (try? kind(of: path)) != nil }

    public func kind(of path: String) throws -> FileKind? {
        let (directory, name) = Self.split(path)
        guard let parent = try openDirectory(directory, creating: false) else { return nil }
        defer { close(parent) }
        return try Self.kind(of: name, in: parent, fullPath: fullPath(path))
    }

    public func read(_ path: String, limit: Int) throws -> [UInt8] {
        let fd = try openRegularFile(path)
        defer { close(fd) }
        // Counted by the bytes actually read, not by `stat`'s size, which a file that grows would outrun.
        var result = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ioError("read", path)
            }
            if count == 0 { return result }
            guard result.count + count <= limit else {
                throw VaultError(.vaultDamaged,
                    "\(fullPath(path)) holds more than \(limit) bytes, more than such a file can be: it was tampered with.",
                    remedy: "Run `crmvault verify --vault \(location)` for a full report.")
            }
            result.append(contentsOf: buffer[0..<count])
        }
    }

    public func read(_ path: String, offset: UInt64, count: Int) throws -> [UInt8] {
        try openRandomAccess(path).read(at: offset, count: count)
    }

    public func openRandomAccess(_ path: String) throws -> any RandomAccessFile {
        LocalOpenFile(fd: try openRegularFile(path), path: fullPath(path))
    }

    public func openSequential(_ path: String) throws -> any SequentialFile {
        LocalOpenFile(fd: try openRegularFile(path), path: fullPath(path))
    }

    public func size(of path: String) throws -> UInt64 {
        let fd = try openRegularFile(path)
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw ioError("stat", path) }
        return UInt64(status.st_size)
    }

    public func entries(_ directory: String) throws -> [DirectoryEntry] {
        guard let fd = try openDirectory(directory, creating: false) else { return [] }
        guard let stream = fdopendir(fd) else {
            close(fd)
            throw ioError("list", directory)
        }
        defer { closedir(stream) }
        var result: [DirectoryEntry] = []
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                if errno != 0 { throw ioError("list", directory) }
                break
            }
            let (name, isValidName) = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                let length = bytes.firstIndex(of: 0) ?? bytes.count
                let raw = UnsafeRawBufferPointer(rebasing: bytes[0..<length])
                // A name that is not UTF-8 cannot be one the vault wrote; it is shown escaped and never opened by name.
                let valid = String(validating: raw, as: UTF8.self)
                return (valid ?? TerminalText.escaped(bytes: raw), valid != nil)
            }
            if name == "." || name == ".." { continue }
            var kind = FileKind(directoryEntryType: entry.pointee.d_type)
            if kind == nil || !isValidName {
                kind = isValidName ? try Self.kind(of: name, in: dirfd(stream), fullPath: fullPath(directory)) : .unknown
            }
            if let kind { result.append(DirectoryEntry(name: name, kind: kind)) }
        }
        return result.sorted { $0.name < $1.name }
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
        let directory = try openDirectory("tmp", creating: true)!
        let name = "\(Hex.encode(Sodium.randomBytes(8))).tmp"
        let fd = openat(directory, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let error = ioError("create", "tmp/" + name)
            close(directory)
            throw error
        }
        return LocalStagedFile(fd: fd, directory: directory, name: name, storage: self)
    }

    public func remove(_ path: String) throws {
        let (directory, name) = Self.split(path)
        guard let parent = try openDirectory(directory, creating: false) else { return }
        defer { close(parent) }
        // unlinkat removes a link itself, never what it points to; a directory is refused (EISDIR).
        if unlinkat(parent, name, 0) != 0 && errno != ENOENT { throw ioError("remove", path) }
    }

    /// Opens the directory `path` (relative; "" is the root) one component at a time, never following a link.
    /// Missing components below the root are created (and their parents synced) when `creating`; otherwise a missing
    /// one gives nil. The root is never created here (a vault whose medium went away must not reappear on the host's
    /// own disk). A component that is not a real directory is refused with an error that names it.
    func openDirectory(_ path: String, creating: Bool) throws -> Int32? {
        var fd = open(root.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT && !creating { return nil }
            throw Self.errnoError("open", root.path)
        }
        var walked = ""
        for component in path.split(separator: "/").map(String.init) {
            walked += (walked.isEmpty ? "" : "/") + component
            var next = openat(fd, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if next < 0 && errno == ENOENT && creating {
                if mkdirat(fd, component, 0o755) == 0 {
                    _ = fsync(fd)
                } else if errno != EEXIST {
                    let error = ioError("create directory", walked)
                    close(fd)
                    throw error
                }
                next = openat(fd, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            }
            guard next >= 0 else {
                let code = errno
                defer { close(fd) }
                if code == ENOENT && !creating { return nil }
                if code == ELOOP || code == ENOTDIR, let kind = try Self.kind(of: component, in: fd, fullPath: fullPath(walked)) {
                    throw misplaced(walked, kind: kind, expected: .directory)
                }
                errno = code
                throw ioError("open", walked)
            }
            close(fd)
            fd = next
        }
        return fd
    }

    /// Opens a file of the vault for reading, refusing links, FIFOs, devices, sockets and directories before and
    /// after opening (so nothing can block, be endless, or be swapped in between).
    private func openRegularFile(_ path: String) throws -> Int32 {
        let (directory, name) = Self.split(path)
        guard let parent = try openDirectory(directory, creating: false) else {
            errno = ENOENT
            throw ioError("open", path)
        }
        defer { close(parent) }
        guard let kind = try Self.kind(of: name, in: parent, fullPath: fullPath(path)) else {
            errno = ENOENT
            throw ioError("open", path)
        }
        guard kind == .file else { throw misplaced(path, kind: kind, expected: .file) }
        let fd = openat(parent, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ELOOP { throw misplaced(path, kind: .symlink, expected: .file) }
            throw ioError("open", path)
        }
        var status = stat()
        guard fstat(fd, &status) == 0, FileKind(mode: status.st_mode) == .file else {
            close(fd)
            throw misplaced(path, kind: FileKind(mode: status.st_mode), expected: .file)
        }
        return fd
    }

    /// The error for an entry of the wrong kind: it names the path, says nothing was done through it, and what to do.
    func misplaced(_ path: String, kind: FileKind, expected: FileKind) -> VaultError {
        VaultError(.vaultDamaged,
            "\(fullPath(path)) \(kind.misplacement(expected: expected)). Nothing was read or written through it.",
            remedy: "Someone with access to the medium put it there: run `crmvault verify --vault \(location)` for a full "
                + "report, inspect it, remove it (`rm \(fullPath(path))` removes a link, not its target), and run the command again.")
    }

    static func kind(of name: String, in directory: Int32, fullPath: String) throws -> FileKind? {
        var status = stat()
        guard fstatat(directory, name, &status, AT_SYMLINK_NOFOLLOW) == 0 else {
            if errno == ENOENT { return nil }
            throw errnoError("inspect", fullPath)
        }
        return FileKind(mode: status.st_mode)
    }

    static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return ("", path) }
        return (String(path[..<slash]), String(path[path.index(after: slash)...]))
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

    /// Creates `path` (an absolute path outside any vault, e.g. a new vault's root) and any missing parents,
    /// fsyncing each parent that gained an entry, so the directory survives a power cut (FAT and exFAT media lose
    /// unsynced directory entries).
    static func makeDirectory(_ path: String) throws {
        if FileManager.default.fileExists(atPath: path) { return }
        let parent = (path as NSString).deletingLastPathComponent
        if parent != path && !parent.isEmpty { try makeDirectory(parent) }
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else {
            throw VaultError(.ioFailed, "Cannot create directory \(path): \(String(cString: strerror(errno))).",
                remedy: "Check that the medium is mounted and writable.")
        }
        syncDirectory(parent)
    }

    static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }
}
