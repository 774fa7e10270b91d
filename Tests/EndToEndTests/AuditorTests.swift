import Foundation
import Testing
import VaultTesting

struct AuditorTests {
    @Test func aCheckpointKeptOnPaperCatchesARollback() throws {
        let directory = try TemporaryDirectory()
        let (runner, vault) = try CommandLineTests.makeVault(directory)
        let export = try directory.write("a.csv", Data("one\n".utf8))
        #expect(try runner.run(["backup", "--vault", vault, export.path]).status == 0)
        let older = directory.path("older-copy").path
        try FileManager.default.copyItem(atPath: vault, toPath: older)
        #expect(try runner.run(["backup", "--vault", vault, try directory.write("b.csv", Data("two\n".utf8)).path]).status == 0)

        let paper = directory.path("checkpoint.txt").path
        let checkpoint = try runner.run(["checkpoint", "--vault", vault, "--sign", "--out", paper])
        #expect(checkpoint.status == 0, "\(checkpoint.all)")
        #expect(checkpoint.stdout.hasPrefix("crmvault checkpoint v1\nvault "))
        #expect(checkpoint.stdout.contains("— owner "))

        let auditor = CommandRunner()
        let good = try auditor.run(["verify", "--vault", vault, "--checkpoint", paper])
        #expect(good.status == 0, "\(good.all)")
        let rolledBack = try auditor.run(["verify", "--vault", older, "--checkpoint", paper])
        #expect(rolledBack.status == 1)
        #expect(rolledBack.stdout.contains("rolled back"))
    }

    @Test func operationsWithAKeyAreInTheVaultsAuditLogAndKeylessOnesInTheLocalLog() throws {
        let directory = try TemporaryDirectory()
        let (runner, vault) = try CommandLineTests.makeVault(directory)
        let export = try directory.write("a.csv", Data("one\n".utf8))
        #expect(try runner.run(["backup", "--vault", vault, export.path]).status == 0)
        #expect(try runner.run(["restore", "--vault", vault, "latest", "--to", directory.path("r").path]).status == 0)

        let log = try CommandRunner().run(["log", "--vault", vault])
        #expect(log.status == 0)
        let lines = log.stdout.split(separator: "\n")
        #expect(lines.count == 3, "\(log.stdout)")
        #expect(lines[0].contains("\tinit\t") && lines[1].contains("\tbackup\t") && lines[2].contains("\trestore\t"))
        #expect(!log.stdout.contains(CommandLineTests.passphrase))

        let localLog = directory.path("local-audit.log").path
        let verify = try CommandRunner().run(["verify", "--vault", vault], environment: ["CRMVAULT_AUDIT_LOG": localLog])
        #expect(verify.status == 0, "\(verify.all)")
        let local = try String(contentsOfFile: localLog, encoding: .utf8)
        #expect(local.contains("\"operation\":\"verify\""))
        #expect(local.contains("keyless"))
        // The keyless verify wrote nothing into the vault, and the audit log verifies.
        #expect(try CommandRunner().run(["log", "--vault", vault]).stdout.split(separator: "\n").count == 3)
    }

    @Test func theAuditLogRecordsNoPathOutsideTheVaultUnlessAskedTo() throws {
        let directory = try TemporaryDirectory()
        let (runner, vault) = try CommandLineTests.makeVault(directory)
        let export = try directory.write("a.csv", Data("one\n".utf8))
        let target = directory.path("restore-for-alice").path
        #expect(try runner.run(["backup", "--vault", vault, export.path]).status == 0)
        #expect(try runner.run(["restore", "--vault", vault, "latest", "--to", target]).status == 0)
        #expect(try runner.run(["restore", "--vault", vault, "latest", "--to", target + "-2", "--audit-verbose"]).status == 0)
        let log = try CommandRunner().run(["log", "--vault", vault, "--json"])
        let listing = try #require(try JSONSerialization.jsonObject(with: Data(log.stdout.utf8)) as? [String: Any])
        let records = try #require(listing["entries"] as? [[String: Any]])
        let events = records.filter { $0["operation"] != nil }  // one flat object per entry (docs/CLI.md)
        try #require(events.count == 4)
        let text = { (event: [String: Any]) in "\(event["arguments"] ?? "") \(event["outcome"] ?? "")" }
        #expect(!text(events[1]).contains(export.path) && text(events[1]).contains("<path>"))
        #expect(!text(events[2]).contains(target) && text(events[2]).contains("<path>"))
        #expect(text(events[3]).contains(target + "-2"), "--audit-verbose records the path")
        #expect(text(events[3]).contains(vault), "the vault's own path is recorded")
    }

    @Test func aDamagedConfigIsAnIntegrityProblemWithAJSONReport() throws {
        let directory = try TemporaryDirectory()
        let (_, vault) = try CommandLineTests.makeVault(directory)
        let config = URL(fileURLWithPath: vault + "/config")
        var bytes = try Data(contentsOf: config)
        bytes[20] ^= 0x02
        try bytes.write(to: config)
        let output = try CommandRunner().run(["verify", "--vault", vault, "--json"])
        #expect(output.status == 1)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        let problems = try #require(report["problems"] as? [[String: Any]])
        #expect(problems.first?["file"] as? String == "config")
        try FileManager.default.removeItem(at: config)
        let missing = try CommandRunner().run(["verify", "--vault", vault])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("config file is missing"))
    }
}
