import Foundation

/// The replica's own tables, which describe it to anyone opening the file and let its checks be run again:
///
/// - `crmvault_restore`: one row: snapshot id, chain entry hash, source, label, snapshot time, build time, per-object
///   row counts (JSON), crmvault version.
/// - `crmvault_objects`: per object: table, file, encoding, rows, records parsed, vendor-reported count, left out,
///   cell digest.
/// - `crmvault_columns`: per column: SQL name, position, CSV header, format, SQL type, field and vendor type, where the
///   type came from, why a typed column stayed text, the column's cell digest.
/// - `crmvault_references`: per reference column and target: kind (`foreign key`, `polymorphic`, `reference`), how it
///   was found, key prefixes, references that find their record, all references, orphans.
/// - `crmvault_left_out`: every record left out by `--lenient`, with file, line and why.
/// - `crmvault_checks`: every check and its result.
/// - `crmvault_files` (written by ``FileLoader``).
enum ReplicaCatalog {
    /// One built object: its schema, its report line and the cell digest of its rows as parsed.
    struct Entry {
        var table: TableSchema
        var report: ObjectReport
        var digest: CellDigest
    }

    static let createStatements = """
        CREATE TABLE crmvault_restore (snapshot TEXT, chain_entry TEXT, source TEXT, label TEXT, snapshot_time TEXT,
            built TEXT NOT NULL, row_counts TEXT NOT NULL, crmvault_version TEXT NOT NULL);
        CREATE TABLE crmvault_objects (object TEXT NOT NULL PRIMARY KEY, "table" TEXT NOT NULL, file TEXT NOT NULL,
            encoding TEXT NOT NULL, rows INTEGER NOT NULL, records_parsed INTEGER NOT NULL, vendor_records INTEGER,
            left_out INTEGER NOT NULL, digest TEXT NOT NULL);
        CREATE TABLE crmvault_columns (object TEXT NOT NULL, "column" TEXT NOT NULL, position INTEGER NOT NULL,
            header TEXT NOT NULL, format TEXT NOT NULL, sql_type TEXT NOT NULL, field_type TEXT, vendor_type TEXT,
            type_source TEXT NOT NULL, note TEXT, digest TEXT NOT NULL, PRIMARY KEY (object, position));
        CREATE TABLE crmvault_references (object TEXT NOT NULL, "column" TEXT NOT NULL, target TEXT NOT NULL,
            kind TEXT NOT NULL, source TEXT NOT NULL, key_prefixes TEXT, found INTEGER, "references" INTEGER,
            orphans INTEGER, PRIMARY KEY (object, "column", target));
        CREATE TABLE crmvault_left_out (file TEXT NOT NULL, line INTEGER NOT NULL, problem TEXT NOT NULL);
        CREATE TABLE crmvault_checks ("check" TEXT NOT NULL, object TEXT, "column" TEXT, status TEXT NOT NULL,
            detail TEXT NOT NULL)
        """

    static func write(
        _ entries: [Entry], leftOut: [RowProblem], origin: ReplicaOrigin?, version: String,
        into database: SQLiteDatabase
    ) throws {
        try database.execute(createStatements)
        let counts = Dictionary(
            entries.map { ($0.report.name, $0.report.rows) }, uniquingKeysWith: { first, _ in first })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try insert(
            into: database, "crmvault_restore",
            [
                origin?.snapshot, origin?.chainEntry, origin?.source, origin?.label, origin?.time,
                ISO8601DateFormatter().string(from: Date()),
                String(decoding: try encoder.encode(counts), as: UTF8.self), version,
            ])
        for entry in entries {
            let report = entry.report
            try insert(
                into: database, "crmvault_objects",
                [
                    report.name, report.table, report.file, report.encoding, report.rows, report.recordsParsed,
                    report.vendorRecords, report.leftOut, report.digest,
                ])
            for (position, column) in entry.table.columns.enumerated() {
                try insert(
                    into: database, "crmvault_columns",
                    [
                        report.name, column.name, position + 1, column.header, column.format.name,
                        column.format.sqlType,
                        column.fieldType?.rawValue, column.vendorType, column.typeSource, column.note,
                        entry.digest.columnHex(position),
                    ])
            }
            for reference in entry.table.references {
                for target in reference.targets {
                    let kind =
                        reference.isForeignKey
                        ? "foreign key" : reference.targets.count > 1 ? "polymorphic" : "reference"
                    try insert(
                        into: database, "crmvault_references",
                        [
                            report.name, entry.table.columns[reference.column].name, target, kind, reference.source,
                            reference.prefixes[target]?.joined(separator: " "), nil, nil, nil,
                        ])
                }
            }
        }
        for problem in leftOut {
            try insert(into: database, "crmvault_left_out", [problem.file, problem.line, problem.problem])
        }
    }

    /// Records the checks and the reference counts they made.
    static func record(_ outcome: ReplicaChecker.Outcome, into database: SQLiteDatabase) throws {
        for check in outcome.checks {
            try insert(
                into: database, "crmvault_checks",
                [check.check, check.object, check.column, check.status.rawValue, check.detail])
        }
        let update = try database.prepare(
            """
            UPDATE crmvault_references SET found = ?, "references" = ?, orphans = ? WHERE object = ? AND "column" = ? AND target = ?
            """)
        for (object, columns) in outcome.references {
            for (column, count) in columns {
                for target in count.found.keys {
                    try bind(update, [count.found[target], count.total, count.orphans, object, column, target])
                    try update.step()
                    update.reset()
                }
            }
        }
    }

    private static func insert(into database: SQLiteDatabase, _ table: String, _ values: [Any?]) throws {
        let statement = try database.prepare(
            "INSERT INTO \(table) VALUES (\(Array(repeating: "?", count: values.count).joined(separator: ", ")))")
        try bind(statement, values)
        try statement.step()
    }

    /// Binds strings as TEXT, integers as INTEGER and nil as NULL.
    private static func bind(_ statement: SQLiteStatement, _ values: [Any?]) throws {
        for (index, value) in values.enumerated() {
            switch value {
            case let text as String: try statement.bindText(index, text)
            case let number as Int: try statement.bindInteger(index, Int64(number))
            default: try statement.bindNull(index)
            }
        }
    }
}

/// An object as the catalog of a built replica describes it: what the checks compare the tables with.
struct CatalogObject {
    var schema: TableSchema
    var recordsParsed: Int
    var vendorRecords: Int?
    var leftOut: Int
    var digest: String
    var columnDigests: [String]

    /// Reads every object of the catalog, with its columns' formats and digests and its references.
    static func load(from database: SQLiteDatabase) throws -> [CatalogObject] {
        var objects: [CatalogObject] = []
        let rows = try database.rows(
            "SELECT object, \"table\", file, records_parsed, vendor_records, left_out, digest FROM crmvault_objects "
                + "ORDER BY rowid"
        )
        for row in rows {
            guard let name = row[0], let table = row[1], let file = row[2], let parsed = row[3].flatMap({ Int($0) }),
                let leftOut = row[5].flatMap({ Int($0) }), let digest = row[6]
            else { throw catalogError("crmvault_objects has an incomplete row") }
            let columns = try database.rows(
                """
                SELECT "column", header, format, digest FROM crmvault_columns
                WHERE object = \(SQL.literal(name)) ORDER BY position
                """)
            var schemas: [ColumnSchema] = []
            for column in columns {
                guard let columnName = column[0], let header = column[1],
                    let format = column[2].flatMap(ColumnFormat.init(name:))
                else {
                    throw catalogError("crmvault_columns has an unreadable row for \(name)")
                }
                schemas.append(ColumnSchema(header: header, name: columnName, format: format, typeSource: ""))
            }
            let primaryKey =
                try database.rows("SELECT name FROM pragma_table_info(\(SQL.literal(table))) WHERE pk = 1").first?.first
                ?? nil
            var schema = TableSchema(
                object: name, table: table, file: file, columns: schemas,
                idColumn: primaryKey.flatMap { key in schemas.firstIndex { $0.name == key } })
            let references = try database.rows(
                """
                SELECT "column", target, kind, source, key_prefixes FROM crmvault_references
                WHERE object = \(SQL.literal(name)) ORDER BY rowid
                """)
            for reference in references {
                guard let column = reference[0], let index = schemas.firstIndex(where: { $0.name == column }),
                    let target = reference[1]
                else {
                    throw catalogError("crmvault_references names a column \(name) does not have")
                }
                let prefixes = reference[4].map { $0.split(separator: " ").map(String.init) }
                if let existing = schema.references.firstIndex(where: { $0.column == index }) {
                    schema.references[existing].targets.append(target)
                    if let prefixes { schema.references[existing].prefixes[target] = prefixes }
                } else {
                    schema.references.append(
                        ReferenceSchema(
                            column: index, targets: [target], prefixes: prefixes.map { [target: $0] } ?? [:],
                            source: reference[3] ?? "",
                            isForeignKey: reference[2] == "foreign key"))
                }
            }
            objects.append(
                CatalogObject(
                    schema: schema, recordsParsed: parsed, vendorRecords: row[4].flatMap { Int($0) }, leftOut: leftOut,
                    digest: digest,
                    columnDigests: columns.map { $0[3] ?? "" }))
        }
        return objects
    }

    private static func catalogError(_ message: String) -> SQLiteError {
        SQLiteError(code: 1, message: message, context: "read the replica's catalog")
    }
}
