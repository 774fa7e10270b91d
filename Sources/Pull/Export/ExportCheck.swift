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

    /// The header row's fields and the record count of a CSV file, read in 1 MiB steps.
    static func count(_ url: URL) throws -> (header: [String], records: Int) {
        guard let handle = try? FileHandle(forReadingFrom: url) else {
            throw VaultError(.vendorFailed, "The export lacks \(url.lastPathComponent), which its manifest lists.")
        }
        defer { try? handle.close() }
        var counter = CSVRecordCounter()
        var head: [UInt8] = []
        var header: [String]?
        while let data = try handle.read(upToCount: 1 << 20), !data.isEmpty {
            counter.consume(data)
            if header == nil {
                head.append(contentsOf: data.prefix(1 << 20))
                if let first = CSVHeader.firstRow(in: head) { header = CSVHeader.fields(of: first.row) }
            }
        }
        let (rows, isInsideQuotes) = counter.finished()
        guard !isInsideQuotes else {
            throw VaultError(
                .vendorFailed, "\(url.lastPathComponent) ends inside a quoted field: the file is cut short.")
        }
        if header == nil && !head.isEmpty { header = CSVHeader.fields(of: head) }
        return (header ?? [], max(rows - 1, 0))
    }
}
