import Foundation
import Testing
import VaultTesting

@testable import VaultCore

/// The tamper suite: every attack on a vault that an auditor must catch without a key.
struct TamperTests {
    /// A vault with an owner and a writer, three monthly snapshots, and audit entries.
    static func auditedVault() throws -> TemporaryVault {
        let vault = try TemporaryVault()
        let (writer, _) = try vault.writerKey()
        for month in 1...3 {
            let export = vault.directory.path("m\(month)")
            try vault.directory.write("Account.csv", Data((0..<(800 + 40 * month)).map { "\"001\($0)\",\"Acme \($0 * month % 97)\"\n" }.joined().utf8),
                under: "m\(month)")
            _ = try vault.vault.backup(export, keys: month == 2 ? vault.owner : writer, label: "2026-0\(month)")
            _ = vault.vault.recordAudit(AuditEvent(operation: "backup", arguments: ["backup", export.path], outcome: "ok"), keys: writer)
        }
        return vault
    }

    static func verify(_ vault: TemporaryVault, _ options: VerifyOptions = VerifyOptions()) throws -> VerifyReport {
        try vault.reopened().verify(options)
    }

    @Test func theUntouchedVaultVerifiesKeyless() throws {
        let vault = try Self.auditedVault()
        let report = try Self.verify(vault, VerifyOptions(trustedFingerprint: vault.vault.ownerFingerprint))
        #expect(report.problems.isEmpty, "\(report.problems)")
        #expect(report.isFingerprintTrusted)
        #expect(report.snapshots == 3)
    }

    @Test func aFlippedBitInAnyFileOfTheVaultIsReportedNamingTheFile() throws {
        let vault = try Self.auditedVault()
        var files = ["config", "keys/owner.key"]
        for directory in ["chain", "snapshots", "packs", "index", "audit"] { files += try vault.files(under: directory) }
        #expect(files.count > 12)
        for file in files {
            let size = try Data(contentsOf: vault.url.appendingPathComponent(file)).count
            for offset in [0, size / 2, size - 2] {
                try vault.flipBit(in: file, at: offset)
                do {
                    let report = try Self.verify(vault)
                    #expect(report.problems.contains { $0.file == file }, "bit \(offset) of \(file): \(report.problems)")
                } catch let error as VaultError {
                    #expect(file == "config" && error.code == .vaultDamaged, "\(file): \(error)")
                    #expect(error.message.contains("config"))
                }
                try vault.flipBit(in: file, at: offset)
            }
        }
        #expect(try Self.verify(vault).problems.isEmpty)
    }

    @Test func aTruncatedPackIsReported() throws {
        let vault = try Self.auditedVault()
        let pack = try #require(try vault.files(under: "packs").first)
        let url = vault.url.appendingPathComponent(pack)
        try Data(try Data(contentsOf: url).dropLast(100)).write(to: url)
        let problem = try #require(try Self.verify(vault).problems.first { $0.file == pack })
        #expect(problem.message.contains("does not hash to its name"))
        #expect(problem.affects.contains { $0.contains("Account.csv") })
    }

    @Test func twoSwappedPacksAreBothReported() throws {
        let vault = try Self.auditedVault()
        let packs = try vault.files(under: "packs")
        #expect(packs.count >= 2)
        let a = vault.url.appendingPathComponent(packs[0])
        let b = vault.url.appendingPathComponent(packs[1])
        let bytesA = try Data(contentsOf: a)
        try Data(contentsOf: b).write(to: a)
        try bytesA.write(to: b)
        let problems = try Self.verify(vault).problems.map(\.file)
        #expect(problems.contains(packs[0]) && problems.contains(packs[1]))
    }

    @Test func aPackReplacedByAValidPackFromAnotherVaultIsReported() throws {
        let vault = try Self.auditedVault()
        let other = try Self.auditedVault()
        let victim = try #require(try vault.files(under: "packs").first)
        let foreign = try #require(try other.files(under: "packs").first)
        // Under the victim's name: the hash no longer matches.
        try Data(contentsOf: other.url.appendingPathComponent(foreign)).write(to: vault.url.appendingPathComponent(victim))
        #expect(try Self.verify(vault).problems.contains { $0.file == victim })
        // Under its own valid name, with the victim gone: the victim is missing and the stranger is not trusted.
        try FileManager.default.removeItem(at: vault.url.appendingPathComponent(victim))
        try FileManager.default.createDirectory(
            at: vault.url.appendingPathComponent(foreign).deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: other.url.appendingPathComponent(foreign), to: vault.url.appendingPathComponent(foreign))
        let report = try Self.verify(vault)
        #expect(report.problems.contains { $0.file == victim && $0.message.contains("missing") })
        #expect(report.leftovers.contains(foreign) || report.problems.contains { $0.file == foreign })
    }

    @Test func anEditedManifestIsReportedWithItsSnapshot() throws {
        let vault = try Self.auditedVault()
        let manifest = try #require(try vault.files(under: "snapshots").last)
        let url = vault.url.appendingPathComponent(manifest)
        let text = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "\"label\":\"2026-0", with: "\"label\":\"2027-0")
        try text.write(to: url, atomically: true, encoding: .utf8)
        let problem = try #require(try Self.verify(vault).problems.first { $0.file == manifest })
        #expect(problem.message.contains("altered"))
        #expect(problem.affects.first?.hasPrefix("snapshot") == true)
    }

    @Test func aChainEntryDroppedInTheMiddleIsReported() throws {
        let vault = try Self.auditedVault()
        try FileManager.default.removeItem(at: vault.url.appendingPathComponent(ChainEntry.path(sequence: 2)))
        let problems = try Self.verify(vault).problems
        #expect(problems.contains { $0.message.contains("missing before it: the chain was cut") })
    }

    @Test func aChainEntryDroppedAtTheEndIsCaughtByACheckpoint() throws {
        let vault = try Self.auditedVault()
        let checkpoint = try vault.vault.checkpoint()
        let last = ChainEntry.path(sequence: checkpoint.sequence)
        try FileManager.default.removeItem(at: vault.url.appendingPathComponent(last))
        var options = VerifyOptions()
        options.checkpoints = [(checkpoint, "paper.txt")]
        let problems = try Self.verify(vault, options).problems
        #expect(problems.contains { $0.message.contains("rolled back") || $0.message.contains("truncated") })
    }

    @Test func reorderedChainEntriesAreReported() throws {
        let vault = try Self.auditedVault()
        let a = vault.url.appendingPathComponent(ChainEntry.path(sequence: 2))
        let b = vault.url.appendingPathComponent(ChainEntry.path(sequence: 3))
        let bytesA = try Data(contentsOf: a)
        try Data(contentsOf: b).write(to: a)
        try bytesA.write(to: b)
        let problems = try Self.verify(vault).problems
        #expect(problems.contains { $0.file == ChainEntry.path(sequence: 2) && $0.message.contains("says it is entry 3") })
    }

    @Test func aVaultRolledBackToAnOlderCopyFailsAgainstALaterCheckpoint() throws {
        let vault = try Self.auditedVault()
        let olderCopy = vault.directory.path("older-copy")
        try FileManager.default.copyItem(at: vault.url, to: olderCopy)
        _ = try vault.vault.backup(try vault.directory.write("x.csv", Data("new month\n".utf8)), keys: vault.owner)
        let checkpoint = try vault.vault.checkpoint(owner: vault.owner)
        var options = VerifyOptions()
        options.checkpoints = [(try Checkpoint(parsing: checkpoint.text, source: "checkpoint.txt"), "checkpoint.txt")]
        #expect(try Vault.open(at: vault.url).verify(options).problems.isEmpty)
        let problems = try Vault.open(at: olderCopy).verify(options).problems
        #expect(problems.contains { $0.message.contains("rolled back to an older copy") })
    }

    @Test func aForkedHistoryFailsAgainstACheckpointOfTheOtherBranch() throws {
        let vault = try Self.auditedVault()
        let fork = vault.directory.path("fork")
        try FileManager.default.copyItem(at: vault.url, to: fork)
        _ = try vault.vault.backup(try vault.directory.write("a.csv", Data("branch a\n".utf8)), keys: vault.owner)
        let forked = try Vault.open(at: fork)
        _ = try forked.backup(try vault.directory.write("b.csv", Data("branch b\n".utf8)), keys: vault.owner)
        var options = VerifyOptions()
        options.checkpoints = [(try vault.vault.checkpoint(), "a.txt")]
        let problems = try forked.verify(options).problems
        #expect(problems.contains { $0.message.contains("forked") })
    }

    @Test func anEntrySignedByAnUnauthorizedKeyIsReported() throws {
        let vault = try Self.auditedVault()
        let chain = try vault.vault.loadChain()
        let intruder = SigningKey()
        var entry = ChainEntry(vault: vault.vault.id, sequence: chain.entries.count, previous: chain.headHash, time: Timestamp.now(),
            signer: intruder.publicKey, type: .snapshot)
        entry.snapshot = chain.snapshotEntries.last!.entry.snapshot
        entry.packs = []
        entry.root = MerkleTree.root([Digest(hex: entry.snapshot!)!]).hex
        let document = SignedDocument(body: try CanonicalJSON.encode(entry), signedBy: intruder, domain: SignedDocument.chainDomain)
        try Data(document.bytes).write(to: vault.url.appendingPathComponent(ChainEntry.path(sequence: entry.sequence)))
        let problems = try Self.verify(vault).problems
        #expect(problems.contains { $0.file == ChainEntry.path(sequence: entry.sequence) && $0.message.contains("never authorized") })
    }

    @Test func anEntryReplayedFromAnotherVaultIsReported() throws {
        let vault = try Self.auditedVault()
        let other = try Self.auditedVault()
        let sequence = try vault.vault.loadChain().entries.count
        try FileManager.default.copyItem(
            at: other.url.appendingPathComponent(ChainEntry.path(sequence: sequence - 1)),
            to: vault.url.appendingPathComponent(ChainEntry.path(sequence: sequence)))
        let problems = try Self.verify(vault).problems.filter { $0.file == ChainEntry.path(sequence: sequence) }
        #expect(problems.contains { $0.message.contains("replayed from another vault") })
    }

    @Test func aManifestSmuggledInsideExportedCSVDataIsJustData() throws {
        let vault = try Self.auditedVault()
        let genuine = try #require(try vault.files(under: "snapshots").first)
        let smuggled = try Data(contentsOf: vault.url.appendingPathComponent(genuine))
        let export = try vault.directory.write("Case.csv", Data("Id,Description\n\"500X\",\"".utf8) + smuggled + Data("\"\n".utf8))
        _ = try vault.vault.backup(export, keys: vault.owner)
        let report = try Self.verify(vault)
        #expect(report.problems.isEmpty)
        #expect(report.snapshots == 4)
        // The smuggled text is encrypted like any other data: no pack holds it in clear.
        let marker = Array("\"label\":\"2026-01\"".utf8)
        for pack in try vault.files(under: "packs") {
            let bytes = Array(try Data(contentsOf: vault.url.appendingPathComponent(pack)))
            #expect(!bytes.indices.contains { bytes[$0...].starts(with: marker) })
        }
    }

    @Test func aConfigWithAnotherOwnerKeyFailsAgainstThePinnedFingerprint() throws {
        let vault = try Self.auditedVault()
        let pinned = vault.vault.ownerFingerprint
        let other = try TemporaryVault()
        for file in ["config", "keys/owner.key"] {
            try FileManager.default.removeItem(at: vault.url.appendingPathComponent(file))
            try FileManager.default.copyItem(at: other.url.appendingPathComponent(file), to: vault.url.appendingPathComponent(file))
        }
        let report = try Self.verify(vault, VerifyOptions(trustedFingerprint: pinned))
        #expect(report.problems.contains { $0.file == "config" && $0.message.contains("not the vault you pinned") })
        #expect(report.problems.contains { $0.file.hasPrefix("chain/") })
    }

    @Test func anEditedAuditEntryIsReported() throws {
        let vault = try Self.auditedVault()
        let entries = try vault.vault.auditEntries()
        #expect(entries.count == 3)
        #expect(entries.allSatisfy { $0.event.operation == "backup" })
        try FileManager.default.removeItem(at: vault.url.appendingPathComponent(AuditEntry.path(sequence: 1)))
        #expect(try Self.verify(vault).problems.contains { $0.file.hasPrefix("audit/") })
    }

    @Test func unexpectedFilesAreReportedButLocksAndLeftoversAreNot() throws {
        let vault = try Self.auditedVault()
        try vault.directory.write("notes.txt", Data("hello".utf8), under: "vault/snapshots")
        try vault.directory.write("0123456789abcdef.tmp", Data("partial".utf8), under: "vault/tmp")
        let report = try Self.verify(vault)
        #expect(report.problems.map(\.file) == ["snapshots/notes.txt"])
        #expect(report.leftovers.contains("tmp/0123456789abcdef.tmp"))
    }
}
