import Crypto
import Foundation
import ZIPFoundation

/// One zip of a month's Data Export, `WE_<org id>_<n>.ZIP`, holding whole `<Object>.csv` files at its top.
struct DataExportArchive: Sendable {
    let fileName: String
    /// The export file's record id (`092…`, 15 characters), the `id` of its download link.
    let id: String
    let contents: Data
    /// The SHA-256 of the contents in hex, used as the strong ETag.
    let sha256: String

    /// The zips of one month: objects in export order, a new zip starting when the next CSV would take the
    /// current one past `partBytes` (uncompressed).
    static func build(
        files: [(name: String, contents: Data)], organizationID: String, month: Int, partBytes: Int
    ) throws -> [DataExportArchive] {
        var groups: [[(name: String, contents: Data)]] = []
        var size = 0
        for file in files {
            if groups.isEmpty || (size + file.contents.count > partBytes && !groups[groups.count - 1].isEmpty) {
                groups.append([])
                size = 0
            }
            groups[groups.count - 1].append(file)
            size += file.contents.count
        }
        let modified = Date(timeIntervalSince1970: 1_767_225_600 + Double(month) * 30 * 86_400)
        return try groups.enumerated().map { index, group in
            let archive = try Archive(data: Data(), accessMode: .create)
            for file in group {
                let contents = file.contents
                try archive.addEntry(
                    with: file.name, type: .file, uncompressedSize: Int64(contents.count), modificationDate: modified,
                    compressionMethod: .deflate,
                    provider: { position, size in contents.subdata(in: Int(position)..<Int(position) + size) })
            }
            guard let data = archive.data else { throw SimulatorSetupError("the export zip was not written") }
            let digest = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
            let number = UInt64(month) * 100 + UInt64(index + 1)
            return DataExportArchive(
                fileName: "WE_\(organizationID)_\(index + 1).ZIP",
                id: String(StableID.salesforce(keyPrefix: "092", number: 62 * 62 * 62 * 62 * 60 + number).prefix(15)),
                contents: data, sha256: digest)
        }
    }
}
