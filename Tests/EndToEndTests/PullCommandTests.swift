import Foundation
import Testing
import VaultTesting
import VendorSimulator

#if canImport(Glibc)
    import Glibc
#endif

/// `crmvault pull` as cron runs it: no terminal, so quiet on success; exit codes from the contract; no secret in any
/// output or in the arguments of any process it starts.
@Suite(.serialized) struct PullCommandTests {
    static let secret = "e2e-client-secret-Zq81-never-printed"
    static let canary = "E2E-TOKEN-CANARY-"

    struct Setup {
        let vendor: VendorSimulator
        let directory: TemporaryDirectory
        let runner: CommandRunner
        let secretFile: URL

        func write(schedule name: String, objects: String = "[\"Account\"]") throws {
            let text = """
                every = "0 2 1 * *"
                vault = "\(directory.path("vault").path)"
                writer_key = "\(directory.path("writer.key").path)"
                work_dir = "\(directory.path("work").path)"
                [source]
                vendor = "salesforce"
                instance_url = "\(vendor.baseURL.absoluteString)"
                client_id = "\(vendor.clientID)"
                client_secret_file = "\(secretFile.path)"
                ca_file = "\(vendor.caCertificateFile.path)"
                objects = \(objects)
                retries = 1

                """
            try directory.write("\(name).toml", Data(text.utf8), under: "Schedules")
        }
    }

    static func setUp() async throws -> Setup {
        var options = VendorSimulator.Options()
        options.scale = 2
        options.clientSecret = secret
        options.tokenPrefix = canary
        options.jobPollsUntilComplete = 0
        let vendor = try await VendorSimulator.start(options)
        let directory = try TemporaryDirectory("crmvault-e2e-pull")
        var runner = CommandRunner(environment: ["CRMVAULT_PASSPHRASE": CommandLineTests.passphrase])
        runner.currentDirectory = directory.url
        let vault = directory.path("vault").path
        #expect(try await runner.run(["init", "--vault", vault, "--kdf", "insecure-test-only"]).status == 0)
        #expect(
            try await runner.run(["key", "writer", "--vault", vault, "--out", directory.path("writer.key").path]).status
                == 0)
        let secretFile = try directory.write("acme.secret", Data("\(secret)\n".utf8))
        chmod(secretFile.path, 0o600)
        return Setup(
            vendor: vendor, directory: directory,
            runner: CommandRunner(
                environment: ["CRMVAULT_STATE_DIR": directory.path("state").path], currentDirectory: directory.url),
            secretFile: secretFile)
    }

    @Test func aScheduledPullIsQuietSucceedsAndLeaksNothing() async throws {
        let setup = try await Self.setUp()
        defer { Task { await setup.vendor.stop() } }
        try setup.write(schedule: "acme-prod")
        let process = try setup.runner.start(["pull", "--schedule", "acme-prod"])
        let arguments =
            (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/cmdline", encoding: .utf8)) ?? ""
        let quiet = try await BlockingWork.run { CommandRunner.output(of: process) }
        #expect(quiet.status == 0, "\(quiet.stderr)")
        #expect(quiet.all.isEmpty, "a successful pull without a terminal must print nothing")
        #expect(!arguments.contains(Self.secret))

        let json = try await setup.runner.run(["pull", "--schedule", "acme-prod", "--json"])
        #expect(json.status == 0, "\(json.all)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["schedule"] as? String == "acme-prod")
        #expect((object["exports"] as? [[String: Any]])?.count == 1)
        let listing = try await setup.runner.run(["snapshots", "--vault", setup.directory.path("vault").path])
        #expect(listing.stdout.contains("acme-prod"))
        // The pull was recorded where the daemon keeps its runs, so `status` shows pulls started by cron.
        let status = try await setup.runner.run(["status", "--json"])
        #expect(status.status == 0, "\(status.all)")
        let schedules = try #require(
            (try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])?["schedules"]
                as? [[String: Any]])
        let lastRun = try #require(schedules.first?["lastRun"] as? [String: Any])
        #expect(lastRun["outcome"] as? String == "succeeded")
        #expect(lastRun["trigger"] as? String == "pull-command")
        #expect(lastRun["scheduledFor"] as? String == Self.latestFirstOfTheMonth())
        let pulled = (object["exports"] as? [[String: Any]])?.first?["snapshot"] as? String
        #expect((lastRun["snapshots"] as? [String])?.first == pulled)
        for text in [json.all, listing.all, status.all] {
            #expect(!text.contains(Self.secret) && !text.contains(Self.canary))
        }
        // Nothing written (vault, signed audit log, work directory, local audit log) holds either.
        var files = [URL(fileURLWithPath: CommandRunner.auditLog)]
        let enumerator = FileManager.default.enumerator(at: setup.directory.url, includingPropertiesForKeys: nil)
        while let url = enumerator?.nextObject() as? URL {
            if url.path != setup.secretFile.path { files.append(url) }
        }
        #expect(files.count > 10, "the scan found too few files to mean anything")
        for file in files {
            guard let bytes = try? Data(contentsOf: file) else { continue }
            #expect(bytes.range(of: Data(Self.secret.utf8)) == nil, "the secret is in \(file.path)")
            #expect(bytes.range(of: Data(Self.canary.utf8)) == nil, "a token is in \(file.path)")
        }
    }

    @Test func aVendorFailureExitsThreeAndAWorldReadableSecretExitsTwo() async throws {
        let setup = try await Self.setUp()
        defer { Task { await setup.vendor.stop() } }
        try setup.write(schedule: "acme-prod", objects: "[\"NoSuchObject\"]")
        let failed = try await setup.runner.run(["pull", "--schedule", "acme-prod"])
        #expect(failed.status == 3, "\(failed.all)")
        #expect(failed.stderr.contains("NoSuchObject"))
        #expect(!failed.all.contains(Self.secret) && !failed.all.contains(Self.canary))

        chmod(setup.secretFile.path, 0o644)
        let insecure = try await setup.runner.run(["pull", "--schedule", "acme-prod"])
        #expect(insecure.status == 2, "\(insecure.all)")
        #expect(insecure.stderr.contains("chmod 600"))

        // Both failed runs were recorded; status shows the last one with its error.
        let status = try await setup.runner.run(["status"])
        #expect(status.stdout.contains("failed"), "\(status.all)")
        #expect(status.stdout.contains("acme-prod: last run failed:") && status.stdout.contains("chmod 600"))

        let missing = try await setup.runner.run(["pull", "--schedule", "nope"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no schedule nope"))
    }

    /// 02:00 UTC on the 1st of this month (or of the last, before that time): the slot `every = "0 2 1 * *"` was last
    /// due.
    static func latestFirstOfTheMonth(now: Date = Date()) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var slot = calendar.date(from: calendar.dateComponents([.year, .month], from: now))!.addingTimeInterval(7200)
        if slot > now { slot = calendar.date(byAdding: .month, value: -1, to: slot)! }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = calendar.timeZone
        return formatter.string(from: slot)
    }
}
