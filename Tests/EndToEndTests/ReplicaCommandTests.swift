import Foundation
import Testing
import VaultTesting

/// `replica`, `drill`, `diff` and `history` as an operator runs them, on an export whose names and values are
/// hostile: no output interprets them (terminal escapes escaped, spreadsheet formulas neutralized, JSON exact).
struct ReplicaCommandTests {
    static let passphrase = "replica e2e passphrase never printed"
    static let escape = "\u{1b}]0;owned\u{7}\u{1b}[31mRED"
    static let formula = "=HYPERLINK(\"http://evil.example\",\"x\")"
    static let script = "<script>alert(1)</script>"
    /// An object (file) name and a column name that carry a terminal escape.
    static let object = "Note\u{1b}[2J"
    static let column = "Body\u{1b}[1m"

    /// A vault with two months of a hostile export: month 2 deletes most records and blanks a field.
    static func vault(_ directory: TemporaryDirectory) throws -> (CommandRunner, String) {
        let runner = CommandRunner(environment: ["CRMVAULT_PASSPHRASE": passphrase])
        let vault = directory.path("vault").path
        #expect(try runner.run(["init", "--vault", vault, "--kdf", "insecure-test-only"]).status == 0)
        for month in 1...2 {
            var csv = "\"Id\",\"Subject\",\"Count\",\"IsDone\",\"\(column)\"\n"
            for number in 0..<10 where month == 1 || number < 4 {
                let id = number == 0 ? formula : "0023000000NoTe\(number)AAV"
                let body = month == 1 || number > 1 ? "\(escape) \(script) \(number)" : ""
                csv +=
                    "\"\(id.replacingOccurrences(of: "\"", with: "\"\""))\",\"\(formula.replacingOccurrences(of: "\"", with: "\"\""))\","
                    + "\"\(number)\",\"\(number % 2 == 0 ? "true" : "false")\",\"\(body)\"\n"
            }
            try directory.write("\(object).csv", Data(csv.utf8), under: "export-\(month)")
            let backup = try runner.run([
                "backup", "--vault", vault, "--label", "2026-0\(month)", "--source", "crm",
                directory.path("export-\(month)").path,
            ])
            #expect(backup.status == 0, "\(backup.all)")
        }
        return (runner, vault)
    }

    /// No raw control character but the line end reaches the terminal.
    static func expectInert(_ output: CommandRunner.Output, _ context: String) {
        let controls = output.all.unicodeScalars.filter { $0.value < 0x20 && $0 != "\n" || $0.value == 0x7f }
        #expect(controls.isEmpty, "\(context) printed raw control characters: \(controls.map { $0.value })")
        #expect(!output.all.contains(passphrase))
    }

    @Test func replicaDrillAndVerifyKeepHostileContentInert() throws {
        let directory = try TemporaryDirectory()
        let (runner, vault) = try Self.vault(directory)
        let db = directory.path("crm.sqlite").path
        let replica = try runner.run(["replica", "--vault", vault, "latest", "--db", db])
        #expect(replica.status == 0, "\(replica.all)")
        Self.expectInert(replica, "replica")
        #expect(replica.stdout.contains("Note\\e[2J") && replica.stdout.contains("OK: every check passed."))
        #expect(try runner.run(["replica", "--vault", vault, "latest", "--db", db]).status == 2)  // exists; --force replaces

        let json = try runner.run(["replica", "--vault", vault, "latest", "--db", db, "--force", "--json"])
        #expect(json.status == 0, "\(json.all)")
        let report = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let objects = report?["objects"] as? [[String: Any]]
        #expect(objects?.first?["name"] as? String == Self.object)

        let drill = try runner.run(["drill", "--vault", vault, "--work-dir", directory.url.path])
        #expect(drill.status == 0, "\(drill.all)")
        Self.expectInert(drill, "drill")
        let verify = try CommandRunner().run(["verify", "--vault", vault])
        #expect(verify.status == 0, "\(verify.all)")
        #expect(verify.stdout.contains("Restore drills of crm: 1; last") && verify.stdout.contains("PASS"))
        #expect(
            try runner.run(["replica", "--vault", vault, "latest", "--db", db, "--encoding", "ebcdic"]).status == 2)
    }

    /// Malformed records are listed one per line under the sentence, each escaped: no `\n` written out as text, no
    /// raw escape from the file name; `--json` keeps the list exact in its message.
    @Test func malformedRecordsAreListedOnePerLineEscaped() throws {
        let directory = try TemporaryDirectory()
        let runner = CommandRunner(environment: ["CRMVAULT_PASSPHRASE": Self.passphrase])
        let vault = directory.path("vault").path
        #expect(try runner.run(["init", "--vault", vault, "--kdf", "insecure-test-only"]).status == 0)
        let csv = "\"Id\",\"Name\"\n\"1\",\"a\"\n\"2\",\"b\",\"extra\"\n\"3\"\n"
        try directory.write("\(Self.object).csv", Data(csv.utf8), under: "export")
        #expect(try runner.run(["backup", "--vault", vault, directory.path("export").path]).status == 0)
        let db = directory.path("crm.sqlite").path

        let refused = try runner.run(["replica", "--vault", vault, "latest", "--db", db])
        #expect(refused.status == 1, "\(refused.all)")
        Self.expectInert(refused, "replica of a malformed export")
        let lines = refused.stderr.split(separator: "\n").map(String.init)
        #expect(lines.first == "error: The export has 2 malformed records; no replica was written:", "\(refused.stderr)")
        #expect(lines.dropFirst().prefix(2) == [
            "  Note\\e[2J.csv, line 3: the record has 3 fields but the header has 2 (a ragged row)",
            "  Note\\e[2J.csv, line 4: the record has 1 field but the header has 2 (a ragged row)",
        ], "\(refused.stderr)")
        #expect(!refused.stderr.contains("\\n"))
        #expect(!FileManager.default.fileExists(atPath: db))

        let json = try runner.run(["replica", "--vault", vault, "latest", "--db", db, "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let message = (object?["error"] as? [String: Any])?["message"] as? String
        #expect(message?.hasSuffix("\n  \(Self.object).csv, line 4: the record has 1 field but the header has 2 (a ragged row)") == true)
    }

    @Test func diffAndHistoryNeutralizeFormulasAndAlertOnMassDeletion() throws {
        let directory = try TemporaryDirectory()
        let (runner, vault) = try Self.vault(directory)
        let snapshots = try runner.run(["snapshots", "--vault", vault, "--json"])
        let ids =
            ((try JSONSerialization.jsonObject(with: Data(snapshots.stdout.utf8)) as? [String: Any])?["snapshots"]
                as? [[String: Any]])?.compactMap {
                $0["id"] as? String
            } ?? []
        try #require(ids.count == 2)
        let work = directory.url.path

        let diff = try runner.run(["diff", "--vault", vault, ids[0], ids[1], "--work-dir", work, "--fail-on-alert"])
        #expect(diff.status == 1, "\(diff.all)")
        Self.expectInert(diff, "diff")
        #expect(diff.stdout.contains("ALERT: Note\\e[2J: 6 of 10 records deleted (60.0 %)"))
        #expect(diff.stdout.contains("ALERT: Note\\e[2J.Body\\e[1m was blanked in 2 of 10 records"))

        let csv = try runner.run([
            "diff", "--vault", vault, ids[0], ids[1], "--object", Self.object, "--ids", "--csv", "--work-dir", work,
        ])
        #expect(csv.status == 0, "\(csv.all)")
        #expect(csv.stdout.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\""))
        #expect(!csv.stdout.contains(",\"=") && !csv.stdout.hasPrefix("\"="))

        let history = try runner.run([
            "history", "--vault", vault, "--object", Self.object, "--id", "0023000000NoTe1AAV",
        ])
        #expect(history.status == 0, "\(history.all)")
        Self.expectInert(history, "history")
        #expect(history.stdout.contains("Body\\e[1m: \\e]0;owned\\x07\\e[31mRED <script>alert(1)</script> 1 → "))
        let historyCSV = try runner.run([
            "history", "--vault", vault, "--object", Self.object, "--id", Self.formula, "--csv",
        ])
        #expect(historyCSV.status == 0, "\(historyCSV.all)")
        #expect(
            historyCSV.stdout.components(separatedBy: "\r\n").dropFirst().filter { !$0.isEmpty }.allSatisfy { line in
                !line.contains(",\"=") && !line.contains(",\"+") && !line.contains(",\"-") && !line.contains(",\"@")
            })
        let historyJSON = try runner.run([
            "history", "--vault", vault, "--object", Self.object, "--id", "0023000000NoTe1AAV", "--json",
        ])
        let parsed = try JSONSerialization.jsonObject(with: Data(historyJSON.stdout.utf8)) as? [String: Any]
        let versions = parsed?["versions"] as? [[String: Any]]
        let fields = versions?.first?["fields"] as? [[String: String]]
        #expect(fields?.last?["value"] == "\(Self.escape) \(Self.script) 1")
    }

    /// Under cron: `--quiet` prints nothing when the replica and drill pass, and a diff with alerts prints only the
    /// alerts, on standard error, with the exit code `--fail-on-alert` asks for.
    @Test func replicaDrillAndDiffAreQuietUnderCronButStillAlert() throws {
        let directory = try TemporaryDirectory()
        let (runner, vault) = try Self.vault(directory)
        let db = directory.path("quiet.sqlite").path
        for command in [
            ["replica", "--vault", vault, "latest", "--db", db, "--quiet"],
            ["drill", "--vault", vault, "--work-dir", directory.url.path, "-q"],
        ] {
            let output = try runner.run(command)
            #expect(output.status == 0, "\(command): \(output.all)")
            #expect(output.all.isEmpty, "\(command) printed under --quiet: \(output.all)")
        }
        #expect(FileManager.default.fileExists(atPath: db))
        let diff = try runner.run([
            "diff", "--vault", vault, "2026-01", "2026-02", "--work-dir", directory.url.path, "--fail-on-alert", "--quiet",
        ])
        #expect(diff.status == 1, "\(diff.all)")
        #expect(diff.stdout.isEmpty, "\(diff.stdout)")
        #expect(diff.stderr.contains("ALERT: Note\\e[2J: 6 of 10 records deleted (60.0 %)"), "\(diff.stderr)")
        Self.expectInert(diff, "diff --quiet")
        let listing = try runner.run(["diff", "--vault", vault, "2026-01", "2026-02", "--quiet", "--object", Self.object, "--ids"])
        #expect(listing.status == 2 && listing.stderr.contains("--quiet prints no list"), "\(listing.all)")
    }
}
