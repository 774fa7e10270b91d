import ExportLayout
import Foundation
import NIOHTTP1
import Testing
import VaultCore
import VaultTesting
import VendorSimulator

@testable import Pull

/// What the real vendors (or HTTP itself) may do that our simulator did not do by default: each test turns the
/// behaviour on in the simulator (docs/VENDOR-SIMULATOR.md, Faults) and pulls over HTTPS on 127.0.0.1.
@Suite(.serialized) struct VendorBehaviourTests {
    /// The pull's snapshot restores to the month's export as served, file for file (`only`: just those files).
    private func expectServedExport(_ fixture: PullFixture, _ result: PullResult, only: Set<String>? = nil) throws {
        let restored = try fixture.restore(try #require(result.exports.first).snapshot)
        for (name, contents) in try fixture.vendor.export(month: 0) where only?.contains(name) ?? true {
            #expect(try Data(contentsOf: restored.appendingPathComponent(name)) == contents, "\(name)")
        }
    }

    /// HTTP lets any server or proxy send a body chunked, without `Content-Length`.
    @Test func aDataExportZipSentChunkedWithoutALengthIsIngested() async throws {
        let fixture = try await PullFixture.start { $0.exportPartBytes = 6_000 }
        defer { Task { await fixture.stop() } }
        var faults = VendorSimulator.Faults()
        faults.unsizedBodies = [.exportDownload]
        fixture.vendor.faults = faults
        let result = try await fixture.pull(try fixture.schedule(fixture.scheduleText(vendor: "salesforce-export")))
        try expectServedExport(fixture, result)
    }

    /// A download redirected within the instance is followed with the session; it is not taken for an expired
    /// session (which would ask for a new token).
    @Test func aRedirectWithinTheInstanceIsFollowedWithTheSameSession() async throws {
        let fixture = try await PullFixture.start { $0.exportPartBytes = 6_000 }
        defer { Task { await fixture.stop() } }
        var faults = VendorSimulator.Faults()
        faults.redirects = [.init(.exportDownload, count: 2), .init(.exportListing)]
        fixture.vendor.faults = faults
        let result = try await fixture.pull(try fixture.schedule(fixture.scheduleText(vendor: "salesforce-export")))
        let served = fixture.vendor.servedRequests
        #expect(served.filter { $0.endpoint == .exportDownload && $0.status == 302 }.count == 2)
        #expect(
            served.filter { $0.endpoint == .salesforceToken }.count == 1,
            "a redirect was taken for an expired session")
        try expectServedExport(fixture, result)
    }

    /// Bulk API results redirected within the instance are followed with the bearer token.
    @Test func aRedirectedResultsPageIsFollowed() async throws {
        let fixture = try await PullFixture.start()
        defer { Task { await fixture.stop() } }
        var faults = VendorSimulator.Faults()
        faults.redirects = [.init(.queryResults, count: 1)]
        fixture.vendor.faults = faults
        let result = try await fixture.pull(try fixture.schedule(fixture.scheduleText(objects: ["Account"])))
        #expect(fixture.vendor.servedRequests.contains { $0.endpoint == .queryResults && $0.status == 302 })
        try expectServedExport(fixture, result, only: ["Account.csv"])
    }

    /// A redirect to another host is refused: the session is never sent there, nothing reaches the vault.
    @Test func aRedirectToAnotherHostIsRefusedAndTheTokenNotSent() async throws {
        let fixture = try await PullFixture.start { $0.exportPartBytes = 6_000 }
        defer { Task { await fixture.stop() } }
        var faults = VendorSimulator.Faults()
        faults.redirects = [.init(.exportDownload, count: 1, toOtherHost: true)]
        fixture.vendor.faults = faults
        let schedule = try fixture.schedule(fixture.scheduleText(vendor: "salesforce-export"))
        let error = try await #require(throws: VaultError.self) { try await fixture.pull(schedule) }
        #expect(error.code == .vendorFailed)
        #expect(error.message.contains("localhost") && error.message.contains("not sent there"))
        #expect(!error.message.contains(PullFixture.tokenCanary))
        #expect(
            fixture.vendor.servedRequests.filter { $0.endpoint == .exportDownload }.count == 1,
            "the redirect was followed")
        #expect(fixture.snapshotCount == 0)
    }

    /// Dataverse returns a table's companion properties (`AttributeOf`, like an entity image's `entityimage_url`)
    /// beside its values; they are in the metadata, so they are no schema change.
    @Test func aDataverseTableWithAnEntityImageIsPulled() async throws {
        let fixture = try await PullFixture.start()
        defer { Task { await fixture.stop() } }
        var faults = VendorSimulator.Faults()
        faults.entityImages = ["contacts"]
        fixture.vendor.faults = faults
        let schedule = try fixture.schedule(fixture.scheduleText(vendor: "dataverse", objects: ["contacts"]))
        let result = try await fixture.pull(schedule)
        let restored = try fixture.restore(try #require(result.exports.first).snapshot)
        let manifest = try ExportManifest.decode(
            Data(contentsOf: restored.appendingPathComponent(ExportManifest.fileName)), path: "export-manifest.json")
        let contact = try #require(manifest.object(named: "contact"))
        let columns = contact.fields?.map(\.name) ?? []
        #expect(columns.contains("entityimageid"))
        #expect(!columns.contains("entityimage_url") && !columns.contains("entityimage"))
        #expect(contact.recordsWritten == (try fixture.vendor.dataverseRecords(entitySet: "contacts", month: 0)).count)
        #expect(contact.checks?.contains { $0.contains("entityimage_timestamp, entityimage_url") } == true)
    }

    /// Salesforce often answers a UI request whose session it does not accept with a 200 page whose script goes to
    /// the login page: an expired session is renewed, a download never takes that page for a zip.
    @Test func aLoginPageSentWithStatus200RenewsTheSession() async throws {
        let fixture = try await PullFixture.start { $0.exportPartBytes = 6_000 }
        defer { Task { await fixture.stop() } }
        var faults = VendorSimulator.Faults()
        faults.sessionScriptRedirects = true
        faults.tokenExpiresAfterRequests = 2
        fixture.vendor.faults = faults
        let result = try await fixture.pull(try fixture.schedule(fixture.scheduleText(vendor: "salesforce-export")))
        #expect(fixture.vendor.servedRequests.filter { $0.endpoint == .salesforceToken }.count >= 2)
        try expectServedExport(fixture, result)
    }

    /// A token Salesforce never accepts as a session (a connected app without the `web` scope) is named as such.
    @Test func aSessionNeverAcceptedForSetupPagesSaysWhichScopeIsMissing() async throws {
        let fixture = try await PullFixture.start()
        defer { Task { await fixture.stop() } }
        var faults = VendorSimulator.Faults()
        faults.sessionScriptRedirects = true
        faults.tokenExpiresAfterRequests = 0
        fixture.vendor.faults = faults
        let schedule = try fixture.schedule(fixture.scheduleText(vendor: "salesforce-export"))
        let error = try await #require(throws: VaultError.self) { try await fixture.pull(schedule) }
        #expect(error.code == .vendorFailed)
        #expect(error.message.contains("login page"))
        #expect(error.remedy?.contains("`web`") == true)
        #expect(fixture.vendor.servedRequests.filter { $0.endpoint == .salesforceToken }.count == 2)
        #expect(fixture.snapshotCount == 0)
    }

    /// Salesforce reports the org's daily API usage on REST answers; the pull logs the last figure.
    @Test func theOrgsAPIUsageFromSforceLimitInfoIsLogged() async throws {
        let fixture = try await PullFixture.start()
        defer { Task { await fixture.stop() } }
        var faults = VendorSimulator.Faults()
        faults.dailyRequestLimit = 1000
        fixture.vendor.faults = faults
        _ = try await fixture.pull(try fixture.schedule(fixture.scheduleText(objects: ["Account"])))
        #expect(fixture.logs.lines.contains { $0.contains("of 1000 daily API requests used (Sforce-Limit-Info)") })
        #expect(!fixture.logs.lines.contains { $0.hasPrefix("warning") && $0.contains("Sforce-Limit-Info") })
    }

    /// At 90% of the allowance a warning is logged, once.
    @Test func aWarningIsLoggedOnceWhenNinetyPercentOfTheAllowanceIsUsed() {
        let logs = LogCapture()
        let usage = SalesforceAPIUsage(logger: logs.logger)
        for used in [899, 900, 950] {
            usage.observe(
                ResponseHead(
                    status: .ok,
                    headers: ["sforce-limit-info": "api-usage=\(used)/1000, per-app-api-usage=3/250(appName=backup)"]))
        }
        let warnings = logs.lines.filter { $0.hasPrefix("warning") }
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("used 900 of its 1000") == true)
        #expect(usage.summary == "950 of 1000 daily API requests used (Sforce-Limit-Info)")
    }

    /// A results page answered with 200 and an HTML page (maintenance, a proxy) is asked for again, not joined.
    @Test func aResultsPageThatIsHTMLIsFetchedAgain() async throws {
        let fixture = try await PullFixture.start()
        defer { Task { await fixture.stop() } }
        var faults = VendorSimulator.Faults()
        faults.htmlPages = [.init(.queryResults, count: 1)]
        fixture.vendor.faults = faults
        let result = try await fixture.pull(try fixture.schedule(fixture.scheduleText(objects: ["Account"])))
        let retried = "the answer was text/html where the vendor documents text/csv"
        #expect(fixture.logs.lines.contains { $0.contains(retried) })
        try expectServedExport(fixture, result, only: ["Account.csv"])
    }
}
