import Foundation

/// A file time with nanoseconds, as kept in manifests.
public struct FileTime: Sendable, Equatable {
    public var seconds: Int
    public var nanoseconds: Int
}

/// What an export source hands to a backup, item by item in path order.
protocol ExportVisitor: AnyObject {
    func directory(_ path: String, mode: Int, mtime: FileTime) throws
    func symlink(_ path: String, target: String, mtime: FileTime) throws
    /// `contents` pushes the file's bytes, in order, to the closure it is given.
    func file(_ path: String, mode: Int, mtime: FileTime, size: Int,
              contents: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws
    /// An entry the snapshot cannot hold, left out; `path` is shown escaped.
    func skipped(_ path: String, reason: String)
}

/// An input to `backup`: a directory, a single file, or a vendor zip.
protocol ExportSource {
    var kind: String { get }
    var name: String { get }
    /// Checks everything that can be checked before a byte is written to the vault.
    func validate() throws
    func walk(_ visitor: any ExportVisitor) throws
    /// Owner-only provenance to seal into the manifest.
    func provenance() throws -> Provenance?
    /// The regular files with their sizes, without reading their contents.
    func survey() throws -> ExportSurvey
    /// Up to `count` bytes from the start of the file at `path` (as `survey` names it).
    func prefix(of path: String, count: Int) throws -> [UInt8]
}

enum ExportSources {
    /// Picks the source kind for `url`: directory, zip (by its signature), or plain file.
    static func open(_ url: URL) throws -> any ExportSource {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw VaultError(.inputUnreadable, "The export \(url.path) does not exist.", remedy: "Check the path you gave to `backup`.")
        }
        if isDirectory.boolValue { return DirectorySource(root: url) }
        if ZipSource.looksLikeZip(url) { return ZipSource(url: url) }
        let source = SingleFileSource(url: url)
        if url.pathExtension.lowercased() == "zip" {
            let what = ExportCheck.describe((try? source.prefix(of: source.name, count: 8192)) ?? [])
            throw VaultError(.exportRejected,
                "\(url.path) is named .zip but is \(what), not a zip archive. Nothing was written to the vault.",
                remedy: "Download the export again (an expired vendor session saves its login or error page under the "
                    + "export's name); to keep this file as it is, rename it so it does not end in .zip.")
        }
        return source
    }
}

/// Path rules shared by every source (docs/FORMAT.md §8): relative, `/`-separated, no `.` or `..`.
enum ExportPath {
    static func isSafe(_ path: String) -> Bool {
        guard !path.isEmpty, !path.hasPrefix("/"), !path.utf8.contains(0) else { return false }
        return path.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
    }
}
