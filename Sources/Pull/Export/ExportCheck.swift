import ExportLayout
import Foundation
import VaultCore

/// The last check before a staged export goes into the vault: every object's CSV is there, is counted again from the
/// file itself, and holds exactly the records the connector wrote and the vendor reported, under the header the
/// manifest lists. Anything off ends the pull with nothing written.
enum ExportCheck {
    static func verify(_ manifest: ExportManifest, in export: URL) throws {
        for object in manifest.objects {
            let url = export.appendingPathComponent(object.file)
            let (header, records) = try count(url)
            if let fields = object.fields {
                guard header == fields.map(\.name) else {
                    throw VaultError(
                        .vendorFailed, "The staged \(object.file) has a header that differs from the object's fields.")
                }
            }
            if let written = object.recordsWritten, written != records {
                throw VaultError(
                    .vendorFailed,
                    "The staged \(object.file) holds \(records) records, but \(written) were written; the staging area changed under the pull."
                )
            }
            if let reported = object.records, reported != records {
                throw VaultError(
                    .vendorFailed,
                    "\(object.name): the vendor reported \(reported) records, but the export holds \(records).",
                    remedy: "Nothing was written to the vault. Run the pull again.")
            }
        }
    }

    /// The header row's fields and the record count of a CSV file, read with the export layout's own CSV reader, so
    /// a file that `replica` could not read (ragged rows, broken quoting, bad encoding) is refused here, before it is
    /// backed up as if it were good. An empty file has no header and no records.
    static func count(_ url: URL) throws -> (header: [String], records: Int) {
        let name = url.lastPathComponent
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw VaultError(.vendorFailed, "The export lacks \(name), which its manifest lists.")
        }
        if ArchiveUnpacker.size(of: url) == 0 { return ([], 0) }
        do {
            let reader = try CSVReader(path: url.path, displayName: name)
            while try reader.next() {}
            return (reader.header, reader.recordsRead)
        } catch let error as CSVError {
            throw VaultError(
                .vendorFailed, "The vendor's \(TerminalText.escaped(error.description))",
                remedy:
                    "Nothing was written to the vault. Run the pull again; if it persists, the vendor's export is damaged."
            )
        }
    }
}
