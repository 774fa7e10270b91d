import Foundation
import Schedule
import Testing
import VaultCore

/// Which run the daemon owes a schedule at start, with a fixed clock.
struct CatchUpTests {
    static let now = "2026-05-20T08:00:00Z"

    static func missed(
        every: String = "0 2 1 * *", since: String?, lastFinished: String?, now: String = now, zone: TimeZone = .utc
    ) throws -> String? {
        let entry = ScheduleEntry(
            name: "acme", every: try CronExpression(every), timeZone: zone, vault: URL(fileURLWithPath: "/vault"),
            definitionFile: URL(fileURLWithPath: "/Schedules/acme.toml"))
        var state = ScheduleState(schedule: "acme")
        state.watchedSince = since.flatMap(Timestamp.parse)
        state.lastFinishedSlot = lastFinished.flatMap(Timestamp.parse)
        return CatchUp.missedRun(of: entry, state: state, now: try #require(Timestamp.parse(now))).map(Timestamp.format)
    }

    @Test func aScheduleNeverWatchedOwesNothing() throws {
        #expect(try Self.missed(since: nil, lastFinished: nil) == nil)
    }

    @Test func aRunDueBeforeTheDaemonFirstSawTheScheduleWasNotMissed() throws {
        #expect(try Self.missed(since: "2026-05-10T00:00:00Z", lastFinished: nil) == nil)
        #expect(try Self.missed(since: "2026-04-10T00:00:00Z", lastFinished: nil) == "2026-05-01T02:00:00Z")
    }

    @Test func onlyTheLatestOfSeveralMissedRunsIsOwed() throws {
        #expect(
            try Self.missed(since: "2025-06-01T00:00:00Z", lastFinished: "2026-01-01T02:00:00Z")
                == "2026-05-01T02:00:00Z")
    }

    @Test func aFinishedRunForTheLatestDueTimeSettlesIt() throws {
        #expect(try Self.missed(since: "2025-06-01T00:00:00Z", lastFinished: "2026-05-01T02:00:00Z") == nil)
    }

    @Test func theDueTimeItselfCountsAsDue() throws {
        #expect(
            try Self.missed(
                since: "2026-04-01T00:00:00Z", lastFinished: "2026-04-01T02:00:00Z", now: "2026-05-01T02:00:00Z")
                == "2026-05-01T02:00:00Z")
        #expect(
            try Self.missed(
                since: "2026-04-01T00:00:00Z", lastFinished: "2026-04-01T02:00:00Z", now: "2026-05-01T01:59:59Z")
                == nil)
    }

    @Test func dueTimesFollowTheSchedulesZone() throws {
        // 02:00 in Berlin on 1 May is 00:00 UTC: due at 01:00 UTC.
        let berlin = TimeZone(identifier: "Europe/Berlin")!
        #expect(
            try Self.missed(since: "2026-04-20T00:00:00Z", lastFinished: nil, now: "2026-05-01T01:00:00Z", zone: berlin)
                == "2026-05-01T00:00:00Z")
        #expect(try Self.missed(since: "2026-04-20T00:00:00Z", lastFinished: nil, now: "2026-05-01T01:00:00Z") == nil)
    }
}
