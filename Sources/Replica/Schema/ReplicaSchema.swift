import ExportLayout

/// A column of a replica table: the CSV header it comes from, its SQL name and how its values are stored.
struct ColumnSchema: Sendable {
    /// The CSV header exactly.
    var header: String
    /// The SQL column name: the header, made unique (SQLite compares names case-insensitively) with ` (2)`, ` (3)`….
    var name: String
    var format: ColumnFormat
    /// The vendor-neutral type from the manifest, when the pull recorded one.
    var fieldType: ExportFieldType?
    var vendorType: String?
    /// `metadata` (the manifest's type), `values` (every value round-trips) or `text`.
    var typeSource: String
    /// Why a column the metadata types stays text.
    var note: String?
}

/// A reference column and the objects it points to.
struct ReferenceSchema: Sendable, Equatable {
    var column: Int
    /// Target tables; one for a plain lookup, several for a polymorphic reference (WhoId, WhatId, ParentId).
    var targets: [String]
    /// The key prefixes of each target, when the values are Salesforce ids (so orphans are told from references
    /// to objects outside the export).
    var prefixes: [String: [String]]
    /// `metadata`, `key prefix` or `column name`.
    var source: String
    /// Whether the column declares a SQL foreign key (one target that has a primary key).
    var isForeignKey: Bool
}

/// One table of the replica.
struct TableSchema: Sendable {
    /// The object name: the CSV file's name without `.csv`.
    var object: String
    /// The SQL table name: the object name, unless it clashes with another object (case) or a reserved name.
    var table: String
    var file: String
    var columns: [ColumnSchema]
    var idColumn: Int?
    var references: [ReferenceSchema] = []

    /// `CREATE TABLE` with the primary key and the foreign keys.
    var createStatement: String {
        let definitions = columns.enumerated().map { index, column -> String in
            var text = SQL.quoted(column.name) + " " + column.format.sqlType
            if index == idColumn { text += " NOT NULL PRIMARY KEY" }
            if let reference = references.first(where: { $0.column == index && $0.isForeignKey }) {
                text += " REFERENCES \(SQL.quoted(reference.targets[0]))"
            }
            return text
        }
        return "CREATE TABLE \(SQL.quoted(table)) (\(definitions.joined(separator: ", ")))"
    }

    /// One index per reference column, named `Table(Column)`.
    var indexStatements: [String] {
        zip(references, indexNames).map { reference, name in
            let column = columns[reference.column].name
            return "CREATE INDEX \(SQL.quoted(name)) ON \(SQL.quoted(table)) (\(SQL.quoted(column)))"
        }
    }

    /// The names of ``indexStatements``' indexes.
    var indexNames: [String] { references.map { "\(table)(\(columns[$0.column].name))" } }
}

/// Chooses the replica's tables, column types and references from what every object's values allow: first from a
/// first look at each file (the tables are created from it), then from every value (the load corrects what differs).
enum ReplicaSchemaPlanner {
    /// Table name prefixes the replica keeps for itself and SQLite.
    static let reservedPrefixes = ["sqlite_", "crmvault_"]

    static func plan(_ objects: [ExportDirectory.ObjectFile], scans: [ObjectScan]) -> [TableSchema] {
        var used: Set<String> = []
        var tables = zip(objects, scans).map { object, scan -> TableSchema in
            var table = object.name
            if reservedPrefixes.contains(where: { table.lowercased().hasPrefix($0) }) { table = "object_" + table }
            table = unique(table, in: &used)
            return TableSchema(
                object: object.name, table: table, file: object.file,
                columns: columns(of: scan, metadata: object.metadata),
                idColumn: scan.idColumn)
        }
        // Which table each key prefix belongs to: learned from the objects' own ids, then Salesforce's standard list.
        var tableOfPrefix: [String: String] = [:]
        for (index, scan) in scans.enumerated() {
            guard let id = scan.idColumn else { continue }
            for prefix in scan.columns[id].idPrefixes ?? [] where tableOfPrefix[prefix] == nil {
                tableOfPrefix[prefix] = tables[index].table
            }
        }
        let tableOfObject = Dictionary(tables.map { ($0.object, $0.table) }, uniquingKeysWith: { first, _ in first })
        for (prefix, object) in KeyPrefixes.standard where tableOfPrefix[prefix] == nil {
            if let table = tableOfObject[object] { tableOfPrefix[prefix] = table }
        }
        let hasPrimaryKey = Set(tables.filter { $0.idColumn != nil }.map(\.table))
        for index in tables.indices {
            tables[index].references = references(
                of: tables[index], scan: scans[index], metadata: objects[index].metadata, tableOfObject: tableOfObject,
                tableOfPrefix: tableOfPrefix, hasPrimaryKey: hasPrimaryKey)
        }
        return tables
    }

    /// Each column's field in the manifest, when the pull recorded the object's fields.
    static func fields(of header: [String], metadata: ExportObject?) -> [ExportField?] {
        header.map { name in metadata?.fields?.first { $0.name == name } }
    }

    /// The format of column `index` from what its values allow so far: the id and reference columns stay text.
    static func format(_ index: Int, of scan: ObjectScan, field: ExportField?) -> ColumnFormat {
        let inference = scan.columns[index]
        let isKey =
            index == scan.idColumn || field?.type == .reference || field?.type == .id
            || (field == nil && inference.hasIDPrefixes)
        return isKey ? .text : inference.format(for: field?.type)
    }

    private static func columns(of scan: ObjectScan, metadata: ExportObject?) -> [ColumnSchema] {
        var used: Set<String> = []
        let fields = fields(of: scan.header, metadata: metadata)
        return scan.header.enumerated().map { index, header in
            let field = fields[index]
            let inference = scan.columns[index]
            let format = format(index, of: scan, field: field)
            let isKey = index == scan.idColumn || field?.type == .reference || field?.type == .id
            var source = "text"
            var note: String?
            if format.isTyped { source = field == nil ? "values" : "metadata" }
            if !isKey, let type = field?.type, [.integer, .double, .boolean].contains(type), !format.isTyped {
                let breaking = inference.breakingValue(for: type)
                note =
                    "the metadata says \(type.rawValue), but "
                    + (breaking.map { "line \($0.line) holds \"\($0.value)\", which would not read back the same" }
                        ?? "its values are written in more than one number format")
                    + "; kept as text"
            }
            return ColumnSchema(
                header: header, name: unique(header.replacingOccurrences(of: "\0", with: "\u{FFFD}"), in: &used),
                format: format, fieldType: field?.type,
                vendorType: field?.vendorType, typeSource: source, note: note)
        }
    }

    private static func references(
        of table: TableSchema, scan: ObjectScan, metadata: ExportObject?, tableOfObject: [String: String],
        tableOfPrefix: [String: String], hasPrimaryKey: Set<String>
    ) -> [ReferenceSchema] {
        var references: [ReferenceSchema] = []
        for (index, column) in table.columns.enumerated() where index != table.idColumn {
            let inference = scan.columns[index]
            let field = metadata?.fields?.first { $0.name == column.header }
            var targets: [String] = []
            var source = ""
            var isComplete = true
            var prefixes: [String: [String]] = [:]
            for prefix in (inference.idPrefixes ?? []).sorted() {
                if let table = tableOfPrefix[prefix] { prefixes[table, default: []].append(prefix) }
            }
            if let field {
                guard field.type == .reference else { continue }
                targets = (field.referenceTo ?? []).compactMap { tableOfObject[$0] }
                source = "metadata"
            } else if let seen = inference.idPrefixes, !seen.isEmpty, inference.values > 0,
                looksLikeReference(column.header)
            {
                targets = Array(Set(seen.compactMap { tableOfPrefix[$0] })).sorted()
                isComplete = seen.allSatisfy { tableOfPrefix[$0] != nil }
                source = "key prefix"
            } else if inference.values == 0, column.header.hasSuffix("Id"),
                let target = tableOfObject[String(column.header.dropLast(2))]
            {
                targets = [target]
                source = "column name"
            }
            var unique: [String] = []
            for target in targets where !unique.contains(target) { unique.append(target) }
            guard !unique.isEmpty else { continue }
            let isForeignKey = unique.count == 1 && isComplete && hasPrimaryKey.contains(unique[0])
            references.append(
                ReferenceSchema(
                    column: index, targets: unique, prefixes: prefixes.filter { unique.contains($0.key) },
                    source: source,
                    isForeignKey: isForeignKey))
        }
        return references
    }

    /// Column names that hold references: `AccountId`, `WhoId`, `Parent_Account__c` (a custom lookup).
    private static func looksLikeReference(_ name: String) -> Bool {
        name.lowercased().hasSuffix("id") || name.hasSuffix("__c")
    }

    /// `name`, or `name (2)`, `name (3)`… when SQLite would see a clash (names compare case-insensitively).
    static func unique(_ name: String, in used: inout Set<String>) -> String {
        var candidate = name
        var number = 2
        while used.contains(candidate.lowercased()) {
            candidate = "\(name) (\(number))"
            number += 1
        }
        used.insert(candidate.lowercased())
        return candidate
    }
}

/// SQL text helpers.
enum SQL {
    /// `name` as a SQL identifier: double-quoted, embedded quotes doubled, so any export name is safe.
    static func quoted(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `text` as a SQL string literal.
    static func literal(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }
}
