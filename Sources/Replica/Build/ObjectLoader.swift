import ExportLayout
import VaultCore

#if canImport(Glibc)
    import Glibc
#endif

/// One object's CSV read once and inserted into its table: every well-formed record, typed as the values read so far
/// allow (a column is re-typed, its table rebuilt, before a value that breaks its format is inserted); the cell digest
/// of the records inserted, computed from the CSV as parsed, is what SQLite must give back; the scan of the whole file
/// (what each column allows, the records left out) chooses the final schema.
struct ObjectLoad: Sendable {
    private(set) var rowsInserted = 0
    private(set) var digest: CellDigest
    /// Records with an id already inserted; left out.
    private(set) var duplicates: [RowProblem] = []
    /// The whole file's scan.
    private(set) var scan: ObjectScan
    /// The table as it now is in the database.
    private(set) var schema: TableSchema
    /// How many times the table was rebuilt to re-type a column.
    private(set) var rebuilds = 0
    /// Whether the whole file was read before the load, because its values kept breaking column types.
    private(set) var isReadFirst = false

    /// The rebuilds after which the file is read whole before loading it again: a hostile file that breaks one
    /// column per batch costs a bounded number of rebuilds and one more read, not one rebuild per column.
    static let maximumRebuilds = 4

    /// Thrown by the load when the table would be rebuilt once more than ``maximumRebuilds``.
    private struct TooManyRebuilds: Error {}

    /// Loads `object` into its table, created as `schema` from `firstLook`. When `detecting` (no encoding given and
    /// the first look read UTF-8), a byte further on that is not UTF-8 empties the table and loads the file again as
    /// Windows-1252.
    init(
        _ object: ExportDirectory.ObjectFile, schema: TableSchema, firstLook: ObjectScan, detecting: Bool,
        database: SQLiteDatabase
    ) throws {
        self.schema = schema
        scan = firstLook
        digest = CellDigest(columns: schema.columns.count)
        var encoding = firstLook.encoding
        var detecting = detecting
        while true {
            do {
                try load(object, encoding: encoding, detecting: detecting, database: database)
                return
            } catch let error as CSVError where detecting && error.kind == .invalidEncoding(.utf8) {
                try database.execute("DELETE FROM \(SQL.quoted(self.schema.table))")
                rowsInserted = 0
                digest = CellDigest(columns: schema.columns.count)
                duplicates = []
                encoding = .windows1252
                detecting = false
            } catch is TooManyRebuilds {
                // Read the whole file first (a first look without a limit), type the emptied table from every value,
                // then load it again: no value can break a format any more.
                try database.execute("DELETE FROM \(SQL.quoted(self.schema.table))")
                rowsInserted = 0
                digest = CellDigest(columns: schema.columns.count)
                duplicates = []
                do {
                    let whole = try ObjectScan.firstLook(
                        object, encoding: detecting ? nil : encoding, bytes: Int.max)
                    let fields = ReplicaSchemaPlanner.fields(of: whole.header, metadata: object.metadata)
                    var retyped = self.schema
                    for index in retyped.columns.indices {
                        retyped.columns[index].format = ReplicaSchemaPlanner.format(
                            index, of: whole, field: fields[index])
                    }
                    try TableRebuild.run(from: self.schema, to: retyped, in: database)
                    self.schema = retyped
                    encoding = whole.encoding
                    detecting = false
                    isReadFirst = true
                } catch let error as CSVError {
                    _ = scan.take(error)
                    return
                }
            } catch let error as CSVError {
                // The file cannot be read any more (it was, for the first look): what was inserted stays, the rest
                // is listed as left out.
                _ = scan.take(error)
                return
            }
        }
    }

    private mutating func load(
        _ object: ExportDirectory.ObjectFile, encoding: CSVEncoding, detecting: Bool, database: SQLiteDatabase
    ) throws {
        // The CSV is parsed on another thread while this one inserts (see RecordPipeline).
        let records = RecordPipeline(object, encoding: encoding, detecting: detecting, header: scan.header)
        defer { records.close() }
        let row = "(" + Array(repeating: "?", count: schema.columns.count).joined(separator: ", ") + ")"
        let sql = "INSERT INTO \(SQL.quoted(schema.table)) VALUES "
        let rowsPerInsert = Self.rowsPerInsert(columns: schema.columns.count, parameters: database.maximumParameters)
        let manySQL = sql + Array(repeating: row, count: rowsPerInsert).joined(separator: ", ")
        var insert = try database.prepare(sql + row)
        var insertMany = try database.prepare(manySQL)
        var formats = schema.columns.map(\.format)
        var booleans = Self.booleans(formats)
        let idColumn = schema.idColumn
        // The greatest id inserted or waiting (see ``rowsPerInsert(columns:parameters:)``), and the records waiting.
        var greatestID: [UInt8] = []
        var waiting: [RecordPipeline.Batch.Record] = []
        waiting.reserveCapacity(rowsPerInsert)

        func bind(_ record: RecordPipeline.Batch.Record, to statement: SQLiteStatement, from first: Int) throws {
            let fields = record.fields
            for index in 0..<fields.count {
                let value = fields[index]
                if ObjectScan.isNull(value) {
                    try statement.bindNull(first + index)
                    continue
                }
                switch ColumnFormat.Stored(value, as: formats[index], booleans: booleans[index]) {
                case .text: try statement.bindText(first + index, value)
                case .integer(let integer): try statement.bindInteger(first + index, integer)
                case .real(let real): try statement.bindDouble(first + index, real)
                }
            }
        }
        /// Inserts one record; a duplicate id is listed, not inserted.
        func insertOne(_ record: RecordPipeline.Batch.Record) throws {
            try bind(record, to: insert, from: 0)
            do {
                try insert.step()
            } catch let error as SQLiteError where error.isUniqueViolation {
                insert.reset()
                let id = idColumn.map { String(decoding: record.fields[$0].prefix(40), as: UTF8.self) } ?? ""
                duplicates.append(
                    RowProblem(
                        file: object.file, line: record.line,
                        problem: "duplicate \(schema.columns[idColumn ?? 0].header) \(id): an earlier record has it"))
                return
            }
            insert.reset()
            digest.addRow(record.cellHashes, rowHash: record.rowHash)
            rowsInserted += 1
        }
        /// Inserts the waiting records: in one statement when there are as many as it takes, else one by one.
        func insertWaiting() throws {
            guard waiting.count == rowsPerInsert else {
                for record in waiting { try insertOne(record) }
                waiting.removeAll(keepingCapacity: true)
                return
            }
            for (number, record) in waiting.enumerated() {
                try bind(record, to: insertMany, from: number * record.fields.count)
            }
            defer { insertMany.reset() }
            try insertMany.step()
            for record in waiting { digest.addRow(record.cellHashes, rowHash: record.rowHash) }
            rowsInserted += waiting.count
            waiting.removeAll(keepingCapacity: true)
        }

        while let batch = try records.next() {
            // After a whole read the table's formats hold every value, whatever the batches seen so far allow.
            if !isReadFirst && batch.formats != formats {
                // A value of this batch breaks a column's format: re-type the rows already in before inserting it.
                guard rebuilds < Self.maximumRebuilds else { throw TooManyRebuilds() }
                var retyped = schema
                for index in retyped.columns.indices { retyped.columns[index].format = batch.formats[index] }
                try TableRebuild.run(from: schema, to: retyped, in: database)
                schema = retyped
                formats = batch.formats
                booleans = Self.booleans(formats)
                insert = try database.prepare(sql + row)
                insertMany = try database.prepare(manySQL)
                rebuilds += 1
            }
            // Ids compared as SQLite compares the key: TEXT, bytes (memcmp, then length).
            let isKeyText = idColumn.map { formats[$0] == .text } ?? true
            var left = batch.count
            try batch.forEach { record in
                left -= 1
                if let idColumn {
                    let id = record.fields[idColumn]
                    if isKeyText && Self.isAbove(id, greatestID) {
                        greatestID.removeAll(keepingCapacity: true)
                        greatestID.append(contentsOf: id)
                        waiting.append(record)
                    } else {
                        // Perhaps a duplicate: inserted alone, after the records before it.
                        try insertWaiting()
                        try insertOne(record)
                    }
                } else {
                    waiting.append(record)
                }
                // A batch's records are valid only while it is read: none waits past its last.
                if waiting.count == rowsPerInsert || left == 0 { try insertWaiting() }
            }
        }
        if let whole = records.scan { scan = whole }
    }

    /// The records one multi-row `INSERT` takes (at most 64, within SQLite's parameter limit). Rows inserted by one
    /// statement keep its cursors open: the key's b-tree is appended to from where the last row went, not searched from
    /// its root per row, and the statement is started and reset once per run instead of once per row. Only records
    /// that cannot be duplicates wait for one: those whose id is above every id before it (the exports' ids arrive in
    /// key order), or all of a table without a key. A duplicate in a multi-row statement could not be undone row by row
    /// (the file has no journal), so any other record is inserted alone, where its duplicate id fails only itself.
    static func rowsPerInsert(columns: Int, parameters: Int) -> Int {
        max(1, min(64, parameters / max(1, columns)))
    }

    /// Whether `id` sorts after `greatest` as SQLite's BINARY collation sorts TEXT (bytes, then length).
    private static func isAbove(_ id: UnsafeBufferPointer<UInt8>, _ greatest: [UInt8]) -> Bool {
        greatest.withUnsafeBufferPointer { greatest in
            let common = min(id.count, greatest.count)
            let order = common == 0 ? 0 : memcmp(id.baseAddress!, greatest.baseAddress!, common)
            return order > 0 || (order == 0 && id.count > greatest.count)
        }
    }

    /// Each boolean column's spellings as bytes.
    private static func booleans(_ formats: [ColumnFormat]) -> [(yes: [UInt8], no: [UInt8])?] {
        formats.map { format in
            if case .boolean(let yes, let no) = format { return (Array(yes.utf8), Array(no.utf8)) }
            return nil
        }
    }
}
