import Foundation
import Logging
import Schedule
import Testing
import VaultCore

/// The daemon's services against real vaults and real backups, with a fixed clock and ServiceLifecycle's test
/// graceful shutdown.
@Suite(.serialized) struct DaemonTests {
    static func date(_ text: String) throws -> Date { try #require(Timestamp.parse(text)) }

    @Test func aRunMissedWhileTheDaemonWasDownIsCaughtUpOnceAtStartThenTheScheduleGoesOn() async throws {
        // The daemon last ran January's pull; the host was down through February and March's first days.
        let fixture = try DaemonFixture(now: "2026-03-15T12:00:00Z")
        try fixture.saveState("acme", since: "2025-12-20T00:00:00Z", lastFinished: "2026-01-01T02:00:00Z")
        let daemon = fixture.daemon([try fixture.schedule("acme")])

        try await fixture.run(daemon) {
            try await fixture.clock.waitUntilSleeping(1)
            // One catch-up run, for March (the latest due), not one for February too.
            #expect(try fixture.labels(in: "main") == ["2026-03"])
            let caughtUp = try #require(try fixture.state("acme").lastRun)
            #expect(caughtUp.trigger == .catchUp)
            #expect(caughtUp.outcome == .succeeded)
            #expect(caughtUp.scheduledFor == (try Self.date("2026-03-01T02:00:00Z")))

            fixture.clock.set(try Self.date("2026-04-01T02:00:00Z"))
            try await Poll.until("April's run") {
                (try? fixture.state("acme").lastFinishedSlot) == (try? Self.date("2026-04-01T02:00:00Z"))
            }
            try await fixture.clock.waitUntilSleeping(1)
        }

        #expect(try fixture.labels(in: "main") == ["2026-03", "2026-04"])
        let state = try fixture.state("acme")
        #expect(state.lastRun?.trigger == .schedule)
        #expect(state.lastRun?.outcome == .succeeded)
        #expect(
            state.lastRun?.snapshots == [
                try #require(try fixture.vaults["main"]!.vault.reopened().snapshots().last?.id)
            ])
        #expect(fixture.logLines.filter { $0.hasPrefix("notice run.catch-up") }.count == 1)
        #expect(fixture.logLines.contains { $0.hasPrefix("info run.succeeded ") && $0.contains("schedule=acme") })
    }

    @Test func aScheduleSeenForTheFirstTimeWaitsForItsTimeAndRemembersWhenItWasFirstSeen() async throws {
        let fixture = try DaemonFixture(now: "2026-03-15T12:00:00Z")
        let daemon = fixture.daemon([try fixture.schedule("acme")])
        try await fixture.run(daemon) {
            try await fixture.clock.waitUntilSleeping(1)
        }
        #expect(try fixture.labels(in: "main").isEmpty)
        let state = try fixture.state("acme")
        #expect(state.watchedSince == (try Self.date("2026-03-15T12:00:00Z")))
        #expect(state.lastRun == nil)
        #expect(fixture.logLines.contains { $0 == "info schedule.waiting next=2026-04-01T02:00:00Z schedule=acme" })
    }

    @Test func aRunLeftRunningByADeadDaemonIsMarkedInterruptedAndCaughtUp() async throws {
        let fixture = try DaemonFixture(now: "2026-03-01T09:00:00Z")
        var state = ScheduleState(schedule: "acme")
        state.watchedSince = try Self.date("2026-01-10T00:00:00Z")
        state.lastFinishedSlot = try Self.date("2026-02-01T02:00:00Z")
        state.lastRun = RunRecord(
            scheduledFor: try Self.date("2026-03-01T02:00:00Z"), trigger: .schedule,
            started: try Self.date("2026-03-01T02:00:00Z"))
        try fixture.store.save(state)

        try await fixture.run(fixture.daemon([try fixture.schedule("acme")])) {
            try await fixture.clock.waitUntilSleeping(1)
        }
        #expect(
            fixture.logLines.contains {
                $0.hasPrefix("warning run.interrupted ") && $0.contains(" scheduled=2026-03-01T02:00:00Z")
            })
        #expect(try fixture.labels(in: "main") == ["2026-03"])
        #expect(try fixture.state("acme").lastRun?.outcome == .succeeded)
    }

    @Test func runsOnOneVaultNeverOverlapWhileRunsOnAnotherVaultDo() async throws {
        let fixture = try DaemonFixture(now: "2026-03-15T12:00:00Z")
        let events = JobEvents(vaults: ["acme-sales": "shared", "acme-service": "shared", "globex": "other"])
        for name in events.vaults.keys {
            try fixture.saveState(name, since: "2026-01-01T00:00:00Z", lastFinished: "2026-02-01T02:00:00Z")
        }
        let daemon = fixture.daemon([
            try fixture.schedule(
                "acme-sales", vault: "shared", pause: .milliseconds(40), events: events, waitsForAnotherVault: true),
            try fixture.schedule(
                "acme-service", vault: "shared", pause: .milliseconds(40), events: events, waitsForAnotherVault: true),
            try fixture.schedule(
                "globex", vault: "other", pause: .milliseconds(40), events: events, waitsForAnotherVault: true),
        ])
        try await fixture.run(daemon) {
            try await fixture.clock.waitUntilSleeping(3)
        }
        // Both runs on the shared vault succeeded (overlapping, the second would have hit the vault's lock, exit 4).
        #expect(events.mostRunningAtOnce(onVault: "shared") == 1)
        #expect(events.mostRunningAtOnce == 2)
        for name in events.vaults.keys {
            #expect(try fixture.state(name).lastRun?.outcome == .succeeded, "\(name)")
        }
        #expect(try fixture.labels(in: "shared") == ["2026-03", "2026-03"])
        #expect(
            try fixture.vaults["shared"]!.vault.reopened().snapshots().map(\.origin).sorted() == [
                "acme-sales", "acme-service",
            ])
        #expect(try fixture.labels(in: "other") == ["2026-03"])
    }

    @Test func shutdownDuringARunCancelsItLeavingNoSnapshotAndAVaultThatVerifiesThenItIsCaughtUp() async throws {
        let fixture = try DaemonFixture(now: "2026-03-15T12:00:00Z")
        try fixture.saveState("acme", since: "2026-01-01T00:00:00Z", lastFinished: "2026-02-01T02:00:00Z")
        let events = JobEvents(vaults: ["acme": "main"])
        let slow = try fixture.schedule("acme", pause: .seconds(5), events: events)

        try await fixture.run(fixture.daemon([slow])) {
            try await Poll.until("the pull to be under way") { events.runningSources == ["acme"] }
        }
        // SIGTERM arrived while the export was still being fetched: the run stopped, and nothing reached the vault.
        #expect(events.runningSources.isEmpty)
        let vault = try fixture.vaults["main"]!.vault.reopened()
        #expect(try vault.snapshots().isEmpty)
        let report = try vault.verify()
        #expect(report.isIntact, "\(report.problems.map(\.message))")
        #expect(report.leftovers.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.directory.path("staging").path).isEmpty)
        let cancelled = try #require(try fixture.state("acme").lastRun)
        #expect(cancelled.outcome == .cancelled)
        #expect(cancelled.finished != nil)
        #expect(try fixture.state("acme").lastFinishedSlot == (try Self.date("2026-02-01T02:00:00Z")))
        #expect(fixture.logLines.contains { $0.hasPrefix("notice run.cancelled ") })

        // The next start catches the cancelled run up.
        try await fixture.run(fixture.daemon([try fixture.schedule("acme")])) {
            try await fixture.clock.waitUntilSleeping(1)
        }
        #expect(try fixture.labels(in: "main") == ["2026-03"])
        #expect(try fixture.state("acme").lastRun?.trigger == .catchUp)
        #expect(try fixture.vaults["main"]!.vault.reopened().verify().isIntact)
    }

    @Test func aFailedRunIsRecordedWithItsErrorAndNotCaughtUpAgain() async throws {
        let fixture = try DaemonFixture(now: "2026-03-15T12:00:00Z")
        try fixture.saveState("acme", since: "2026-01-01T00:00:00Z", lastFinished: "2026-02-01T02:00:00Z")
        var failing = try fixture.schedule("acme")
        failing.job = FailingJob(
            error: VaultError(
                .mediumMissing, "Neither the vault /media/x/crm nor its parent exists.", remedy: "Mount it."))
        try await fixture.run(fixture.daemon([failing])) {
            try await fixture.clock.waitUntilSleeping(1)
        }
        let state = try fixture.state("acme")
        #expect(state.lastRun?.outcome == .failed)
        #expect(state.lastRun?.errorCode == "mediumMissing")
        #expect(state.lastRun?.error == "Neither the vault /media/x/crm nor its parent exists.\nMount it.")
        #expect(state.lastFinishedSlot == (try Self.date("2026-03-01T02:00:00Z")))
        #expect(
            fixture.logLines.contains { $0.hasPrefix("error run.failed code=mediumMissing error=\"Neither the vault") })
    }
}

/// A job that fails as a pull does when the medium is missing.
struct FailingJob: PullJob {
    var error: VaultError

    func run(scheduledFor: Date, logger: Logger) async throws -> PullJobResult { throw error }
}
