import Foundation
import Testing
import VaultTesting
import VendorSimulator

#if canImport(Glibc)
import Glibc
#endif

/// `crmvault daemon`, `status` and `schedule` as an admin runs them, against the simulated Salesforce over HTTPS.
@Suite(.serialized) struct DaemonCommandTests {
    static let secret = "e2e-daemon-client-secret-Wm3-never-printed"

    struct Setup {
        let vendor: VendorSimulator
        let directory: TemporaryDirectory
        let runner: CommandRunner
        var vault: String { directory.path("vault").path }
    }

    /// A vault with a writer key, a schedule `acme` on the simulator, and a state that owes it the latest monthly run.
    static func setUp() async throws -> Setup {
        var options = VendorSimulator.Options()
        options.scale = 2
        options.clientSecret = secret
        options.jobPollsUntilComplete = 1
        let vendor = try await VendorSimulator.start(options)
        let directory = try TemporaryDirectory("crmvault-e2e-daemon")
        let runner = CommandRunner(
            environment: [
                "CRMVAULT_PASSPHRASE": CommandLineTests.passphrase, "CRMVAULT_STATE_DIR": directory.path("state").path,
            ],
            currentDirectory: directory.url)
        let vault = directory.path("vault").path
        #expect(try await runner.run(["init", "--vault", vault, "--kdf", "insecure-test-only"]).status == 0)
        #expect(
            try await runner.run(["key", "writer", "--vault", vault, "--out", directory.path("writer.key").path])
                .status == 0)
        let secretFile = try directory.write("acme.secret", Data("\(secret)\n".utf8))
        chmod(secretFile.path, 0o600)
        let definition = ScheduleDefinitionText(
            vault: directory.path("vault"), writerKey: directory.path("writer.key"),
            workDirectory: directory.path("work"),
            instanceURL: vendor.baseURL, clientID: vendor.clientID, clientSecretFile: secretFile,
            caFile: vendor.caCertificateFile)
        try directory.write("acme.toml", Data(definition.text.utf8), under: "Schedules")
        // The daemon has watched `acme` since 2020 and never finished a run: the latest 1st of the month is owed.
        try FileManager.default.createDirectory(
            at: directory.path("state", "runs"), withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        chmod(directory.path("state").path, 0o700)
        try directory.write(
            "state/runs/acme.json", Data(#"{"schedule": "acme", "watchedSince": "2020-01-01T00:00:00Z"}"#.utf8))
        return Setup(vendor: vendor, directory: directory, runner: runner)
    }

    /// Standard error of a running process, read as it comes.
    final class StreamedOutput: @unchecked Sendable {
        private let lock = NSLock()
        private var text = ""
        private let thread: Thread

        init(_ pipe: Pipe) {
            let handle = pipe.fileHandleForReading
            let box = Box()
            thread = Thread {
                while true {
                    let data = handle.availableData
                    if data.isEmpty { break }
                    box.output?.append(String(decoding: data, as: UTF8.self))
                }
            }
            box.output = self
            thread.start()
        }

        final class Box: @unchecked Sendable { weak var output: StreamedOutput? }

        func append(_ more: String) { lock.withLock { text += more } }
        var current: String { lock.withLock { text } }
    }

    static func status(_ setup: Setup) async throws -> [String: Any] {
        let output = try await setup.runner.run(["status", "--json"])
        #expect(output.status == 0, "\(output.all)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        return try #require((json["schedules"] as? [[String: Any]])?.first?["lastRun"] as? [String: Any])
    }

    @Test func sigtermDuringAPullLeavesNoSnapshotAndTheNextStartCatchesItUp() async throws {
        try await Self.withSetUp { setup in
            // Result pages trickle out, 16 bytes a second: once one is being sent, the pull is stuck mid-download.
            setup.vendor.faults.slowBodies = [.init(.queryResults, pause: .seconds(1), chunkBytes: 16)]

            let daemon = try setup.runner.start(["daemon", "--schedules", setup.directory.path("Schedules").path])
            let log = StreamedOutput(daemon.standardError as! Pipe)
            try await Self.waitFor("the pull to download results", daemon: daemon, log: log) {
                setup.vendor.servedRequests.contains { $0.endpoint == .queryResults }
            }
            let arguments =
                (try? String(contentsOfFile: "/proc/\(daemon.processIdentifier)/cmdline", encoding: .utf8)) ?? ""
            daemon.terminate()
            try await CommandRunner.waitForExit(daemon)
            try await Task.sleep(for: .milliseconds(50))
            #expect(daemon.terminationStatus == 0, "\(log.current)")
            #expect(log.current.contains("notice run.catch-up "))
            #expect(log.current.contains("notice run.cancelled "))
            #expect(log.current.contains("notice daemon.stopped"))
            #expect(!log.current.contains(Self.secret) && !arguments.contains(Self.secret))

            let listing = try await setup.runner.run(["snapshots", "--vault", setup.vault, "--json"])
            #expect(listing.stdout.contains("\"snapshots\": []"), "\(listing.all)")
            let verify = try await setup.runner.run(["verify", "--vault", setup.vault])
            #expect(verify.status == 0, "\(verify.all)")
            #expect(try await Self.status(setup)["outcome"] as? String == "cancelled")

            // Restarted with the vendor fast again, the daemon catches the cancelled run up, then waits for the next month.
            setup.vendor.faults = .none
            let again = try setup.runner.start(["daemon", "--schedules", setup.directory.path("Schedules").path])
            let log2 = StreamedOutput(again.standardError as! Pipe)
            try await Self.waitFor("the caught-up run to finish", daemon: again, log: log2) {
                log2.current.contains("schedule.waiting")
            }
            again.terminate()
            try await CommandRunner.waitForExit(again)
            #expect(again.terminationStatus == 0, "\(log2.current)")
            let lastRun = try await Self.status(setup)
            #expect(lastRun["outcome"] as? String == "succeeded", "\(log2.current)")
            #expect(lastRun["trigger"] as? String == "catch-up")
            let snapshots = try await setup.runner.run(["snapshots", "--vault", setup.vault, "--json"])
            #expect(snapshots.stdout.contains("\"acme\""))
            #expect((lastRun["snapshots"] as? [String])?.count == 1)
            #expect(try await setup.runner.run(["verify", "--vault", setup.vault]).status == 0)
        }
    }

    @Test func aWrongScheduleKeepsTheDaemonFromStartingAndASecondDaemonIsRefused() async throws {
        try await Self.withSetUp { setup in
            try setup.directory.write(
                "broken.toml",
                Data("every = \"0 2 1 *\"\nvault = \"/x\"\n[source]\nvendor = \"directory\"\npath = \"/y\"\n".utf8),
                under: "Schedules")
            let refused = try await setup.runner.run(["daemon", "--schedules", setup.directory.path("Schedules").path])
            #expect(refused.status == 2)
            #expect(
                refused.stderr.contains(
                    "broken.toml: `every` is wrong: `0 2 1 *` is not a cron expression: it has 4 fields"))
            let status = try await setup.runner.run(["status"])
            #expect(status.status == 2)
            #expect(status.stdout.contains("broken: "))
            try FileManager.default.removeItem(at: setup.directory.path("Schedules", "broken.toml"))

            let first = try setup.runner.start(["daemon", "--schedules", setup.directory.path("Schedules").path])
            let log = StreamedOutput(first.standardError as! Pipe)
            try await Self.waitFor("the daemon to start", daemon: first, log: log) {
                log.current.contains("daemon.started")
            }
            let second = try await setup.runner.run(["daemon", "--schedules", setup.directory.path("Schedules").path])
            #expect(second.status == 4, "\(second.all)")
            #expect(second.stderr.contains("Another crmvault daemon is running"))
            #expect(
                try await setup.runner.run(["status"]).stdout.hasPrefix(
                    "daemon: running (pid \(first.processIdentifier)"))
            first.terminate()
            try await CommandRunner.waitForExit(first)
            #expect(first.terminationStatus == 0, "\(log.current)")
        }
    }

    @Test func cronLinesAndUnitsAreMadeForTheSchedules() async throws {
        try await Self.withSetUp { setup in
            let crontab = try await setup.runner.run(["schedule", "crontab", "--crmvault", "/usr/local/bin/crmvault"])
            #expect(crontab.status == 0, "\(crontab.all)")
            let config = setup.directory.path("Schedules", "acme.toml").path
            #expect(
                crontab.stdout.contains("\n0 2 1 * * '/usr/local/bin/crmvault' pull --config '\(config)' || logger "))
            let units = try await setup.runner.run(
                ["schedule", "systemd", "--output", setup.directory.path("units").path])
            #expect(units.status == 0, "\(units.all)")
            #expect(units.stdout.contains("systemctl enable --now crmvault-pull-acme.timer"))
            let timer = try String(
                contentsOf: setup.directory.path("units", "crmvault-pull-acme.timer"), encoding: .utf8)
            #expect(timer.contains("\nOnCalendar=*-*-01 02:00:00 UTC\nPersistent=true\n"))
        }
    }

    /// Runs `body` with a fresh setup, then stops the simulator, whether `body` failed or not.
    static func withSetUp(_ body: (Setup) async throws -> Void) async throws {
        let setup = try await setUp()
        do {
            try await body(setup)
        } catch {
            await setup.vendor.stop()
            throw error
        }
        await setup.vendor.stop()
    }

    /// Waits (up to 5 minutes: a full parallel test run can starve this one) for `condition`, failing early if the
    /// daemon exits.
    static func waitFor(_ what: String, daemon: Process, log: StreamedOutput, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(300)
        while !condition() {
            guard daemon.isRunning else {
                Issue.record("the daemon exited (\(daemon.terminationStatus)) before \(what): \(log.current)")
                throw CancellationError()
            }
            guard ContinuousClock.now < deadline else {
                daemon.terminate()
                Issue.record("timed out waiting for \(what): \(log.current)")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
