import ExportLayout
import Foundation
import Testing
import VaultCore
import VendorSimulator

@testable import Pull

/// Reads CSV written in Salesforce's quoting: a quoted field is a value (maybe empty), an unquoted empty field is null.
func parseQuotedCSV(_ data: Data) -> [[String?]] {
    var rows: [[String?]] = []
    var row: [String?] = []
    var field: [UInt8] = []
    var quoted = false
    var inQuotes = false
    var index = data.startIndex
    func endField() {
        row.append(
            quoted
                ? String(decoding: field, as: UTF8.self)
                : (field.isEmpty ? nil : String(decoding: field, as: UTF8.self)))
        field = []
        quoted = false
    }
    while index < data.endIndex {
        let byte = data[index]
        if inQuotes {
            if byte == 0x22 {
                if data.index(after: index) < data.endIndex && data[data.index(after: index)] == 0x22 {
                    field.append(0x22)
                    index = data.index(after: index)
                } else {
                    inQuotes = false
                }
            } else {
                field.append(byte)
            }
        } else if byte == 0x22 {
            inQuotes = true
            quoted = true
        } else if byte == 0x2c {
            endField()
        } else if byte == 0x0a {
            endField()
            rows.append(row)
            row = []
        } else {
            field.append(byte)
        }
        index = data.index(after: index)
    }
    if !field.isEmpty || !row.isEmpty {
        endField()
        rows.append(row)
    }
    return rows
}

@Suite(.serialized) struct DataversePullTests {
    @Test func aFullPullEqualsTheServedRecordsColumnForColumn() async throws {
        let fixture = try await PullFixture.start()
        defer { Task { await fixture.stop() } }
        var faults = VendorSimulator.Faults()
        faults.throttles = [.init(.dataverseQuery, count: 1, retryAfterSeconds: 1)]
        fixture.vendor.faults = faults
        let schedule = try fixture.schedule(
            fixture.scheduleText(vendor: "dataverse", objects: ["accounts", "contacts"], extra: "page_size = 7\n"))
        let clock = ContinuousClock.now
        let result = try await fixture.pull(schedule)
        #expect(ContinuousClock.now - clock >= .seconds(1), "Retry-After: 1 was not honoured")
        #expect(fixture.vendor.servedRequests.contains { $0.status == 429 })

        let restored = try fixture.restore(try #require(result.exports.first).snapshot)
        let manifest = try ExportManifest.decode(
            Data(contentsOf: restored.appendingPathComponent(ExportManifest.fileName)), path: "export-manifest.json")
        #expect(manifest.vendor == "dataverse")
        #expect(manifest.organization == fixture.vendor.dataverseOrganizationID.lowercased())
        #expect(manifest.objects.map(\.name) == ["account", "contact"])
        for (entitySet, object) in zip(["accounts", "contacts"], manifest.objects) {
            let served = try fixture.vendor.dataverseRecords(entitySet: entitySet, month: 0)
            let rows = parseQuotedCSV(try Data(contentsOf: restored.appendingPathComponent(object.file)))
            let header = try #require(rows.first).map { $0 ?? "" }
            #expect(header == object.fields?.map(\.name))
            #expect(rows.count - 1 == served.count)
            #expect(object.recordsWritten == served.count)
            #expect(object.checks?.contains { $0.contains("pages") } == true)
            for (row, record) in zip(rows.dropFirst(), served) {
                for (column, value) in zip(header, row) where !column.contains("@") {
                    #expect(value == record[column], "\(entitySet) \(column)")
                }
            }
            #expect(
                FileManager.default.fileExists(atPath: restored.appendingPathComponent(object.metadata ?? "-").path))
        }
        let contact = try #require(manifest.object(named: "contact"))
        #expect(contact.fields?.contains { $0.name == "_parentcustomerid_value" && $0.type == .reference } == true)
        #expect(contact.primaryKey == "contactid")
    }

    @Test func anExpiredTokenIsRenewedOnceAndATruncatedPageFetchedAgain() async throws {
        let fixture = try await PullFixture.start()
        defer { Task { await fixture.stop() } }
        var faults = VendorSimulator.Faults()
        faults.tokenExpiresAfterRequests = 3
        faults.truncations = [.init(.dataverseQuery, count: 1)]
        fixture.vendor.faults = faults
        let schedule = try fixture.schedule(
            fixture.scheduleText(vendor: "dataverse", objects: ["accounts"], extra: "page_size = 5\n"))
        let result = try await fixture.pull(schedule)
        let pulled = try #require(result.exports.first?.objects.first)
        #expect(pulled.records == (try fixture.vendor.dataverseRecords(entitySet: "accounts", month: 0)).count)
        #expect(fixture.vendor.servedRequests.contains { $0.status == 401 })
    }
}
