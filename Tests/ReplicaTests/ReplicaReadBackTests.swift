import Foundation
import Replica
import Testing
import VaultTesting

/// The read-back of a replica's TEXT cells as stored, one call per value: every alteration of such a cell still shows.
struct ReplicaReadBackTests {
    static func options() -> ReplicaOptions {
        var options = ReplicaOptions()
        options.crmvaultVersion = "test"
        return options
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
