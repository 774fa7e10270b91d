import AsyncHTTPClient
import Foundation
import Testing
import VendorSimulator
import ZIPFoundation

struct FaultTests {
    @Test func serverErrorsComeAsManyTimesAsAskedThenTheRequestSucceeds() async throws {
        try await withVendor({ $0.faults.serverErrors = [.init(.sobjects, status: 503, count: 2)] }) { vendor, client in
            let token = try await client.salesforceToken()
            let statuses = try await client.statuses("/services/data/v61.0/sobjects", token: token, times: 3)
            #expect(statuses == [503, 503, 200])
            vendor.faults = VendorSimulator.Faults()
            vendor.faults.serverErrors = [.init(.describe, status: 500, count: 1)]
            let failed = try await client.get("/services/data/v61.0/sobjects/Lead/describe", token: token)
            #expect(failed.status == 500)
            #expect(failed.salesforceErrorCode == "UNKNOWN_EXCEPTION")
        }
    }

    @Test func throttlingAnswers429WithRetryAfter() async throws {
        try await withVendor({ $0.faults.throttles = [.init(.dataverseQuery, count: 1, retryAfterSeconds: 7)] }) {
            _, client in
            let token = try await client.dataverseToken()
            let throttled = try await client.get("/api/data/v9.2/accounts", token: token)
            #expect(throttled.status == 429)
            #expect(throttled.header("Retry-After") == "7")
            let error = (try throttled.json() as? [String: [String: String]])?["error"]
            #expect(error?["code"] == "0x80072322")
            #expect(try await client.get("/api/data/v9.2/accounts", token: token).status == 200)
        }
    }

    @Test func theDailyAllowanceUsedUpGives403RequestLimitExceeded() async throws {
        try await withVendor({ $0.faults.dailyRequestLimit = 2 }) { _, client in
            let token = try await client.salesforceToken()
            let statuses = try await client.statuses("/services/data/v61.0/sobjects", token: token, times: 3)
            #expect(statuses == [200, 200, 403])
            let refused = try await client.get("/services/data/v61.0/sobjects", token: token)
            #expect(refused.salesforceErrorCode == "REQUEST_LIMIT_EXCEEDED")
        }
    }

    @Test func tokensExpireAfterTheirRequestsAndANewTokenWorks() async throws {
        try await withVendor({ $0.faults.tokenExpiresAfterRequests = 2 }) { _, client in
            let token = try await client.salesforceToken()
            let statuses = try await client.statuses("/services/data/v61.0/sobjects", token: token, times: 3)
            #expect(statuses == [200, 200, 401])
            let fresh = try await client.salesforceToken()
            #expect(try await client.get("/services/data/v61.0/sobjects", token: fresh).status == 200)
            let dataverse = try await client.dataverseToken()
            _ = try await client.get("/api/data/v9.2/WhoAmI", token: dataverse)
            _ = try await client.get("/api/data/v9.2/WhoAmI", token: dataverse)
            let expired = try await client.get("/api/data/v9.2/WhoAmI", token: dataverse)
            #expect(expired.status == 401)
            #expect(expired.header("WWW-Authenticate")?.contains("invalid_token") == true)
        }
    }

    @Test func aTruncatedBodyEndsTheConnectionBeforeContentLength() async throws {
        try await withVendor({ $0.faults.truncations = [.init(.queryResults, count: 1)] }) { vendor, client in
            let token = try await client.salesforceToken()
            await #expect(throws: (any Error).self) {
                _ = try await QueryRun.run(client, token: token, query: try fullQuery(vendor, "Account"))
            }
            // The fault is used up: the same job's results now come whole.
            let run = try await QueryRun.run(client, token: token, query: try fullQuery(vendor, "Account"))
            #expect(run.joined == (try vendor.export(month: 0).first { $0.name == "Account.csv" })?.contents)
        }
    }

    @Test func lyingRecordCountsDisagreeWithTheRecordsSent() async throws {
        try await withVendor({
            $0.faults.recordCountLies = [.init(.pageHeader, object: "Lead", delta: 1), .init(.jobInfo, delta: -2)]
        }) { vendor, client in
            let token = try await client.salesforceToken()
            let run = try await QueryRun.run(client, token: token, query: "SELECT Id FROM Lead")
            let sent = csvRecordCount(run.joined)
            #expect(run.pages[0].header("Sforce-NumberOfRecords") == String(sent + 1))
            #expect(run.info["numberRecordsProcessed"] as? Int == sent - 2)
        }
    }

    @Test func aLyingODataCountDisagreesWithTheRecordsPaged() async throws {
        try await withVendor({ $0.faults.recordCountLies = [.init(.odataCount, object: "accounts", delta: 3)] }) {
            vendor, client in
            let token = try await client.dataverseToken()
            let reply = try await client.get("/api/data/v9.2/accounts?$count=true", token: token)
            let body = try #require(try reply.json() as? [String: Any])
            let served = try #require(body["value"] as? [Any]).count
            #expect(served == (try vendor.dataverseRecords(entitySet: "accounts", month: 0)).count)
            #expect(body["@odata.count"] as? Int == served + 3)
        }
    }

    @Test func aRenamedColumnAlsoRenamesTheExportCSVHeader() async throws {
        try await withVendor({ $0.faults.renamedColumns = [.init(object: "Lead", column: "Company", newName: "Firma")] }
        ) {
            vendor, _ in
            let zip = try #require(try vendor.dataExportArchives(month: 0).first)
            let archive = try Archive(data: zip.contents, accessMode: .read)
            let entry = try #require(archive["Lead.csv"])
            var data = Data()
            _ = try archive.extract(entry, consumer: { data.append($0) })
            #expect(csvHeader(data).contains("\"Firma\""))
            #expect(!csvHeader(data).contains("\"Company\""))
        }
    }

    @Test func aFailedJobEndsFailedWithTheVendorsMessage() async throws {
        try await withVendor({ $0.faults.failedJobs = [.init(object: "Case", message: "InvalidBatch : boom")] }) {
            _, client in
            let token = try await client.salesforceToken()
            let run = try await QueryRun.run(client, token: token, query: "SELECT Id FROM Case")
            #expect(run.states.last == "Failed")
            #expect(run.info["errorMessage"] as? String == "InvalidBatch : boom")
        }
    }

    @Test func aRenamedColumnChangesTheResultHeaderButNotDescribe() async throws {
        try await withVendor({
            $0.faults.renamedColumns = [.init(object: "Account", column: "Name", newName: "AccountName__c")]
        }) { _, client in
            let token = try await client.salesforceToken()
            let run = try await QueryRun.run(client, token: token, query: "SELECT Id, Name FROM Account")
            #expect(csvHeader(run.joined) == "\"Id\",\"AccountName__c\"")
        }
    }

    @Test func aSlowBodyOutlastsAShortClientDeadline() async throws {
        try await withVendor({ $0.faults.slowBodies = [.init(.sobjects, pause: .milliseconds(300), chunkBytes: 64)] }) {
            vendor, client in
            let token = try await client.salesforceToken()
            let impatient = VendorClient(vendor, readTimeout: .milliseconds(100))
            await #expect(throws: (any Error).self) {
                _ = try await impatient.get("/services/data/v61.0/sobjects", token: token)
            }
            try await impatient.shutdown()
            // A patient client gets the whole body, piece by piece.
            vendor.faults.slowBodies = [.init(.limits, pause: .milliseconds(5), chunkBytes: 16)]
            let limits = try await client.get("/services/data/v61.0/limits", token: token)
            #expect((try limits.json() as? [String: Any])?["DailyApiRequests"] != nil)
        }
    }

    @Test func latencyDelaysEveryAnswer() async throws {
        try await withVendor({ $0.faults.latency = .milliseconds(250) }) { _, client in
            let started = ContinuousClock.now
            _ = try await client.send(.GET, "/services/data")
            #expect(ContinuousClock.now - started >= .milliseconds(250))
        }
    }

    @Test func faultSpecificationsReadTheirDocumentedForms() throws {
        typealias Faults = VendorSimulator.Faults
        #expect(try Faults.serverErrors("results:500:3") == .init(.queryResults, status: 500, count: 3))
        #expect(try Faults.throttle("dataverse-query:2:9") == .init(.dataverseQuery, count: 2, retryAfterSeconds: 9))
        #expect(try Faults.recordCountLie("job-info:-1:Case") == .init(.jobInfo, object: "Case", delta: -1))
        #expect(
            try Faults.renamedColumn("Account.Name=Title") == .init(object: "Account", column: "Name", newName: "Title")
        )
        #expect(try Faults.slowBody("export-download:50") == .init(.exportDownload, pause: .milliseconds(50)))
        #expect(throws: Faults.SpecificationError.self) { try Faults.serverErrors("results:404") }
        #expect(throws: Faults.SpecificationError.self) { try Faults.truncation("nowhere") }
        #expect(try Faults.redirect("results:2:other-host") == .init(.queryResults, count: 2, toOtherHost: true))
        #expect(try Faults.redirect("export-download") == .init(.exportDownload))
        #expect(throws: Faults.SpecificationError.self) { try Faults.redirect("results:1:elsewhere") }
        #expect(try Faults.unsizedBody("export-download") == .exportDownload)
        #expect(try Faults.htmlPage("results:3") == .init(.queryResults, count: 3))
    }
}
