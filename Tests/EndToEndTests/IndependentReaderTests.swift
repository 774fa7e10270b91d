import CRMExportGenerator
import Foundation
import Testing
import VaultTesting

/// The second implementation of docs/FORMAT.md (scripts/independent-reader, Python written from the document alone)
/// and crmvault read each other's vaults: what one writes, the other verifies and restores byte for byte. A format
/// change that the document does not describe, or describes wrongly, fails here (chunk lists of short references,
/// §8, were built to the document and checked this way).
struct IndependentReaderTests {
    static let readerDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/independent-reader")

    /// Runs one of the reader's scripts with python3 (installed by scripts/install-dependencies.sh).
    static func python(_ script: String, _ arguments: [String]) throws -> CommandRunner.Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", readerDirectory.appendingPathComponent(script).path] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["CRMVAULT_PASSPHRASE"] = CommandLineTests.passphrase
        process.environment = environment
        let (out, err) = (Pipe(), Pipe())
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return .init(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// A CSV of ~2.5 MB, so that it has more than 256 chunks and a chunk list (§8); `month` changes some rows.
    static func writeBulk(to directory: URL, month: Int) throws {
        let rows = (0..<90_000).map { row in
            "\"\(row)\",\"Account \(row * 7919 % 10007)\",\"\(row % 97 == 0 ? month : row % 13)\"\n"
        }
        try Data(rows.joined().utf8).write(to: directory.appendingPathComponent("Bulk.csv"))
    }

    @Test func theIndependentReaderVerifiesAndRestoresWhatCrmvaultWrote() throws {
        let directory = try TemporaryDirectory()
        let (runner, vault) = try CommandLineTests.makeVault(directory)
        let generator = CRMExportGenerator(seed: 5, scale: 300)
        let (january, february) = (directory.path("2026-01"), directory.path("2026-02"))
        try generator.writeMonth(0, to: january)
        try generator.writeMonth(1, to: february)
        try Self.writeBulk(to: january, month: 1)
        try Self.writeBulk(to: february, month: 2)
        let key = directory.path("writer.key").path
        #expect(try runner.run(["key", "writer", "--vault", vault, "--out", key]).status == 0)
        #expect(try CommandRunner().run(["backup", "--vault", vault, "--key", key, "--label", "2026-01", january.path]).status == 0)
        let second = try CommandRunner().run(["backup", "--vault", vault, "--key", key, "--label", "2026-02", february.path])
        #expect(second.status == 0, "\(second.all)")
        let snapshot = try #require(second.stdout.split(separator: " ").dropFirst().first.map { String($0.prefix(64)) })
        let manifest = try String(contentsOf: URL(fileURLWithPath: vault).appendingPathComponent("snapshots/\(snapshot).manifest"),
            encoding: .utf8)
        let hasList = manifest.contains("\"list\":[")
        #expect(hasList, "the export is large enough for chunk lists (§8)")

        let verify = try Self.python("crmvault_reader.py", ["verify", vault])
        #expect(verify.status == 0 && verify.stdout.contains(": OK"), "\(verify.all)")
        let restored = directory.path("restored")
        let restore = try Self.python("crmvault_reader.py", ["restore", vault, snapshot, restored.path, "--check-chunking"])
        #expect(restore.status == 0, "\(restore.all)")
        #expect(try DirectoryComparison.differences(between: february, and: restored) == [])
    }

    @Test func crmvaultVerifiesAndRestoresAVaultTheIndependentWriterMade() throws {
        let directory = try TemporaryDirectory()
        let export = directory.path("export")
        try CRMExportGenerator(seed: 6, scale: 100).writeMonth(0, to: export)
        try Self.writeBulk(to: export, month: 1)
        let vault = directory.path("vault").path
        let made = try Self.python("make_vault.py", [export.path, vault])
        #expect(made.status == 0, "\(made.all)")
        let manifest = try #require(try FileManager.default.contentsOfDirectory(atPath: vault + "/snapshots").first)
        let hasList = try String(contentsOfFile: vault + "/snapshots/" + manifest, encoding: .utf8).contains("\"list\":[")
        #expect(hasList, "the export is large enough for a chunk list (§8)")

        let runner = CommandRunner(environment: ["CRMVAULT_PASSPHRASE": CommandLineTests.passphrase])
        let verify = try runner.run(["verify", "--vault", vault, "--deep"])
        #expect(verify.status == 0, "\(verify.all)")
        let restored = directory.path("restored")
        let restore = try runner.run(["restore", "--vault", vault, "latest", "--to", restored.path])
        #expect(restore.status == 0, "\(restore.all)")
        #expect(try DirectoryComparison.differences(between: export, and: restored) == [])
    }
}
