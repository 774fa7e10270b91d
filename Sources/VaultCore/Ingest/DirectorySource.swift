import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A directory tree, walked in byte order of relative paths; links are recorded, never followed.
struct DirectorySource: ExportSource {
    let root: URL
    var kind: String { "directory" }
    var name: String { root.lastPathComponent }

    func validate() throws {
        guard access(root.path, R_OK | X_OK) == 0 else {
            throw VaultError(.inputUnreadable, "The export directory \(root.path) cannot be read.", remedy: "Check its permissions.")
        }
    }

    func provenance() throws -> Provenance? { nil }

    func walk(_ visitor: any ExportVisitor) throws {
        try walk(directory: root.path, relative: "", visitor: visitor)
    }

    func survey() throws -> ExportSurvey {
        var survey = ExportSurvey()
        try collect(directory: root.path, relative: "", into: &survey)
        return survey
    }

    func prefix(of path: String, count: Int) throws -> [UInt8] {
        try Self.prefix(of: root.path + "/" + path, count: count)
    }

    /// Regular files only, by `lstat`, never through a link: what `walk` will back up.
    private func collect(directory: String, relative: String, into survey: inout ExportSurvey) throws {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw VaultError(.inputUnreadable, "Cannot list \(directory): \(error.localizedDescription)")
        }
        for name in names.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            let full = directory + "/" + name
            let path = relative.isEmpty ? name : relative + "/" + name
            var status = stat()
            guard lstat(full, &status) == 0 else { continue }  // `walk` names what cannot be read
            switch status.st_mode & S_IFMT {
            case S_IFDIR: try collect(directory: full, relative: path, into: &survey)
            case S_IFREG: survey.files.append((path, Int(status.st_size)))
            default: break
            }
        }
    }

    /// The first `count` bytes of a regular file, opened without blocking on a FIFO and, inside an export, without
    /// following a link (the path a user gives may be one).
    static func prefix(of path: String, count: Int, followingLink: Bool = false) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | (followingLink ? 0 : O_NOFOLLOW))
        guard fd >= 0 else { throw VaultError(.inputUnreadable, "Cannot open \(path): \(String(cString: strerror(errno))).") }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            throw VaultError(.inputUnreadable, "\(path) is not a regular file.")
        }
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, count - filled) }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { break }
            filled += got
        }
        return Array(bytes[0..<filled])
    }

    private func walk(directory: String, relative: String, visitor: any ExportVisitor) throws {
        var names: [String] = []
        for name in try Self.names(in: directory) {
            // A name that is not UTF-8 cannot be a manifest path (JSON, §8): that file is skipped with a warning that
            // names it escaped, and every other file is still backed up.
            guard let valid = String(validating: name, as: UTF8.self) else {
                let shown = TerminalText.escaped(bytes: name)
                visitor.skipped(relative.isEmpty ? shown : relative + "/" + shown, reason: "its name is not valid UTF-8")
                continue
            }
            names.append(valid)
        }
        for name in names.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            let full = directory + "/" + name
            let path = relative.isEmpty ? name : relative + "/" + name
            guard ExportPath.isSafe(path) else {
                throw VaultError(.inputUnreadable, "\(full) has a name a snapshot cannot hold.", remedy: "Rename it.")
            }
            var status = stat()
            guard lstat(full, &status) == 0 else {
                throw VaultError(.inputUnreadable, "Cannot read \(full): \(String(cString: strerror(errno))).")
            }
            let mtime = FileTime(seconds: Int(status.st_mtim.tv_sec), nanoseconds: Int(status.st_mtim.tv_nsec))
            let mode = Int(status.st_mode & 0o7777)
            switch status.st_mode & S_IFMT {
            case S_IFDIR:
                try visitor.directory(path, mode: mode, mtime: mtime)
                try walk(directory: full, relative: path, visitor: visitor)
            case S_IFLNK:
                let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: full)) ?? ""
                try visitor.symlink(path, target: target, mtime: mtime)
            case S_IFREG:
                try visitor.file(path, mode: mode, mtime: mtime, size: Int(status.st_size)) { consume in
                    try Self.stream(full, bufferSize: Int(status.st_size) + 1, into: consume)
                }
            default:
                throw VaultError(.inputUnreadable, "\(full) is a device, socket or pipe, which an export cannot contain.",
                    remedy: "Remove it from the export directory.")
            }
        }
    }

    /// The names in `directory` as the bytes the file system holds (FileManager would have to make strings of them).
    static func names(in directory: String) throws -> [[UInt8]] {
        guard let stream = opendir(directory) else {
            throw VaultError(.inputUnreadable, "Cannot list \(directory): \(String(cString: strerror(errno))).")
        }
        defer { closedir(stream) }
        var names: [[UInt8]] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in Array(bytes.prefix { $0 != 0 }) }
            if name != [0x2e] && name != [0x2e, 0x2e] { names.append(name) }
        }
        return names
    }

    /// Reads a file in pieces of up to 256 KiB (`bufferSize`, when the file is known to be smaller): a piece is still
    /// in the CPU's cache when the backup copies it into its chunking window (with 4 MiB pieces that copy cost as much
    /// as the read, and 4 MiB more of memory).
    static func stream(_ path: String, bufferSize: Int = 256 << 10, into consume: (UnsafeRawBufferPointer) throws -> Void) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw VaultError(.inputUnreadable, "Cannot open \(path): \(String(cString: strerror(errno))).") }
        defer { close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: min(max(bufferSize, 4096), 256 << 10), alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = read(fd, buffer.baseAddress, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw VaultError(.inputUnreadable, "Cannot read \(path): \(String(cString: strerror(errno))).")
            }
            if count == 0 { return }
            try consume(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
    }
}

/// One plain file, stored under its base name.
struct SingleFileSource: ExportSource {
    let url: URL
    var kind: String { "file" }
    var name: String { url.lastPathComponent }

    func validate() throws {
        guard access(url.path, R_OK) == 0 else {
            throw VaultError(.inputUnreadable, "The export file \(url.path) cannot be read.", remedy: "Check its permissions.")
        }
    }

    func provenance() throws -> Provenance? { nil }

    func survey() throws -> ExportSurvey {
        var status = stat()
        guard stat(url.path, &status) == 0 else { throw VaultError(.inputUnreadable, "Cannot read \(url.path).") }
        return ExportSurvey(files: [(name, Int(status.st_size))])
    }

    func prefix(of path: String, count: Int) throws -> [UInt8] { try DirectorySource.prefix(of: url.path, count: count, followingLink: true) }

    func walk(_ visitor: any ExportVisitor) throws {
        var status = stat()
        guard stat(url.path, &status) == 0 else { throw VaultError(.inputUnreadable, "Cannot read \(url.path).") }
        let mtime = FileTime(seconds: Int(status.st_mtim.tv_sec), nanoseconds: Int(status.st_mtim.tv_nsec))
        try visitor.file(name, mode: Int(status.st_mode & 0o7777), mtime: mtime, size: Int(status.st_size)) { consume in
            try DirectorySource.stream(url.path, into: consume)
        }
    }
}
