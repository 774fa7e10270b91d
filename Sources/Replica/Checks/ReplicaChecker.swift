import Foundation
import VaultCore

/// The checks run on every replica (issue 8, "Checks, every time"), on the file as written, through a fresh read-only
/// connection, against what the build recorded in its catalog while parsing the CSVs:
///
/// - `rows vs CSV`: each table holds as many rows as its CSV had records;
/// - `rows vs vendor`: … and as many as the vendor reported, when the pull recorded a count;
/// - `cells`: the cell digest of every value read back from SQLite, written as the export had it, equals the one
///   computed while parsing (a cell lost or altered by typing shows, and names its column);
/// - `orphans`: per reference column, references that point into the export but find no record (a warning: objects are
///   pulled one after the other, so a reference can outlive its record);
/// - `foreign_key_check`: SQLite's own count of values without their record agrees with the replica's;
/// - `integrity_check`: SQLite reads every page and index (while a replica is built: each table with its indexes as
///   soon as it is final, then the whole file's page structure, see ``ReplicaLoad``).
///
/// A failed check names the object and column.
public struct ReplicaChecker: Sendable {
    /// What the checks found, with the statistics the catalog keeps.
    public struct Outcome: Sendable {
        public var checks: [ReplicaCheck] = []
        /// Per object, the cell digest read back from SQLite.
        public var digests: [String: String] = [:]
        /// Per object and reference column: references, found per target, orphans.
        var references: [String: [String: ReferenceCount]] = [:]
    }

    struct ReferenceCount: Sendable {
        var total: Int
        var found: [String: Int]
        var orphans: Int
    }

    /// What one check task found; foreign keys are finished once SQLite's `foreign_key_check` is in.
    struct TaskResult: Sendable {
        var checks: [ReplicaCheck] = []
        var digest: String?
        var references: [String: ReferenceCount] = [:]
        /// Per foreign-key column: non-null values, and those whose key prefix points outside the export.
        var foreignKeyValues: [String: (total: Int, outside: Int)] = [:]
        /// Whether another connection held the file locked for longer than the check waits.
        var isLocked = false
    }

    /// Rows of a table read back in one read transaction.
    public static let rowsPerRead = 4096

    /// The most of a replica's file a check reads through a memory map (SQLite's `mmap_size`; the rest is read). Every
    /// page a check touches stays in its process's resident memory while the connection is open (counted once per
    /// connection): 64 MiB each at most, whatever the replica's size; the rest is read into SQLite's page cache.
    static let mappedBytes = 64 << 20

    /// The page cache of a check connection, for the pages past the memory map: the index pages that
    /// `integrity_check`, `foreign_key_check` and the reference counts look records up in are read once, not once per
    /// lookup (SQLite's default cache of 2 MiB made the kernel's copies a tenth of the build's CPU time).
    static let cachedBytes = 32 << 20

    /// How long a check of a finished replica waits for a file another process holds locked (a program writing to
    /// it) before it gives up with `vaultLocked` (exit 4): seconds, not the hour a build's own connections wait for
    /// each other.
    public static let lockWait = 5.0

    private let url: URL
    /// Every object, for its schema (reference targets); a table task gets its object with the expected values.
    private let catalog: [CatalogObject]
    /// How long each check connection waits for a lock (see ``lockWait``).
    private let wait: Double

    /// Opens the replica at `url` read-only and reads its catalog; a file that is no crmvault replica is refused, one
    /// that another process keeps locked for longer than `wait` seconds too (`vaultLocked`, exit 4).
    public init(databaseAt url: URL, waitingAtMost wait: Double = Self.lockWait) throws {
        do {
            let database = try SQLiteDatabase(path: url.path, readOnly: true)
            database.waitWhenBusy(atMost: wait)
            catalog = try CatalogObject.load(from: database)
        } catch let error as SQLiteError where error.isBusy {
            throw Self.locked(url, seconds: wait)
        } catch let error as SQLiteError {
            throw VaultError(
                .usage, "\(url.path) is not a crmvault replica (\(error.message)).",
                remedy: "Build one with `crmvault replica --vault DIR SNAPSHOT --db FILE`.")
        }
        self.url = url
        self.wait = wait
    }

    /// A checker for a replica being built: the objects' schemas are known, their expected values come with each
    /// table task; its connections wait for the build's writer as long as a table takes to load.
    init(databaseAt url: URL, catalog: [CatalogObject]) {
        self.url = url
        self.catalog = catalog
        wait = 3600
    }

    /// The error of a replica another process keeps locked.
    static func locked(_ url: URL, seconds: Double) -> VaultError {
        VaultError(
            .vaultLocked,
            "\(url.path) is locked by another process (a program writing to it) and stayed locked for "
                + "\(String(format: "%.0f", seconds)) s; nothing was checked.",
            remedy: "Let that program finish or close the database (`fuser` on the file names it), then check again.")
    }

    /// Runs every check, as many tasks at a time as there are cores, each on its own read-only connection; throws
    /// `vaultLocked` when another process keeps the file locked for longer than the checker waits.
    public func run() throws -> Outcome {
        let count = catalog.count
        let results = ResultSlots<TaskResult>(count: count * 2 + 2)
        // Once one task found the file locked, the others do not wait for it again.
        let locked = ResultSlots<Bool>(count: 1)
        locked.set(0, false)
        DispatchQueue.concurrentPerform(iterations: count * 2 + 2) { index in
            guard !locked[0] else {
                results.set(index, TaskResult(isLocked: true))
                return
            }
            let result: TaskResult
            switch index {
            case ..<count: result = tableTask(catalog[index])
            case ..<(count * 2): result = referenceTask(catalog[index - count])
            case count * 2: result = foreignKeyTask()
            default: result = integrityTask()
            }
            if result.isLocked { locked.set(0, true) }
            results.set(index, result)
        }
        if (0..<(count * 2 + 2)).contains(where: { results[$0].isLocked }) { throw Self.locked(url, seconds: wait) }
        return assemble(
            tables: (0..<count).map { results[$0] }, references: (count..<(count * 2)).map { results[$0] },
            foreignKeys: results[count * 2], integrity: results[count * 2 + 1])
    }

    /// Counts and cells of one table: it can run as soon as the table is committed.
    func tableTask(_ object: CatalogObject) -> TaskResult {
        task(object.schema.object) { database in try tableChecks(object, database) }
    }

    /// References of one table: they need every table in place.
    func referenceTask(_ object: CatalogObject) -> TaskResult {
        task(object.schema.object) { database in try referenceChecks(object.schema, database) }
    }

    func foreignKeyTask() -> TaskResult {
        task(nil, check: "foreign_key_check") { database in TaskResult(references: try foreignKeyViolations(database)) }
    }

    /// `PRAGMA integrity_check` of the whole file: every page, b-tree, index entry and constraint.
    func integrityTask() -> TaskResult {
        task(nil, check: "integrity_check") { database in
            TaskResult(checks: [try integrity(database, "PRAGMA integrity_check(20)")])
        }
    }

    /// `PRAGMA integrity_check(T)` of one table: its b-tree and its indexes', each index entry against its row,
    /// UNIQUE, NOT NULL; not the freelist nor whether a page is used twice (``quickCheckTask()`` does those). `object`
    /// names it in a failure (the table's name for a table of crmvault's own).
    func integrityTask(table: String, object: String) -> TaskResult {
        task(object, check: "integrity_check") { database in
            TaskResult(checks: [try integrity(database, "PRAGMA integrity_check(\(SQL.quoted(table)))", object: object)])
        }
    }

    /// `PRAGMA quick_check` of the whole file: the page structure of every b-tree, the freelist, every page used
    /// exactly once, NOT NULL; not the index entries against their rows nor UNIQUE (``integrityTask(table:object:)``).
    func quickCheckTask() -> TaskResult {
        task(nil, check: "integrity_check") { database in
            var check = try integrity(database, "PRAGMA quick_check(20)", saying: "quick_check of the whole file: ")
            guard check.status == .fail else { return TaskResult(checks: [check]) }
            // SQLite names pages, not objects: a page named that is the root of a table or index names it.
            var named: [String] = []
            for row in try database.rows("SELECT rootpage, type, name, tbl_name FROM sqlite_schema WHERE rootpage > 0")
            where row.count == 4 && check.detail.contains("Page \(row[0] ?? ""):") {
                named.append("page \(row[0] ?? "") is the root of \(row[1] ?? "") \(row[2] ?? "")")
                check.object = check.object ?? row[3]
            }
            if !named.isEmpty { check.detail += " (" + named.joined(separator: "; ") + ")" }
            return TaskResult(checks: [check])
        }
    }

    /// The integrity of a replica built with its checks overlapped, as one `integrity_check` line of the report: each
    /// table's own `integrity_check(T)` (`tables`, run once the table was final) with the whole file's `quick_check`.
    /// Together they check what one whole-file `integrity_check` checks (see ``ReplicaLoad``); a failure names the
    /// table it was found in.
    static func integrity(tables: [TaskResult], quick: TaskResult) -> TaskResult {
        let failed = (tables + [quick]).flatMap(\.checks).filter { $0.status == .fail }
        guard failed.isEmpty else { return TaskResult(checks: failed) }
        return TaskResult(checks: [
            ReplicaCheck(
                check: "integrity_check", status: .pass,
                detail: "ok (each of the \(tables.count) tables with its indexes once final, then quick_check of the file)")
        ])
    }

    /// Runs `body` on a new read-only connection; a database that cannot be read fails the check.
    private func task(
        _ object: String?, check: String = "readable", _ body: (SQLiteDatabase) throws -> TaskResult
    ) -> TaskResult {
        do {
            let database = try SQLiteDatabase(path: url.path, readOnly: true)
            // A replica being built is written by another connection: wait for its commit. Pages are read from a
            // memory map of the file (no copy per page); a check reads every page once.
            database.waitWhenBusy(atMost: wait)
            try database.execute(
                "PRAGMA mmap_size = \(Self.mappedBytes); PRAGMA cache_size = -\(Self.cachedBytes >> 10)")
            return try body(database)
        } catch {
            let message = (error as? SQLiteError)?.message ?? "\(error)"
            var result = TaskResult(checks: [
                ReplicaCheck(
                    check: check, object: object, status: .fail,
                    detail: object == nil
                        ? "the database cannot be read: \(message)" : "the table cannot be read: \(message)")
            ])
            result.isLocked = (error as? SQLiteError)?.isBusy ?? false
            return result
        }
    }

    /// The checks in report order: per table its counts, cells and references, then foreign keys and integrity.
    func assemble(
        tables: [TaskResult], references: [TaskResult], foreignKeys: TaskResult, integrity: TaskResult
    ) -> Outcome {
        var outcome = Outcome()
        let violations = foreignKeys.references
        var foreignKeyOrphans = 0
        for (index, object) in catalog.enumerated() {
            outcome.checks += tables[index].checks + references[index].checks
            outcome.digests[object.schema.object] = tables[index].digest
            outcome.references[object.schema.object] = references[index].references
            for reference in object.schema.references where reference.isForeignKey {
                let column = object.schema.columns[reference.column].name
                guard let values = tables[index].foreignKeyValues[column] else { continue }
                let notFound = violations[object.schema.table]?.found[column] ?? 0
                let count = ReferenceCount(
                    total: values.total, found: [reference.targets[0]: values.total - notFound],
                    orphans: notFound - values.outside)
                outcome.references[object.schema.object, default: [:]][column] = count
                outcome.checks.append(orphansCheck(object.schema, reference, count))
                foreignKeyOrphans += count.orphans
            }
        }
        if foreignKeys.checks.isEmpty {
            let keys = catalog.map { $0.schema.references.filter(\.isForeignKey).count }.reduce(0, +)
            outcome.checks.append(
                ReplicaCheck(
                    check: "foreign_key_check", status: foreignKeyOrphans == 0 ? .pass : .warn,
                    detail: foreignKeyOrphans == 0
                        ? "all \(keys) declared foreign keys hold"
                        : "\(foreignKeyOrphans) values of the \(keys) declared foreign keys have no record (the orphans above)"
                ))
        }
        outcome.checks += foreignKeys.checks + integrity.checks
        return outcome
    }

    private func tableChecks(_ object: CatalogObject, _ database: SQLiteDatabase) throws -> TaskResult {
        var result = TaskResult()
        let table = object.schema
        let rows = Int(try database.integer("SELECT count(*) FROM \(SQL.quoted(table.table))"))
        result.checks.append(
            rows == object.recordsParsed
                ? ReplicaCheck(
                    check: "rows vs CSV", object: table.object, status: .pass,
                    detail: "\(rows) rows, \(object.recordsParsed) records in \(table.file)")
                : ReplicaCheck(
                    check: "rows vs CSV", object: table.object, status: .fail,
                    detail: "the table holds \(rows) rows but \(table.file) has \(object.recordsParsed) records"
                        + (object.leftOut > 0
                            ? " (\(object.leftOut) left out as malformed, see crmvault_left_out)" : "")))
        if let vendor = object.vendorRecords {
            result.checks.append(
                rows == vendor
                    ? ReplicaCheck(
                        check: "rows vs vendor", object: table.object, status: .pass,
                        detail: "\(rows) rows, as the vendor reported")
                    : ReplicaCheck(
                        check: "rows vs vendor", object: table.object, status: .fail,
                        detail: "the table holds \(rows) rows but the vendor reported \(vendor) records"))
        }
        let (digest, keyValues) = try readBack(table, database)
        result.digest = digest.hex
        result.foreignKeyValues = keyValues
        result.checks.append(cellsCheck(object, digest))
        return result
    }

    private func referenceChecks(_ table: TableSchema, _ database: SQLiteDatabase) throws -> TaskResult {
        var result = TaskResult()
        for reference in table.references {
            // A foreign key's values were counted while its table was read back; foreign_key_check finds the missing.
            guard !reference.isForeignKey else { continue }
            let column = table.columns[reference.column].name
            let count = try self.count(reference, of: table, database)
            result.references[column] = count
            result.checks.append(orphansCheck(table, reference, count))
        }
        return result
    }

    /// Reads every cell back, written as the export had it, into a cell digest; on the way, counts each foreign-key
    /// column's values, and those whose key prefix is not its target's (they point outside the export).
    private func readBack(
        _ table: TableSchema, _ database: SQLiteDatabase
    ) throws -> (CellDigest, [String: (total: Int, outside: Int)]) {
        let names = table.columns.map { SQL.quoted($0.name) }.joined(separator: ", ")
        // In runs of rows by rowid, each its own read transaction: while a replica is built, its writer waits for the
        // file only as long as one run takes to read, not a whole table. (A table whose columns take every name of the
        // rowid is read in one statement.)
        let rowid = ["rowid", "_rowid_", "oid"].first { alias in
            !table.columns.contains { $0.name.lowercased() == alias }
        }
        let from = SQL.quoted(table.table)
        let select = try database.prepare(
            rowid.map { "SELECT \(names), \($0) FROM \(from) WHERE \($0) > ?1 ORDER BY \($0) LIMIT \(Self.rowsPerRead)" }
                ?? "SELECT \(names) FROM \(from)")
        var digest = CellDigest(columns: table.columns.count)
        let columns = table.columns.map { ReadbackColumn($0.format) }
        // The current row's cell hashes.
        var row = [UInt64](repeating: 0, count: columns.count)
        let keys = table.references.filter(\.isForeignKey).map { reference in
            (
                column: reference.column,
                prefixes: Set(reference.prefixes.values.joined().map { Self.prefixCode(Array($0.utf8)[...]) })
            )
        }
        var totals = [Int](repeating: 0, count: keys.count)
        var outside = [Int](repeating: 0, count: keys.count)
        var runRows = 0
        var lastRowid = Int64.min
        if rowid != nil { try select.bindInteger(0, lastRowid) }
        while true {
            guard try select.step() else {
                guard rowid != nil, runRows == Self.rowsPerRead else { break }
                // The run is complete: the next starts after its last rowid, in a new read transaction.
                select.reset()
                try select.bindInteger(0, lastRowid)
                runRows = 0
                continue
            }
            runRows += 1
            if rowid != nil { lastRowid = select.integer(columns.count) }
            row.withUnsafeMutableBufferPointer { cells in
                for index in 0..<cells.count { cells[index] = Self.hash(select.value(index), columns[index]) }
                let cells = UnsafeBufferPointer(cells)
                digest.addRow(cells, rowHash: CellDigest.rowHash(cells))
            }
            for (number, key) in keys.enumerated() {
                let value = select.value(key.column)
                guard !value.isNull else { continue }
                totals[number] += 1
                if !key.prefixes.isEmpty && !value.withBytes({ key.prefixes.contains(Self.prefixCode($0)) }) {
                    outside[number] += 1
                }
            }
        }
        var values: [String: (total: Int, outside: Int)] = [:]
        for (number, key) in keys.enumerated() {
            values[table.columns[key.column].name] = (totals[number], outside[number])
        }
        return (digest, values)
    }

    /// A key prefix (the first three bytes of an id) as one number; shorter values get a code no prefix has.
    static func prefixCode<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> UInt32 {
        guard bytes.count >= 3 else { return UInt32.max }
        return bytes.prefix(3).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }

    private func cellsCheck(_ object: CatalogObject, _ digest: CellDigest) -> ReplicaCheck {
        let table = object.schema
        let differing = table.columns.indices.filter { object.columnDigests[$0] != digest.columnHex($0) }
        if digest.hex == object.digest && differing.isEmpty {
            return ReplicaCheck(
                check: "cells", object: table.object, status: .pass,
                detail: "every cell reads back as exported (digest \(digest.hex))")
        }
        guard let first = differing.first else {
            return ReplicaCheck(
                check: "cells", object: table.object, status: .fail,
                detail:
                    "the rows read back are not the exported ones (values moved between records): digest \(digest.hex), "
                    + "expected \(object.digest)"
            )
        }
        let names = differing.map { table.columns[$0].name }
        return ReplicaCheck(
            check: "cells", object: table.object, column: table.columns[first].name, status: .fail,
            detail:
                "cells read back from the replica differ from the CSV in "
                + (names.count == 1 ? "this column" : "columns " + names.joined(separator: ", "))
                + " (lost or altered; format \(table.columns[first].format.name))")
    }

    /// How one column's values read back are written before hashing, in trivial values (no copy per cell).
    struct ReadbackColumn {
        /// A TEXT column (its affinity stores every value but NULL and BLOB as TEXT): its bytes are hashed as stored.
        var isText: Bool
        var style: ValueText.RealStyle
        /// For a boolean column: the hashes of its two spellings.
        var booleanHashes: (yes: UInt64, no: UInt64)?

        init(_ format: ColumnFormat) {
            isText = format == .text
            style = ValueText.RealStyle(format)
            if case .boolean(let yes, let no) = format {
                var (yes, no) = (yes, no)
                booleanHashes = (yes.withUTF8 { XXH64.hash($0, seed: 0) }, no.withUTF8 { XXH64.hash($0, seed: 0) })
            }
        }
    }

    /// A cell's hash as the export had it: TEXT as stored, numbers written in the column's format, NULL as 0.
    static func hash(_ value: SQLiteValue, _ column: ReadbackColumn) -> UInt64 {
        if column.isText {
            return value.withStoredBytes { bytes in bytes.map { XXH64.hash($0, seed: 0) } ?? 0 }
        }
        switch value.type {
        case .null:
            return 0
        case .integer:
            let integer = value.integer
            if let booleans = column.booleanHashes, integer == 0 || integer == 1 {
                return integer == 1 ? booleans.yes : booleans.no
            }
            return ValueText.withText(integer: integer) { XXH64.hash($0, seed: 0) }
        case .real:
            return ValueText.withText(real: value.double, column.style) { XXH64.hash($0, seed: 0) }
        case .text, .blob:
            return value.withBytes { XXH64.hash($0, seed: 0) }
        }
    }

    /// The key prefixes that point into the export, as a SQL condition on `column` (nil when the ids carry none).
    private func prefixCondition(_ reference: ReferenceSchema, _ column: String, target: String? = nil) -> String? {
        let prefixes = target.map { reference.prefixes[$0] ?? [] } ?? reference.prefixes.values.flatMap { $0 }
        guard !prefixes.isEmpty else { return nil }
        return "substr(\(column), 1, 3) IN (\(prefixes.sorted().map(SQL.literal).joined(separator: ", ")))"
    }

    /// References of one polymorphic (or undeclared) column, in one pass: per target, the values with its key
    /// prefix (all, without prefixes) that find their record; orphans are the values that point into the export and
    /// find none.
    private func count(
        _ reference: ReferenceSchema, of table: TableSchema, _ database: SQLiteDatabase
    ) throws -> ReferenceCount {
        let column = SQL.quoted(table.columns[reference.column].name)
        var sums: [String] = ["count(\(column))"]
        var targets: [String] = []
        for target in reference.targets {
            guard let targetTable = catalog.first(where: { $0.schema.table == target })?.schema,
                let id = targetTable.idColumn
            else { continue }
            let lookup = "\(column) IN (SELECT \(SQL.quoted(targetTable.columns[id].name)) FROM \(SQL.quoted(target)))"
            sums.append(
                "sum(" + (prefixCondition(reference, column, target: target).map { "\($0) AND \(lookup)" } ?? lookup)
                    + ")")
            targets.append(target)
        }
        sums.append(prefixCondition(reference, column).map { "sum(\($0))" } ?? "count(\(column))")
        let row =
            try database.rows("SELECT \(sums.joined(separator: ", ")) FROM \(SQL.quoted(table.table))").first ?? []
        let numbers = row.map { $0.flatMap { Int($0) } ?? 0 }
        var count = ReferenceCount(total: numbers.first ?? 0, found: [:], orphans: 0)
        for (index, target) in targets.enumerated() { count.found[target] = numbers[index + 1] }
        count.orphans = (numbers.last ?? 0) - count.found.values.reduce(0, +)
        return count
    }

    private func orphansCheck(
        _ table: TableSchema, _ reference: ReferenceSchema, _ count: ReferenceCount
    ) -> ReplicaCheck {
        let found = count.found.values.reduce(0, +)
        let outside = count.total - found - count.orphans
        return ReplicaCheck(
            check: "orphans", object: table.object, column: table.columns[reference.column].name,
            status: count.orphans == 0 ? .pass : .warn,
            detail:
                "\(found) of \(count.total) references find their record in \(reference.targets.joined(separator: ", "))"
                + (count.orphans > 0 ? "; \(count.orphans) point to records the export does not hold (orphans)" : "")
                + (outside > 0 ? "; \(outside) point to objects outside the export" : ""))
    }

    /// `PRAGMA foreign_key_check`: per table and column, the values without their record (in `found`).
    private func foreignKeyViolations(_ database: SQLiteDatabase) throws -> [String: ReferenceCount] {
        var byKey: [String: [Int: Int]] = [:]
        let check = try database.prepare("PRAGMA foreign_key_check")
        while try check.step() { byKey[check.text(0), default: [:]][Int(check.integer(3)), default: 0] += 1 }
        var result: [String: ReferenceCount] = [:]
        for (table, counts) in byKey {
            let list = try database.prepare("PRAGMA foreign_key_list(\(SQL.quoted(table)))")
            var columns: [String: Int] = [:]
            while try list.step() { columns[list.text(3)] = counts[Int(list.integer(0))] ?? 0 }
            result[table] = ReferenceCount(total: 0, found: columns, orphans: 0)
        }
        return result
    }

    /// An `integrity_check` or `quick_check` pragma as the `integrity_check` line of the report: its first 20
    /// problems (`prefix` first) fail it.
    private func integrity(
        _ database: SQLiteDatabase, _ pragma: String, object: String? = nil, saying prefix: String = ""
    ) throws -> ReplicaCheck {
        let rows = try database.rows(pragma).compactMap { $0.first ?? nil }
        return rows == ["ok"]
            ? ReplicaCheck(check: "integrity_check", object: object, status: .pass, detail: "ok")
            : ReplicaCheck(
                check: "integrity_check", object: object, status: .fail,
                detail: prefix + rows.prefix(20).joined(separator: "; "))
    }
}
