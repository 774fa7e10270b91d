import ExportLayout
import VaultCore

/// The second pass over one object's CSV: every well-formed record inserted into its table, typed as the schema
/// says; the cell digest of the records inserted, computed from the CSV as parsed, is what SQLite must give back.
struct ObjectLoad {
    private(set) var rowsInserted = 0
    private(set) var digest: CellDigest
    /// Records with an id already inserted; left out.
    private(set) var duplicates: [RowProblem] = []

    init(_ object: ExportDirectory.ObjectFile, schema: TableSchema, scan: ObjectScan, database: SQLiteDatabase) throws {
        digest = CellDigest(columns: schema.columns.count)
        // The CSV is parsed on another thread while this one inserts (see RecordPipeline).
        let records = RecordPipeline(object, encoding: scan.encoding)
        defer { records.close() }
        let placeholders = Array(repeating: "?", count: schema.columns.count).joined(separator: ", ")
        let insert = try database.prepare("INSERT INTO \(SQL.quoted(schema.table)) VALUES (\(placeholders))")
        let formats = schema.columns.map(\.format)
        let booleans = schema.columns.map { column -> (yes: [UInt8], no: [UInt8])? in
            if case .boolean(let yes, let no) = column.format { return (Array(yes.utf8), Array(no.utf8)) }
            return nil
        }
        let idColumn = schema.idColumn
        while let batch = try records.next() {
            try batch.forEach { record in
                let fields = record.fields
                if let idColumn, ObjectScan.isNull(fields[idColumn]) { return }
                for index in 0..<fields.count {
                    let value = fields[index]
                    if ObjectScan.isNull(value) {
                        try insert.bindNull(index)
                    } else {
                        try Self.bind(value, format: formats[index], booleans: booleans[index], at: index, to: insert)
                    }
                }
                do {
                    try insert.step()
                } catch let error as SQLiteError where error.isUniqueViolation {
                    insert.reset()
                    let id = idColumn.map { String(decoding: fields[$0].prefix(40), as: UTF8.self) } ?? ""
                    duplicates.append(
                        RowProblem(
                            file: object.file, line: record.line,
                            problem: "duplicate \(schema.columns[idColumn ?? 0].header) \(id): an earlier record has it"
                        ))
                    return
                }
                insert.reset()
                digest.addRow(record.cellHashes, rowHash: record.rowHash)
                rowsInserted += 1
            }
        }
    }

    /// Binds one non-null value as its column's format says; a value that does not parse (the file changed since the
    /// scan) is bound as text, and the cell digest check reports it.
    private static func bind(
        _ value: UnsafeBufferPointer<UInt8>, format: ColumnFormat, booleans: (yes: [UInt8], no: [UInt8])?,
        at index: Int, to insert: SQLiteStatement
    ) throws {
        switch format {
        case .text:
            try insert.bindText(index, value)
        case .integer:
            if let integer = ValueText.integer(value) {
                try insert.bindInteger(index, integer)
            } else {
                try insert.bindText(index, value)
            }
        case .real, .fixed, .integral:
            if let double = ValueText.double(value) {
                try insert.bindDouble(index, double)
            } else {
                try insert.bindText(index, value)
            }
        case .boolean:
            if let booleans, value.elementsEqual(booleans.yes) {
                try insert.bindInteger(index, 1)
            } else if let booleans, value.elementsEqual(booleans.no) {
                try insert.bindInteger(index, 0)
            } else {
                try insert.bindText(index, value)
            }
        }
    }
}
