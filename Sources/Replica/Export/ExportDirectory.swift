import ExportLayout
import Foundation
import VaultCore

#if canImport(Glibc)
import Glibc
#endif

/// An export on disk, as the replica reads it (docs/EXPORTS.md): the object CSVs at its top, the optional export
/// manifest, and every other regular file. Nothing is followed through a link; names are kept as found.
struct ExportDirectory: Sendable {
    /// One object CSV: its table name and where it is.
    struct ObjectFile: Sendable {
        var name: String
        var file: String
        var url: URL
        var metadata: ExportObject?
    }

    /// A regular file that is not an object CSV.
    struct OtherFile: Sendable {
        var path: String
        var url: URL
        var size: Int64
    }

    let root: URL
    private(set) var objects: [ObjectFile] = []
    private(set) var otherFiles: [OtherFile] = []
    private(set) var manifest: ExportManifest?
    /// Problems with the export as a whole (a manifest that does not parse, a listed file that is missing).
    private(set) var problems: [String] = []
    /// Things skipped on purpose (links, special files).
    private(set) var notes: [String] = []

    /// The most bytes of `export-manifest.json` read.
    static let manifestLimit = 64 << 20

    init(root: URL) throws {
        self.root = root
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw VaultError(.usage, "\(root.path) is not a directory holding an export.")
        }
        try walk(relative: "")
        objects.sort { $0.file.utf8.lexicographicallyPrecedes($1.file.utf8) }
        otherFiles.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        try readManifest()
    }

    private mutating func walk(relative: String) throws {
        let directory = relative.isEmpty ? root : root.appendingPathComponent(relative)
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw VaultError(.ioFailed, "Cannot list \(directory.path): \(error.localizedDescription)")
        }
        for name in names.sorted() {
            let path = relative.isEmpty ? name : relative + "/" + name
            let url = directory.appendingPathComponent(name)
            var status = stat()
            guard lstat(url.path, &status) == 0 else {
                throw VaultError(.ioFailed, "Cannot read \(url.path): \(String(cString: strerror(errno))).")
            }
            switch status.st_mode & S_IFMT {
            case S_IFDIR:
                try walk(relative: path)
            case S_IFREG:
                if relative.isEmpty && ExportPath.isObjectFile(name) {
                    objects.append(ObjectFile(name: String(name.dropLast(4)), file: name, url: url))
                } else {
                    otherFiles.append(OtherFile(path: path, url: url, size: Int64(status.st_size)))
                }
            default:
                notes.append("\(path) is not a regular file (a link or a special file); it was not read.")
            }
        }
    }

    /// Reads `export-manifest.json` when present and attaches each object's metadata; a manifest that does not parse,
    /// or names a CSV the export lacks, is a problem (the build goes on without it).
    private mutating func readManifest() throws {
        guard let file = otherFiles.first(where: { $0.path == ExportManifest.fileName }) else { return }
        guard file.size <= Self.manifestLimit else {
            problems.append(
                "\(ExportManifest.fileName) is larger than \(Self.manifestLimit >> 20) MiB; it was not read.")
            return
        }
        do {
            let data = try Data(contentsOf: file.url, options: .uncached)
            manifest = try ExportManifest.decode(data, path: ExportManifest.fileName)
        } catch let error as ExportLayoutError {
            problems.append(error.description)
            return
        } catch {
            problems.append("\(ExportManifest.fileName) cannot be read: \(error.localizedDescription)")
            return
        }
        for object in manifest?.objects ?? [] {
            if let index = objects.firstIndex(where: { $0.file == object.file }) {
                objects[index].metadata = object
            } else {
                problems.append(
                    "\(ExportManifest.fileName) lists the object \(object.name) in \(object.file), which the export does not hold."
                )
            }
        }
    }
}
