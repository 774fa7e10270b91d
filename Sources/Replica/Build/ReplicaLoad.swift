import Foundation
import VaultCore

#if canImport(Glibc)
    import Glibc
#endif

/// The load of a replica build and its checks, overlapped: each table is created from a first look at its file, read
/// once, written and committed in turn (the largest first), and while the next one is written, the finished table's
/// counts and cells are checked on a read-only connection. The file is new and only renamed into place once complete,
/// so it is written without a journal and without syncs (as `sqlite3 .import` would be): each page is written once. A
/// reader sees the committed tables while the writer fills its page cache; when the writer must write pages, it waits
/// for the reader's statement to end, and a reader waits for the writer's commit (SQLite's file locks, with a busy
/// wait on both sides). Once every file is read, the schema is planned again from all their values: a table whose
/// references the first look got wrong is rebuilt (and checked again) before the checks that need every table,
/// references, `foreign_key_check` and `integrity_check`, run in parallel.
enum ReplicaLoad {
    /// Builds the database in `file` (new) and returns what the checks found; fills the report's objects, files,
    /// records left out, warnings and durations.
    static func run(
        _ export: ExportDirectory, objects: [ExportDirectory.ObjectFile], firstLooks: [ObjectScan],
        tables planned: [TableSchema], into file: URL, options: ReplicaOptions, report: inout ReplicaReport
    ) throws -> ReplicaChecker.Outcome {
        let database = try SQLiteDatabase(path: file.path, create: true)
        // The replica is the CRM in clear: only its owner may read it.
        guard chmod(file.path, 0o600) == 0 else {
            throw VaultError(
                .ioFailed, "Cannot restrict \(file.path) to its owner: \(String(cString: strerror(errno))).")
        }
        // Large pages suit CRM rows of a few hundred bytes to kilobytes: fewer page splits and overflow pages.
        try database.execute("PRAGMA page_size = 16384")
        // Tests damage the file before its checks: then every check runs after the load.
        let isOverlapped = options.beforeChecks == nil
        database.waitWhenBusy()
        try database.execute(
            """
            PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -65536; PRAGMA foreign_keys = OFF;
            BEGIN
            """)
        for table in planned { try database.execute(table.createStatement) }
        try database.execute("COMMIT")

        var tables = planned
        let checker = ReplicaChecker(databaseAt: file, catalog: tables.map { CatalogObject(schema: $0) })
        let queue = DispatchQueue(label: "crmvault.replica-checks", attributes: .concurrent)
        let group = DispatchGroup()
        defer { group.wait() }  // never leave a check reading a file that is about to be removed
        let tableResults = ResultSlots<ReplicaChecker.TaskResult>(count: tables.count)
        var loads: [ObjectLoad?] = Array(repeating: nil, count: tables.count)
        let loadStarted = Date()
        let sizes = objects.map { (try? $0.url.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0 }
        // Largest first: the last table's checks are what the build waits for at the end.
        for index in tables.indices.sorted(by: { sizes[$0] > sizes[$1] }) {
            try database.execute("BEGIN")
            let load = try ObjectLoad(
                objects[index], schema: tables[index], firstLook: firstLooks[index],
                detecting: options.encoding == nil && firstLooks[index].encoding == .utf8, database: database)
            tables[index] = load.schema
            let indexStarted = Date()
            for statement in load.schema.indexStatements { try database.execute(statement) }
            report.durations.index += Date().timeIntervalSince(indexStarted)
            try database.execute("COMMIT")
            loads[index] = load
            if load.rebuilds > 0 {
                report.warnings.append(
                    "\(load.schema.object): a value past the first look at \(load.schema.file) broke a column's type; "
                        + "the table was rebuilt \(load.rebuilds) time\(load.rebuilds == 1 ? "" : "s") while loading"
                        + (load.isReadFirst ? ", then the file read whole and loaded again" : ""))
            }
            let expectation = expected(load, schema: load.schema, object: objects[index])
            if isOverlapped { queue.async(group: group) { tableResults.set(index, checker.tableTask(expectation)) } }
        }
        let built = loads.map { $0! }
        let malformed = built.flatMap(\.scan.malformed)
        let duplicates = built.flatMap(\.duplicates)
        try ReplicaBuilder.refuseMalformed(malformed + duplicates, isLenient: options.isLenient)
        report.leftOut += malformed + duplicates
        report.csvBytes += built.map(\.scan.bytes).reduce(0, +)

        // The schema from every value: the column types are the loaded ones (re-typed while loading); a reference the
        // first look planned wrongly is corrected here, its table rebuilt when a foreign key is added or dropped.
        let final = ReplicaSchemaPlanner.plan(objects, scans: built.map(\.scan))
        var rechecked: [Int] = []
        for index in final.indices where final[index].references != tables[index].references
            || final[index].columns.map(\.format) != tables[index].columns.map(\.format)
        {
            group.wait()  // the table's first check reads it
            let indexStarted = Date()
            try database.execute("BEGIN")
            if final[index].createStatement != tables[index].createStatement {
                try TableRebuild.run(from: tables[index], to: final[index], in: database)
                for statement in final[index].indexStatements { try database.execute(statement) }
            } else {
                for name in Set(tables[index].indexNames).subtracting(final[index].indexNames) {
                    try database.execute("DROP INDEX \(SQL.quoted(name))")
                }
                for (name, statement) in zip(final[index].indexNames, final[index].indexStatements)
                where !tables[index].indexNames.contains(name) {
                    try database.execute(statement)
                }
            }
            try database.execute("COMMIT")
            report.durations.index += Date().timeIntervalSince(indexStarted)
            rechecked.append(index)
            report.warnings.append(
                "\(final[index].object): its references were planned from the first MiB of each file and corrected "
                    + "once every value was read")
        }
        for table in final {
            for column in table.columns where column.note != nil {
                report.warnings.append("\(table.object).\(column.name): \(column.note!)")
            }
        }
        tables = final
        let entries = tables.indices.map { index in
            ReplicaCatalog.Entry(
                table: tables[index], report: objectReport(built[index], tables[index], objects[index]),
                digest: built[index].digest)
        }
        report.objects = entries.map(\.report)
        try database.execute("BEGIN")
        let files = try FileLoader(export, tables: tables, database: database)
        report.files = files.files
        report.fileBytes = files.bytes
        report.warnings += files.warnings
        try ReplicaCatalog.write(
            entries, leftOut: report.leftOut, origin: options.origin, version: options.crmvaultVersion, into: database)
        try database.execute("COMMIT")
        report.durations.load = Date().timeIntervalSince(loadStarted) - report.durations.index

        let checkStarted = Date()
        try options.beforeChecks?(file)
        let finalChecker = ReplicaChecker(databaseAt: file, catalog: tables.map { CatalogObject(schema: $0) })
        let objectsExpected = tables.indices.map { expected(built[$0], schema: tables[$0], object: objects[$0]) }
        let count = tables.count
        // The table checks still to run: all of them when not overlapped, else those of the tables rebuilt above.
        let deferred = isOverlapped ? rechecked : Array(tables.indices)
        let finals = ResultSlots<ReplicaChecker.TaskResult>(count: count + 2)
        // The tasks that need every table, with the deferred table checks; as many at a time as there are cores, the
        // longest (`integrity_check` reads every page and index entry) first.
        DispatchQueue.concurrentPerform(iterations: count + 2 + deferred.count) { task in
            switch task {
            case 0: finals.set(count + 1, finalChecker.integrityTask())
            case 1: finals.set(count, finalChecker.foreignKeyTask())
            case ..<(count + 2): finals.set(task - 2, finalChecker.referenceTask(objectsExpected[task - 2]))
            default:
                let index = deferred[task - count - 2]
                tableResults.set(index, finalChecker.tableTask(objectsExpected[index]))
            }
        }
        group.wait()
        let outcome = finalChecker.assemble(
            tables: (0..<count).map { tableResults[$0] }, references: (0..<count).map { finals[$0] },
            foreignKeys: finals[count],
            integrity: finals[count + 1])
        report.durations.check = Date().timeIntervalSince(checkStarted)
        try database.execute("BEGIN")
        try ReplicaCatalog.record(outcome, into: database)
        try database.execute("COMMIT")
        return outcome
    }

    private static func objectReport(
        _ load: ObjectLoad, _ table: TableSchema, _ object: ExportDirectory.ObjectFile
    ) -> ObjectReport {
        ObjectReport(
            name: table.object, table: table.table, file: table.file, encoding: load.scan.encoding.rawValue,
            rows: load.rowsInserted, recordsParsed: load.scan.recordsParsed, vendorRecords: object.metadata?.records,
            leftOut: load.scan.malformed.count + load.duplicates.count, columns: table.columns.count,
            typedColumns: table.columns.filter(\.format.isTyped).count,
            foreignKeys: table.references.filter(\.isForeignKey).count,
            polymorphicReferences: table.references.filter { $0.targets.count > 1 }.count, digest: load.digest.hex)
    }

    /// What the checks of a loaded table expect: its counts and the digests computed while parsing.
    private static func expected(
        _ load: ObjectLoad, schema table: TableSchema, object: ExportDirectory.ObjectFile
    ) -> CatalogObject {
        CatalogObject(
            schema: table, recordsParsed: load.scan.recordsParsed, vendorRecords: object.metadata?.records,
            leftOut: load.scan.malformed.count + load.duplicates.count, digest: load.digest.hex,
            columnDigests: table.columns.indices.map { load.digest.columnHex($0) })
    }
}

extension CatalogObject {
    /// An object whose schema is known and whose expected values come with each check.
    init(schema: TableSchema) {
        self.init(schema: schema, recordsParsed: 0, vendorRecords: nil, leftOut: 0, digest: "", columnDigests: [])
    }
}
