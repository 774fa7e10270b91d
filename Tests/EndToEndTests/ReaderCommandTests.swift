import Foundation
import Reader
import Testing
import VaultTesting

/// The reader kept beside a vault for a bare machine (issue 10, item 5): only a binary that needs nothing a bare
/// Debian lacks is accepted, it replaces only an earlier reader, and verify checks its SHA-256. (That the static build
/// really runs with the toolchain hidden is scripts/check-static.sh's test, run by CI.)
struct ReaderCommandTests {
    static let formatDocument = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/FORMAT.md")

    /// A binary that needs only the C library, as the static crmvault does: `true` from coreutils.
    static let standaloneBinary = ["/usr/bin/true", "/bin/true"].first { FileManager.default.isExecutableFile(atPath: $0) }!

    @Test func aBinaryThatNeedsTheToolchainIsRefusedAsAReader() throws {
        let directory = try TemporaryDirectory()
        let (runner, vault) = try CommandLineTests.makeVault(directory)
        let dependencies = try ELFDependencies.read(CommandRunner.binary.path)
        #expect(!dependencies.isStandalone, "the test build links the toolchain's libraries")
        let refused = try runner.run(["reader", "--vault", vault])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("scripts/build-static.sh") && refused.stderr.contains(dependencies.nonStandalone[0]), "\(refused.all)")
        #expect(!FileManager.default.fileExists(atPath: directory.path(ReaderBundle.directoryName).path))
        let initWithReader = try runner.run(["init", "--vault", directory.path("v2").path, "--kdf", "insecure-test-only", "--with-reader"])
        #expect(initWithReader.status == 2 && !FileManager.default.fileExists(atPath: directory.path("v2").path),
            "a refused reader leaves no half-made vault: \(initWithReader.all)")
        #expect(try ELFDependencies.read(Self.standaloneBinary).isStandalone)
    }

    @Test func theReaderGoesBesideTheVaultAndVerifyChecksItsHash() throws {
        let directory = try TemporaryDirectory()
        let (runner, vault) = try CommandLineTests.makeVault(directory)
        let write = try runner.run(["reader", "--vault", vault, "--binary", Self.standaloneBinary, "--format-doc", Self.formatDocument.path, "--json"])
        #expect(write.status == 0, "\(write.all)")
        let reader = directory.path(ReaderBundle.directoryName)
        let names = try FileManager.default.contentsOfDirectory(atPath: reader.path).sorted()
        #expect(names == ["FORMAT.md", "RESTORE.txt", "crmvault", "crmvault.sha256"])
        let guide = try String(contentsOf: reader.appendingPathComponent("RESTORE.txt"), encoding: .utf8)
        #expect(guide.contains("--vault ../vault") && !guide.contains("{{SHA256}}"))
        let good = try CommandRunner().run(["verify", "--vault", vault])
        #expect(good.status == 0 && good.stdout.contains("its binary matches crmvault.sha256"), "\(good.all)")

        var binary = try Data(contentsOf: reader.appendingPathComponent("crmvault"))
        binary[binary.count / 2] ^= 0x01
        try binary.write(to: reader.appendingPathComponent("crmvault"))
        let bad = try CommandRunner().run(["verify", "--vault", vault])
        #expect(bad.status == 1 && bad.stdout.contains("does not match the SHA-256"), "\(bad.all)")

        // A second run replaces its own reader, never a directory holding someone else's files.
        #expect(try runner.run(["reader", "--vault", vault, "--binary", Self.standaloneBinary, "--format-doc", Self.formatDocument.path]).status == 0)
        let foreign = try directory.write("mine.txt", Data("keep".utf8), under: "other")
        let refused = try runner.run(["reader", "--to", foreign.deletingLastPathComponent().path, "--binary", Self.standaloneBinary,
            "--format-doc", Self.formatDocument.path])
        #expect(refused.status == 2 && refused.stderr.contains("mine.txt"), "\(refused.all)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: foreign.deletingLastPathComponent().path) == ["mine.txt"])
    }
}
