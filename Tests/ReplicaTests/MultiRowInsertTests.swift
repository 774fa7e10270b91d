import Foundation
import Replica
import Testing
import VaultTesting

/// Records whose id is above every id before them are inserted many to a statement, any other alone: the table holds
/// every record but the duplicates, in the file's order, and its cells read back as exported.
struct MultiRowInsertTests {
    @Test func idsOutOfOrderAndDuplicatesAmongRunsOfOrderedIds() throws {
        let directory = try TemporaryDirectory("replica")
        let export = directory.path("export")
        try SalesforceWeeklyExport.write(to: export)
        func id(_ number: Int) -> String { "00Q" + String(format: "%015d", number * 2) }
        var ids: [String] = []
        var duplicateLines: [Int] = []
        for number in 0..<1000 {
            ids.append(id(number))
            switch number {
            case 10: ids.append(id(10))  // its own duplicate, next to it
            case 500: ids.append(id(3))  // a duplicate far from its original
            case 700: ids.append("00Q" + String(format: "%015d", 1))  // new, below every id before it
            case 800: ids.append(String(id(800).dropLast()))  // new, a prefix of the id before it
            case 998: ids.append(id(999))  // new, above: the next record is a duplicate of it
            default: break
            }
        }
        var seen: Set<String> = []
        var text = "\"Id\",\"Name\",\"Score\"\n"
        var kept: [String] = []
        for (index, value) in ids.enumerated() {
            text += "\"\(value)\",\"name \(index * 7919 % 10007)\",\(index % 97)\n"
            if seen.insert(value).inserted { kept.append(value) } else { duplicateLines.append(index + 2) }
        }
        try Data(text.utf8).write(to: export.appendingPathComponent("Lead.csv"))

        let (report, url) = try ReplicaBuildTests.build(export, into: directory, lenient: true)
        #expect(duplicateLines.count == 3)
        #expect(report.leftOut.map(\.line) == duplicateLines)
        #expect(report.leftOut.allSatisfy { $0.file == "Lead.csv" && $0.problem.contains("duplicate Id") })
        #expect(!report.failures.contains { $0.hasPrefix("Lead: cells") }, "\(report.failures)")
        #expect(report.checks.contains { $0.check == "cells" && $0.object == "Lead" && $0.status == .pass })
        let database = try TestDatabase(url)
        #expect(try database.strings("SELECT Id FROM Lead ORDER BY rowid") == kept)
        #expect(try database.strings("SELECT Score FROM Lead WHERE Id = '\(id(501))'") == ["\(503 % 97)"])
    }
}
