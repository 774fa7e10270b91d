import Foundation
import VaultCore

#if canImport(Glibc)
import Glibc
#endif

/// Puts the export's non-CSV files into `crmvault_files`: binary files of records (`ContentVersion/<Id>`,
/// `Attachments/<Id>`, `Documents/<Id>`) linked to their record, and every other file (metadata, the export
/// manifest), each with its bytes as a BLOB, streamed in bounded memory.
struct FileLoader {
    static let createStatement = """
        CREATE TABLE crmvault_files (path TEXT NOT NULL PRIMARY KEY, size INTEGER NOT NULL, object TEXT, record_id TEXT,
        linked INTEGER NOT NULL DEFAULT 0, content BLOB)
        """

    private(set) var files = 0
    private(set) var bytes: Int64 = 0
    private(set) var warnings: [String] = []

    init(_ export: ExportDirectory, tables: [TableSchema], database: SQLiteDatabase) throws {
        try database.execute(Self.createStatement)
        let insert = try database.prepare(
            "INSERT INTO crmvault_files (path, size, object, record_id, content) VALUES (?, ?, ?, ?, ?)")
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        let limit = database.maximumLength
        for file in export.otherFiles {
            let (object, record) = Self.owner(of: file.path, tables: tables)
            try insert.bindText(0, file.path)
            try insert.bindInteger(1, file.size)
            if let object { try insert.bindText(2, object) } else { try insert.bindNull(2) }
            if let record { try insert.bindText(3, record) } else { try insert.bindNull(3) }
            let isStored = file.size <= limit
            if isStored { try insert.bindZeroBlob(4, count: file.size) } else { try insert.bindNull(4) }
            try insert.step()
            insert.reset()
            files += 1
            bytes += file.size
            guard isStored else {
                warnings.append(
                    "\(file.path) (\(file.size) bytes) is larger than SQLite's largest BLOB; it is listed without its bytes."
                )
                continue
            }
            let descriptor = open(file.url.path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
            guard descriptor >= 0 else {
                throw VaultError(.ioFailed, "Cannot read \(file.url.path): \(String(cString: strerror(errno))).")
            }
            defer { close(descriptor) }
            try database.writeBlob(
                table: "crmvault_files", column: "content", row: database.lastInsertedRow, buffer: buffer
            ) { target in
                while true {
                    let count = Glibc.read(descriptor, target.baseAddress, target.count)
                    if count >= 0 { return count }
                    if errno != EINTR {
                        throw VaultError(
                            .ioFailed, "Cannot read \(file.url.path): \(String(cString: strerror(errno))).")
                    }
                }
            }
        }
        for table in tables {
            guard let id = table.idColumn else { continue }
            try database.execute(
                """
                UPDATE crmvault_files SET linked = EXISTS (SELECT 1 FROM \(SQL.quoted(table.table))
                WHERE \(SQL.quoted(table.columns[id].name)) = crmvault_files.record_id) WHERE object = \(SQL.literal(table.object))
                """)
        }
    }

    /// The object and record a file belongs to: `<Object>/<record id>[.ext]`, the folder named after the object or
    /// its plural (`Attachments/` → `Attachment`).
    static func owner(of path: String, tables: [TableSchema]) -> (object: String?, record: String?) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return (nil, nil) }
        let folder = String(parts[0])
        let objects = Set(tables.map(\.object))
        let object =
            objects.contains(folder)
            ? folder
            : folder.hasSuffix("s") && objects.contains(String(folder.dropLast()))
                ? String(folder.dropLast())
                : ["ContentVersion", "Attachments", "Documents"].contains(folder)
                    ? (folder.hasSuffix("s") ? String(folder.dropLast()) : folder)
                    : nil
        guard let object else { return (nil, nil) }
        let stem = parts[1].split(separator: ".", maxSplits: 1).first.map(String.init) ?? ""
        let isID = Array(stem.utf8).withUnsafeBufferPointer { KeyPrefixes.prefix(ofID: $0) != nil }
        return (object, isID ? stem : nil)
    }
}
