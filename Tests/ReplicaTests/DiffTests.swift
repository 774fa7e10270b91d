import CRMExportGenerator
import Foundation
import Replica
import Testing
import VaultCore
import VaultTesting

/// Record-level diff and history against what the generator itself did.
struct DiffTests {
    /// The diff of two generated months finds exactly the records the simulation added, deleted and modified.
    @Test func diffOfTwoGeneratedMonthsMatchesTheGeneratorsOwnRecord() throws {
        let directory = try TemporaryDirectory("diff")
        let generator = CRMExportGenerator(seed: 42, scale: 300)
        try generator.writeMonth(2, to: directory.path("a"))
        try generator.writeMonth(3, to: directory.path("b"))
        var options = ExportDiff.Options(workDirectory: directory.url)
        options.listsIDs = true
        let report = try ExportDiff.compare(directory.path("a"), directory.path("b"), options: options)
        let expected = generator.changes(inMonth: 3)
        #expect(report.objects.map(\.name).sorted() == expected.keys.sorted())
        for object in report.objects {
            let truth = try #require(expected[object.name])
            #expect(Set(object.addedIDs ?? []) == truth.added, "\(object.name) added")
            #expect(Set(object.deletedIDs ?? []) == truth.deleted, "\(object.name) deleted")
            #expect(Set(object.modifiedIDs ?? []) == truth.modified, "\(object.name) modified")
            #expect(object.added + object.unchanged + object.modified == object.recordsB)
            #expect(object.deleted + object.unchanged + object.modified == object.recordsA)
            #expect(
                object.modified == 0
                    || object.fields.contains { $0.name == "LastModifiedDate" && $0.changed == object.modified })
        }
        #expect(expected.values.contains { !$0.deleted.isEmpty && !$0.modified.isEmpty && !$0.added.isEmpty })
        #expect(report.alerts.isEmpty, "\(report.alerts.map(\.message))")
    }

    @Test func alertsOnMassDeletionAndBlankedFieldsInBoundedPartitions() throws {
        let directory = try TemporaryDirectory("diff")
        var before = "Id,Email,Name\n"
        var after = "Id,Email,Name\n"
        for number in 0..<200 {
            before += "003\(number),user\(number)@example.com,Name \(number)\n"
            // 20 records (10 %) deleted, and 30 (15 %) lose their e-mail.
            if number < 20 { continue }
            after += "003\(number),\(number < 50 ? "" : "user\(number)@example.com"),Name \(number)\n"
        }
        try directory.write("Contact.csv", Data(before.utf8), under: "a")
        try directory.write("Contact.csv", Data(after.utf8), under: "b")
        let report = try ExportDiff.compare(
            directory.path("a"), directory.path("b"), options: .init(workDirectory: directory.url))
        let contact = try #require(report.objects.first)
        #expect((contact.deleted, contact.modified, contact.unchanged) == (20, 30, 150))
        #expect(contact.fields == [FieldChange(name: "Email", changed: 30, blanked: 30, filled: 0)])
        #expect(report.alerts.map(\.kind) == [.deleted, .blanked])
        #expect(report.alerts[0].message.contains("20 of 200 records deleted (10.0 %)"))
        #expect(report.alerts[1].field == "Email" && report.alerts[1].perMille == 150)
        // A looser threshold raises nothing.
        var options = ExportDiff.Options(workDirectory: directory.url)
        options.deletedPerMille = 200
        options.blankedPerMille = 200
        #expect(try ExportDiff.compare(directory.path("a"), directory.path("b"), options: options).alerts.isEmpty)
    }

    @Test func comparesWholeRowsWhenEitherSideLacksTheIdColumn() throws {
        let directory = try TemporaryDirectory("diff")
        try directory.write("Log.csv", Data("Id,When\n1,a\n2,b\n".utf8), under: "a")
        try directory.write("Log.csv", Data("When\na\nc\n".utf8), under: "b")
        var options = ExportDiff.Options(workDirectory: directory.url)
        options.listsIDs = true
        let log = try #require(
            try ExportDiff.compare(directory.path("a"), directory.path("b"), options: options).objects.first)
        #expect(log.key == "row")
        #expect((log.added, log.deleted, log.modified, log.unchanged) == (2, 2, 0, 0))
        #expect(log.columnsRemoved == ["Id"])
    }

    /// Older Salesforce Data Exports write upper-case headers (`"ID","ISDELETED",...`): the diff keys them by `ID`, as
    /// the replica does, rather than comparing whole rows and reporting an edited record as deleted and added.
    @Test func keysAnUpperCaseIDColumnOfAnOlderDataExport() throws {
        let directory = try TemporaryDirectory("diff")
        let header = "\u{FEFF}\"ID\",\"ISDELETED\",\"NAME\"\r\n"
        try directory.write(
            "Account.csv", Data((header + "\"001A\",\"false\",\"Acme\"\r\n\"001B\",\"false\",\"Beta\"\r\n").utf8),
            under: "a")
        try directory.write(
            "Account.csv", Data((header + "\"001A\",\"false\",\"Acme GmbH\"\r\n\"001B\",\"false\",\"Beta\"\r\n").utf8),
            under: "b")
        var options = ExportDiff.Options(workDirectory: directory.url)
        options.listsIDs = true
        let report = try ExportDiff.compare(directory.path("a"), directory.path("b"), options: options)
        let account = try #require(report.objects.first)
        #expect(account.key == "ID")
        #expect((account.added, account.deleted, account.modified, account.unchanged) == (0, 0, 1, 1))
        #expect(account.modifiedIDs == ["001A"])
        #expect(account.fields.first == FieldChange(name: "NAME", changed: 1, blanked: 0, filled: 0))
        #expect(report.alerts.isEmpty)
    }

    @Test func historyShowsARecordInEverySnapshotWithItsChanges() throws {
        let vault = try TemporaryVault()
        let versions = ["Acme", "Acme GmbH", "Acme GmbH"]
        for (month, name) in versions.enumerated() {
            let export = vault.directory.path("export-\(month)")
            let other = month == 1 ? "" : "\"0013000000AbCdFAAV\",\"Other\",\"x\"\n"
            try vault.directory.write(
                "Account.csv",
                Data("\"Id\",\"Name\",\"Phone\"\n\"0013000000AbCdEAAV\",\"\(name)\",\"=1+2\"\n\(other)".utf8),
                under: "export-\(month)")
            _ = try vault.vault.backup(
                export, keys: vault.owner, label: "2026-0\(month + 1)", origin: "crm",
                time: Timestamp.parse("2026-0\(month + 1)-01T00:00:00Z")!)
        }
        let snapshots = try vault.vault.loadChain().snapshotEntries
        let history = try RecordHistory.of(
            "0013000000AbCdEAAV", object: "Account", in: snapshots, vault: vault.vault, keys: vault.owner)
        #expect(history.versions.map(\.status) == ["present", "present", "present"])
        #expect(
            history.versions[1].changes == [RecordHistory.Change(field: "Name", before: "Acme", after: "Acme GmbH")])
        #expect(history.versions[2].changes.isEmpty)
        let other = try RecordHistory.of(
            "0013000000AbCdFAAV", object: "Account", in: snapshots, vault: vault.vault, keys: vault.owner)
        #expect(other.versions.map(\.status) == ["present", "absent", "present"])
        let missing = try RecordHistory.of(
            "0013000000AbCdFAAV", object: "Lead", in: snapshots, vault: vault.vault, keys: vault.owner)
        #expect(missing.versions.allSatisfy { $0.status == "no object" })
    }
}
