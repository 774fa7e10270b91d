import Foundation
import Schedule
import Testing
import VaultCore
import VaultTesting

/// `crmvault schedule crontab` and `crmvault schedule systemd` output.
struct SystemSchedulerTests {
    static let berlin = TimeZone(identifier: "Europe/Berlin")!

    static func entry(
        _ name: String, _ every: String, zone: TimeZone = .utc, vault: String = "/media/offsite-a/crm",
        writerKey: String? = "/etc/crmvault/writer.key", work: [String] = ["/var/lib/crmvault/work"]
    ) throws -> ScheduleEntry {
        ScheduleEntry(
            name: name, every: try CronExpression(every), timeZone: zone, vault: URL(fileURLWithPath: vault),
            definitionFile: URL(fileURLWithPath: "/etc/crmvault/Schedules/\(name).toml"),
            writerKey: writerKey.map(URL.init(fileURLWithPath:)), workDirectories: work.map(URL.init(fileURLWithPath:)))
    }

    @Test(arguments: [
        ("0 2 1 * *", ["*-*-01 02:00:00 UTC"]),
        ("@monthly", ["*-*-01 00:00:00 UTC"]),
        ("*/15 9-17 * * mon-fri", ["Mon..Fri *-*-* 09..17:00,15,30,45:00 UTC"]),
        ("0 2 1 * mon", ["*-*-01 02:00:00 UTC", "Mon *-*-* 02:00:00 UTC"]),
        ("0 2 */2 * sat,sun", ["Sun,Sat *-*-01,03,05,07,09,11,13,15,17,19,21,23,25,27,29,31 02:00:00 UTC"]),
        ("30 4 29 2 *", ["*-02-29 04:30:00 UTC"]),
        ("0 0 * jan,jul 7", ["Sun *-01,07-* 00:00:00 UTC"]),
    ])
    func cronTranslatesToOnCalendar(cron: String, expected: [String]) throws {
        #expect(SystemdCalendar.onCalendar(try CronExpression(cron), timeZone: .utc) == expected)
    }

    @Test func onCalendarCarriesTheSchedulesZone() throws {
        #expect(
            SystemdCalendar.onCalendar(try CronExpression("0 2 1 * *"), timeZone: Self.berlin) == [
                "*-*-01 02:00:00 Europe/Berlin"
            ])
    }

    /// systemd's own parser agrees with the translation, run by run (where systemd-analyze is installed).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze")))
    func systemdComputesTheSameRunsAsTheDaemon() throws {
        for cron in [
            "0 2 1 * *", "*/15 9-17 * * mon-fri", "0 2 1 * mon", "0 2 */2 * sat,sun", "30 4 29 2 *", "5 4 * * 0",
        ] {
            let expression = try CronExpression(cron)
            var expected: [String] = []
            var time = try #require(Timestamp.parse("2026-03-01T00:00:30Z"))
            for _ in 0..<6 {
                time = try #require(expression.nextRun(after: time))
                expected.append(Timestamp.format(time))
            }
            var systemd: [String] = []
            for calendar in SystemdCalendar.onCalendar(expression, timeZone: .utc) {
                systemd += try Self.systemdRuns(calendar, count: 6)
            }
            #expect(Array(Set(systemd).sorted().prefix(6)) == expected, "\(cron)")
        }
    }

    static func systemdRuns(_ calendar: String, count: Int) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-analyze")
        process.arguments = ["calendar", "--iterations=\(count)", "--base-time=2026-03-01 00:00:30 UTC", calendar]
        process.environment = ["TZ": "UTC", "LC_ALL": "C"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        // Lines like "    Next elapse: Tue 2026-12-01 02:00:00 UTC" and "       Iter. #2: Fri 2027-01-01 02:00:00 UTC".
        return output.split(separator: "\n").filter { $0.contains("Next elapse:") || $0.contains("Iter. #") }.map {
            line in
            let words = line.split(separator: " ")
            return "\(words[words.count - 3])T\(words[words.count - 2])Z"
        }
    }

    @Test func crontabLinesRunThePullWithQuotedPathsEscapedPercentAndAnAlert() throws {
        let renderer = CrontabRenderer(executable: "/usr/local/bin/crmvault", hostTimeZone: .utc)
        let entries = [
            try Self.entry("salesforce-prod", "0 2 1 * *"),
            try Self.entry(
                "dataverse-prod", "30 2 1 * *", zone: Self.berlin, vault: "/srv/vaults/it's 100%", writerKey: nil),
        ]
        let text = try renderer.render(entries, schedulesDirectory: URL(fileURLWithPath: "/etc/crmvault/Schedules"))
        #expect(
            text == #"""
                # crmvault schedules from /etc/crmvault/Schedules, made by `crmvault schedule crontab`.
                # Install with `crontab -e` as the user that owns the vault and the writer key (or save as
                # /etc/cron.d/crmvault with a user name after the five time fields). A failed pull is logged to syslog
                # and printed, so cron mails it to MAILTO; a good one prints nothing.
                # MAILTO=it-alerts@example.com

                # salesforce-prod: 0 2 1 * * (UTC) into /media/offsite-a/crm
                CRON_TZ=UTC
                0 2 1 * * '/usr/local/bin/crmvault' pull --config '/etc/crmvault/Schedules/salesforce-prod.toml' || logger -s -t crmvault -p user.err "schedule salesforce-prod: crmvault pull failed with exit code $?; see crmvault status"

                # dataverse-prod: 30 2 1 * * (Europe/Berlin) into /srv/vaults/it's 100%
                # dataverse-prod has no writer_key: the pull needs the owner passphrase. Prefer a writer key
                # (`crmvault key writer`), or set CRMVAULT_PASSPHRASE_COMMAND in this crontab.
                # This host's zone is UTC: a cron without CRON_TZ support (Debian's) runs this line in it, not in Europe/Berlin.
                CRON_TZ=Europe/Berlin
                30 2 1 * * '/usr/local/bin/crmvault' pull --config '/etc/crmvault/Schedules/dataverse-prod.toml' || logger -s -t crmvault -p user.err "schedule dataverse-prod: crmvault pull failed with exit code $?; see crmvault status"

                """#)
    }

    @Test func crontabEscapesPercentAndQuotesInPaths() throws {
        let renderer = CrontabRenderer(
            executable: "/opt/it's/crmvault", hostTimeZone: .utc,
            environment: ["CRMVAULT_VAULTS": "/etc/crmvault/Vaults"])
        var entry = try Self.entry("acme", "@daily")
        entry.definitionFile = URL(fileURLWithPath: "/etc/crm 100%/acme.toml")
        let text = try renderer.render([entry], schedulesDirectory: URL(fileURLWithPath: "/etc/crm 100%"))
        #expect(text.contains("\nCRMVAULT_VAULTS=/etc/crmvault/Vaults\n"))
        #expect(text.contains(#"0 0 * * * '/opt/it'\''s/crmvault' pull --config '/etc/crm 100\%/acme.toml' || "#))
    }

    @Test func aPathWithANewlineCannotBecomeACrontabLine() throws {
        var entry = try Self.entry("acme", "@daily")
        entry.definitionFile = URL(fileURLWithPath: "/etc/x\n* * * * * rm -rf ~/acme.toml")
        let error = #expect(throws: VaultError.self) {
            try CrontabRenderer(executable: "/usr/local/bin/crmvault", hostTimeZone: .utc)
                .render([entry], schedulesDirectory: URL(fileURLWithPath: "/etc"))
        }
        #expect(error?.code == .usage)
        #expect(error?.message.contains("\\n") == true)
    }

    @Test func aTimerUnitRunsThePullOnCalendarPersistently() throws {
        let units = try SystemdUnitRenderer(executable: "/usr/local/bin/crmvault").timerUnits(for: [
            try Self.entry("salesforce-prod", "0 2 1 * mon", zone: Self.berlin)
        ])
        #expect(units.map(\.name) == ["crmvault-pull-salesforce-prod.service", "crmvault-pull-salesforce-prod.timer"])
        #expect(
            units[1].contents == """
                # Made by `crmvault schedule systemd`.
                [Unit]
                Description=crmvault schedule salesforce-prod (0 2 1 * mon, Europe/Berlin)

                [Timer]
                OnCalendar=*-*-01 02:00:00 Europe/Berlin
                OnCalendar=Mon *-*-* 02:00:00 Europe/Berlin
                Persistent=true
                AccuracySec=1min
                Unit=crmvault-pull-salesforce-prod.service

                [Install]
                WantedBy=timers.target

                """)
        let service = units[0].contents
        for line in [
            "Type=oneshot",
            "ExecStart=/usr/local/bin/crmvault pull --config /etc/crmvault/Schedules/salesforce-prod.toml",
            "RequiresMountsFor=/media/offsite-a/crm",
            "ReadWritePaths=-/media/offsite-a/crm -/var/lib/crmvault/work",
            "Environment=CRMVAULT_STATE_DIR=/var/lib/crmvault", "StateDirectory=crmvault", "StateDirectoryMode=0700",
            "ProtectSystem=strict", "ProtectHome=read-only", "NoNewPrivileges=yes", "PrivateTmp=yes",
            "PrivateDevices=yes",
            "UMask=0077", "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX", "SystemCallFilter=@system-service",
        ] {
            #expect(service.contains("\n\(line)\n"), "\(line)")
        }
        #expect(!service.contains("User="))
    }

    /// `systemd-analyze verify` reads every unit without a complaint, odd paths included.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze")))
    func systemdAcceptsTheUnits() throws {
        let directory = try TemporaryDirectory()
        let entries = [
            try Self.entry("salesforce-prod", "0 2 1 * mon", zone: Self.berlin),
            try Self.entry("globex", "@daily", vault: directory.path("offsite b", "100% crm").path, work: []),
        ]
        let renderer = SystemdUnitRenderer(
            executable: "/usr/bin/env", stateDirectory: directory.path("crm state"), user: "crmvault")
        let units =
            try renderer.timerUnits(for: entries)
            + [try renderer.daemonUnit(for: entries, schedulesDirectory: directory.path("Sche$dules"))]
        for unit in units {
            let file = try directory.write(unit.name, Data(unit.contents.utf8), under: "units")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-analyze")
            process.arguments = ["verify", "--man=no", file.path]
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = errors
            try process.run()
            let output = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(output.isEmpty, "\(unit.name): \(output)")
            #expect(process.terminationStatus == 0)
        }
    }

    @Test func schedulesSharingAVaultAreToldTheirTimesMustNotMeet() throws {
        let entries = [
            try Self.entry("a", "0 2 1 * *"), try Self.entry("b", "0 * * * *"),
            try Self.entry("c", "@daily", vault: "/other"),
        ]
        let crontab = try CrontabRenderer(executable: "/usr/local/bin/crmvault", hostTimeZone: .utc)
            .render(entries, schedulesDirectory: URL(fileURLWithPath: "/etc/crmvault/Schedules"))
        #expect(crontab.contains("# The vault is shared with b: if their times meet, one exits 4 (vault busy)."))
        #expect(crontab.contains("# The vault is shared with a: if"))
        let units = try SystemdUnitRenderer(executable: "/usr/local/bin/crmvault").timerUnits(for: entries)
        #expect(units[0].contents.contains("# The vault is shared with crmvault-pull-b: if their timers fire together"))
        #expect(!units[4].contents.contains("shared"))
    }

    @Test func theDaemonUnitCoversEveryVaultAndRunsAsTheGivenUser() throws {
        let unit = try SystemdUnitRenderer(
            executable: "/usr/local/bin/crmvault", stateDirectory: URL(fileURLWithPath: "/srv/crm state"),
            user: "crmvault"
        ).daemonUnit(
            for: [
                try Self.entry("a", "@monthly"),
                try Self.entry("b", "@monthly", vault: "/media/offsite b/100%", work: []),
            ],
            schedulesDirectory: URL(fileURLWithPath: "/etc/crmvault/Schedules"))
        #expect(unit.name == "crmvault-daemon.service")
        for line in [
            "ExecStart=/usr/local/bin/crmvault daemon --schedules /etc/crmvault/Schedules",
            "User=crmvault",
            #"Environment="CRMVAULT_STATE_DIR=/srv/crm state""#,
            #"ReadWritePaths=-/media/offsite-a/crm -/var/lib/crmvault/work -"/media/offsite b/100%%" -"/srv/crm state""#,
            "KillSignal=SIGTERM", "RestartPreventExitStatus=2 4", "WantedBy=multi-user.target",
        ] {
            #expect(unit.contents.contains("\n\(line)\n"), "\(line)")
        }
        #expect(!unit.contents.contains("StateDirectory="))
    }
}
