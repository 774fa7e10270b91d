import Foundation
import Replica
import Testing
import VaultTesting

/// The integrity of a replica being built: each table with its indexes (`integrity_check(T)`) as soon as it is final,
/// the whole file's pages (`quick_check`) at the end; damage after a table's check is still caught.
struct ReplicaIntegrityTests {
    static func options(writers: Int = 1) -> ReplicaOptions {
        var options = ReplicaOptions()
        options.crmvaultVersion = "test"
        options.writers = writers
        return options
    }

    /// Every table of the file is checked with its indexes: the object tables (those of the second writer in the
    /// build's file, after their copy) and crmvault's own.
    @Test(arguments: [1, 2]) func everyTableOfTheFileIsCheckedWithItsIndexes(writers: Int) throws {
        let directory = try TemporaryDirectory("replica")
        _ = try SalesforceWeeklyExport.write(to: directory.path("export"))
        let url = directory.path("replica.sqlite")
        let report = try ReplicaBuilder.build(
            exportAt: directory.path("export"), into: url, options: Self.options(writers: writers))
        #expect(report.isPassed, "\(report.failures)")
        let tables = try TestDatabase(url).strings("SELECT count(*) FROM sqlite_schema WHERE type = 'table'")
        let integrity = report.checks.filter { $0.check == "integrity_check" }
        #expect(integrity.count == 1)
        #expect(integrity.first?.detail == "ok (each of the \(tables[0]) tables with its indexes once final, then "
            + "quick_check of the file)")
    }

    /// An index whose root page is overwritten once its table was checked (the load's check already passed it) fails
    /// the build's final `quick_check`, which names the index and its table.
    @Test func anIndexDamagedAfterItsTableWasCheckedFailsTheBuildNamingIt() throws {
        let directory = try TemporaryDirectory("replica")
        _ = try SalesforceWeeklyExport.write(to: directory.path("export"))
        var options = Self.options()
        let damaged = ResultBox()
        options.afterTableChecks = { url in
            let database = try TestDatabase(url)
            let index = try database.rows(
                "SELECT name, rootpage FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'Contact' ORDER BY name")
            guard case .text(let name) = index.first?[0], case .integer(let root) = index.first?[1],
                case .integer(let pageSize) = try database.rows("PRAGMA page_size").first?[0]
            else { throw TestDatabase.Failure(description: "Contact has no index") }
            damaged.name = name
            let file = try FileHandle(forUpdating: url)
            defer { try? file.close() }
            try file.seek(toOffset: UInt64((root - 1) * pageSize))
            try file.write(contentsOf: [0xFF])  // no b-tree page has this type
        }
        let report = try ReplicaBuilder.build(
            exportAt: directory.path("export"), into: directory.path("replica.sqlite"), options: options)
        #expect(!report.isPassed)
        let failure = report.checks.first { $0.check == "integrity_check" && $0.status == .fail }
        #expect(failure?.object == "Contact")
        #expect(failure?.detail.hasPrefix("quick_check of the whole file: ") == true)
        #expect(failure?.detail.contains("is the root of index \(damaged.name)") == true, "\(failure?.detail ?? "")")
        #expect(!FileManager.default.fileExists(atPath: directory.path("replica.sqlite").path))
    }

    /// A row changed behind an index's back (the index hidden from SQLite while the row is written, as a program
    /// that ignores the schema would) leaves every page well-formed: the table's own `integrity_check(T)` finds the
    /// index entry that no longer matches its row and names the index.
    @Test func aRowChangedBehindItsIndexFailsTheTableCheckNamingTheIndex() throws {
        let directory = try TemporaryDirectory("replica")
        _ = try SalesforceWeeklyExport.write(to: directory.path("export"))
        var options = Self.options()
        options.beforeChecks = { url in
            var database = try TestDatabase(url, readOnly: false)
            let index = try database.rows(
                "SELECT name, rootpage, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'Contact' "
                    + "AND sql IS NOT NULL ORDER BY name")
            guard case .text(let name) = index.first?[0], case .integer(let root) = index.first?[1],
                case .text(let sql) = index.first?[2]
            else { throw TestDatabase.Failure(description: "Contact has no created index") }
            try database.execute("PRAGMA writable_schema = ON; DELETE FROM sqlite_schema WHERE name = '\(name)'")
            database = try TestDatabase(url, readOnly: false)  // a new connection reads the schema without it
            let column = try #require(sql.split(separator: "(").last?.dropLast())
            try database.execute("UPDATE Contact SET \(column) = NULL WHERE rowid = (SELECT min(rowid) FROM Contact)")
            try database.execute(
                "PRAGMA writable_schema = ON; INSERT INTO sqlite_schema VALUES ('index', '\(name)', 'Contact', \(root), "
                    + "'\(sql.replacingOccurrences(of: "'", with: "''"))')")
        }
        let report = try ReplicaBuilder.build(
            exportAt: directory.path("export"), into: directory.path("replica.sqlite"), options: options)
        #expect(!report.isPassed)
        let failure = report.checks.first { $0.check == "integrity_check" && $0.status == .fail }
        #expect(failure?.object == "Contact")
        #expect(failure?.detail.contains("missing from index") == true, "\(failure?.detail ?? "")")
    }
}

/// A value a `@Sendable` test hook hands back to its test.
private final class ResultBox: @unchecked Sendable {
    var name = ""
}
