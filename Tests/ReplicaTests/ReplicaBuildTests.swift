import ExportLayout
import Foundation
import Replica
import Testing
import VaultCore
import VaultTesting

/// The replica built from a Salesforce-shaped export on disk: cell for cell equal to the CSV, typed only where values
/// round-trip, keyed and referenced, and checked.
struct ReplicaBuildTests {
    static func build(
        _ export: URL, into directory: TemporaryDirectory, lenient: Bool = false, encoding: CSVEncoding? = nil,
        writers: Int = 1, named name: String = "replica.sqlite"
    )
        throws -> (ReplicaReport, URL)
    {
        var options = ReplicaOptions()
        options.isLenient = lenient
        options.encoding = encoding
        options.crmvaultVersion = "test"
        options.writers = writers
        let database = directory.path(name)
        return (try ReplicaBuilder.build(exportAt: export, into: database, options: options), database)
    }

    /// Every cell of every table equals the CSV's, read with an independent parser: NULL for an empty field or the
    /// empty-id placeholder, the exported text in TEXT columns, the same number in typed ones.
    @Test(arguments: [SalesforceWeeklyExport.Encoding.utf8, .windows1252])
    func replicaEqualsTheCSVCellForCell(encoding: SalesforceWeeklyExport.Encoding) throws {
        let directory = try TemporaryDirectory("replica")
        let tables = try SalesforceWeeklyExport.write(to: directory.path("export"), encoding: encoding)
        let (report, url) = try Self.build(directory.path("export"), into: directory)
        #expect(report.isPassed, "\(report.failures)")
        let mode = try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int
        #expect(mode == 0o600, "the replica holds the CRM in clear")
        // Files with non-ASCII text are told apart; ASCII-only ones read as UTF-8 either way.
        let encodings = Dictionary(uniqueKeysWithValues: report.objects.map { ($0.name, $0.encoding) })
        #expect(encodings["Account"] == (encoding == .utf8 ? "utf-8" : "windows-1252"))
        #expect(encodings["Contact"] == (encoding == .utf8 ? "utf-8" : "windows-1252"))
        #expect(encodings["Lead"] == "utf-8")
        let database = try TestDatabase(url)
        for (name, _) in tables {
            let bytes = try [UInt8](Data(contentsOf: directory.path("export", "\(name).csv")))
            let csv = ReferenceCSV.parse(ReferenceCSV.decode(bytes, windows1252: encoding == .windows1252))
            let header = csv[0]
            let types = try database.rows("SELECT name, type FROM pragma_table_info('\(name)') ORDER BY cid")
            #expect(types.map { $0[0] } == header.map { .text($0) }, "columns of \(name)")
            let rows = try database.rows("SELECT * FROM \"\(name)\" ORDER BY rowid")
            #expect(rows.count == csv.count - 1, "rows of \(name)")
            for (rowIndex, row) in rows.enumerated() {
                for (column, value) in row.enumerated() {
                    let text = csv[rowIndex + 1][column]
                    let type = types[column][1]
                    let context = "\(name).\(header[column]) row \(rowIndex + 1): \(value) for \(text.debugDescription)"
                    if text.isEmpty || text == SalesforceWeeklyExport.placeholder {
                        #expect(value == .null, "\(context)")
                    } else if type == .text("INTEGER") {
                        #expect(value == .integer(Int64(text)!), "\(context)")
                    } else if type == .text("REAL") {
                        #expect(value == .real(Double(text)!), "\(context)")
                    } else if type == .text("BOOLEAN") {
                        #expect(value == .integer(["true", "1"].contains(text) ? 1 : 0), "\(context)")
                    } else {
                        #expect(value == .text(text), "\(context)")
                    }
                }
            }
        }
    }

    @Test func typesAColumnOnlyWhenEveryValueRoundTrips() throws {
        let directory = try TemporaryDirectory("replica")
        try SalesforceWeeklyExport.write(to: directory.path("export"))
        let (_, url) = try Self.build(directory.path("export"), into: directory)
        let database = try TestDatabase(url)
        let types = Dictionary(
            uniqueKeysWithValues: try database.rows("SELECT name, type FROM pragma_table_info('Account')").map {
                ($0[0], $0[1])
            })
        // A postal code 0100, a phone +49 30 …, 1e5 and 007 keep their columns text; true/false is boolean.
        for (column, type) in [
            ("BillingPostalCode", "TEXT"), ("Phone", "TEXT"), ("Score", "TEXT"), ("Code", "TEXT"),
            ("CreatedDate", "TEXT"),
            ("NumberOfEmployees", "INTEGER"), ("AnnualRevenue", "REAL"), ("IsDeleted", "INTEGER"),
            ("IsPartner", "BOOLEAN"),
            ("Id", "TEXT"), ("ParentId", "TEXT"),
        ] {
            #expect(types[.text(column)] == .text(type), "Account.\(column)")
        }
        let formats = try database.strings(
            "SELECT format FROM crmvault_columns WHERE object = 'Account' AND \"column\" = 'IsPartner'")
        #expect(formats == ["boolean true/false"])
    }

    @Test func metadataTypesAColumnUnlessAValueWouldNotReadBackTheSame() throws {
        let directory = try TemporaryDirectory("replica")
        let export = directory.path("export")
        try directory.write(
            "Account.csv",
            Data(
                "\"Id\",\"Employees\",\"Zip\",\"Active\",\"Revenue\"\n\"0013000000AbCdEAAV\",\"120\",\"12345\",\"1\",\"100\"\n\"0013000000AbCdFAAV\",\"007\",\"54321\",\"0\",\"99.5\"\n"
                    .utf8), under: "export")
        var object = ExportObject(name: "Account")
        object.records = 2
        object.primaryKey = "Id"
        object.fields = [
            ExportField(name: "Id", type: .id), ExportField(name: "Employees", type: .integer),
            ExportField(name: "Zip", type: .string), ExportField(name: "Active", type: .boolean),
            ExportField(name: "Revenue", type: .double, vendorType: "currency"),
        ]
        let manifest = ExportManifest(
            vendor: "salesforce", source: "test", started: "2026-01-01T00:00:00Z", finished: "2026-01-01T00:01:00Z",
            objects: [object])
        try manifest.encoded().write(to: export.appendingPathComponent(ExportManifest.fileName))
        let (report, url) = try Self.build(export, into: directory)
        #expect(report.isPassed, "\(report.failures)")
        let database = try TestDatabase(url)
        let types = try database.rows("SELECT name, type FROM pragma_table_info('Account') ORDER BY cid").map { $0[1] }
        // Employees has 007, so stays text despite the metadata; Zip is a string although its values are digits.
        #expect(types == [.text("TEXT"), .text("TEXT"), .text("TEXT"), .text("BOOLEAN"), .text("TEXT")])
        #expect(report.warnings.contains { $0.contains("Employees") && $0.contains("007") })
        #expect(report.checks.contains { $0.check == "rows vs vendor" && $0.status == .pass })
    }

    @Test func declaresForeignKeysForReferencesAndRecordsPolymorphicOnes() throws {
        let directory = try TemporaryDirectory("replica")
        try SalesforceWeeklyExport.write(to: directory.path("export"))
        let (report, url) = try Self.build(directory.path("export"), into: directory)
        let database = try TestDatabase(url)
        var keys: Set<String> = []
        for table in ["Account", "Contact", "Opportunity", "Case", "Task", "Attachment", "LoginHistory"] {
            for row in try database.strings(
                "SELECT \"from\" || ' -> ' || \"table\" FROM pragma_foreign_key_list('\(table)')")
            {
                keys.insert("\(table).\(row)")
            }
        }
        #expect(
            keys == [
                "Account.ParentId -> Account", "Contact.AccountId -> Account", "Opportunity.AccountId -> Account",
                "Case.AccountId -> Account", "Case.ContactId -> Contact", "Attachment.ParentId -> Account",
            ])
        // Every declared key matches the data: each non-null value names an existing record.
        #expect(try database.rows("PRAGMA foreign_key_check").isEmpty)
        let polymorphic = try database.strings(
            """
            SELECT object || '.' || "column" || ' -> ' || target || ' ' || found FROM crmvault_references WHERE kind = 'polymorphic' ORDER BY 1
            """)
        #expect(
            polymorphic == [
                "Task.WhatId -> Account 1", "Task.WhatId -> Case 1", "Task.WhatId -> Opportunity 1",
                "Task.WhoId -> Contact 2", "Task.WhoId -> Lead 1",
            ])
        let indexed = try database.strings(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY 1")
        #expect(Set(indexed).isSuperset(of: ["Task(WhoId)", "Task(WhatId)", "Contact(AccountId)", "Case(ContactId)"]))
        #expect(report.checks.filter { $0.check == "orphans" }.allSatisfy { $0.status == .pass })
    }

    /// Orphans (a reference into the export that finds no record) warn; references to objects outside the export are
    /// counted apart; SQLite's foreign_key_check and the replica agree.
    @Test func countsOrphansAndReferencesOutsideTheExportPerColumn() throws {
        let directory = try TemporaryDirectory("replica")
        try directory.write("Account.csv", Data("Id,Name\n0013000000AbCdEAAV,A\n".utf8), under: "export")
        try directory.write("Campaign.csv", Data("Id,Name\n".utf8), under: "export")
        try directory.write(
            "Contact.csv",
            Data("Id,AccountId\n0033000000XyZaBAAV,0013000000AbCdEAAV\n0033000000XyZaCAAV,0013000000ZzZzZAAV\n".utf8),
            under: "export")
        try directory.write(
            "Task.csv",
            Data(
                ("Id,WhatId\n00T3000000TaSkAAAV,0013000000AbCdEAAV\n00T3000000TaSkBAAV,7013000000CaMpAAAV\n"
                    + "00T3000000TaSkCAAV,a0B3000000CuStAAAV\n00T3000000TaSkDAAV,0033000000XyZaBAAV\n").utf8),
            under: "export")
        let (report, url) = try Self.build(directory.path("export"), into: directory)
        #expect(report.isPassed, "\(report.failures)")
        let checks = Dictionary(report.checks.map { ("\($0.object ?? "").\($0.column ?? "").\($0.check)", $0) }) {
            first, _ in first
        }
        let contact = try #require(checks["Contact.AccountId.orphans"])
        #expect(contact.status == .warn)
        #expect(
            contact.detail
                == "1 of 2 references find their record in Account; 1 point to records the export does not hold (orphans)"
        )
        let task = try #require(checks["Task.WhatId.orphans"])
        #expect(task.status == .warn)
        #expect(task.detail.hasPrefix("2 of 4 references find their record in Account, Campaign, Contact"))
        #expect(
            task.detail.hasSuffix(
                "; 1 point to records the export does not hold (orphans); 1 point to objects outside the export"))
        #expect(checks["..foreign_key_check"]?.status == .warn)
        let database = try TestDatabase(url)
        #expect(try database.strings("SELECT orphans FROM crmvault_references WHERE object = 'Contact'") == ["1"])
        #expect(try database.rows("PRAGMA foreign_key_check").count == 1)
    }

    @Test func keepsBinaryFilesAsBlobsLinkedToTheirRecordAndListsOtherFiles() throws {
        let directory = try TemporaryDirectory("replica")
        try SalesforceWeeklyExport.write(to: directory.path("export"))
        let (report, url) = try Self.build(directory.path("export"), into: directory)
        #expect(report.files == 2)
        let database = try TestDatabase(url)
        let attachment = try database.rows(
            "SELECT object, record_id, linked, content FROM crmvault_files WHERE path = 'Attachments/00P3000000AtTaAAAV'"
        )
        #expect(
            attachment.first == [
                .text("Attachment"), .text("00P3000000AtTaAAAV"), .integer(1),
                .blob([UInt8](SalesforceWeeklyExport.attachmentBytes)),
            ])
        #expect(try database.strings("SELECT path FROM crmvault_files WHERE object IS NULL") == ["README.txt"])
        #expect(try database.rows("SELECT count(*) FROM Campaign") == [[.integer(0)]])
        #expect(try database.rows("SELECT count(*) FROM LoginHistory") == [[.integer(2)]])
        let counts = try database.strings("SELECT row_counts FROM crmvault_restore")
        #expect(counts.first?.contains("\"Account\":3") == true)
    }

    @Test func refusesMalformedRecordsNamingFileAndLineAndLenientListsThem() throws {
        let directory = try TemporaryDirectory("replica")
        let export = directory.path("export")
        try SalesforceWeeklyExport.write(to: export)
        let broken =
            "\"Id\",\"Name\"\n\"00Q1\",\"a\"\n\"00Q2\",\"b\",\"extra\"\n\"00Q1\",\"duplicate\"\n\"00Q3\",\"ok\"\n"
        try Data(broken.utf8).write(to: export.appendingPathComponent("Lead.csv"))
        let error = try #require(throws: VaultError.self) { try Self.build(export, into: directory) }
        #expect(error.code == .exportMalformed)
        #expect(error.details.contains("Lead.csv, line 3: the record has 3 fields but the header has 2 (a ragged row)"))
        #expect(!FileManager.default.fileExists(atPath: directory.path("replica.sqlite").path))

        let (report, url) = try Self.build(export, into: directory, lenient: true)
        #expect(report.leftOut.map { "\($0.file):\($0.line)" } == ["Lead.csv:3", "Lead.csv:4"])
        #expect(report.leftOut[1].problem.contains("duplicate Id 00Q1"))
        #expect(!report.isPassed)
        #expect(
            report.failures.contains {
                $0.hasPrefix("Lead: rows vs CSV: the table holds 2 rows but Lead.csv has 4 records")
            })
        let database = try TestDatabase(url)
        #expect(try database.strings("SELECT line FROM crmvault_left_out ORDER BY line") == ["3", "4"])
    }

    @Test func handlesDuplicateHeaderNamesAndNamesAnySQLWouldChokeOn() throws {
        let directory = try TemporaryDirectory("replica")
        try directory.write(
            "Odd\"Name.csv", Data("Id,Name,name,\"x\"\" ); DROP TABLE t; --\"\n1,a,b,c\n".utf8), under: "export")
        let (report, url) = try Self.build(directory.path("export"), into: directory)
        #expect(report.isPassed, "\(report.failures)")
        let database = try TestDatabase(url)
        let columns = try database.strings("SELECT name FROM pragma_table_info('Odd\"Name') ORDER BY cid")
        #expect(columns == ["Id", "Name", "name (2)", "x\" ); DROP TABLE t; --"])
        #expect(
            try database.rows("SELECT * FROM \"Odd\"\"Name\"") == [[.text("1"), .text("a"), .text("b"), .text("c")]])
    }

    /// A Dataverse table exported without our manifest keys its rows by `<table>id` (`contactid` in `contact.csv`),
    /// any case, or by the `(Do Not Modify) <table>` GUID of an "Export to Excel" file saved as CSV: the replica makes
    /// it the primary key, so a repeated id is malformed, not a second row.
    @Test func keysADataverseTableWithoutManifestByItsTableNameAndId() throws {
        let directory = try TemporaryDirectory("replica")
        let first = "6f0b5c2e-1d2a-4e2b-9c3a-1a2b3c4d5e6f"
        let second = "7f0b5c2e-1d2a-4e2b-9c3a-1a2b3c4d5e6f"
        let csv = "contactid,fullname,revenue\n\(first),Ann Lee,\"1,234.50\"\n\(second),Bob,\n"
        try directory.write("contact.csv", Data(csv.utf8), under: "export")
        try directory.write("Account.csv", Data("accountid,name\nA1,Acme\nA1,Again\n".utf8), under: "export")
        let excel = "(Do Not Modify) Contact,(Do Not Modify) Row Checksum,(Do Not Modify) Modified On,Full Name\n"
            + "\(first),abc==,2026-11-30T05:40:00Z,Ann Lee\n"
        try directory.write("My Active Contacts 11-30-2026.csv", Data(excel.utf8), under: "export")
        let (_, url) = try Self.build(directory.path("export"), into: directory, lenient: true)
        let database = try TestDatabase(url)
        #expect(try database.strings("SELECT name FROM pragma_table_info('contact') WHERE pk = 1") == ["contactid"])
        #expect(try database.strings("SELECT name FROM pragma_table_info('Account') WHERE pk = 1") == ["accountid"])
        #expect(try database.rows("SELECT contactid, revenue FROM contact ORDER BY contactid")
            == [[.text(first), .text("1,234.50")], [.text(second), .null]])
        #expect(try database.strings("SELECT name FROM Account") == ["Acme"])
        #expect(
            try database.strings("SELECT name FROM pragma_table_info('My Active Contacts 11-30-2026') WHERE pk = 1")
                == ["(Do Not Modify) Contact"])
        #expect(try database.rows("SELECT file, line FROM crmvault_left_out") == [[.text("Account.csv"), .integer(3)]])
    }

    /// A Bulk API 2.0 result asked for with `columnDelimiter=TAB` (or SEMICOLON, PIPE, ...) is still loaded, as one
    /// column, but never silently: the report warns, naming the file and the delimiter.
    @Test func warnsWhenAFileIsDelimitedByTabsOrSemicolons() throws {
        let directory = try TemporaryDirectory("replica")
        try directory.write("Lead.csv", Data("Id\tName\n00Q1\tAnn\n".utf8), under: "export")
        try directory.write("Case.csv", Data("Id;Subject\n5001;Help\n".utf8), under: "export")
        try directory.write("Note.csv", Data("Title\nA; B\n".utf8), under: "export")
        let (report, _) = try Self.build(directory.path("export"), into: directory)
        let warnings = report.warnings.filter { $0.contains("delimited by") }.sorted()
        #expect(warnings.count == 2, "\(report.warnings)")
        #expect(warnings.first?.hasPrefix("Case.csv: ") == true && warnings.first?.contains("semicolon") == true)
        #expect(warnings.last?.hasPrefix("Lead.csv: ") == true && warnings.last?.contains("tab") == true)
    }

    @Test func aCorruptedReplicaFailsItsChecksNamingObjectAndColumn() throws {
        let directory = try TemporaryDirectory("replica")
        try SalesforceWeeklyExport.write(to: directory.path("export"))
        let (report, url) = try Self.build(directory.path("export"), into: directory)
        #expect(report.isPassed)
        #expect(try ReplicaChecker(databaseAt: url).run().checks.allSatisfy { $0.status != .fail })
        let database = try TestDatabase(url, readOnly: false)
        try database.execute("UPDATE Contact SET MailingPostalCode = '100' WHERE MailingPostalCode = '0100'")
        let failed = try ReplicaChecker(databaseAt: url).run().checks.filter { $0.status == .fail }
        #expect(
            failed.map(\.sentence) == [
                "Contact.MailingPostalCode: cells: cells read back from the replica differ from the CSV in this column (lost or altered; format text)"
            ])
        try database.execute("DELETE FROM Opportunity WHERE Amount IS NULL")
        let counts = try ReplicaChecker(databaseAt: url).run().checks.filter {
            $0.status == .fail && $0.object == "Opportunity"
        }
        #expect(
            counts.contains {
                $0.check == "rows vs CSV" && $0.detail.contains("holds 1 rows but Opportunity.csv has 2 records")
            })
    }

    /// Tables of more rows than one read-back run holds: built with the checks of one table overlapping the load of the
    /// next, read back run by run (a cell altered in a later run shows), and, when the columns take every name of the
    /// rowid, in one statement.
    @Test func readsBackLargeTablesRunByRunAndStillFindsAnAlteredCell() throws {
        let directory = try TemporaryDirectory("replica")
        let rows = ReplicaChecker.rowsPerRead * 2 + 3
        func csv(_ header: String, _ prefix: String) -> Data {
            var text = header + "\n"
            for row in 0..<rows {
                text += "\(prefix)\(String(format: "%015d", row)),\"name \(row * 7919 % 10007)\",\(row % 97)\n"
            }
            return Data(text.utf8)
        }
        try directory.write("Account.csv", csv("Id,Name,Rating", "001"), under: "export")
        try directory.write("Odd.csv", csv("rowid,_rowid_,oid", "a0B"), under: "export")
        let (report, url) = try Self.build(directory.path("export"), into: directory)
        #expect(report.isPassed, "\(report.failures)")
        #expect(report.objects.map(\.rows) == [rows, rows])
        #expect(try ReplicaChecker(databaseAt: url).run().checks.allSatisfy { $0.status != .fail })
        let database = try TestDatabase(url, readOnly: false)
        try database.execute("UPDATE Account SET Rating = 1000 WHERE rowid = \(rows - 1)")
        // In Odd, rowid, _rowid_ and oid are the export's columns.
        try database.execute("UPDATE Odd SET oid = 1000 WHERE \"rowid\" = 'a0B\(String(format: "%015d", rows - 2))'")
        let failed = try ReplicaChecker(databaseAt: url).run().checks.filter { $0.status == .fail }
        #expect(
            failed.map { "\($0.object ?? "").\($0.column ?? ""): \($0.check)" } == [
                "Account.Rating: cells", "Odd.oid: cells",
            ])
    }

    /// The tables the second writer builds in its aside file and copies into the replica equal those built in place by
    /// one writer: the same schema (tables, indexes, their SQL) and every cell, in the same order.
    @Test func tablesBuiltAsideEqualTablesBuiltInPlace() throws {
        let directory = try TemporaryDirectory("replica")
        _ = try SalesforceWeeklyExport.write(to: directory.path("export"))
        let (one, inPlace) = try Self.build(directory.path("export"), into: directory, writers: 1, named: "one.sqlite")
        let (two, aside) = try Self.build(directory.path("export"), into: directory, writers: 2, named: "two.sqlite")
        #expect(one.isPassed && two.isPassed, "\(one.failures) \(two.failures)")
        let databases = try [inPlace, aside].map { try TestDatabase($0) }
        let schema = "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
        let schemas = try databases.map { try $0.rows(schema) }
        #expect(schemas[0] == schemas[1])
        let tables = one.objects.map(\.table)
        #expect(tables.count >= 4, "objects split between the writers")
        #expect(one.objects.map(\.rows).reduce(0, +) > 10)
        for table in tables + ["crmvault_objects", "crmvault_columns", "crmvault_references", "crmvault_files"] {
            let rows = try databases.map { try $0.rows("SELECT * FROM \"\(table)\" ORDER BY rowid") }
            #expect(rows[0] == rows[1], "\(table) cell for cell")
        }
    }

    /// A build that fails, before or after the checks, leaves neither its database nor the second writer's aside file
    /// nor a journal; one that passes leaves only the replica.
    @Test func aFailedBuildLeavesNoTemporaryDatabaseBehind() throws {
        let directory = try TemporaryDirectory("replica")
        _ = try SalesforceWeeklyExport.write(to: directory.path("export"))
        struct Interrupted: Error {}
        var options = ReplicaOptions()
        options.writers = 2
        options.beforeChecks = { _ in throw Interrupted() }
        let target = directory.path("out", "replica.sqlite")
        let folder = target.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        #expect(throws: Interrupted.self) {
            _ = try ReplicaBuilder.build(exportAt: directory.path("export"), into: target, options: options)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == [])
        // A failed check without --lenient: no replica, nothing left beside it either.
        options.beforeChecks = { url in
            let database = try TestDatabase(url, readOnly: false)
            try database.execute("DELETE FROM Contact WHERE rowid = (SELECT max(rowid) FROM Contact)")
        }
        let report = try ReplicaBuilder.build(exportAt: directory.path("export"), into: target, options: options)
        #expect(!report.isPassed)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == [])
        // A build that passes leaves the replica alone.
        options.beforeChecks = nil
        #expect(try ReplicaBuilder.build(exportAt: directory.path("export"), into: target, options: options).isPassed)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: folder.path) == [
                "replica.sqlite"
            ])
    }

    /// A check of a replica that another process holds locked gives up within seconds with `vaultLocked` (exit 4),
    /// naming the file, instead of waiting for the lock.
    @Test func aCheckOfALockedReplicaFailsWithinSecondsNamingTheFile() throws {
        let directory = try TemporaryDirectory("replica")
        _ = try SalesforceWeeklyExport.write(to: directory.path("export"))
        let (report, url) = try Self.build(directory.path("export"), into: directory)
        #expect(report.isPassed, "\(report.failures)")
        let checker = try ReplicaChecker(databaseAt: url, waitingAtMost: 0.3)
        let writer = try TestDatabase(url, readOnly: false)
        try writer.execute("BEGIN EXCLUSIVE")
        for attempt in [{ _ = try ReplicaChecker(databaseAt: url, waitingAtMost: 0.3) }, { _ = try checker.run() }] {
            let started = Date()
            let error = #expect(throws: VaultError.self) { try attempt() }
            #expect(Date().timeIntervalSince(started) < 5)
            #expect(error?.code == .vaultLocked)
            #expect(error?.message.contains(url.path) == true)
            #expect(error?.message.contains("locked by another process") == true)
        }
        try writer.execute("COMMIT")
        #expect(try checker.run().checks.allSatisfy { $0.status != .fail })
    }
}
