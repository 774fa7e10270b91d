import Foundation
import Testing
import VaultTesting

#if canImport(Glibc)
    import Glibc
#endif

/// `crmvault demo`, the README's first command: the whole loop over HTTPS from the simulated vendor, in a folder it
/// marks as its own, and the next commands it prints, each run as printed.
@Suite(.serialized) struct DemoTests {
    /// A directory laid out like the repository root for the demo: `Vaults/demo.toml` as committed.
    static func repositoryLikeDirectory() throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory("crmvault-e2e-demo")
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        _ = try directory.write(
            "demo.toml", try Data(contentsOf: repository.appendingPathComponent("Vaults/demo.toml")), under: "Vaults")
        return directory
    }

    /// The `YYYY-MM` labels of the `count` months before this one and of this one, oldest first.
    static func previousMonths(_ count: Int, now: Date = Date()) -> [String] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return (0...count).reversed().map { back in
            let date = calendar.date(byAdding: .month, value: -back, to: now)!
            let parts = calendar.dateComponents([.year, .month], from: date)
            return String(format: "%04d-%02d", parts.year!, parts.month!)
        }
    }

    @Test func theDemoRunsTheWholeLoopAndEveryNextCommandRunsAsPrinted() async throws {
        let directory = try Self.repositoryLikeDirectory()
        let runner = CommandRunner(currentDirectory: directory.url)
        let demo = try await runner.run(["demo", "--scale", "40"])
        #expect(demo.status == 0, "\(demo.all)")
        let labels = Array(Self.previousMonths(3).dropLast())
        for label in labels { #expect(demo.stdout.contains("Pulled \(label) over HTTPS"), "\(demo.stdout)") }
        for step in [
            "Simulated vendor (Salesforce Bulk API 2.0) serving at https://127.0.0.1:", "Keyless verify:",
            "The writer key cannot read back", "into the SQLite replica", "Restore drill of \(labels[2]): pass",
            "Diff \(labels[1]) → \(labels[2]):", "Done: 3 monthly exports",
        ] {
            #expect(demo.stdout.contains(step), "missing \(step)")
        }
        // The object the simulated org lists but refuses to the Bulk API is reported in the pull's line, once a month,
        // not as a log warning.
        #expect(demo.stdout.contains("left out, as Salesforce refuses them to the Bulk API: ContentDocumentLink"))
        #expect(!demo.stderr.contains("warning"), "\(demo.stderr)")

        let root = directory.path("Vaults", "demo")
        for made in [
            ".crmvault-demo", "vault/config", "writer.key", "Schedules/demo-salesforce.toml", "replica.sqlite",
        ] {
            #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent(made).path), "no \(made)")
        }
        let secret = try FileManager.default.attributesOfItem(
            atPath: root.appendingPathComponent("demo-salesforce.secret").path)
        #expect((secret[.posixPermissions] as? Int) == 0o600)
        let schedule = try String(
            contentsOf: root.appendingPathComponent("Schedules/demo-salesforce.toml"), encoding: .utf8)
        for key in [
            "ca_file = \"../vendor-ca.pem\"", "client_secret_file = \"../demo-salesforce.secret\"",
            "writer_key = \"../writer.key\"", "vault = \"../vault\"", "instance_url = \"https://127.0.0.1:",
        ] {
            #expect(schedule.contains(key), "the schedule lacks \(key)")
        }

        // The demo's vault holds the audit log a real one does: each step signed by the key it used, all verified.
        let log = try await runner.run(["log", "--vault", "demo"])
        #expect(log.status == 0, "\(log.all)")
        let operations = log.stdout.split(separator: "\n").map { $0.split(separator: "\t").dropFirst(2).first.map(String.init) ?? "" }
        #expect(operations == ["init", "key writer", "pull", "pull", "pull", "replica", "drill", "diff"], "\(log.stdout)")
        #expect(log.stdout.contains("writer demo-pull-host") && log.stdout.contains("\towner\t"), "\(log.stdout)")

        let commands = demo.stdout.split(separator: "\n").compactMap { line in
            line.hasPrefix("  $ ") ? String(line.dropFirst(4)) : nil
        }
        #expect(commands.contains("crmvault snapshots --vault demo"), "\(commands)")
        #expect(commands.contains { $0.hasPrefix("crmvault-vendor-sim ") })
        try await Self.runAsPrinted(commands, runner: runner)

        // The pull run from the printed commands is the fourth snapshot, and status shows it.
        let snapshots = try await runner.run(["snapshots", "--vault", "demo", "--json"])
        for label in labels + [Self.previousMonths(0).last!] {
            #expect(snapshots.stdout.contains("\"\(label)\""), "no \(label): \(snapshots.stdout)")
        }
        let status = try await runner.shell(
            "CRMVAULT_STATE_DIR=Vaults/demo/state \(CommandRunner.binary.path) status --schedules Vaults/demo/Schedules"
        )
        #expect(status.stdout.contains("(crmvault pull)") && status.stdout.contains("succeeded"), "\(status.all)")
    }

    /// Runs each printed command line with bash in the demo's directory, each after the `export` lines printed before
    /// it; the simulator's line is started, waited for, and stopped (SIGTERM) after the pull that follows it.
    static func runAsPrinted(_ commands: [String], runner: CommandRunner) async throws {
        var exports: [String] = []
        var simulator: (process: Process, output: DaemonCommandTests.StreamedOutput)?
        for command in commands {
            // One line each, as a user types them: a printed line may end in a `# comment`.
            let line = (exports + [command]).joined(separator: "\n")
            if command.hasPrefix("export ") {
                exports.append(command)
            } else if command.hasPrefix("crmvault-vendor-sim ") {
                let process = try runner.start(line: (exports + ["exec \(command)"]).joined(separator: "\n"))
                let output = DaemonCommandTests.StreamedOutput(process.standardOutput as! Pipe)
                simulator = (process, output)
                let deadline = ContinuousClock.now + .seconds(60)
                while !output.current.contains("https://127.0.0.1:") && process.isRunning
                    && ContinuousClock.now < deadline
                {
                    try await Task.sleep(for: .milliseconds(20))
                }
                if !process.isRunning {
                    let errors = (process.standardError as! Pipe).fileHandleForReading.readDataToEndOfFile()
                    let message = "the simulator exited (\(process.terminationStatus)): \(output.current) "
                        + String(decoding: errors, as: UTF8.self)
                    Issue.record(Comment(rawValue: message))
                }
                continue
            }
            let result = try await runner.shell(line)
            #expect(result.status == 0, "`\(command)` exited \(result.status): \(result.all)")
            // Only the pull is quiet when all is well; every other command shows what it did.
            #expect(
                command.hasPrefix("export ") || command.contains(" pull ") || !result.stdout.isEmpty,
                "`\(command)` printed nothing")
        }
        let (process, output) = try #require(simulator)
        process.terminate()
        try await CommandRunner.waitForExit(process)
        #expect(process.terminationStatus == 0, "the simulator: \(output.current)")
    }

    @Test func aFolderThatIsNotTheDemosIsRefusedAndKeepsItsFiles() async throws {
        let directory = try TemporaryDirectory("crmvault-e2e-demo-refused")
        let notes = try directory.write("notes.txt", Data("my real notes\n".utf8), under: "mine")
        let output = try await CommandRunner().run(["demo", "--root", directory.path("mine").path])
        #expect(output.status == 2, "\(output.all)")
        #expect(output.stderr.contains("not made by `crmvault demo`") && output.stderr.contains(".crmvault-demo"))
        #expect(try String(contentsOf: notes, encoding: .utf8) == "my real notes\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path("mine").path) == ["notes.txt"])

        // A link is not followed, even to an empty folder.
        try FileManager.default.createDirectory(at: directory.path("empty"), withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(
            at: directory.path("link"), withDestinationURL: directory.path("empty"))
        let linked = try await CommandRunner().run(["demo", "--root", directory.path("link").path])
        #expect(linked.status == 2, "\(linked.all)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path("empty").path).isEmpty)
    }

    /// A vault that is not the demo's own, put into a marked folder, is refused rather than removed.
    @Test func aMarkedFolderHoldingAnotherVaultIsRefusedAndTheVaultSurvives() async throws {
        let directory = try TemporaryDirectory("crmvault-e2e-demo-vault")
        let root = directory.path("demo")
        _ = try directory.write(".crmvault-demo", Data("# made by crmvault demo\n".utf8), under: "demo")
        let runner = CommandRunner(environment: ["CRMVAULT_PASSPHRASE": CommandLineTests.passphrase])
        let vault = root.appendingPathComponent("vault").path
        #expect(try await runner.run(["init", "--vault", vault, "--kdf", "insecure-test-only"]).status == 0)
        let output = try await runner.run(["demo", "--root", root.path])
        #expect(output.status == 2, "\(output.all)")
        #expect(output.stderr.contains("which the demo did not create"))
        #expect(try await runner.run(["verify", "--vault", vault]).status == 0)
    }

    /// A rerun reuses its marked folder: the demo's own entries are made anew, what the user put there stays.
    @Test func aRerunInTheDemosFolderKeepsWhatTheUserPutThere() async throws {
        let directory = try TemporaryDirectory("crmvault-e2e-demo-rerun")
        let root = directory.path("demo")
        let first = try await CommandRunner().run(["demo", "--root", root.path, "--scale", "10", "--months", "2"])
        #expect(first.status == 0, "\(first.all)")
        let notes = try directory.write("notes.txt", Data("keep me\n".utf8), under: "demo")
        let mine = try directory.write("mine.toml", Data("# my own schedule\n".utf8), under: "demo/Schedules")
        let firstVault = try String(contentsOf: root.appendingPathComponent(".crmvault-demo"), encoding: .utf8)

        let second = try await CommandRunner().run(["demo", "--root", root.path, "--scale", "10", "--months", "2"])
        #expect(second.status == 0, "\(second.all)")
        #expect(try String(contentsOf: notes, encoding: .utf8) == "keep me\n")
        #expect(try String(contentsOf: mine, encoding: .utf8) == "# my own schedule\n")
        let secondVault = try String(contentsOf: root.appendingPathComponent(".crmvault-demo"), encoding: .utf8)
        #expect(firstVault.contains("vault_id = ") && secondVault.contains("vault_id = ") && firstVault != secondVault)
        // Not `--vault demo` here: no Vaults/demo.toml names this folder's vault, so the path is printed.
        #expect(second.stdout.contains("crmvault snapshots --vault \(root.appendingPathComponent("vault").path)"))
    }

    @Test func helpListsTheExitCodes() throws {
        let output = try CommandRunner().run(["--help"])
        #expect(output.status == 0)
        for code in ["0  success", "1  integrity", "2  usage", "4  vault busy", "5  other runtime"] {
            #expect(output.stdout.contains(code))
        }
    }

    @Test func usageErrorsExitTwoAndJSONCallersGetJSON() throws {
        let runner = CommandRunner()
        #expect(try runner.run(["snapshots"]).status == 2)
        #expect(try runner.run(["no-such-command"]).status == 2)
        #expect(try runner.run(["verify", "--vault", "/tmp", "--sample", "150"]).status == 2)
        #expect(try runner.run(["verify", "--vault", "/tmp", "--trust", "8C11"]).status == 2)
        let missing = try runner.run(["snapshots", "--vault", "/no-such-medium/crm", "--json"])
        #expect(missing.status == 5)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(missing.stdout.utf8)) as? [String: Any])
        let error = try #require(object["error"] as? [String: Any])
        #expect(error["exitCode"] as? Int == 5)
    }
}
