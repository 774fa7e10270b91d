import Foundation
import Schedule
import Testing
import VaultCore
import VaultTesting

/// `Schedules/` read for the scheduler, and what `crmvault status` reports from it and the state directory.
struct ScheduleStatusTests {
    static func definition(every: String, vault: String = "/media/offsite-a/crm", timezone: String? = nil) -> String {
        """
        every = "\(every)"\(timezone.map { "\ntimezone = \"\($0)\"" } ?? "")
        vault = "\(vault)"
        writer_key = "/etc/crmvault/writer.key"
        [source]
        vendor = "directory"
        path = "/srv/sftp/acme"

        """
    }

    @Test func theSampleSchedulesLoadWithTheirTimes() throws {
        let directory = try TemporaryDirectory()
        let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Schedules")
        for sample in try FileManager.default.contentsOfDirectory(atPath: samples.path)
        where sample.hasSuffix(".toml.sample") {
            let name = String(sample.dropLast(".toml.sample".count))
            try directory.write(
                "\(name).toml", try Data(contentsOf: samples.appendingPathComponent(sample)), under: "Schedules")
        }
        try directory.write("offsite-a.toml", Data("path = \"/media/offsite-a/crm\"\n".utf8), under: "Vaults")
        let loaded = try ScheduleCatalog(directory: directory.path("Schedules")).valid()
        #expect(loaded.map(\.entry.name) == ["dataverse-prod", "salesforce-export", "salesforce-prod", "sftp-drop"])
        #expect(loaded.map(\.entry.every.fields) == ["30 2 1 * *", "0 6 2 * *", "0 2 1 * *", "0 * * * *"])
        #expect(loaded.allSatisfy { $0.entry.vault.path == "/media/offsite-a/crm" })
        #expect(loaded.map(\.entry.timeZone.name) == ["Europe/Berlin", "UTC", "UTC", "UTC"])

        // The cron lines and timers an admin would install for them.
        let entries = loaded.map(\.entry)
        let crontab = try CrontabRenderer(executable: "/usr/local/bin/crmvault", hostTimeZone: .utc)
            .render(entries, schedulesDirectory: directory.path("Schedules"))
        for (name, fields) in zip(entries.map(\.name), ["30 2 1 * *", "0 6 2 * *", "0 2 1 * *", "0 * * * *"]) {
            let config = directory.path("Schedules", "\(name).toml").path
            #expect(crontab.contains("\n\(fields) '/usr/local/bin/crmvault' pull --config '\(config)' || logger -s -t crmvault"))
        }
        #expect(crontab.contains("# The vault is shared with salesforce-export, salesforce-prod, sftp-drop:"))
        let timers = try SystemdUnitRenderer(executable: "/usr/local/bin/crmvault").timerUnits(for: entries)
            .filter { $0.name.hasSuffix(".timer") }.map(\.contents)
        let calendars = [
            "*-*-01 02:30:00 Europe/Berlin", "*-*-02 06:00:00 UTC", "*-*-01 02:00:00 UTC", "*-*-* *:00:00 UTC",
        ]
        for (timer, calendar) in zip(timers, calendars) {
            #expect(timer.contains("\nOnCalendar=\(calendar)\nPersistent=true\n"), "\(timer)")
        }
    }

    @Test func aWrongScheduleIsNamedWithItsFileAndFieldAndTheOthersStillShow() throws {
        let directory = try TemporaryDirectory()
        try directory.write("acme.toml", Data(Self.definition(every: "0 2 1 * *").utf8), under: "Schedules")
        try directory.write("globex.toml", Data(Self.definition(every: "0 2 31 feb *").utf8), under: "Schedules")
        try directory.write("runs.toml", Data(Self.definition(every: "@daily").utf8), under: "Schedules")
        let catalog = try ScheduleCatalog(directory: directory.path("Schedules"))
        let error = #expect(throws: VaultError.self) { try catalog.valid() }
        #expect(error?.code == .usage)
        #expect(
            error?.fullMessage.contains(
                "globex: \(directory.path("Schedules", "globex.toml").path): `every` is wrong: the day-of-month field `31`"
            ) == true)
        // Pulls stage under <work_dir>/staging/, so no schedule name can collide with the state's `runs/`.
        #expect(error?.message.contains("runs: ") == false)
        #expect(error?.message.contains("acme") == false)

        let store = RunStateStore(directory: directory.path("state"))
        try store.prepare()
        let status = ScheduleStatus(
            schedules: catalog.entries, store: store, now: try #require(Timestamp.parse("2026-03-15T12:00:00Z")))
        #expect(status.schedules.map(\.name) == ["acme", "globex", "runs"])
        #expect(status.schedules[0].problem == nil)
        #expect(status.schedules[0].nextRun == Timestamp.parse("2026-04-01T02:00:00Z"))
        #expect(status.schedules[1].problem?.contains("never run") == true)
        #expect(status.schedules[1].nextRun == nil)
        #expect(status.daemon == nil)
    }

    /// `timezone` is what the daemon, status, the crontab and the timers read `every` in.
    @Test func aSchedulesTimezoneRulesStatusCronAndTimers() throws {
        let directory = try TemporaryDirectory()
        try directory.write(
            "acme.toml", Data(Self.definition(every: "0 2 1 * *", timezone: "America/New_York").utf8),
            under: "Schedules")
        let catalog = try ScheduleCatalog(directory: directory.path("Schedules"))
        let entry = try #require(try catalog.valid().first?.entry)
        #expect(entry.timeZone.name == "America/New_York")

        let store = RunStateStore(directory: directory.path("state"))
        let status = ScheduleStatus(
            schedules: catalog.entries, store: store, now: try #require(Timestamp.parse("2026-03-15T12:00:00Z")))
        #expect(status.schedules[0].timeZone == "America/New_York")
        // 02:00 in New York on 1 April (daylight saving time, UTC-4).
        #expect(status.schedules[0].nextRun == Timestamp.parse("2026-04-01T06:00:00Z"))

        let crontab = try CrontabRenderer(executable: "/usr/local/bin/crmvault", hostTimeZone: .utc)
            .render([entry], schedulesDirectory: directory.path("Schedules"))
        #expect(crontab.contains("\nCRON_TZ=America/New_York\n0 2 1 * * '/usr/local/bin/crmvault' pull"), "\(crontab)")
        let timer = try #require(
            try SystemdUnitRenderer(executable: "/usr/local/bin/crmvault").timerUnits(for: [entry])
                .first { $0.name.hasSuffix(".timer") })
        #expect(timer.contents.contains("\nOnCalendar=*-*-01 02:00:00 America/New_York\n"), "\(timer.contents)")
    }

    @Test func statusShowsTheLastRunAndWhetherADaemonRuns() throws {
        let directory = try TemporaryDirectory()
        try directory.write("acme.toml", Data(Self.definition(every: "0 2 1 * *").utf8), under: "Schedules")
        let store = RunStateStore(directory: directory.path("state"))
        try store.prepare()
        var state = ScheduleState(schedule: "acme")
        var run = RunRecord(
            scheduledFor: try #require(Timestamp.parse("2026-03-01T02:00:00Z")), trigger: .schedule,
            started: try #require(Timestamp.parse("2026-03-01T02:00:01Z")))
        run.outcome = .failed
        run.error = "The vendor refused the token."
        run.errorCode = "vendorFailed"
        state.lastRun = run
        try store.save(state)
        let lock = try DaemonLock.acquire(in: store, schedulesDirectory: directory.path("Schedules"))

        let catalog = try ScheduleCatalog(directory: directory.path("Schedules"))
        let status = ScheduleStatus(
            schedules: catalog.entries, store: store, now: try #require(Timestamp.parse("2026-03-15T12:00:00Z")))
        #expect(status.daemon?.contains("schedules \(directory.path("Schedules").path)") == true)
        #expect(status.schedules[0].lastRun == run)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(try status.json().utf8)) as? [String: Any])
        let schedule = try #require((json["schedules"] as? [[String: Any]])?.first)
        let lastRun = try #require(schedule["lastRun"] as? [String: Any])
        #expect(lastRun["outcome"] as? String == "failed")
        #expect(lastRun["scheduledFor"] as? String == "2026-03-01T02:00:00Z")
        #expect(schedule["nextRun"] as? String == "2026-04-01T02:00:00Z")
        withExtendedLifetime(lock) {}
    }

    @Test func anEmptyOrMissingSchedulesDirectoryIsAUsageError() throws {
        let directory = try TemporaryDirectory()
        let missing = #expect(throws: VaultError.self) { try ScheduleCatalog(directory: directory.path("nope")) }
        #expect(missing?.code == .usage)
        try FileManager.default.createDirectory(at: directory.path("Schedules"), withIntermediateDirectories: true)
        let empty = #expect(throws: VaultError.self) { try ScheduleCatalog(directory: directory.path("Schedules")) }
        #expect(empty?.message.contains("There is no schedule in") == true)
    }
}
