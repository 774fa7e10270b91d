import Foundation
import VaultCore

#if canImport(Glibc)
    import Glibc
#endif

/// Pass 2 of a replica build and its checks, overlapped: each table is written and committed in turn (the largest
/// first), and while the next one is written, the finished table's counts and cells are checked on a read-only
/// connection. The file is new and only renamed into place once complete, so it is written without a journal and
/// without syncs (as `sqlite3 .import` would be): each page is written once. A reader sees the committed tables while
/// the writer fills its page cache; when the writer must write pages, it waits for the reader's statement to end, and
/// a reader waits for the writer's commit (SQLite's file locks, with a busy wait on both sides). References,
/// `foreign_key_check` and `integrity_check` need every table, and run, in parallel, once the last is in.
enum ReplicaLoad {
    /// Builds the database in `file` (new) and returns what the checks found; fills the report's objects, files,
    /// records left out and durations.
    static func run(
        _ export: ExportDirectory, objects: [ExportDirectory.ObjectFile], scans: [ObjectScan], tables: [TableSchema],
        into file: URL, options: ReplicaOptions, report: inout ReplicaReport
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
        for table in tables { try database.execute(table.createStatement) }
        try database.execute("COMMIT")

        let checker = ReplicaChecker(
            databaseAt: file,
            catalog: tables.map {
                CatalogObject(
                    schema: $0, recordsParsed: 0, vendorRecords: nil, leftOut: 0, digest: "", columnDigests: [])
            })
        let queue = DispatchQueue(label: "crmvault.replica-checks", attributes: .concurrent)
        let group = DispatchGroup()
        defer { group.wait() }  // never leave a check reading a file that is about to be removed
        let tableResults = ResultSlots<ReplicaChecker.TaskResult>(count: tables.count)
        var expected: [CatalogObject?] = Array(repeating: nil, count: tables.count)
        var entries: [ReplicaCatalog.Entry?] = Array(repeating: nil, count: tables.count)
        var duplicates: [RowProblem] = []
        let loadStarted = Date()
        // Largest first: the last table's checks are what the build waits for at the end.
        for index in tables.indices.sorted(by: { scans[$0].bytes > scans[$1].bytes }) {
            let table = tables[index]
            try database.execute("BEGIN")
            let load = try ObjectLoad(objects[index], schema: table, scan: scans[index], database: database)
            let indexStarted = Date()
            for statement in table.indexStatements { try database.execute(statement) }
            report.durations.index += Date().timeIntervalSince(indexStarted)
            try database.execute("COMMIT")
            duplicates += load.duplicates
            let object = ObjectReport(
                name: table.object, table: table.table, file: table.file, encoding: scans[index].encoding.rawValue,
                rows: load.rowsInserted, recordsParsed: scans[index].recordsParsed,
                vendorRecords: objects[index].metadata?.records,
                leftOut: scans[index].malformed.count + load.duplicates.count, columns: table.columns.count,
                typedColumns: table.columns.filter(\.format.isTyped).count,
                foreignKeys: table.references.filter(\.isForeignKey).count,
                polymorphicReferences: table.references.filter { $0.targets.count > 1 }.count, digest: load.digest.hex)
            entries[index] = ReplicaCatalog.Entry(table: table, report: object, digest: load.digest)
            let expectation = CatalogObject(
                schema: table, recordsParsed: object.recordsParsed, vendorRecords: object.vendorRecords,
                leftOut: object.leftOut,
                digest: object.digest, columnDigests: table.columns.indices.map { load.digest.columnHex($0) })
            expected[index] = expectation
            if isOverlapped { queue.async(group: group) { tableResults.set(index, checker.tableTask(expectation)) } }
        }
        try ReplicaBuilder.refuseMalformed(duplicates, isLenient: options.isLenient)
        report.leftOut += duplicates
        let built = entries.compactMap { $0 }
        report.objects = built.map(\.report)
        try database.execute("BEGIN")
        let files = try FileLoader(export, tables: tables, database: database)
        report.files = files.files
        report.fileBytes = files.bytes
        report.warnings += files.warnings
        try ReplicaCatalog.write(
            built, leftOut: report.leftOut, origin: options.origin, version: options.crmvaultVersion, into: database)
        try database.execute("COMMIT")
        report.durations.load = Date().timeIntervalSince(loadStarted) - report.durations.index

        let checkStarted = Date()
        try options.beforeChecks?(file)
        let finals = ResultSlots<ReplicaChecker.TaskResult>(count: tables.count + 2)
        let objectsExpected = expected.map { $0! }
        let count = tables.count
        let deferred = isOverlapped ? 0 : count
        // The tasks that need every table, with (when not overlapped) the table checks; as many at a time as there are
        // cores, the longest (`integrity_check` reads every page and index entry) first.
        DispatchQueue.concurrentPerform(iterations: count + 2 + deferred) { task in
            switch task {
            case 0: finals.set(count + 1, checker.integrityTask())
            case 1: finals.set(count, checker.foreignKeyTask())
            case ..<(count + 2): finals.set(task - 2, checker.referenceTask(objectsExpected[task - 2]))
            default: tableResults.set(task - count - 2, checker.tableTask(objectsExpected[task - count - 2]))
            }
        }
        group.wait()
        let outcome = checker.assemble(
            tables: (0..<count).map { tableResults[$0] }, references: (0..<count).map { finals[$0] },
            foreignKeys: finals[count],
            integrity: finals[count + 1])
        report.durations.check = Date().timeIntervalSince(checkStarted)
        try database.execute("BEGIN")
        try ReplicaCatalog.record(outcome, into: database)
        try database.execute("COMMIT")
        return outcome
    }
}
