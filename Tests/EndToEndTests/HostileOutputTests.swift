import Foundation
import Testing
import VaultTesting

@testable import VaultCore

/// Names, labels, sources and log fields are attacker-controlled (CRM data, a writer key holder): no human-readable
/// output may let them speak to the terminal, and `--json` must keep them exact (issue 6, item 4).
struct HostileOutputTests {
    /// A file name that, printed raw, erases the PROBLEMS lines and prints a fake all-clear.
    static let eraser = "x\r\u{1b}[K\u{1b}[4A\u{1b}[JOK: no problems found.\u{1b}[8m.csv"
    static let hostileNames = [eraser, "bidi-\u{202E}vsc.exe", "c1-\u{9b}31m.csv", "bell\u{07}-tab\t-newline\n.csv"]
    static let forgedLabel = "2026-11\r\u{1b}[2K\u{1b}[1A SIGNED BY owner"
    static let hostileUser = "\u{1b}]0;pwned\u{07}alice"

    /// A vault with hostile names in a snapshot's files, a forged snapshot whose label, source and time, and a forged
    /// writer whose name, carry escape sequences, audit entries with a hostile user, and a damaged pack so verify and
    /// restore have problems to name.
    static func hostileVault(_ directory: TemporaryDirectory) throws -> (runner: CommandRunner, vault: String) {
        let (runner, vault) = try CommandLineTests.makeVault(directory)
        let export = directory.path("export")
        for (number, name) in hostileNames.enumerated() {
            try directory.write(name, Data(String(repeating: "\"00\(number)\",\"Acme \(number)\"\n", count: 400).utf8), under: "export")
        }
        let backup = try runner.run(["backup", "--vault", vault, "--label", "2026-10", export.path], environment: ["USER": hostileUser])
        #expect(backup.status == 0, "\(backup.all)")

        let opened = try Vault.open(at: URL(fileURLWithPath: vault))
        let owner = try opened.unlock(passphrase: Passphrase(CommandLineTests.passphrase))
        let chain = try opened.loadChain()
        let (writerFile, writerSigning) = WriterKeyFile.make(owner: owner, vault: opened.id, name: "forged\u{1b}[2K\rowner")
        var authorization = ChainEntry(vault: opened.id, sequence: chain.entries.count, previous: chain.headHash, time: Timestamp.now(),
            signer: owner.signingPublicKey, type: .authorizeWriter)
        authorization.writer = writerSigning.publicKey.hex
        authorization.name = writerFile.name
        try opened.append(authorization, signedBy: owner)
        let keyURL = directory.path("forged.key")
        try writerFile.write(to: keyURL)
        let writer = try opened.loadWriterKey(from: keyURL)

        try Forgery.commitSnapshot(in: opened, signedBy: writer) { manifest in
            manifest.label = forgedLabel
            manifest.source.origin = "sf\u{1b}[31m"
            manifest.time = "2026-11-01T00:00:00Z\u{1b}[5m"
        }
        _ = opened.recordAudit(AuditEvent(operation: "backup\u{1b}[2J", arguments: [eraser], outcome: "ok \u{9b}1m"), keys: writer)

        let pack = try #require(try opened.listPacks().first)
        let url = URL(fileURLWithPath: vault).appendingPathComponent(PackFormat.packPath(pack))
        var packBytes = try Data(contentsOf: url)
        packBytes[packBytes.count - 20] ^= 0x01
        try packBytes.write(to: url)
        return (runner, vault)
    }

    /// What a terminal may receive from crmvault: printable text, `\r\n` line ends and tabs; no other control
    /// character, no C1 control, no bidi or other invisible formatting character.
    static func rawControls(in output: [UInt8]) -> [String] {
        let text = String(decoding: output, as: UTF8.self)
        return text.unicodeScalars.filter { scalar in
            scalar != "\n" && scalar != "\r" && scalar != "\t" && !TerminalText.isPrintable(String(scalar))
        }.map { "U+" + String($0.value, radix: 16) }
    }

    @Test func noOutputOfAHostileVaultReachesTheTerminalRaw() throws {
        let directory = try TemporaryDirectory()
        let (runner, vault) = try Self.hostileVault(directory)
        let hostileTarget = directory.path("to-\u{1b}[31m-red").path
        let commands: [(String, [String], Int32)] = [
            ("verify", ["verify", "--vault", vault], 1),
            ("verify --deep", ["verify", "--vault", vault, "--deep"], 1),
            ("snapshots", ["snapshots", "--vault", vault], 0),
            ("restore", ["restore", "--vault", vault, "--source", "default", "latest", "--to", hostileTarget], 1),
            ("restore latest, ambiguous", ["restore", "--vault", vault, "latest", "--to", hostileTarget], 2),
            ("log", ["log", "--vault", vault], 0),
            ("log --local", ["log", "--local"], 0),
            ("checkpoint", ["checkpoint", "--vault", vault], 0),
            ("backup of a missing export", ["backup", "--vault", vault, directory.path(Self.eraser).path], 2),
            ("backup with a hostile label", ["backup", "--vault", vault, "--label", Self.forgedLabel, directory.path("export").path], 2),
        ]
        for (name, arguments, status) in commands {
            let (exit, output) = try runner.runInTerminal(arguments, environment: ["USER": Self.hostileUser])
            #expect(exit == status, "\(name): \(String(decoding: output, as: UTF8.self))")
            #expect(Self.rawControls(in: output).isEmpty, "\(name) printed \(Self.rawControls(in: output)) raw")
            if name == "verify" {
                let text = String(decoding: output, as: UTF8.self)
                #expect(text.contains("1 PROBLEM:"))
                #expect(!text.contains("\nOK: no problems found."), "a name made verify look clean")
                #expect(text.contains("\\e[K\\e[4A\\e[JOK: no problems found.\\e[8m"), "the name is shown, escaped")
            }
            if name == "snapshots" {
                #expect(String(decoding: output, as: UTF8.self).contains("\\e[2K\\e[1A SIGNED BY owner"))
            }
        }
    }

    @Test func jsonOutputKeepsHostileNamesExact() throws {
        let directory = try TemporaryDirectory()
        let (runner, vault) = try Self.hostileVault(directory)
        let verify = try runner.run(["verify", "--vault", vault, "--json"])
        #expect(verify.status == 1)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(verify.stdout.utf8)) as? [String: Any])
        let affects = (report["problems"] as? [[String: Any]] ?? []).flatMap { $0["affects"] as? [String] ?? [] }.joined()
        #expect(affects.contains(Self.eraser))
        let snapshots = try runner.run(["snapshots", "--vault", vault, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(snapshots.stdout.utf8)) as? [String: Any])
        let listing = try #require(object["snapshots"] as? [[String: Any]])
        #expect(listing.last?["label"] as? String == Self.forgedLabel)
    }
}
