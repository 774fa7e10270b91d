import Foundation
import Testing
import VaultTesting

/// A really full disk (a small tmpfs in a private mount namespace): a backup that fills the medium must not block the
/// ones after it, and a restore whose target fills up must blame the target, not the vault (issue 10, items 3 and 6).
@Suite(.enabled(if: MountNamespace.isAvailable, "needs a mount namespace (unshare) to give crmvault a full disk"))
struct FullDiskTests {
    static func script(_ directory: TemporaryDirectory, _ lines: [String]) -> String {
        let binary = CommandRunner.binary.path
        return (["set -u", "cd '\(directory.url.path)'"] + lines).joined(separator: "\n").replacingOccurrences(of: "crmvault ", with: "'\(binary)' ")
    }

    static func environment() -> [String: String] {
        CommandRunner(environment: ["CRMVAULT_PASSPHRASE": CommandLineTests.passphrase]).variables([:])
    }

    @Test func aFullDiskThenABackupWithSpaceReclaimsTheLeftovers() throws {
        let directory = try TemporaryDirectory()
        try directory.write("export/attachments.bin", TestExports.seededBytes(12 << 20, seed: 5))
        try FileManager.default.createDirectory(at: directory.path("medium"), withIntermediateDirectories: true)
        let run = try MountNamespace.run(Self.script(directory, [
            "mount -t tmpfs -o size=8m tmpfs medium",
            "crmvault init --quiet --vault medium/vault --kdf insecure-test-only --pack-target 1048576",
            "crmvault backup --vault medium/vault export 2> full.err; echo \"first=$?\"",
            "echo \"leftover=$(du -sk medium/vault/packs | cut -f1)\"",
            "mount -o remount,size=40m tmpfs medium",
            "crmvault backup --vault medium/vault --json export > second.json; echo \"second=$?\"",
            "crmvault verify --vault medium/vault --json > verify.json; echo \"verify=$?\"",
            "crmvault cleanup --vault medium/vault --json > cleanup.json; echo \"cleanup=$?\"",
        ]), environment: Self.environment())
        #expect(run.output.contains("first=5"), "\(run.output)")
        let error = try String(contentsOf: directory.path("full.err"), encoding: .utf8)
        #expect(error.contains("the medium is full") && error.contains("crmvault cleanup"), "\(error)")
        let leftover = Int(run.output.split(separator: "\n").first { $0.hasPrefix("leftover=") }?.dropFirst(9) ?? "") ?? 0
        #expect(leftover > 1024, "the full disk left packs behind (\(leftover) kB)")

        #expect(run.output.contains("second=0"), "\(run.output)")
        let second = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.path("second.json"))) as? [String: Any]
        #expect((second?["newChunkBytes"] as? Int ?? .max) < 12 << 20, "the verified leftovers were reused")
        #expect(run.output.contains("verify=0"), "\(run.output)")
        let verify = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.path("verify.json"))) as? [String: Any]
        #expect((verify?["leftovers"] as? [String]) == [], "nothing is left over once a backup had space")
        let cleanup = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.path("cleanup.json"))) as? [String: Any]
        #expect(cleanup?["files"] as? Int == 0)
    }

    @Test func aFullRestoreTargetIsBlamedNotTheVault() throws {
        let directory = try TemporaryDirectory()
        let (runner, vault) = try CommandLineTests.makeVault(directory)
        try directory.write("a.csv", TestExports.accountsCSV(rows: 40_000), under: "export")
        try directory.write("b.csv", TestExports.accountsCSV(rows: 40_000, firstID: 7), under: "export")
        #expect(try runner.run(["backup", "--vault", vault, directory.path("export").path]).status == 0)
        try FileManager.default.createDirectory(at: directory.path("target"), withIntermediateDirectories: true)
        let run = try MountNamespace.run(Self.script(directory, [
            "mount -t tmpfs -o size=1m tmpfs target",
            "crmvault restore --vault '\(vault)' latest --to target/restored; echo \"restore=$?\"",
        ]), environment: Self.environment())
        #expect(run.output.contains("restore=5"), "\(run.output)")
        #expect(run.output.contains("restore target's disk is full") && run.output.contains("The vault is not at fault"), "\(run.output)")
        #expect(!run.output.contains("crmvault verify"), "a full target must not send the operator to check the vault")
    }
}

