import Foundation
import Testing
import VaultTesting
import ZIPFoundation

@testable import VaultCore

struct RoundTripTests {
    /// A tree with the awkward cases: nesting, an empty file and directory, unicode names, a file far larger
    /// than the maximum chunk, and unusual modes and mtimes.
    static func makeAwkwardTree(in directory: TemporaryDirectory, base: String) throws -> URL {
        var random = SystemRandomNumberGenerator()
        let big = Data((0..<(700 * 1024)).map { _ in UInt8.random(in: 0...255, using: &random) })
        let text = Data(String(repeating: "\"001000000000001AAA\",\"Acme, Inc.\",\"Zürich\"\n", count: 9000).utf8)
        try directory.write("Account.csv", text, under: base)
        try directory.write("empty.csv", Data(), under: base)
        try directory.write("attachments/big.bin", big, under: base)
        try directory.write("Ünïcødé/名前 with spaces.csv", Data("名前,値\n".utf8), under: base)
        try FileManager.default.createDirectory(at: directory.path(base, "empty-dir"), withIntermediateDirectories: true)
        let script = try directory.write("attachments/run.sh", Data("#!/bin/sh\necho hi\n".utf8), under: base)
        try FileManager.default.setAttributes([.posixPermissions: 0o750], ofItemAtPath: script.path)
        try FileManager.default.setAttributes(
            [.modificationDate: Date(timeIntervalSince1970: 1_700_000_000.123456)], ofItemAtPath: directory.path(base, "Account.csv").path)
        return directory.path(base)
    }

    @Test func directoryRestoresByteExactWithModesAndMtimes() throws {
        let vault = try TemporaryVault()
        let source = try Self.makeAwkwardTree(in: vault.directory, base: "export")
        let result = try vault.vault.backup(source, keys: vault.owner, label: "2026-01")
        #expect(result.files == 5)

        let target = vault.directory.path("restored")
        let entry = try vault.vault.resolveSnapshot("latest", in: try vault.vault.loadChain())
        let report = try vault.vault.restore(entry, to: target, keys: vault.owner)
        #expect(report.failures.isEmpty)
        #expect(try DirectoryComparison.differences(between: source, and: target) == [])
    }

    @Test func singleFileRestoresUnderItsName() throws {
        let vault = try TemporaryVault()
        let file = try vault.directory.write("Contact.csv", Data("Id,Name\n\"003\",\"Zoë\"\n".utf8))
        _ = try vault.vault.backup(file, keys: vault.owner)
        let target = vault.directory.path("restored")
        _ = try vault.vault.restore(try vault.vault.resolveSnapshot("latest", in: try vault.vault.loadChain()), to: target, keys: vault.owner)
        #expect(try Data(contentsOf: target.appendingPathComponent("Contact.csv")) == Data(contentsOf: file))
    }

    @Test func zipMembersComeBackAsFilesAndProvenanceIsKept() throws {
        let vault = try TemporaryVault()
        let source = try Self.makeAwkwardTree(in: vault.directory, base: "export")
        let zip = vault.directory.path("export.zip")
        let archive = try Archive(url: zip, accessMode: .create)
        for path in ["Account.csv", "empty.csv", "attachments/big.bin", "Ünïcødé/名前 with spaces.csv"] {
            try archive.addEntry(with: path, relativeTo: source, compressionMethod: .deflate)
        }
        let result = try vault.vault.backup(zip, keys: vault.owner)
        #expect(result.files == 4)

        let target = vault.directory.path("restored")
        let entry = try vault.vault.resolveSnapshot("latest", in: try vault.vault.loadChain())
        #expect(try vault.vault.restore(entry, to: target, keys: vault.owner).failures.isEmpty)
        for path in ["Account.csv", "empty.csv", "attachments/big.bin", "Ünïcødé/名前 with spaces.csv"] {
            #expect(try Data(contentsOf: target.appendingPathComponent(path)) == Data(contentsOf: source.appendingPathComponent(path)))
        }
        let manifest = try vault.vault.loadManifest(entry).manifest
        #expect(manifest.source.kind == "zip")
        #expect(manifest.sealed.count > 100)
        let sealed = try #require(Hex.decode(manifest.sealed))
        let opened = try #require(vault.owner.sealing.open(sealed[...]))
        let provenance = try opened.withUnsafeBytes { try CanonicalJSON.decode(Provenance.self, from: Array($0)) }
        #expect(provenance.zip?.sha256 == SHA256Hasher.hash(Array(try Data(contentsOf: zip))).hex)
        #expect(provenance.zip?.members.count == 4)
    }

    @Test func restoreRefusesANonEmptyDirectoryUnlessForced() throws {
        let vault = try TemporaryVault()
        let file = try vault.directory.write("a.csv", Data("x\n".utf8))
        _ = try vault.vault.backup(file, keys: vault.owner)
        let target = vault.directory.path("restored")
        try vault.directory.write("existing.txt", Data("keep".utf8), under: "restored")
        let entry = try vault.vault.resolveSnapshot("latest", in: try vault.vault.loadChain())
        let error = try #require(throws: VaultError.self) { try vault.vault.restore(entry, to: target, keys: vault.owner) }
        #expect(error.code == .targetNotEmpty)
        #expect(try vault.vault.restore(entry, to: target, keys: vault.owner, force: true).filesRestored == 1)
        #expect(FileManager.default.fileExists(atPath: target.appendingPathComponent("existing.txt").path))
    }
}
