internal import CSystemCalls
import Foundation
import VaultCore

#if canImport(Glibc)
    import Glibc
#endif

/// The load of a replica build and its checks, overlapped: each table is created from a first look at its file, read
/// once, written and committed in turn (the largest first), and while the next one is written, the finished table's
/// counts and cells are checked on a read-only connection. With two writers (``ReplicaOptions/writers``), the tables
/// are split between them by size, each with its own file (SQLite writes a file from one connection at a time): the
/// build's file and, beside it, an aside file whose tables are copied into the build's file once both writers are
/// done (`INSERT INTO main.T SELECT * FROM aside.T` into an empty table of the same schema and indexes, which SQLite
/// copies record by record without decoding them); an aside table's counts and cells are checked in the aside file as
/// soon as it is committed. The files are
/// new and only renamed into place once complete, so they are written without a journal and without syncs (as
/// `sqlite3 .import` would be): each page is written once. A reader sees the committed tables while the writer fills
/// its page cache; when the writer must write pages, it waits for the reader's statement to end, and a reader waits
/// for the writer's commit (SQLite's file locks, with a busy wait on both sides). Once every file is read, the schema
/// is planned again from all their values: a table whose references the first look got wrong is rebuilt (and checked
/// again) before the checks that need every table, references, `foreign_key_check` and the file's integrity, run in
/// parallel.
///
/// Integrity. A whole-file `PRAGMA integrity_check` at the end was ~2 CPU s alone on one core after the last table.
/// Instead, each table of the build's file gets `PRAGMA integrity_check(T)` on the check thread as soon as it is final
/// (rows written, indexes made, committed; a table the references correction rebuilds or re-indexes is checked again
/// at the end, as are the tables copied from the aside file and crmvault's own tables, written last), and the whole
/// file gets `PRAGMA quick_check` at the end. `integrity_check` is, in SQLite's code, the b-tree checks of every
/// b-tree (cells, overflow chains, key order, page structure), the freelist and "every page used exactly once", plus,
/// per table, each row's NOT NULL and each index entry looked up against its row (UNIQUE, entry counts).
/// `integrity_check(T)` runs the per-table part and the b-tree checks of T's b-trees; `quick_check` runs every b-tree
/// check, the freelist and the page-usage check, and NOT NULL, but not the index lookups. So the two cover every item,
/// with one difference in time: T's index entries are compared with its rows when T is final, not at the very end. A
/// change to T after that would have to come from this build's own connection, which writes no final table again
/// (rebuilt ones are re-checked), or from a SQLite fault; a write that damages a page of T (overwrites it, or reuses it
/// for another table) breaks its structure or the page-usage count, which `quick_check` sees; an index entry rewritten
/// into another well-formed entry after T's check is the one thing only a whole `integrity_check` would see
/// (``ReplicaChecker/run()`` runs one on a finished replica; no command calls it yet).
enum ReplicaLoad {
    /// The aside file of a build into `file`: removed with it (see ``ReplicaBuilder``).
    static func asideFile(of file: URL) -> URL { URL(fileURLWithPath: file.path + "-aside") }

    /// Builds the database in `file` (new) and returns what the checks found; fills the report's objects, files,
    /// records left out, warnings and durations.
    static func run(
        _ export: ExportDirectory, objects: [ExportDirectory.ObjectFile], firstLooks: [ObjectScan],
        tables planned: [TableSchema], into file: URL, options: ReplicaOptions, report: inout ReplicaReport
    ) throws -> ReplicaChecker.Outcome {
        let database = try openWriter(file)
        // The build's file, for starting its writeback as tables are committed (see ``startWriteback(_:)``).
        let descriptor = open(file.path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        defer { if descriptor >= 0 { close(descriptor) } }
        // Tests damage the file before its checks: then every check runs after the load, on the build's file.
        let isOverlapped = options.beforeChecks == nil
        let sizes = objects.map { (try? $0.url.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0 }
        let sides = split(planned.indices, sizes: sizes, writers: options.writers)
        let aside = asideFile(of: file)
        try create(sides[0].map { planned[$0] }, in: database)

        let catalog = planned.map { CatalogObject(schema: $0) }
        let checkers = [file, aside].map { ReplicaChecker(databaseAt: $0, catalog: catalog) }
        let queue = DispatchQueue(label: "crmvault.replica-checks", attributes: .concurrent)
        let group = DispatchGroup()
        defer { group.wait() }  // never leave a check reading a file that is about to be removed
        let tableResults = ResultSlots<ReplicaChecker.TaskResult>(count: planned.count)
        // Per table of the build's file, its `integrity_check(T)` once it is final (see "Integrity" above).
        let integrityResults = ResultSlots<ReplicaChecker.TaskResult>(count: planned.count)
        let loaded = ResultSlots<ObjectLoad>(count: planned.count)
        let failures = ResultSlots<Result<TimeInterval, any Error>>(count: 2)
        let loadStarted = Date()
        // The two writers, each its tables largest first: the last table's checks are what the build waits for.
        DispatchQueue.concurrentPerform(iterations: sides[1].isEmpty ? 1 : 2) { side in
            failures.set(
                side,
                Result {
                    let writer = side == 0 ? database : try openWriter(aside)
                    if side == 1 { try create(sides[1].map { planned[$0] }, in: writer) }
                    var indexing: TimeInterval = 0
                    for index in sides[side] {
                        let load = try loadTable(
                            objects[index], schema: planned[index], firstLook: firstLooks[index], options: options,
                            into: writer, indexing: &indexing)
                        loaded.set(index, load)
                        // The kernel's work of submitting the pages is done off the writer's thread.
                        if side == 0 { queue.async(group: group) { startWriteback(descriptor) } }
                        let expectation = expected(load, schema: load.schema, object: objects[index])
                        if isOverlapped {
                            // One thread per table for both, so the checks take one core beside the writer and its
                            // parser; an aside table is copied into the build's file later: checked there, at the end.
                            queue.async(group: group) {
                                tableResults.set(index, checkers[side].tableTask(expectation))
                                guard side == 0 else { return }
                                integrityResults.set(
                                    index, checkers[0].integrityTask(table: load.schema.table, object: load.schema.object))
                            }
                        }
                    }
                    return indexing
                })
        }
        var indexing: TimeInterval = 0
        for side in sides.indices where !sides[side].isEmpty { indexing = max(indexing, try failures[side].get()) }
        report.durations.index += indexing
        let loads = planned.indices.map { loaded[$0] }
        var tables = loads.map(\.schema)
        try merge(sides[1].map { tables[$0] }, from: aside, into: database)
        for load in loads where load.rebuilds > 0 {
            report.warnings.append(
                "\(load.schema.object): a value past the first look at \(load.schema.file) broke a column's type; "
                    + "the table was rebuilt \(load.rebuilds) time\(load.rebuilds == 1 ? "" : "s") while loading"
                    + (load.isReadFirst ? ", then the file read whole and loaded again" : ""))
        }
        let built = loads
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
        for load in built {
            if let warning = ObjectScan.otherDelimiterWarning(header: load.scan.header, file: load.scan.file) {
                report.warnings.append(warning)
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
        startWriteback(descriptor)
        report.durations.load = Date().timeIntervalSince(loadStarted) - report.durations.index

        let checkStarted = Date()
        try options.beforeChecks?(file)
        if options.afterTableChecks != nil {
            group.wait()
            try options.afterTableChecks?(file)
        }
        let finalChecker = ReplicaChecker(databaseAt: file, catalog: tables.map { CatalogObject(schema: $0) })
        let objectsExpected = tables.indices.map { expected(built[$0], schema: tables[$0], object: objects[$0]) }
        let count = tables.count
        // The table checks still to run: all of them when not overlapped, else those of the tables rebuilt above.
        let deferred = isOverlapped ? rechecked : Array(tables.indices)
        // Every table of the file not checked final above gets its `integrity_check(T)` now: crmvault's own, those
        // copied from the aside file, those rebuilt or re-indexed, all of them when the checks were not overlapped.
        let checkedFinal = Set(
            isOverlapped ? sides[0].filter { !rechecked.contains($0) }.map { tables[$0].table } : [])
        let objectNames = Dictionary(tables.map { ($0.table, $0.object) }, uniquingKeysWith: { first, _ in first })
        let unchecked = try database.rows("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY rowid")
            .compactMap { $0.first ?? nil }.filter { !checkedFinal.contains($0) }
        let finals = ResultSlots<ReplicaChecker.TaskResult>(count: count + 2 + unchecked.count)
        // The tasks that need every table, with the deferred table checks; as many at a time as there are cores, the
        // longest (`quick_check` reads every page) first.
        DispatchQueue.concurrentPerform(iterations: count + 2 + deferred.count + unchecked.count) { task in
            switch task {
            case 0: finals.set(count + 1, finalChecker.quickCheckTask())
            case 1: finals.set(count, finalChecker.foreignKeyTask())
            case ..<(count + 2): finals.set(task - 2, finalChecker.referenceTask(objectsExpected[task - 2]))
            case ..<(count + 2 + deferred.count):
                let index = deferred[task - count - 2]
                tableResults.set(index, finalChecker.tableTask(objectsExpected[index]))
            default:
                let table = unchecked[task - count - 2 - deferred.count]
                finals.set(
                    task - deferred.count,
                    finalChecker.integrityTask(table: table, object: objectNames[table] ?? table))
            }
        }
        group.wait()
        let integrity = ReplicaChecker.integrity(
            tables: sides[0].filter { checkedFinal.contains(tables[$0].table) }.map { integrityResults[$0] }
                + (0..<unchecked.count).map { finals[count + 2 + $0] },
            quick: finals[count + 1])
        let outcome = finalChecker.assemble(
            tables: (0..<count).map { tableResults[$0] }, references: (0..<count).map { finals[$0] },
            foreignKeys: finals[count], integrity: integrity)
        report.durations.check = Date().timeIntervalSince(checkStarted)
        try database.execute("BEGIN")
        try ReplicaCatalog.record(outcome, into: database)
        try database.execute("COMMIT")
        return outcome
    }

    /// A new database file for a writer of the build: only its owner may read it (the replica is the CRM in clear),
    /// written without journal or syncs, foreign keys off while tables are loaded and rebuilt.
    private static func openWriter(_ file: URL) throws -> SQLiteDatabase {
        let database = try SQLiteDatabase(path: file.path, create: true)
        guard chmod(file.path, 0o600) == 0 else {
            throw VaultError(
                .ioFailed, "Cannot restrict \(file.path) to its owner: \(String(cString: strerror(errno))).")
        }
        // Large pages suit CRM rows of a few hundred bytes to kilobytes: fewer page splits and overflow pages.
        try database.execute("PRAGMA page_size = 16384")
        database.waitWhenBusy()
        try database.execute(
            """
            PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -65536; PRAGMA foreign_keys = OFF
            """)
        return database
    }

    /// Starts writing the file's committed pages to disk without waiting (`sync_file_range`), so the disk works while
    /// the next table loads and the fsync that completes the build (``ReplicaBuilder``) finds most of the file written
    /// (that fsync took 0.6 s for the 296 MB replica of the benchmark's month when nothing was written before it). A
    /// hint: a failure is not an error, the fsync writes what is left.
    private static func startWriteback(_ descriptor: Int32) {
        guard descriptor >= 0 else { return }
        _ = crmvault_start_writeback(descriptor, 0, 0)
    }

    private static func create(_ tables: [TableSchema], in database: SQLiteDatabase) throws {
        try database.execute("BEGIN")
        for table in tables { try database.execute(table.createStatement) }
        try database.execute("COMMIT")
    }

    /// Splits the tables between the two writers, largest first, each to the one with fewer bytes so far (the build's
    /// file first; with one writer, every table): each writer's tables largest first.
    static func split(_ tables: Range<Int>, sizes: [Int], writers: Int) -> [[Int]] {
        var sides: [[Int]] = [[], []]
        var bytes = [0, 0]
        for index in tables.sorted(by: { sizes[$0] > sizes[$1] }) {
            let side = writers < 2 || bytes[0] <= bytes[1] ? 0 : 1
            sides[side].append(index)
            bytes[side] += sizes[index]
        }
        return sides
    }

    /// One table loaded, its indexes built, in one transaction.
    private static func loadTable(
        _ object: ExportDirectory.ObjectFile, schema: TableSchema, firstLook: ObjectScan, options: ReplicaOptions,
        into database: SQLiteDatabase, indexing: inout TimeInterval
    ) throws -> ObjectLoad {
        try database.execute("BEGIN")
        let load = try ObjectLoad(
            object, schema: schema, firstLook: firstLook,
            detecting: options.encoding == nil && firstLook.encoding == .utf8, database: database)
        let indexStarted = Date()
        for statement in load.schema.indexStatements { try database.execute(statement) }
        indexing += Date().timeIntervalSince(indexStarted)
        try database.execute("COMMIT")
        return load
    }

    /// Copies the tables built in the aside file into the build's file: each created as it is there (with its
    /// indexes) and filled with `INSERT … SELECT *`, which SQLite's transfer optimization copies record by record,
    /// index entries included, without decoding them.
    private static func merge(_ tables: [TableSchema], from aside: URL, into database: SQLiteDatabase) throws {
        guard !tables.isEmpty else { return }
        try database.execute("ATTACH DATABASE \(SQL.literal(aside.path)) AS crmvault_aside")
        try database.execute("BEGIN")
        for table in tables {
            try database.execute(table.createStatement)
            for statement in table.indexStatements { try database.execute(statement) }
            try database.execute(
                "INSERT INTO main.\(SQL.quoted(table.table)) SELECT * FROM crmvault_aside.\(SQL.quoted(table.table))")
        }
        try database.execute("COMMIT")
        try database.execute("DETACH DATABASE crmvault_aside")
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
