import Foundation
internal import CSystemCalls

#if canImport(Glibc)
import Glibc
#endif

/// The directory a restore writes into, and the rules that keep every write inside it: parents are real directories
/// created one component at a time, links are created last and only when they stay inside, privileged mode bits are
/// never restored, and everything is flushed before the restore reports success. Paths are plain strings (a restore
/// of 70,000 files would spend much of its time building URLs).
enum RestoreTarget {
    /// A failure that is the target's, not the vault's (full, read-only, something in the way), or a refused link.
    struct Failure: Error {
        var error: VaultError
        var cause: RestoreFailure.Cause
    }

    /// The error for a failed call on the target, saying it is the target's: "the restore target is full" must not
    /// read like damage to the vault.
    static func failure(_ operation: String, _ path: String) -> Failure {
        let code = errno
        let reason = String(cString: strerror(code))
        let error = switch code {
        case ENOSPC, EDQUOT:
            VaultError(.diskFull, "Cannot \(operation) \(path): the restore target's disk is full (\(reason)); the vault is fine.",
                remedy: "Free space on the target or restore elsewhere, then run the restore again (with --force into the same directory).")
        case EROFS, EACCES, EPERM:
            VaultError(.ioFailed, "Cannot \(operation) \(path): the restore target is not writable (\(reason)); the vault is fine.",
                remedy: "Restore into a directory you can write to.")
        default:
            VaultError(.ioFailed, "Cannot \(operation) \(path) in the restore target: \(reason).")
        }
        return Failure(error: error, cause: .target)
    }

    static func prepare(_ target: URL, force: Bool) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: target.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw VaultError(.usage, "\(target.path) is a file, not a directory to restore into.",
                remedy: "Give --to a new or empty directory.")
        }
        if let contents = try? FileManager.default.contentsOfDirectory(atPath: target.path), !contents.isEmpty, !force {
            throw VaultError(.targetNotEmpty, "\(target.path) is not empty; restore will not mix a snapshot with other files.",
                remedy: "Restore into an empty directory, or add --force to overwrite files of the same name.")
        }
        do {
            try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        } catch {
            throw VaultError(.ioFailed, "Cannot create the restore target \(target.path): \(error.localizedDescription)",
                remedy: "Check that its parent directory exists and is writable.")
        }
    }

    /// Creates `relative` under `root` one component at a time, refusing any component that exists as a link or
    /// a file: the restored tree can never lead a write outside `root`.
    static func makeRealDirectories(_ relative: String, under root: String) throws {
        var current = root
        for component in relative.split(separator: "/") {
            current += "/" + component
            var status = stat()
            if lstat(current, &status) == 0 {
                guard status.st_mode & S_IFMT == S_IFDIR else {
                    throw Failure(error: VaultError(.targetNotEmpty,
                        "\(current) is a link or a file in the target where the snapshot has a directory; nothing was written "
                            + "through it"), cause: .target)
                }
            } else {
                guard mkdir(current, 0o755) == 0 || errno == EEXIST else { throw failure("create directory", current) }
            }
        }
    }

    /// Creates a link as the snapshot recorded it, replacing a file or link of that name (--force), never a directory;
    /// returns true when its text leads outside the restored tree. With `.refuse`, such a link is not created.
    static func createLink(_ file: SnapshotManifest.Entry, at path: String, outsideLinks: OutsideLinks) throws -> Bool {
        let target = file.target ?? ""
        guard !target.isEmpty, !target.utf8.contains(0) else {
            throw VaultError(.manifestCorrupted, "the link has no target in the manifest; it was not created")
        }
        var depth = file.path.split(separator: "/").count - 1
        var escapes = target.hasPrefix("/")
        for component in target.split(separator: "/") {
            if component == ".." { depth -= 1 } else if component != "." { depth += 1 }
            if depth < 0 { escapes = true }
        }
        if escapes && outsideLinks == .refuse {
            throw Failure(error: VaultError(.usage,
                "is a link to \(target), outside the restored tree: not created, as --no-links-outside asks"), cause: .refusedLink)
        }
        var existing = stat()
        if lstat(path, &existing) == 0 {
            guard existing.st_mode & S_IFMT != S_IFDIR, unlink(path) == 0 else {
                throw Failure(error: VaultError(.targetNotEmpty,
                    "\(path) exists in the target and is a directory; the link was not created"), cause: .target)
            }
        }
        guard symlink(target, path) == 0 else { throw failure("create link", path) }
        setTimes(file, of: path, flags: AT_SYMLINK_NOFOLLOW)  // the link's own mtime, never its target's
        return escapes
    }

    /// True when the link at `link` resolves (through any chain of links) to a place under `root`; a dangling
    /// link is judged by its text from its resolved directory.
    static func resolvesInside(_ link: String, root: String) -> Bool {
        func real(_ path: String) -> String? {
            guard let resolved = realpath(path, nil) else { return nil }
            defer { free(resolved) }
            return String(cString: resolved)
        }
        guard let rootPath = real(root) else { return false }
        let inside = { (path: String) in path == rootPath || path.hasPrefix(rootPath + "/") }
        if let resolved = real(link) { return inside(resolved) }
        guard let parent = real(LocalDirectoryStorage.split(link).directory),
            let text = try? FileManager.default.destinationOfSymbolicLink(atPath: link)
        else { return false }
        var components: [Substring] = text.hasPrefix("/") ? [] : parent.split(separator: "/")
        for component in text.split(separator: "/") {
            if component == ".." { _ = components.popLast() } else if component != "." { components.append(component) }
        }
        return inside("/" + components.joined(separator: "/"))
    }

    /// Permission bits (never setuid, setgid or sticky: a snapshot must not create privileged files) and mtimes.
    static func applyMetadata(_ entry: SnapshotManifest.Entry, to path: String) {
        _ = chmod(path, mode_t(entry.mode & 0o777))
        setTimes(entry, of: path, flags: 0)
    }

    private static func setTimes(_ entry: SnapshotManifest.Entry, of path: String, flags: Int32) {
        var times = [
            timespec(tv_sec: entry.mtime, tv_nsec: entry.mtimeNanoseconds),
            timespec(tv_sec: entry.mtime, tv_nsec: entry.mtimeNanoseconds),
        ]
        _ = utimensat(AT_FDCWD, path, &times, flags)
    }

    /// Up to this many entries, a restore fsyncs each file and its directory; beyond, it flushes once with `syncfs`.
    static let filesSyncedOneByOne = 1000

    /// Makes everything restored durable with one `syncfs` of the target's file system, rather than an fsync per file
    /// and directory (an export of 70,000 small files would spend minutes in those): a restore reports success only
    /// once all of it would survive a power cut.
    static func flush(_ root: String) throws {
        let fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("open", root) }
        defer { close(fd) }
        guard crmvault_syncfs(fd) == 0 else { throw failure("flush the restored files to", root) }
    }
}
