import Foundation
import Schedule
import Testing
import VaultCore
import VaultTesting

/// `crmvault pull` runs (from cron, a systemd timer or by hand) recorded where the daemon keeps its own, so `status`
/// shows them and a daemon started later does not run the same month again.
struct PullRunRecorderTests {
    static func loaded(timezone: String) throws -> (TemporaryDirectory, ScheduleCatalog.Loaded) {
        let directory = try TemporaryDirectory()
        try directory.write(
            "acme.toml",
            Data(ScheduleStatusTests.definition(every: "0 2 1 * *", timezone: timezone).utf8), under: "Schedules")
        let loaded = try #require(try ScheduleCatalog(directory: directory.path("Schedules")).valid().first)
        return (directory, loaded)
    }

    @Test func aSuccessfulPullIsRecordedForItsSlotAndIsNotCaughtUpAgain() throws {
        let (directory, loaded) = try Self.loaded(timezone: "Europe/Berlin")
        let store = RunStateStore(directory: directory.path("state"))
        // A cron line fired at 02:00 Berlin time on 1 March (01:00 UTC); the pull started a few seconds later.
        let started = try #require(Timestamp.parse("2026-03-01T01:00:04Z"))
        var recorder = PullRunRecorder(definition: loaded.definition, store: store, started: started)
        try recorder.begin()
        let running = try #require(try store.state(of: "acme").lastRun)
        #expect(running.outcome == .running && running.trigger == .pullCommand)
        #expect(running.scheduledFor == Timestamp.parse("2026-03-01T01:00:00Z"))

        try recorder.succeeded(snapshots: ["9bb81db0"], at: started.addingTimeInterval(60))
        let state = try store.state(of: "acme")
        #expect(state.lastRun?.outcome == .succeeded)
        #expect(state.lastRun?.snapshots == ["9bb81db0"])
        #expect(state.lastFinishedSlot == Timestamp.parse("2026-03-01T01:00:00Z"))
        // A daemon started the next day owes nothing for March.
        var watched = state
        watched.watchedSince = Timestamp.parse("2026-01-01T00:00:00Z")
        #expect(CatchUp.missedRun(of: loaded.entry, state: watched, now: started.addingTimeInterval(86_400)) == nil)
    }

    @Test func aFailedPullIsRecordedWithItsErrorAndCode() throws {
        let (directory, loaded) = try Self.loaded(timezone: "UTC")
        let store = RunStateStore(directory: directory.path("state"))
        let started = try #require(Timestamp.parse("2026-03-20T09:30:00Z"))
        var recorder = PullRunRecorder(definition: loaded.definition, store: store, started: started)
        try recorder.begin()
        let failure = VaultError(.vendorFailed, "Salesforce answered REQUEST_LIMIT_EXCEEDED.", remedy: "Wait a day.")
        try recorder.failed(failure, at: started.addingTimeInterval(5))
        let run = try #require(try store.state(of: "acme").lastRun)
        #expect(run.outcome == .failed)
        #expect(run.errorCode == "vendorFailed")
        #expect(run.error == "Salesforce answered REQUEST_LIMIT_EXCEEDED.\nWait a day.")
        #expect(run.scheduledFor == Timestamp.parse("2026-03-01T02:00:00Z"))
        #expect(run.finished == started.addingTimeInterval(5))
    }
}
