import Foundation
import Testing
import VaultTesting

#if canImport(Glibc)
import Glibc
#endif

/// The rough edges of daily use, as an admin under cron, an auditor and an operator meet them through the binary
/// (issue 10): quiet and progress, one JSON style, snapshot selection, refused inputs, and messages that say what to do.
struct OperatorCommandTests {
    /// A vault with the README's sequence: two monthly exports of salesforce-prod, then a one-off CSV without a source.
    static func readmeVault(_ directory: TemporaryDirectory) throws -> (CommandRunner, String, [String]) {
        let (runner, vault) = try CommandLineTests.makeVault(directory)
        var ids: [String] = []
        for (month, first) in [("2026-10", 0), ("2026-11", 50)] {
            let export = directory.path("export-\(month)")
            try directory.write("Account.csv", TestExports.accountsCSV(rows: 40, firstID: first), under: "export-\(month)")
            let backup = try runner.run(["backup", "--vault", vault, "--source", "salesforce-prod", "--label", month, export.path])
            #expect(backup.status == 0, "\(backup.all)")
            ids.append(String(backup.stdout.dropFirst("snapshot ".count).prefix(64)))
        }
        let oneOff = try directory.write("one-off-export.csv", TestExports.accountsCSV(rows: 1))
        let backup = try runner.run(["backup", "--vault", vault, oneOff.path])
        ids.append(String(backup.stdout.dropFirst("snapshot ".count).prefix(64)))
        return (runner, vault, ids)
    }

    static func json(_ output: CommandRunner.Output) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any], "\(output.all)")
    }

    @Test func restoreSourceLatestRestoresThatSourcesNewestAndBareLatestListsTheCandidates() throws {
        let directory = try TemporaryDirectory()
        let (runner, vault, ids) = try Self.readmeVault(directory)
        let ambiguous = try runner.run(["restore", "--vault", vault, "latest", "--to", directory.path("r1").path])
        #expect(ambiguous.status == 2)
        #expect(ambiguous.stderr.contains("ambiguous") && ambiguous.stderr.contains(String(ids[1].prefix(12))), "\(ambiguous.all)")
        #expect(!FileManager.default.fileExists(atPath: directory.path("r1").path), "nothing was restored on a guess")

        let restored = directory.path("r2")
        let restore = try runner.run(["restore", "--vault", vault, "--source", "salesforce-prod", "latest", "--to", restored.path, "--json"])
        #expect(restore.status == 0, "\(restore.all)")
        #expect(try Self.json(restore)["snapshot"] as? String == ids[1])
        #expect(try DirectoryComparison.differences(between: directory.path("export-2026-11"), and: restored) == [])
        let byLabel = try runner.run(["restore", "--vault", vault, "2026-10", "--to", directory.path("r3").path, "--json"])
        #expect(try Self.json(byLabel)["snapshot"] as? String == ids[0])

        let listing = try runner.run(["snapshots", "--vault", vault])
        let header = try #require(listing.stdout.split(separator: "\n").first)
        #expect(header.hasPrefix("LABEL") && header.contains("SOURCE"), "label and source come first: \(header)")
    }

    @Test func quietPrintsNothingOnSuccessAndStillReportsErrors() throws {
        let directory = try TemporaryDirectory()
        let runner = CommandRunner(environment: ["CRMVAULT_PASSPHRASE": CommandLineTests.passphrase])
        let vault = directory.path("vault").path
        try directory.write("Account.csv", TestExports.accountsCSV(rows: 30), under: "export")
        let commands = [
            ["init", "--vault", vault, "--kdf", "insecure-test-only"],
            ["backup", "--vault", vault, "--source", "crm", "--label", "2026-11", directory.path("export").path],
            ["snapshots", "--vault", vault],
            ["verify", "--vault", vault],
            ["verify", "--vault", vault, "--deep"],
            ["restore", "--vault", vault, "latest", "--to", directory.path("restored").path],
            ["checkpoint", "--vault", vault],
            ["cleanup", "--vault", vault],
            ["key", "writer", "--vault", vault, "--out", directory.path("writer.key").path],
        ]
        for command in commands {
            let output = try runner.run(command + ["--quiet"])
            #expect(output.status == 0, "\(command): \(output.all)")
            #expect(output.stdout.isEmpty && output.stderr.isEmpty, "\(command) printed under --quiet: \(output.all)")
        }
        let failing = try runner.run(["restore", "--vault", vault, "latest", "--to", directory.path("restored").path, "-q"])
        #expect(failing.status == 2)
        #expect(failing.stdout.isEmpty && failing.stderr.hasPrefix("error: "), "\(failing.all)")
    }

    @Test func progressGoesToATerminalAndNeverToAPipe() throws {
        let directory = try TemporaryDirectory()
        let (runner, vault) = try CommandLineTests.makeVault(directory)
        try directory.write("Account.csv", TestExports.accountsCSV(rows: 20_000), under: "export")
        let arguments = ["backup", "--vault", vault, directory.path("export").path]
        let (status, terminal) = try runner.runInTerminal(arguments)
        #expect(status == 0)
        let shown = String(decoding: terminal, as: UTF8.self)
        #expect(shown.contains("\rbackup: ") && shown.contains("of 1 files"), "\(shown)")
        #expect(HostileOutputTests.rawControls(in: terminal).isEmpty, "progress must not print escape sequences")
        let piped = try runner.run(arguments)
        #expect(piped.status == 0)
        #expect(!piped.all.contains("\r") && !piped.all.contains("backup: "), "progress in a pipe: \(piped.all)")
    }

    @Test func theJSONFieldNamesAreTheSameAcrossCommands() throws {
        let directory = try TemporaryDirectory()
        let (runner, vault, ids) = try Self.readmeVault(directory)
        let outputs: [String: CommandRunner.Output] = [
            "backup": try runner.run(["backup", "--vault", vault, "--json", "--source", "salesforce-prod", "--label", "2026-12",
                directory.path("export-2026-11").path]),
            "snapshots": try runner.run(["snapshots", "--vault", vault, "--json"]),
            "restore": try runner.run(["restore", "--vault", vault, ids[0], "--to", directory.path("r").path, "--json"]),
            "verify": try runner.run(["verify", "--vault", vault, "--json"]),
            "checkpoint": try runner.run(["checkpoint", "--vault", vault, "--json"]),
            "cleanup": try runner.run(["cleanup", "--vault", vault, "--json"]),
            "log": try runner.run(["log", "--vault", vault, "--json"]),
            "key writer": try runner.run(["key", "writer", "--vault", vault, "--out", directory.path("w.key").path, "--json"]),
            "error": try runner.run(["restore", "--vault", vault, "nope", "--to", directory.path("x").path, "--json"]),
        ]
        for (name, output) in outputs {
            let object = try Self.json(output)
            #expect(object["status"] as? String == (name == "error" ? "error" : "ok"), "\(name): \(output.stdout)")
            #expect(output.stdout.hasPrefix("{\n  \"status\": "), "\(name): status comes first")
            #expect(!output.stdout.contains("[\n\n") && !output.stdout.contains("\" : "), "\(name): one layout")
        }
        let backup = try Self.json(outputs["backup"]!)
        let snapshots = try #require(try Self.json(outputs["snapshots"]!)["snapshots"] as? [[String: Any]])
        let newest = try #require(snapshots.last)
        #expect(backup["id"] as? String == newest["id"] as? String)
        #expect(backup["bytesIn"] as? Int == newest["bytesIn"] as? Int)
        #expect(backup["sequence"] as? Int == newest["sequence"] as? Int, "sequence is the same number in both")
        #expect(try Self.json(outputs["checkpoint"]!)["sequence"] is Int, "sequence is a number everywhere")
        #expect(try Self.json(outputs["restore"]!)["snapshot"] as? String == ids[0])
        let writer = try Self.json(outputs["key writer"]!)
        #expect(writer["fingerprint"] is String && writer["publicKey"] == nil, "a writer key is named by its fingerprint only")
        let entries = try #require(try Self.json(outputs["log"]!)["entries"] as? [[String: Any]])
        #expect(entries.allSatisfy { $0["signedBy"] as? String == "owner" && $0["sequence"] is Int })
        #expect(newest["signedBy"] as? String == "owner", "snapshots and log name the signer alike")
    }

    @Test func refusedInputsExitOneAndSayWhatTheyAre() throws {
        let directory = try TemporaryDirectory()
        let (runner, vault) = try CommandLineTests.makeVault(directory)
        let page = try directory.write("export.zip", Data("<!doctype html><html><body>Session expired</body></html>".utf8))
        let html = try runner.run(["backup", "--vault", vault, page.path])
        #expect(html.status == 1 && html.stderr.contains("HTML"), "\(html.all)")
        let empty = directory.path("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let nothing = try runner.run(["backup", "--vault", vault, empty.path])
        #expect(nothing.status == 1 && nothing.stderr.contains("--allow-empty"), "\(nothing.all)")
        #expect(try runner.run(["backup", "--vault", vault, "--allow-empty", empty.path]).status == 0)
        let notCRM = try directory.write("photo.jpg", TestExports.seededBytes(2000, seed: 1), under: "not-crm")
        let kind = try runner.run(["backup", "--vault", vault, "--source", "crm", notCRM.deletingLastPathComponent().path])
        #expect(kind.status == 1 && kind.stderr.contains("--kind any"), "\(kind.all)")
        // A cut-short download: its error is in words, not ZIPFoundation's case names.
        var truncated = RawZipBuilder([.init(name: "Account.csv", data: TestExports.accountsCSV(rows: 5))]).build()
        truncated.removeLast(30)
        try truncated.write(to: directory.path("cut.zip"))
        let cut = try runner.run(["backup", "--vault", vault, directory.path("cut.zip").path])
        #expect(cut.status == 1 && cut.stderr.contains("truncated or damaged"), "\(cut.all)")
        #expect(!cut.stderr.contains("missingEndOfCentralDirectoryRecord"))
    }

    @Test func theVaultComesFromCRMVAULTVAULTAndAnUnknownNameSaysWhereItLooked() throws {
        let directory = try TemporaryDirectory()
        let (runner, vault) = try CommandLineTests.makeVault(directory)
        let listing = try runner.run(["snapshots"], environment: ["CRMVAULT_VAULT": vault])
        #expect(listing.status == 0, "\(listing.all)")
        var elsewhere = runner
        elsewhere.currentDirectory = directory.url
        let unknown = try elsewhere.run(["snapshots", "--vault", "offsite-b"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("offsite-b.toml") && unknown.stderr.contains("CRMVAULT_VAULTS"), "\(unknown.all)")
        #expect(!unknown.stderr.contains("crmvault init --vault"), "\(unknown.all)")
        let none = try runner.run(["snapshots"], environment: ["CRMVAULT_VAULT": ""])
        #expect(none.status == 2 && none.stderr.contains("CRMVAULT_VAULT"), "\(none.all)")
    }

    @Test func setupMistakesGetMessagesThatNameTheRealProblem() throws {
        let directory = try TemporaryDirectory()
        let (runner, vault) = try CommandLineTests.makeVault(directory)
        let key = try runner.run(["key", "writer", "--vault", vault, "--out", directory.path("no-such-dir", "w.key").path])
        #expect(key.status == 2 && key.stderr.contains("does not exist") && key.stderr.contains("mkdir"), "\(key.all)")
        #expect(!key.stderr.contains("mounted"))

        let typo = try runner.run(["bakcup", "--vault", vault])
        #expect(typo.status == 2 && typo.stderr.contains("\"bakcup\"") && typo.stderr.contains("`crmvault backup`"), "\(typo.all)")
        let nested = try runner.run(["key", "writr"])
        #expect(nested.status == 2 && nested.stderr.contains("`crmvault key writer`"), "\(nested.all)")
        // Commands named after their type (no configured name) are known too: `schedule crontab` is not a typo.
        let derived = try runner.run(["schedule", "crontb"])
        #expect(derived.status == 2 && derived.stderr.contains("`crmvault schedule crontab`"), "\(derived.all)")

        let missing = try runner.run(["snapshots", "--vault", directory.path("unmounted", "crm").path])
        #expect(missing.status == 5, "a missing medium exits 5: \(missing.all)")
        let parentless = directory.path("not-mounted", "crm").path
        let refused = try runner.run(["init", "--vault", parentless, "--kdf", "insecure-test-only"])
        #expect(refused.status == 5 && refused.stderr.contains("--parents"), "\(refused.all)")
        #expect(!FileManager.default.fileExists(atPath: parentless))
        #expect(try runner.run(["init", "--vault", parentless, "--kdf", "insecure-test-only", "--parents"]).status == 0)

        let short = try runner.run(["init", "--vault", directory.path("v2").path, "--kdf", "insecure-test-only"],
            environment: ["CRMVAULT_PASSPHRASE": "x"])
        #expect(short.status == 2 && short.stderr.contains("1 character"), "\(short.all)")
        #expect(!short.stderr.contains("characters; a vault"), "singular and plural are right")

        let usage = try runner.run(["restore", "--vault", vault, "latest"])
        #expect(usage.status == 2 && usage.stderr.hasPrefix("error: "), "one casing for errors: \(usage.all)")
    }

    @Test func helpIsCleanForEveryCommand() throws {
        let commands = [["init"], ["key", "writer"], ["backup"], ["snapshots"], ["restore"], ["verify"], ["checkpoint"], ["log"],
            ["cleanup"], ["reader"]]
        let takesPassphrase: Set<String> = ["init", "key writer", "backup", "restore", "verify", "checkpoint"]
        for command in commands {
            let help = try CommandRunner().run(command + ["--help"])
            #expect(help.status == 0)
            for line in help.stdout.split(separator: "\n") {
                #expect(line.components(separatedBy: "(default:").count <= 2, "\(command): \(line)")
                #expect(!line.contains("(default)") || !line.contains("(default:"), "\(command): \(line)")
            }
            if takesPassphrase.contains(command.joined(separator: " ")) {
                #expect(help.stdout.contains("CRMVAULT_PASSPHRASE") && help.stdout.contains("CRMVAULT_PASSPHRASE_COMMAND"), "\(command)")
            }
        }
        let restore = try CommandRunner().run(["restore", "--help"])
        #expect(restore.stdout.contains("--key") && restore.stdout.contains("--no-links-outside") && restore.stdout.contains("--source"))
    }

    @Test func theAuditorsReportCanBeFiled() throws {
        let directory = try TemporaryDirectory()
        let (_, vault, ids) = try Self.readmeVault(directory)
        let fingerprint = try Self.json(try CommandRunner().run(["verify", "--vault", vault, "--json"]))["ownerFingerprint"] as! String
        let text = try CommandRunner().run(["verify", "--vault", vault, "--trust", fingerprint])
        #expect(text.status == 0, "\(text.all)")
        #expect(text.stdout.hasPrefix("crmvault 0.1.0 verify, checked 20"), "\(text.stdout)")
        #expect(text.stdout.contains("matches the fingerprint you trust"))
        for (label, id) in [("2026-10", ids[0]), ("2026-11", ids[1])] {
            #expect(text.stdout.contains("  \(label)  salesforce-prod  \(label)  ") && text.stdout.contains(String(id.prefix(12))))
        }
        let json = try Self.json(try CommandRunner().run(["verify", "--vault", vault, "--json", "--trust", fingerprint]))
        #expect(json["checked"] is String && json["crmvaultVersion"] as? String == "0.1.0" && json["trustedFingerprint"] as? String == fingerprint)
        #expect((json["snapshotList"] as? [[String: Any]])?.compactMap { $0["label"] as? String }.prefix(2) == ["2026-10", "2026-11"])
    }

    @Test func verifyDuringABackupSaysABackupIsRunning() throws {
        let directory = try TemporaryDirectory()
        let (runner, vault) = try CommandLineTests.makeVault(directory)
        try directory.write("Account.csv", TestExports.accountsCSV(rows: 10), under: "export")
        #expect(try runner.run(["backup", "--vault", vault, directory.path("export").path]).status == 0)
        try directory.write("0123456789abcdef.tmp", Data("being written".utf8), under: "vault/tmp")
        let fd = open(vault + "/locks/writer.lock", O_RDWR)
        #expect(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
        defer { close(fd) }
        _ = "backup of export, pid 4121".withCString { pwrite(fd, $0, strlen($0), 0) }
        let verify = try CommandRunner().run(["verify", "--vault", vault])
        #expect(verify.status == 0, "\(verify.all)")
        #expect(verify.stdout.contains("A backup is running (backup of export, pid 4121"), "\(verify.stdout)")
        #expect(!verify.stdout.contains("put there by someone else") && !verify.stdout.contains("leftover files"))
        #expect(!verify.stdout.contains("is writing to this vault now"), "said twice: \(verify.stdout)")
        let json = try Self.json(try CommandRunner().run(["verify", "--vault", vault, "--json"]))
        #expect((json["warnings"] as? [String])?.first?.hasPrefix("a crmvault process is writing") == true)
    }

    @Test func logLocalIsReadableTextAndKeepsToTheVaultGiven() throws {
        let directory = try TemporaryDirectory()
        let log = directory.path("local-audit.log").path
        let (runner, vault) = try CommandLineTests.makeVault(directory)
        let otherDirectory = try TemporaryDirectory()
        let (_, other) = try CommandLineTests.makeVault(otherDirectory)
        #expect(try CommandRunner().run(["verify", "--vault", vault], environment: ["CRMVAULT_AUDIT_LOG": log]).status == 0)
        #expect(try CommandRunner().run(["verify", "--vault", other], environment: ["CRMVAULT_AUDIT_LOG": log]).status == 0)
        let local = try runner.run(["log", "--local", "--vault", vault], environment: ["CRMVAULT_AUDIT_LOG": log])
        #expect(local.status == 0, "\(local.all)")
        let lines = local.stdout.split(separator: "\n").dropFirst()
        #expect(lines.count == 1 && lines[lines.startIndex].contains("\tverify\t"), "\(local.stdout)")
        #expect(!local.stdout.contains("{\""), "text mode is text, not JSON lines")
    }

    @Test func checkpointOutNeverReplacesAFileThatIsNotACheckpoint() throws {
        let directory = try TemporaryDirectory()
        let (runner, vault) = try CommandLineTests.makeVault(directory)
        let notes = try directory.write("notes.txt", Data("my notes\n".utf8))
        let refused = try runner.run(["checkpoint", "--vault", vault, "--out", notes.path])
        #expect(refused.status == 2)
        #expect(try String(contentsOf: notes, encoding: .utf8) == "my notes\n")
        let paper = directory.path("paper.txt").path
        #expect(try runner.run(["checkpoint", "--vault", vault, "--out", paper]).status == 0)
        #expect(try runner.run(["checkpoint", "--vault", vault, "--out", paper]).status == 0, "an earlier checkpoint may be replaced")
    }
}
