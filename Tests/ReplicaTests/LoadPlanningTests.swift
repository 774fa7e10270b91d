import ExportLayout
import Foundation
import Replica
import Testing
import VaultTesting

/// The replica is loaded in one read of each file: its tables are planned from a first look at the start of every
/// file, and what the rest of a file contradicts (a column's type, a reference's targets) is corrected before the
/// checks. These exports hide the contradiction past the first look (made small here).
struct LoadPlanningTests {
    static func build(
        _ files: [String: [[String]]], firstLook: Int, windows1252: Bool = false
    ) throws -> (ReplicaReport, TestDatabase) {
        let directory = try TemporaryDirectory("replica-plan")
        let export = directory.path("export")
        try FileManager.default.createDirectory(at: export, withIntermediateDirectories: true)
        for (name, rows) in files {
            let text = rows.map { $0.joined(separator: ",") + "\n" }.joined()
            // Windows-1252 for the characters used here (Latin-1 range): one byte each.
            let bytes = windows1252 ? text.unicodeScalars.map { UInt8($0.value) } : Array(text.utf8)
            try Data(bytes).write(to: export.appendingPathComponent("\(name).csv"))
        }
        var options = ReplicaOptions()
        options.crmvaultVersion = "test"
        options.firstLookBytes = firstLook
        let database = directory.path("replica.sqlite")
        let report = try ReplicaBuilder.build(exportAt: export, into: database, options: options)
        return (report, try TestDatabase(database))
    }

    /// A Salesforce-shaped id: key prefix, then 15 letters and digits.
    static func id(_ prefix: String, _ number: Int) -> String {
        prefix + "A" + String(repeating: "0", count: 14 - String(number).count) + String(number)
    }

    /// 20 000 records, three load batches: `Score` is an integer and `Active` a boolean until the very last record,
    /// `Ratio` a real until a record in the middle (`1e3`): each becomes text. `Amount` is a real written shortest
    /// (`5.25`) until `12.50` in the middle: it becomes a two-decimal real. Every cell reads back as exported.
    @Test func columnBrokenByALaterValueIsRetypedWithEveryCellKept() throws {
        let count = 20_000
        var rows = [["Id", "Score", "Active", "Ratio", "Amount", "Name"]]
        for number in 0..<count {
            let isLast = number == count - 1
            let isMiddle = number == count / 2
            rows.append([
                Self.id("001", number), isLast ? "007" : String(number * 7),
                isLast ? "maybe" : (number % 3 == 0 ? "true" : "false"), isMiddle ? "1e3" : "0.5",
                isMiddle ? "12.50" : "\(number).25", "Account \(number)",
            ])
        }
        let (report, database) = try Self.build(["Account": rows], firstLook: 4096)
        #expect(report.isPassed, "\(report.failures)")
        let types = try database.rows("SELECT type FROM pragma_table_info('Account') ORDER BY cid").map { $0[0] }
        #expect(types == ["TEXT", "TEXT", "TEXT", "TEXT", "REAL", "TEXT"].map { .text($0) }, "\(types)")
        #expect(report.warnings.contains { $0.contains("Account") && $0.contains("rebuilt") }, "\(report.warnings)")
        let stored = try database.rows("SELECT * FROM Account ORDER BY Id")
        let expected = rows.dropFirst().map { row in
            row.enumerated().map { column, text -> TestDatabase.Value in
                column == 4 ? .real(Double(text)!) : .text(text)
            }
        }
        #expect(stored == expected)
        let formats = try database.rows(
            "SELECT format FROM crmvault_columns WHERE object = 'Account' ORDER BY position")
        #expect(formats.map { $0[0] } == ["text", "text", "text", "text", "real %.2f", "text"].map { .text($0) })
    }

    /// A column whose first values break nothing and whose last does not either keeps its type through the batches.
    @Test func columnThatHoldsKeepsItsType() throws {
        var rows = [["Id", "Score", "Amount"]]
        for number in 0..<10_000 { rows.append([Self.id("001", number), String(number - 5000), "\(number).25"]) }
        let (report, database) = try Self.build(["Account": rows], firstLook: 2048)
        #expect(report.isPassed, "\(report.failures)")
        let types = try database.rows("SELECT type FROM pragma_table_info('Account') ORDER BY cid")
        #expect(types == [[.text("TEXT")], [.text("INTEGER")], [.text("REAL")]])
        #expect(!report.warnings.contains { $0.contains("rebuilt") }, "\(report.warnings)")
        let sum = (0..<10_000).map { $0 - 5000 }.reduce(0, +)
        #expect(try database.rows("SELECT sum(Score) FROM Account") == [[.integer(Int64(sum))]])
    }

    /// `WhatId` holds only Opportunity ids in the first look (planned as a foreign key to Opportunity), then Account
    /// ids: it is polymorphic, its foreign key is dropped (no false violation); `Parent_Account__c` is empty in the
    /// first look, then holds Account ids: its foreign key is added (none lost), one orphan among them counted.
    @Test func referencesSeenOnlyLateAreCorrected() throws {
        var accounts = [["Id", "Name"]]
        for number in 0..<50 { accounts.append([Self.id("001", number), "Account \(number)"]) }
        var opportunities = [["Id", "Name"]]
        for number in 0..<50 { opportunities.append([Self.id("006", number), "Deal \(number)"]) }
        var tasks = [["Id", "WhatId", "Parent_Account__c", "Subject"]]
        for number in 0..<2000 {
            let isLate = number >= 1500
            tasks.append([
                Self.id("00T", number), isLate ? Self.id("001", number % 50) : Self.id("006", number % 50),
                !isLate ? "" : (number == 1999 ? Self.id("001", 999) : Self.id("001", number % 50)),
                "Call \(number)",
            ])
        }
        let (report, database) = try Self.build(
            ["Account": accounts, "Opportunity": opportunities, "Task": tasks], firstLook: 2048)
        #expect(report.isPassed, "\(report.failures)")
        #expect(report.warnings.contains { $0.contains("Task") && $0.contains("references") }, "\(report.warnings)")
        let keys = try database.rows("SELECT \"from\", \"table\" FROM pragma_foreign_key_list('Task') ORDER BY 1")
        #expect(keys == [[.text("Parent_Account__c"), .text("Account")]])
        let references = try database.rows(
            """
            SELECT "column", target, kind, orphans FROM crmvault_references WHERE object = 'Task'
            ORDER BY "column", target
            """)
        #expect(
            references == [
                [.text("Parent_Account__c"), .text("Account"), .text("foreign key"), .integer(1)],
                [.text("WhatId"), .text("Account"), .text("polymorphic"), .integer(0)],
                [.text("WhatId"), .text("Opportunity"), .text("polymorphic"), .integer(0)],
            ], "\(references)")
        let indexes = try database.rows("SELECT name FROM pragma_index_list('Task') WHERE origin = 'c' ORDER BY 1")
        #expect(indexes == [[.text("Task(Parent_Account__c)")], [.text("Task(WhatId)")]])
        let orphans = report.checks.first { $0.check == "orphans" && $0.column == "Parent_Account__c" }
        #expect(orphans?.status == .warn)
        #expect(report.checks.contains { $0.check == "foreign_key_check" && $0.status == .warn })
        #expect(report.checks.contains { $0.check == "cells" && $0.object == "Task" && $0.status == .pass })
        #expect(try database.rows("SELECT count(*) FROM Task") == [[.integer(2000)]])
    }

    /// A Windows-1252 byte (`ü`) only in the last record, past the first look: the table is emptied and the file
    /// loaded again as Windows-1252; every record is in once, the text converted.
    @Test func aNonUTF8ByteSeenOnlyLateReloadsTheFileAsWindows1252() throws {
        var rows = [["Id", "City", "Score"]]
        for number in 0..<5000 { rows.append([Self.id("001", number), "Berlin", String(number)]) }
        rows.append([Self.id("001", 5000), "Zürich", "5000"])
        let (report, database) = try Self.build(["Account": rows], firstLook: 2048, windows1252: true)
        #expect(report.isPassed, "\(report.failures)")
        #expect(report.objects.first?.encoding == "windows-1252")
        #expect(try database.rows("SELECT count(*) FROM Account") == [[.integer(5001)]])
        let last = try database.rows("SELECT City, Score FROM Account WHERE Id = '\(Self.id("001", 5000))'")
        #expect(last == [[.text("Zürich"), .integer(5000)]])
    }

    /// Six integer columns, each broken in a later batch than the one before, and one that holds: after four
    /// rebuilds the file is read whole and loaded again, typed once; every cell reads back as exported.
    @Test func aFileThatKeepsBreakingTypesIsReadWholeAfterAFewRebuilds() throws {
        let count = 8192 * 6 + 10
        var rows = [["Id", "A", "B", "C", "D", "E", "F", "G"]]
        for number in 0..<count {
            let batch = number / 8192
            let broken = (0..<6).map { column in
                column + 1 == batch && number % 8192 == 5 ? "0\(column)" : "\(column)"
            }
            rows.append([Self.id("001", number)] + broken + ["\(number)"])
        }
        let (report, database) = try Self.build(["Account": rows], firstLook: 1024)
        #expect(report.isPassed, "\(report.failures)")
        #expect(
            report.warnings.contains { $0.contains("rebuilt 4 times") && $0.contains("read whole") },
            "\(report.warnings)")
        let types = try database.rows("SELECT type FROM pragma_table_info('Account') ORDER BY cid").map { $0[0] }
        #expect(types == Array(repeating: .text("TEXT"), count: 7) + [.text("INTEGER")], "\(types)")
        let stored = try database.rows("SELECT * FROM Account ORDER BY Id")
        #expect(stored == rows.dropFirst().map { row in row.dropLast().map { .text($0) } + [.integer(Int64(row[7])!)] })
    }
}
