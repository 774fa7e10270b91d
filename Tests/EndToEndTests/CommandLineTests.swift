import CRMExportGenerator
import Foundation
import Testing
import VaultTesting

#if canImport(Glibc)
import Glibc
#endif

struct CommandLineTests {
    static let passphrase = "e2e passphrase that must never be printed"

    static func makeVault(_ directory: TemporaryDirectory) throws -> (CommandRunner, String) {
        let runner = CommandRunner(environment: ["CRMVAULT_PASSPHRASE": passphrase])
        let vault = directory.path("vault").path
        let created = try runner.run(["init", "--vault", vault, "--kdf", "insecure-test-only"])
        #expect(created.status == 0, "\(created.all)")
        #expect(created.stdout.contains("fingerprint"))
        return (runner, vault)
    }

    @Test func aUserCanBackUpListRestoreAndVerify() throws {
        let directory = try TemporaryDirectory()
        let (runner, vault) = try Self.makeVault(directory)
        let generator = CRMExportGenerator(seed: 11, scale: 200)
        let january = directory.path("2026-01")
        let february = directory.path("2026-02")
        try generator.writeMonth(0, to: january)
        try generator.writeMonth(1, to: february)

        let key = directory.path("writer.key").path
        let keyOutput = try runner.run(["key", "writer", "--vault", vault, "--out", key])
        #expect(keyOutput.status == 0, "\(keyOutput.all)")

        let writer = CommandRunner()
        let first = try writer.run(["backup", "--vault", vault, "--key", key, "--label", "2026-01", january.path])
        #expect(first.status == 0, "\(first.all)")
        #expect(first.stdout.hasPrefix("snapshot "))
        let second = try runner.run(["backup", "--vault", vault, "--label", "2026-02", february.path])
        #expect(second.status == 0, "\(second.all)")

        let listing = try runner.run(["snapshots", "--vault", vault, "--json"])
        #expect(listing.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(listing.stdout.utf8)) as? [String: Any])
        let array = try #require(object["snapshots"] as? [[String: Any]])
        #expect(array.count == 2)
        #expect(array[0]["label"] as? String == "2026-01")
        // Each snapshot object opens with its id (docs/CLI.md).
        #expect(listing.stdout.components(separatedBy: "{\n      \"id\": ").count == 3, "\(listing.stdout)")

        let refused = try writer.run(["restore", "--vault", vault, "--key", key, "latest", "--to", directory.path("nope").path])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("writer key cannot"))

        let restored = directory.path("restored")
        let restore = try runner.run(["restore", "--vault", vault, "latest", "--to", restored.path])
        #expect(restore.status == 0, "\(restore.all)")
        #expect(try DirectoryComparison.differences(between: february, and: restored) == [])

        #expect(try CommandRunner().run(["verify", "--vault", vault]).status == 0)
        let deep = try runner.run(["verify", "--vault", vault, "--deep", "--json"])
        #expect(deep.status == 0, "\(deep.all)")
        for output in [first, second, listing, restore, deep, keyOutput] {
            #expect(!output.all.contains(Self.passphrase))
        }
    }

    @Test func wrongPassphraseExitsTwoWithoutEchoingIt() throws {
        let directory = try TemporaryDirectory()
        let (_, vault) = try Self.makeVault(directory)
        let export = try directory.write("a.csv", Data("x\n".utf8))
        let output = try CommandRunner().run(["backup", "--vault", vault, export.path], environment: ["CRMVAULT_PASSPHRASE": "not it"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("passphrase does not open"))
        #expect(!output.all.contains("not it"))
    }

    @Test func missingMediumExitsFiveNoVaultExitsTwoAndDamagedPackExitsOne() throws {
        let directory = try TemporaryDirectory()
        #expect(try CommandRunner().run(["verify", "--vault", directory.path("none").path]).status == 5)
        try FileManager.default.createDirectory(at: directory.path("empty"), withIntermediateDirectories: true)
        #expect(try CommandRunner().run(["verify", "--vault", directory.path("empty").path]).status == 2)
        let (runner, vault) = try Self.makeVault(directory)
        let export = try directory.write("a.csv", Data(String(repeating: "row,data\n", count: 1000).utf8))
        #expect(try runner.run(["backup", "--vault", vault, export.path]).status == 0)
        let packs = FileManager.default.enumerator(atPath: vault + "/packs")!.compactMap { $0 as? String }.filter { $0.hasSuffix(".pack") }
        let pack = URL(fileURLWithPath: vault + "/packs/" + packs[0])
        var bytes = try Data(contentsOf: pack)
        bytes[bytes.count / 2] ^= 0x40
        try bytes.write(to: pack)
        let verify = try CommandRunner().run(["verify", "--vault", vault])
        #expect(verify.status == 1)
        #expect(verify.stdout.contains(packs[0].split(separator: "/").last!))
    }

    @Test func aSecondWriterGetsExitCodeFour() throws {
        let directory = try TemporaryDirectory()
        let (runner, vault) = try Self.makeVault(directory)
        let export = try directory.write("a.csv", Data("x\n".utf8))
        let fd = open(vault + "/locks/writer.lock", O_RDWR | O_CREAT, 0o644)
        #expect(fd >= 0)
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        defer { close(fd) }
        let output = try runner.run(["backup", "--vault", vault, export.path])
        #expect(output.status == 4)
        #expect(output.stderr.contains("locked"))
    }

    @Test func aLongPassphraseFileIsReadWhole() throws {
        let directory = try TemporaryDirectory()
        let long = String(repeating: "correct horse ", count: 400)
        let file = try directory.write("passphrase", Data((long + "\n").utf8))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        let vault = directory.path("vault").path
        let runner = CommandRunner()
        #expect(try runner.run(["init", "--vault", vault, "--kdf", "insecure-test-only"], environment: ["CRMVAULT_PASSPHRASE": long]).status == 0)
        let export = try directory.write("a.csv", Data("x\n".utf8))
        let backup = try runner.run(["backup", "--vault", vault, "--passphrase-file", file.path, export.path])
        #expect(backup.status == 0, "\(backup.all)")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        #expect(try runner.run(["backup", "--vault", vault, "--passphrase-file", file.path, export.path]).status == 2)
    }
}
