/// Where a vault's files live. The engine only speaks this protocol, so object storage or tape can be
/// added later without touching it. Paths are relative, `/`-separated (docs/FORMAT.md §3).
public protocol VaultStorage: Sendable {
    /// A human description of the location, for messages.
    var location: String { get }
    /// True when anything (of any kind) has that name; a link is not followed to find out.
    func exists(_ path: String) -> Bool
    /// What the entry is, without following a link; nil when there is none.
    func kind(of path: String) throws -> FileKind?
    /// A whole regular file that must not exceed `limit` bytes, counted as read; a larger one is reported as damaged.
    /// Links, FIFOs, devices and directories are refused without being read.
    func read(_ path: String, limit: Int) throws -> [UInt8]
    func read(_ path: String, offset: UInt64, count: Int) throws -> [UInt8]
    func size(of path: String) throws -> UInt64
    /// The entries directly inside `directory` with their kinds, by name; empty when it does not exist. A
    /// `directory` that is a link or not a directory at all is refused (`.vaultDamaged`), never followed.
    func entries(_ directory: String) throws -> [DirectoryEntry]
    /// Writes a whole file durably: temp file, fsync, rename, fsync directory.
    func writeDurably(_ path: String, _ bytes: [UInt8]) throws
    /// Like `writeDurably`, but fails with `false` instead of replacing an existing file: appending to the
    /// chain this way is safe even if two writers raced past the lock (e.g. on a network file system).
    func createDurably(_ path: String, _ bytes: [UInt8]) throws -> Bool
    /// Starts a file that is written sequentially and appears under its final name only on `commit`.
    func stageFile() throws -> any StagedFile
    func openSequential(_ path: String) throws -> any SequentialFile
    func openRandomAccess(_ path: String) throws -> any RandomAccessFile
    func remove(_ path: String) throws
}

extension VaultStorage {
    /// Names of the entries directly inside `directory`, of any kind (see ``entries(_:)``).
    func list(_ directory: String) throws -> [String] { try entries(directory).map(\.name) }
}

/// A file being written; invisible until committed, removed if abandoned.
public protocol StagedFile: AnyObject {
    func write(_ bytes: UnsafeRawBufferPointer) throws
    /// fsyncs, renames to `path` and fsyncs the directory.
    func commit(as path: String) throws
    /// Like `commit`, but never replaces an existing file; returns false if `path` exists.
    func commitIfAbsent(as path: String) throws -> Bool
    func abandon()
}

/// Sequential reading of a large file in pieces.
public protocol SequentialFile: AnyObject {
    /// Up to `count` bytes; empty at the end.
    func read(upTo count: Int) throws -> [UInt8]
    /// Fills `buffer` as far as the file goes; the number of bytes read, 0 at the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

extension SequentialFile {
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let bytes = try read(upTo: buffer.count)
        buffer.copyBytes(from: bytes)
        return bytes.count
    }
}

/// Upper bounds on the metadata files read whole into memory, so a tampered vault cannot exhaust it
/// (docs/FORMAT.md §3, "Sizes": a writer never writes a larger file).
enum ReadLimit {
    static let config = 1 << 20
    static let ownerKey = 64 << 10
    static let chainEntry = 64 << 20
    static let auditEntry = 1 << 20
    static let manifest = SnapshotManifest.maximumBytes
    static let index = 256 << 20
}

extension StagedFile {
    func write(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try write($0) } }
}

/// Reads at arbitrary offsets of one open file (restore keeps a few packs open).
public protocol RandomAccessFile: AnyObject {
    /// Exactly `count` bytes at `offset`; an error if the file ends first.
    func read(at offset: UInt64, count: Int) throws -> [UInt8]
}
