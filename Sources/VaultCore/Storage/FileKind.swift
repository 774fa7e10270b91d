#if canImport(Glibc)
import Glibc
#endif

/// What an entry of the vault is, as `lstat` sees it (a link is never followed to find out).
///
/// A vault holds only regular files and real directories (docs/FORMAT.md §3); anything else in it (a link, a FIFO, a
/// device, a socket) was put there by someone else, and crmvault neither follows, reads, deletes through nor writes
/// through it.
public enum FileKind: Sendable, Equatable, CustomStringConvertible {
    case file, directory, symlink, fifo, device, socket, unknown

    init(mode: mode_t) {
        switch mode & S_IFMT {
        case S_IFREG: self = .file
        case S_IFDIR: self = .directory
        case S_IFLNK: self = .symlink
        case S_IFIFO: self = .fifo
        case S_IFCHR, S_IFBLK: self = .device
        case S_IFSOCK: self = .socket
        default: self = .unknown
        }
    }

    /// From a `readdir` type; nil when the file system does not say (then `lstat` must).
    init?(directoryEntryType type: UInt8) {
        switch Int32(type) {
        case Int32(DT_REG): self = .file
        case Int32(DT_DIR): self = .directory
        case Int32(DT_LNK): self = .symlink
        case Int32(DT_FIFO): self = .fifo
        case Int32(DT_CHR), Int32(DT_BLK): self = .device
        case Int32(DT_SOCK): self = .socket
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .file: "a regular file"
        case .directory: "a directory"
        case .symlink: "a symbolic link"
        case .fifo: "a FIFO (named pipe)"
        case .device: "a device"
        case .socket: "a socket"
        case .unknown: "a file of unknown type"
        }
    }

    /// The sentence verify and the errors use for an entry of this kind where `expected` belongs.
    func misplacement(expected: FileKind) -> String {
        let consequence = self == .symlink
            ? "a vault holds no links, and crmvault never follows one"
            : "crmvault neither reads, follows, deletes nor writes through it"
        return "is \(self), where \(expected) belongs: \(consequence)"
    }
}

/// One name in a vault directory and what it is.
public struct DirectoryEntry: Sendable, Equatable {
    public var name: String
    public var kind: FileKind
}
