import Foundation
import Logging
import Pull
import Schedule
import Testing
import VaultCore
import VaultTesting
import VendorSimulator

#if canImport(Glibc)
import Glibc
#endif

/// The daemon running the real pull (``SchedulePullJob``, ``Puller``) against the simulated Salesforce over HTTPS.
@Suite(.serialized) struct DaemonPullTests {
    static let secret = "schedule-test-client-secret-7Hq2-never-logged"
    static let canary = "SCHEDULE-TOKEN-CANARY-"

    /// A simulator, a vault with a writer key, a schedule `acme` pulling Accounts and Contacts, and a daemon fixture
    /// that owes the schedule March's run (its clock says 15 March 2026).
    static func setUp(faults: VendorSimulator.Faults = .none) async throws -> (
        DaemonFixture, VendorSimulator, ScheduleCatalog.Loaded
    ) {
        var options = VendorSimulator.Options()
        options.scale = 3
        options.clientSecret = secret
        options.tokenPrefix = canary
        options.jobPollsUntilComplete = 1
        options.faults = faults
        let vendor = try await VendorSimulator.start(options)
        let fixture = try DaemonFixture(now: "2026-03-15T12:00:00Z")
        let vault = try fixture.vault("main")
        let keyFile = fixture.directory.path("writer.key")
        _ = try vault.vault.vault.authorizeWriter(owner: vault.vault.owner, name: "daemon", keyFile: keyFile)
        let secretFile = try fixture.directory.write("acme.secret", Data("\(secret)\n".utf8))
        chmod(secretFile.path, 0o600)
        let definition = ScheduleDefinitionText(
            vault: vault.vault.url, writerKey: keyFile, workDirectory: fixture.directory.path("work"),
            instanceURL: vendor.baseURL, clientID: vendor.clientID, clientSecretFile: secretFile,
            caFile: vendor.caCertificateFile
        ).text
        try fixture.directory.write("acme.toml", Data(definition.utf8), under: "Schedules")
        let loaded = try #require(try ScheduleCatalog(directory: fixture.directory.path("Schedules")).valid().first)
        try fixture.saveState("acme", since: "2026-01-01T00:00:00Z", lastFinished: "2026-02-01T02:00:00Z")
        return (fixture, vendor, loaded)
    }

    static func job(_ loaded: ScheduleCatalog.Loaded) -> SchedulePullJob {
        var options = PullOptions()
        options.baseDelay = .milliseconds(20)
        options.pollInterval = .milliseconds(10)
        return SchedulePullJob(definition: loaded.definition, puller: Puller(options: options))
    }

    @Test func theCaughtUpRunPullsTheExportIntoOneSnapshotLabelledWithItsMonthAndLeaksNoSecret() async throws {
        let (fixture, vendor, loaded) = try await Self.setUp()
        do {
            try await fixture.run(fixture.daemon([(loaded.entry, Self.job(loaded))])) {
                try await fixture.clock.waitUntilSleeping(1)
            }
            await vendor.stop()
        } catch {
            await vendor.stop()
            throw error
        }
        let state = try fixture.state("acme")
        #expect(state.lastRun?.outcome == .succeeded, "\(state.lastRun?.error ?? "")")
        let snapshots = try fixture.vaults["main"]!.vault.reopened().snapshots()
        #expect(snapshots.map(\.label) == ["2026-03"])
        #expect(snapshots.map(\.origin) == ["acme"])
        #expect(state.lastRun?.snapshots == snapshots.map(\.id))
        #expect(try fixture.vaults["main"]!.vault.reopened().verify().isIntact)
        let succeeded = try #require(fixture.logLines.first { $0.hasPrefix("info run.succeeded ") })
        #expect(succeeded.contains("objects=2"))
        let stateText = try String(contentsOf: fixture.directory.path("state", "runs", "acme.json"), encoding: .utf8)
        for text in fixture.logLines + [stateText] {
            #expect(!text.contains(Self.secret))
            #expect(!text.contains(Self.canary))
        }
    }

    @Test func shutdownWhileThePullDownloadsLeavesNoSnapshotNoPlaintextAndAVaultThatVerifies() async throws {
        // Result pages trickle out, 16 bytes a second: once one is being sent, the pull is stuck mid-download.
        var faults = VendorSimulator.Faults()
        faults.slowBodies = [.init(.queryResults, pause: .seconds(1), chunkBytes: 16)]
        let (fixture, vendor, loaded) = try await Self.setUp(faults: faults)
        do {
            try await fixture.run(fixture.daemon([(loaded.entry, Self.job(loaded))])) {
                try await Poll.until("the pull to download results") {
                    vendor.servedRequests.contains { $0.endpoint == .queryResults }
                }
            }
            await vendor.stop()
        } catch {
            await vendor.stop()
            throw error
        }
        let state = try fixture.state("acme")
        #expect(state.lastRun?.outcome == .cancelled)
        #expect(state.lastFinishedSlot == Timestamp.parse("2026-02-01T02:00:00Z"))
        let vault = try fixture.vaults["main"]!.vault.reopened()
        #expect(try vault.snapshots().isEmpty)
        let report = try vault.verify()
        #expect(report.isIntact, "\(report.problems.map(\.message))")
        #expect(report.leftovers.isEmpty)
        // The staged export (plaintext) is gone; only the schedule's lock and downloads folder stay.
        let staging = fixture.directory.path("work", "staging", "acme")
        let left = try FileManager.default.contentsOfDirectory(atPath: staging.path).sorted()
        #expect(left.allSatisfy { ["lock", "downloads"].contains($0) }, "\(left)")
        #expect(fixture.logLines.contains { $0.hasPrefix("notice run.cancelled ") })
    }
}
