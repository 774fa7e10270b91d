import Foundation
import Testing
import VaultTesting

@testable import VaultCore

/// Attacks found in review, each kept as a test so it stays fixed.
struct ReviewRegressionTests {
    /// Commits a manifest with `files` in place of the latest snapshot's, signed by `keys` (a writer can do this).
    static func commitForgedSnapshot(_ vault: TemporaryVault, keys: VaultKeys, edit: (inout SnapshotManifest) -> Void) throws {
        let chain = try vault.vault.loadChain()
        var manifest = try vault.vault.loadManifest(chain.snapshotEntries.last!).manifest
        edit(&manifest)
        manifest.tidyAfterEdit()  // totals and packs kept consistent: the forgery tests what the edit changed
        let bytes = try CanonicalJSON.encode(manifest) + [0x0a]
        let id = SHA256Hasher.hash(bytes)
        try vault.vault.storage.writeDurably(SnapshotManifest.path(id), bytes)
        var entry = ChainEntry(vault: vault.vault.id, sequence: chain.entries.count, previous: chain.headHash, time: Timestamp.now(),
            signer: keys.signingPublicKey, type: .snapshot)
        entry.snapshot = id.hex
        entry.packs = []
        entry.root = MerkleTree.root([id]).hex
        entry.files = manifest.fileCount
        entry.bytesIn = manifest.bytesIn
        entry.bytesStored = 0
        try vault.vault.append(entry, signedBy: keys)
    }

    @Test func aWriterCannotMakeRestoreWriteThroughChainedLinks() throws {
        let vault = try TemporaryVault()
        let (writer, _) = try vault.writerKey()
        _ = try vault.vault.backup(try vault.directory.write("a.csv", Data("payload\n".utf8), under: "export"), keys: writer)
        try Self.commitForgedSnapshot(vault, keys: writer) { manifest in
            let payload = manifest.files.first { $0.type == "file" }!
            var directory = payload
            directory.path = "d"
            directory.type = "directory"
            directory.content = nil
            var up = payload
            up.path = "d/up"
            up.type = "symlink"
            up.target = ".."
            up.content = nil
            var escape = up
            escape.path = "x"
            escape.target = "d/up/.."
            var written = payload
            written.path = "x/pwned.txt"
            manifest.files = [directory, up, escape, written]
        }
        let root = vault.directory.path("restore-root")
        let target = root.appendingPathComponent("target")
        let entry = try vault.vault.resolveSnapshot("latest", in: try vault.vault.loadChain())
        let report = try vault.vault.restore(entry, to: target, keys: vault.owner)
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("pwned.txt").path))
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("x").path))
        #expect(report.failures.contains { $0.path == "x/pwned.txt" || $0.path == "x" })
    }

    @Test func setuidBitsAreNeverRestored() throws {
        let vault = try TemporaryVault()
        let file = try vault.directory.write("tool", Data("#!/bin/sh\n".utf8), under: "export")
        try FileManager.default.setAttributes([.posixPermissions: 0o4755], ofItemAtPath: file.path)
        _ = try vault.vault.backup(vault.directory.path("export"), keys: vault.owner)
        let target = vault.directory.path("restored")
        _ = try vault.vault.restore(try vault.vault.resolveSnapshot("latest", in: try vault.vault.loadChain()), to: target, keys: vault.owner)
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: target.appendingPathComponent("tool").path)[.posixPermissions] as? Int)
        #expect(mode == 0o755)
    }

    @Test func aPlantedPackIsNeverUsedForDeduplication() throws {
        let vault = try TemporaryVault()
        let export = try vault.directory.write("Account.csv", Data(String(repeating: "\"001\",\"Acme\",\"Zürich\"\n", count: 4000).utf8),
            under: "export")
        _ = try vault.vault.backup(vault.directory.path("export"), keys: vault.owner)
        // Plant a structurally valid pack that claims every chunk id but holds garbage, with a matching index.
        let realPack = try #require(try vault.vault.listPacks().first)
        let index = try PackIndex.decode(try vault.vault.storage.read(PackFormat.indexPath(realPack), limit: ReadLimit.index))
        var planted = PackFormat.magic + Sodium.randomBytes(PackFormat.sealedKeyCount)
        let header = BlockHeader(nonce: Sodium.randomBytes(24), chunks: index.records.map { ($0.id, $0.location.length) }, ciphertextLength: 64)
        var block = ByteWriter()
        block.append(UInt32(header.encoded().count))
        block.append(header.encoded())
        block.append(Sodium.randomBytes(64))
        planted += block.bytes
        let name = SHA256Hasher.hash(planted)
        try vault.vault.storage.writeDurably(PackFormat.packPath(name), planted)
        try vault.vault.storage.writeDurably(PackFormat.indexPath(name), PackIndex(pack: name, records: index.records.map {
            ($0.id, ChunkLocation(pack: name, blockOffset: UInt64(PackFormat.headerCount), blockLength: UInt32(block.bytes.count),
                offsetInBlock: $0.location.offsetInBlock, length: $0.location.length))
        }).encoded())
        // Delete the real pack's data: a new backup must store the chunks again rather than trust the planted pack.
        try FileManager.default.removeItem(at: vault.url.appendingPathComponent(PackFormat.packPath(realPack)))
        let again = try vault.vault.backup(vault.directory.path("export"), keys: vault.owner)
        #expect(again.newChunkBytes > 0)
        let target = vault.directory.path("restored")
        let report = try vault.vault.restore(try vault.vault.resolveSnapshot("latest", in: try vault.vault.loadChain()), to: target,
            keys: vault.owner)
        #expect(report.failures.isEmpty)
        #expect(try Data(contentsOf: target.appendingPathComponent("Account.csv")) == Data(contentsOf: export))
    }

    @Test func anUppercasedSignatureDigitIsDetected() throws {
        let vault = try TamperTests.auditedVault()
        let path = ChainEntry.path(sequence: 1)
        let url = vault.url.appendingPathComponent(path)
        var bytes = Array(try Data(contentsOf: url))
        let split = bytes.firstIndex(of: 0x0a)!
        let letter = try #require(bytes[(split + 1)...].firstIndex { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f") })
        bytes[letter] ^= 0x20
        try Data(bytes).write(to: url)
        #expect(try TamperTests.verify(vault).problems.contains { $0.file == path })
    }

    @Test func droppingTheAuditLogShowsAgainstTheChain() throws {
        let vault = try TamperTests.auditedVault()
        try FileManager.default.removeItem(at: vault.url.appendingPathComponent("audit"))
        #expect(try TamperTests.verify(vault).problems.contains { $0.file == "audit/" })
    }

    @Test func aManifestThatPointsAtNoPacksFailsKeylessVerify() throws {
        let vault = try TemporaryVault()
        let (writer, _) = try vault.writerKey()
        _ = try vault.vault.backup(try vault.directory.write("a.csv", Data("payload\n".utf8), under: "export"), keys: writer)
        try Self.commitForgedSnapshot(vault, keys: writer) { $0.packs = [] }
        let problems = try vault.reopened().verify().problems
        // A file with bytes must name the packs its chunks are read from (FORMAT.md §8), signed or not.
        #expect(problems.contains { $0.rule == "§8" && $0.signedBy == "writer test-writer" && $0.message.contains("\"a.csv\"") },
            "\(problems.map(\.message))")
    }

    @Test func aBlockHeaderDeclaringAHugePlaintextIsRefusedBeforeAllocation() {
        let header = BlockHeader(nonce: [UInt8](repeating: 0, count: 24),
            chunks: (0..<5).map { (SHA256Hasher.hash([UInt8($0)]), UInt32(16 << 20)) }, ciphertextLength: 100)
        #expect(throws: PackDecodingError.self) { try BlockHeader.decode(header.encoded()) }
    }

    @Test func restoreWorksOnAReadOnlyMediumWhoseIndexIsLost() throws {
        let vault = try TemporaryVault()
        let export = try vault.directory.write("a.csv", Data(String(repeating: "row,of,data\n", count: 3000).utf8), under: "export")
        _ = try vault.vault.backup(vault.directory.path("export"), keys: vault.owner)
        try FileManager.default.removeItem(at: vault.url.appendingPathComponent("index"))
        let target = vault.directory.path("restored")
        let report = try vault.vault.restore(try vault.vault.resolveSnapshot("latest", in: try vault.vault.loadChain()), to: target,
            keys: vault.owner)
        #expect(report.failures.isEmpty)
        #expect(try Data(contentsOf: target.appendingPathComponent("a.csv")) == Data(contentsOf: export))
    }

    @Test func aPlantedPackWithStrayTrailingBytesIsAProblem() throws {
        let vault = try TemporaryVault()
        _ = try vault.vault.backup(try vault.directory.write("a.csv", Data("x\n".utf8), under: "export"), keys: vault.owner)
        let pack = try #require(try vault.vault.listPacks().first)
        let bytes = try vault.vault.storage.read(PackFormat.packPath(pack), limit: 1 << 30) + [1, 2]
        let name = SHA256Hasher.hash(bytes)
        try vault.vault.storage.writeDurably(PackFormat.packPath(name), bytes)
        let problems = try vault.reopened().verify().problems
        #expect(problems.contains { $0.file == PackFormat.packPath(name) && $0.message.contains("stray bytes") })
    }

    @Test func anEditedIndexIsNeitherTrustedForDeduplicationNorForRestore() throws {
        let vault = try TemporaryVault()
        let export = try vault.directory.write("a.csv", Data(String(repeating: "\"001\",\"Acme\"\n", count: 5000).utf8), under: "export")
        _ = try vault.vault.backup(vault.directory.path("export"), keys: vault.owner)
        let pack = try #require(try vault.vault.listPacks().first)
        var index = try PackIndex.decode(try vault.vault.storage.read(PackFormat.indexPath(pack), limit: ReadLimit.index))
        index.records[0].location.offsetInBlock += 1  // the old seal stays: it no longer matches the records
        try vault.vault.storage.writeDurably(PackFormat.indexPath(pack), index.encoded())

        let target = vault.directory.path("restored")
        let entry = try vault.vault.resolveSnapshot("latest", in: try vault.vault.loadChain())
        #expect(try vault.vault.restore(entry, to: target, keys: vault.owner).failures.isEmpty)
        #expect(try Data(contentsOf: target.appendingPathComponent("a.csv")) == Data(contentsOf: export))
        let again = try vault.vault.backup(vault.directory.path("export"), keys: vault.owner)
        #expect(again.newChunkBytes > 0, "the edited index was trusted for deduplication")
        #expect(try vault.reopened().verify().problems.contains { $0.file == PackFormat.indexPath(pack) })
    }

    @Test func anOwnerBackupNeverDeduplicatesAgainstAWritersPack() throws {
        let vault = try TemporaryVault()
        let (writer, _) = try vault.writerKey()
        let export = try vault.directory.write("secret.csv", Data("Id,Password\n\"500\",\"hunter2\"\n".utf8), under: "export")
        _ = try vault.vault.backup(vault.directory.path("export"), keys: writer)
        let owners = try vault.vault.backup(vault.directory.path("export"), keys: vault.owner)
        #expect(owners.newChunkBytes == Int(try Data(contentsOf: export).count))
        let writers = try vault.vault.backup(vault.directory.path("export"), keys: writer)
        #expect(writers.newChunkBytes == 0, "a writer still deduplicates against its own and the owner's packs")
    }

    @Test func aCheckpointCatchesErasedAuditEntriesAfterTheNewestChainEntry() throws {
        let vault = try TamperTests.auditedVault()
        let checkpoint = try vault.vault.checkpoint()
        let newest = try #require(checkpoint.audit).count - 1
        try FileManager.default.removeItem(at: vault.url.appendingPathComponent(AuditEntry.path(sequence: newest)))
        var options = VerifyOptions()
        options.checkpoints = [(try Checkpoint(parsing: checkpoint.text, source: "paper"), "paper")]
        #expect(try TamperTests.verify(vault, options).problems.contains { $0.message.contains("audited operations were erased") })
    }

    @Test func aStrayFileInTheAuditLogDoesNotStopBackups() throws {
        let vault = try TamperTests.auditedVault()
        try vault.directory.write("zz.entry", Data("junk".utf8), under: "vault/audit")
        _ = try vault.vault.backup(try vault.directory.write("b.csv", Data("more\n".utf8)), keys: vault.owner)
        let problems = try TamperTests.verify(vault).problems
        #expect(problems.map(\.file) == ["audit/zz.entry"], "\(problems)")
    }

    @Test func chainedLinksThatLeadOutsideAreRemovedAfterRestore() throws {
        let vault = try TemporaryVault()
        let export = vault.directory.path("export")
        try FileManager.default.createDirectory(at: export.appendingPathComponent("d"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: export.appendingPathComponent("d/up").path, withDestinationPath: "..")
        try FileManager.default.createSymbolicLink(atPath: export.appendingPathComponent("x").path, withDestinationPath: "d/up/..")
        try FileManager.default.createSymbolicLink(atPath: export.appendingPathComponent("ok").path, withDestinationPath: "d")
        try vault.directory.write("a.csv", Data("x\n".utf8), under: "export/d")
        _ = try vault.vault.backup(export, keys: vault.owner)
        let target = vault.directory.path("restore-root", "target")
        let report = try vault.vault.restore(try vault.vault.resolveSnapshot("latest", in: try vault.vault.loadChain()), to: target,
            keys: vault.owner, outsideLinks: .refuse)
        #expect(report.failures.map(\.path) == ["x"])
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: target.appendingPathComponent("ok").path) == "d")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: target.appendingPathComponent("d/up").path) == "..")
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: target.appendingPathComponent("x").path)) == nil)
    }

    @Test func aFileWithBytesButNoChunksFailsKeylessVerify() throws {
        let vault = try TemporaryVault()
        let (writer, _) = try vault.writerKey()
        _ = try vault.vault.backup(try vault.directory.write("a.csv", Data("payload\n".utf8), under: "export"), keys: writer)
        try Self.commitForgedSnapshot(vault, keys: writer) { manifest in
            manifest.files[0].content = nil
            manifest.files[0].size = 123456
        }
        let problems = try vault.reopened().verify().problems
        #expect(problems.contains { $0.rule == "§8" && $0.message.contains("is a file without `content`") }, "\(problems.map(\.message))")
    }
}
