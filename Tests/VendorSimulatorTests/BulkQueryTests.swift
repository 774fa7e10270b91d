import Foundation
import Testing
import VendorSimulator

/// A query job run to its end and its result pages fetched, as a connector would.
struct QueryRun {
    let jobID: String
    let states: [String]
    let info: [String: Any]
    let pages: [VendorClient.Reply]

    /// The pages joined as a connector keeps them: the first page whole, later pages without their header row.
    var joined: Data {
        var data = Data()
        for (index, page) in pages.enumerated() {
            data.append(index == 0 ? page.body : page.body.drop { $0 != 0x0A }.dropFirst())
        }
        return data
    }

    static func run(
        _ client: VendorClient, token: String, query: String, maxRecords: Int? = nil, version: String = "61.0",
        headers: [(String, String)] = []
    ) async throws -> QueryRun {
        let created = try await client.postJSON(
            "/services/data/v\(version)/jobs/query", token: token, #"{"operation":"query","query":"\#(query)"}"#)
        guard created.status == 200, let job = try created.json() as? [String: Any], let id = job["id"] as? String
        else {
            throw Unexpected("create job answered \(created.status): \(created.text)")
        }
        var states = [job["state"] as? String ?? ""]
        var info: [String: Any] = [:]
        for _ in 0..<10 {
            let poll = try await client.get("/services/data/v\(version)/jobs/query/\(id)", token: token)
            info = try #require(try poll.json() as? [String: Any])
            states.append(info["state"] as? String ?? "")
            if ["JobComplete", "Failed", "Aborted"].contains(states.last!) { break }
        }
        var pages: [VendorClient.Reply] = []
        guard states.last == "JobComplete" else { return QueryRun(jobID: id, states: states, info: info, pages: []) }
        var locator: String?
        repeat {
            var path = "/services/data/v\(version)/jobs/query/\(id)/results"
            var parameters: [String] = []
            if let locator { parameters.append("locator=\(locator)") }
            if let maxRecords { parameters.append("maxRecords=\(maxRecords)") }
            if !parameters.isEmpty { path += "?" + parameters.joined(separator: "&") }
            let page = try await client.get(path, token: token, headers: headers)
            guard page.status == 200 else { throw Unexpected("results answered \(page.status): \(page.text)") }
            pages.append(page)
            locator = page.header("Sforce-Locator")
        } while locator != nil && locator != "null"
        return QueryRun(jobID: id, states: states, info: info, pages: pages)
    }
}

/// `SELECT` of every field the generator exports for `object`.
func fullQuery(_ vendor: VendorSimulator, _ object: String, month: Int = 0) throws -> String {
    let file = try #require(try vendor.export(month: month).first { $0.name == object + ".csv" })
    let fields = csvHeader(file.contents).replacingOccurrences(of: "\"", with: "").replacingOccurrences(
        of: ",", with: ", ")
    return "SELECT \(fields) FROM \(object)"
}

struct BulkQueryTests {
    @Test func aQueryJobRunsToCompleteAndItsPagesJoinToTheServedExport() async throws {
        try await withVendor { vendor, client in
            let token = try await client.salesforceToken()
            let run = try await QueryRun.run(
                client, token: token, query: try fullQuery(vendor, "Contact"), maxRecords: 7)
            #expect(run.states == ["UploadComplete", "InProgress", "JobComplete"])
            let expected = try #require(try vendor.export(month: 0).first { $0.name == "Contact.csv" }).contents
            #expect(run.joined == expected)
            #expect(run.pages.count == (csvRecordCount(expected) + 6) / 7)
            #expect(run.pages.last?.header("Sforce-Locator") == "null")
            for page in run.pages {
                #expect(page.header("Sforce-NumberOfRecords") == String(csvRecordCount(page.body)))
                #expect(page.header("Content-Type")?.hasPrefix("text/csv") == true)
            }
            #expect(run.info["numberRecordsProcessed"] as? Int == csvRecordCount(expected))
            #expect(run.info["jobType"] as? String == "V2Query")
        }
    }

    @Test func everyObjectsFullQueryReturnsExactlyTheExportBytes() async throws {
        try await withVendor({ $0.month = 1 }) { vendor, client in
            let token = try await client.salesforceToken()
            for file in try vendor.export(month: 1) {
                let object = String(file.name.dropLast(4))
                let run = try await QueryRun.run(
                    client, token: token, query: try fullQuery(vendor, object, month: 1), maxRecords: 40)
                #expect(run.joined == file.contents, "\(object)")
            }
        }
    }

    @Test func resultsAreGzippedWhenTheClientAcceptsIt() async throws {
        try await withVendor(decompress: true) { vendor, client in
            let token = try await client.salesforceToken()
            let run = try await QueryRun.run(
                client, token: token, query: try fullQuery(vendor, "Account"), headers: [("Accept-Encoding", "gzip")])
            #expect(run.pages.count == 1)
            #expect(run.pages[0].header("Content-Encoding") == "gzip")
            #expect(run.joined == (try vendor.export(month: 0).first { $0.name == "Account.csv" })?.contents)
        }
        try await withVendor { vendor, client in
            let token = try await client.salesforceToken()
            let run = try await QueryRun.run(
                client, token: token, query: "SELECT Id FROM Account", headers: [("Accept-Encoding", "gzip")])
            // Without the client's own decompression the body is a gzip member: magic bytes 1f 8b.
            #expect(run.pages[0].body.prefix(2) == Data([0x1F, 0x8B]))
        }
    }

    @Test func aSelectionIsServedInTheSelectOrder() async throws {
        try await withVendor { vendor, client in
            let token = try await client.salesforceToken()
            let run = try await QueryRun.run(client, token: token, query: "SELECT name, Id FROM account")
            let lines = String(decoding: run.joined, as: UTF8.self).split(separator: "\n")
            #expect(lines.first == "\"Name\",\"Id\"")
            #expect(run.info["object"] as? String == "Account")
        }
    }

    @Test func badQueriesGetSalesforcesErrors() async throws {
        try await withVendor { vendor, client in
            let token = try await client.salesforceToken()
            func error(_ query: String) async throws -> (Int, String, String) {
                let reply = try await client.postJSON(
                    "/services/data/v61.0/jobs/query", token: token, #"{"operation":"query","query":"\#(query)"}"#)
                let first = (try reply.json() as? [[String: Any]])?.first
                return (reply.status, first?["errorCode"] as? String ?? "", first?["message"] as? String ?? "")
            }
            let unknownField = try await error("SELECT Id, Nonsense__c FROM Account")
            #expect(unknownField.0 == 400 && unknownField.1 == "INVALID_FIELD")
            #expect(unknownField.2.contains("No such column 'Nonsense__c' on entity 'Account'"))
            #expect(unknownField.2.contains("ERROR at Row:1:Column:12"))
            let compound = try await error("SELECT Id, BillingAddress FROM Account")
            #expect(compound.1 == "API_ERROR" && compound.2 == "Selecting compound data not supported in Bulk Query")
            #expect(try await error("SELECT Id FROM Widget__c").1 == "INVALID_TYPE")
            #expect(try await error("SELECT Id FROM AggregateResult").1 == "INVALIDENTITY")
            #expect(try await error("SELECT COUNT() FROM Account").1 == "API_ERROR")
        }
    }

    @Test func resultsNeedTheJobsAPIVersionAndACompletedJob() async throws {
        try await withVendor({ $0.jobPollsUntilComplete = 5 }) { vendor, client in
            let token = try await client.salesforceToken()
            let created = try await client.postJSON(
                "/services/data/v61.0/jobs/query", token: token,
                #"{"operation":"queryAll","query":"SELECT Id FROM Lead"}"#)
            let id = try #require((try created.json() as? [String: Any])?["id"] as? String)
            #expect(id.hasPrefix("750") && id.count == 18)
            let early = try await client.get("/services/data/v61.0/jobs/query/\(id)/results", token: token)
            #expect(early.status == 400)
            let otherVersion = try await client.get("/services/data/v60.0/jobs/query/\(id)/results", token: token)
            #expect(otherVersion.status == 409)
            let deleted = try await client.send(
                .DELETE, "/services/data/v61.0/jobs/query/\(id)", headers: [("Authorization", "Bearer \(token)")])
            #expect(deleted.status == 204)
            #expect(try await client.get("/services/data/v61.0/jobs/query/\(id)", token: token).status == 404)
        }
    }

    @Test func eachMonthServesThatMonthsRecords() async throws {
        try await withVendor { vendor, client in
            let token = try await client.salesforceToken()
            let query = try fullQuery(vendor, "Opportunity")
            let first = try await QueryRun.run(client, token: token, query: query)
            vendor.currentMonth = 2
            let third = try await QueryRun.run(client, token: token, query: query)
            let expected = try #require(try vendor.export(month: 2).first { $0.name == "Opportunity.csv" }).contents
            #expect(third.joined == expected)
            #expect(first.joined == (try vendor.export(month: 0).first { $0.name == "Opportunity.csv" })?.contents)
            #expect(try vendor.export(month: 0).map(\.contents) != vendor.export(month: 2).map(\.contents))
        }
    }
}
