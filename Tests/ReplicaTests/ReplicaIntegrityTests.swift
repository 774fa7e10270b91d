import Foundation
import Replica
import Testing
import VaultTesting

/// The checks after a replica's last table, in parts that run on both cores: each table's `integrity_check(T)` with
/// the whole file's `quick_check` (together what one `integrity_check` checks), and the read-back of TEXT cells as
/// stored, one call per value.
struct ReplicaIntegrityTests {
    static func options(writers: Int = 1) -> ReplicaOptions {
        var options = ReplicaOptions()
        options.crmvaultVersion = "test"
        options.writers = writers
        return options
    }

    /// Every table of the file is checked with its indexes: the object tables (with two writers, those of the second
    /// in the build's file, after their copy) and crmvault's own, and the file's pages once.
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
        #expect(
            integrity.first?.detail == "ok (each of the \(tables[0]) tables with its indexes, and quick_check of the file)")
    }

    /// An index whose root page is overwritten before the checks fails the build's integrity, naming the table and
    /// the index whose root the damage hit.
    @Test func aDamagedIndexFailsTheBuildNamingItsTable() throws {
        let directory = try TemporaryDirectory("replica")
        _ = try SalesforceWeeklyExport.write(to: directory.path("export"))
        var options = Self.options()
        let damaged = ResultBox()
        options.beforeChecks = { url in
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
        let failures = report.checks.filter { $0.check == "integrity_check" && $0.status == .fail }
        #expect(!failures.isEmpty)
        #expect(failures.allSatisfy { $0.object == "Contact" }, "\(failures.map(\.sentence))")
        #expect(
            failures.contains { $0.detail.contains("is the root of index \(damaged.name)") },
            "\(failures.map(\.sentence))")
        #expect(!FileManager.default.fileExists(atPath: directory.path("replica.sqlite").path))
    }

    /// A row changed behind an index's back (the index hidden from SQLite while the row is written, as a program
    /// that ignores the schema would) leaves every page well-formed: the table's own `integrity_check(T)` finds the
    /// index entry that no longer matches its row, and the failure names the table.
    @Test func aRowChangedBehindItsIndexFailsTheTableCheckNamingIt() throws {
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

    /// TEXT cells are read back as stored, without asking each one's storage class: a NULL cell (an empty field)
    /// altered in the database after the load into an empty string, or into an empty or non-empty BLOB, still fails the
    /// cell digest, naming object and column; the same bytes as a BLOB read back as the exported text.
    @Test func aTextCellAlteredAfterTheLoadFailsTheReadBackNamingItsColumn() throws {
        let directory = try TemporaryDirectory("replica")
        _ = try SalesforceWeeklyExport.write(to: directory.path("export"))
        let url = directory.path("replica.sqlite")
        let report = try ReplicaBuilder.build(exportAt: directory.path("export"), into: url, options: Self.options())
        #expect(report.isPassed, "\(report.failures)")
        let database = try TestDatabase(url, readOnly: false)
        let nullEmail = try #require(database.strings("SELECT min(rowid) FROM Contact WHERE Email IS NULL").first)
        let row = "rowid = \(nullEmail)"
        for altered in ["''", "X''", "X'00'", "'0'"] {
            try database.execute("UPDATE Contact SET Email = \(altered) WHERE \(row)")
            let failed = try ReplicaChecker(databaseAt: url).run().checks.filter { $0.status == .fail }
            #expect(
                failed.map(\.sentence) == [
                    "Contact.Email: cells: cells read back from the replica differ from the CSV in this column "
                        + "(lost or altered; format text)"
                ], "Email = \(altered)")
            try database.execute("UPDATE Contact SET Email = NULL WHERE \(row)")
        }
        // A TEXT cell rewritten as a BLOB of the same bytes reads back as the exported text.
        let ada = "Id = '0033000000XyZaBAAV'"
        try database.execute("UPDATE Contact SET LastName = CAST(LastName AS BLOB) WHERE \(ada)")
        #expect(try TestDatabase(url).strings("SELECT typeof(LastName) FROM Contact WHERE \(ada)") == ["blob"])
        let afterBlob = try ReplicaChecker(databaseAt: url).run().checks.filter { $0.status == .fail }
        #expect(afterBlob.isEmpty, "\(afterBlob.map(\.sentence))")
    }
}

/// A value a `@Sendable` test hook hands back to its test.
private final class ResultBox: @unchecked Sendable {
    var name = ""
}
