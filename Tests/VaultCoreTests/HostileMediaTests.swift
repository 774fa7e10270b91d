import Foundation
import Testing
import VaultTesting

@testable import VaultCore

/// Attacks by whoever can write to the medium (docs/THREAT-MODEL.md, "Hostile media"): nothing planted in a vault
/// may make crmvault act outside it, run unbounded, or hide from verify (issue 6).
struct HostileMediaTests {
    /// A vault with one snapshot by the owner, and a directory outside it holding files someone cares about.
    static func vaultWithVictim() throws -> (vault: TemporaryVault, victim: URL) {
        let vault = try TemporaryVault()
        _ = try vault.vault.backup(try vault.directory.write("a.csv", Data("\"001\",\"Acme\"\n".utf8), under: "export"), keys: vault.owner)
        let victim = vault.directory.path("victim")
        try vault.directory.write("id_ed25519", Data("private key\n".utf8), under: "victim")
        try vault.directory.write("authorized_keys", Data("ssh-ed25519 AAAA\n".utf8), under: "victim")
        return (vault, victim)
    }

    /// Every file under `directory` with its bytes, to show that nothing there changed.
    static func contents(of directory: URL) throws -> [String: Data] {
        let names = try FileManager.default.subpathsOfDirectory(atPath: directory.path)
        return try Dictionary(uniqueKeysWithValues: names.map { ($0, try Data(contentsOf: directory.appendingPathComponent($0))) })
    }

    static func replace(_ relative: String, in vault: TemporaryVault, withLinkTo target: String) throws {
        let url = vault.url.appendingPathComponent(relative)
        try? FileManager.default.removeItem(at: url)
        try FileManager.default.createSymbolicLink(atPath: url.path, withDestinationPath: target)
    }

    @Test func aSymlinkedTmpLeavesTheDirectoryItPointsAtUntouchedAndVerifyReportsIt() throws {
        let (vault, victim) = try Self.vaultWithVictim()
        let before = try Self.contents(of: victim)
        try Self.replace("tmp", in: vault, withLinkTo: victim.path)

        let verify = try vault.reopened().verify()
        #expect(verify.problems.contains { $0.file == "tmp" && $0.message.contains("symbolic link") }, "\(verify.problems)")
        #expect(!verify.leftovers.contains { $0.hasPrefix("tmp/") }, "the victim's files are not leftovers of the vault")

        let export = try vault.directory.write("b.csv", Data("\"002\",\"Globex\"\n".utf8), under: "export2")
        let error = try #require(throws: VaultError.self) { try vault.reopened().backup(export, keys: vault.owner) }
        #expect(error.code == .vaultDamaged)
        #expect(error.message.contains("/tmp is a symbolic link"), "\(error.message)")
        // Authorizing a writer and recording an audit entry write through tmp/ too: refused, or sent to the local log.
        #expect(throws: VaultError.self) {
            try vault.reopened().authorizeWriter(owner: vault.owner, name: "w", keyFile: vault.directory.path("w.key"))
        }
        if case .vault = vault.vault.recordAudit(AuditEvent(operation: "test", arguments: [], outcome: "ok"), keys: vault.owner) {
            Issue.record("the audit entry was staged through the linked tmp/")
        }
        #expect(try Self.contents(of: victim) == before)
        #expect(try vault.reopened().snapshots().count == 1)
    }

    @Test func aTreeInsideTmpIsAProblemAndNoBackupDeletesIt() throws {
        let (vault, _) = try Self.vaultWithVictim()
        try vault.directory.write("keep.txt", Data("mine\n".utf8), under: "vault/tmp/nested/deeper")
        try vault.directory.write("0011223344556677.tmp", Data("partial".utf8), under: "vault/tmp")
        _ = try vault.reopened().backup(try vault.directory.write("c.csv", Data("x\n".utf8), under: "export3"), keys: vault.owner)
        #expect(FileManager.default.fileExists(atPath: vault.url.appendingPathComponent("tmp/nested/deeper/keep.txt").path))
        #expect(!FileManager.default.fileExists(atPath: vault.url.appendingPathComponent("tmp/0011223344556677.tmp").path))
        #expect(try vault.reopened().verify().problems.map(\.file) == ["tmp/nested"])
    }

    @Test(arguments: ["symlink", "hard link", "dangling symlink"])
    func aLinkedLockFileIsNeverWrittenThrough(kind: String) throws {
        let (vault, victim) = try Self.vaultWithVictim()
        let target = victim.appendingPathComponent("authorized_keys")
        let dangling = victim.appendingPathComponent("created-by-crmvault")
        let lock = vault.url.appendingPathComponent("locks/writer.lock")
        try FileManager.default.removeItem(at: lock)
        switch kind {
        case "symlink": try FileManager.default.createSymbolicLink(atPath: lock.path, withDestinationPath: target.path)
        case "hard link": try FileManager.default.linkItem(at: target, to: lock)
        default: try FileManager.default.createSymbolicLink(atPath: lock.path, withDestinationPath: dangling.path)
        }
        let before = try Self.contents(of: victim)
        let opened = try vault.reopened()
        let export = try vault.directory.write("d.csv", Data("y\n".utf8), under: "export4")

        let backup = try #require(throws: VaultError.self) { try opened.backup(export, keys: vault.owner) }
        #expect(backup.code == .vaultDamaged)
        #expect(backup.message.contains("writer.lock"))
        #expect(throws: VaultError.self) { try VaultLock.acquire(vaultPath: opened.location, operation: "restore") }
        #expect(throws: VaultError.self) { try opened.authorizeWriter(owner: vault.owner, name: "w", keyFile: vault.directory.path("w.key")) }
        // restore, checkpoint --sign and every keyed command record their audit entry under the lock.
        if case .vault = opened.recordAudit(AuditEvent(operation: "restore", arguments: [], outcome: "ok"), keys: vault.owner) {
            Issue.record("the audit entry was written under a linked lock")
        }
        #expect(try Self.contents(of: victim) == before)
        #expect(!FileManager.default.fileExists(atPath: dangling.path))
        #expect(try opened.verify().problems.contains { $0.file == "locks/writer.lock" })
    }
}

/// Layout anomalies and races that verify must report, and that no writer may act through (issue 6, items 9 and 14).
struct HostileLayoutTests {
    @Test func filesWhereDirectoriesBelongAndDirectoriesWhereFilesBelongAreProblems() throws {
        let (vault, _) = try HostileMediaTests.vaultWithVictim()
        let manifest = try #require(try vault.files(under: "snapshots").first)
        try vault.directory.write("packs/ab", Data(count: 5 << 20), under: "vault")
        try vault.directory.write("index/cd", Data(count: 1024), under: "vault")
        try FileManager.default.createDirectory(at: vault.url.appendingPathComponent("snapshots/" + String(repeating: "e", count: 64) + ".manifest"),
            withIntermediateDirectories: true)
        let problems = try vault.reopened().verify().problems
        #expect(problems.contains { $0.file == "packs/ab" && $0.message.contains("regular file, where a directory belongs") })
        #expect(problems.contains { $0.file == "index/cd" })
        #expect(problems.contains { $0.file.hasSuffix("eeee.manifest") && $0.message.contains("directory, where a regular file belongs") })
        #expect(!problems.contains { $0.file == manifest })
        let error = try #require(throws: VaultError.self) {
            try vault.reopened().backup(vault.directory.path("export"), keys: vault.owner)
        }
        #expect(error.message.contains("packs/ab is a regular file, where a directory belongs"))
    }

    @Test(arguments: ["locks", "tmp"])
    func aPlainFileInPlaceOfLocksOrTmpIsReportedAndBlocksBackupsWithAClearError(directory: String) throws {
        let (vault, _) = try HostileMediaTests.vaultWithVictim()
        try FileManager.default.removeItem(at: vault.url.appendingPathComponent(directory))
        try vault.directory.write(directory, Data("plain".utf8), under: "vault")
        #expect(try vault.reopened().verify().problems.contains { $0.file == directory && $0.message.contains("regular file") })
        let error = try #require(throws: VaultError.self) {
            try vault.reopened().backup(vault.directory.path("export"), keys: vault.owner)
        }
        #expect(error.code == .vaultDamaged)
        #expect(error.message.contains("/\(directory) is a regular file, where a directory belongs"))
        #expect(try Data(contentsOf: vault.url.appendingPathComponent(directory)) == Data("plain".utf8))
    }

    @Test func aPackHoldingAChunkTwiceIsAProblem() throws {
        let (vault, _) = try HostileMediaTests.vaultWithVictim()
        let id = SHA256Hasher.hash([1])
        let header = BlockHeader(nonce: [UInt8](repeating: 0, count: 24), chunks: [(id, 1), (id, 1)], ciphertextLength: 16)
        var pack = ByteWriter()
        pack.append(PackFormat.magic + [UInt8](repeating: 0, count: PackFormat.sealedKeyCount))
        pack.append(UInt32(header.encoded().count))
        pack.append(header.encoded())
        pack.append([UInt8](repeating: 0, count: 16))
        let name = SHA256Hasher.hash(pack.bytes)
        try vault.vault.storage.writeDurably(PackFormat.packPath(name), pack.bytes)
        #expect(try vault.reopened().verify().problems.contains { $0.file == PackFormat.packPath(name) && $0.message.contains("twice") })
    }

    /// Storage that removes one pack the moment it is opened, as a backup that refuses a hostile zip drops its packs.
    struct VanishingStorage: VaultStorage {
        let base: LocalDirectoryStorage
        let vanishing: String
        var location: String { base.location }
        func exists(_ path: String) -> Bool { base.exists(path) }
        func kind(of path: String) throws -> FileKind? { try base.kind(of: path) }
        func read(_ path: String, limit: Int) throws -> [UInt8] { try base.read(path, limit: limit) }
        func read(_ path: String, offset: UInt64, count: Int) throws -> [UInt8] { try base.read(path, offset: offset, count: count) }
        func size(of path: String) throws -> UInt64 { try base.size(of: path) }
        func entries(_ directory: String) throws -> [DirectoryEntry] { try base.entries(directory) }
        func writeDurably(_ path: String, _ bytes: [UInt8]) throws { try base.writeDurably(path, bytes) }
        func createDurably(_ path: String, _ bytes: [UInt8]) throws -> Bool { try base.createDurably(path, bytes) }
        func stageFile() throws -> any StagedFile { try base.stageFile() }
        func openRandomAccess(_ path: String) throws -> any RandomAccessFile { try base.openRandomAccess(path) }
        func remove(_ path: String) throws { try base.remove(path) }
        func openSequential(_ path: String) throws -> any SequentialFile {
            if path == vanishing { try base.remove(path) }
            return try base.openSequential(path)
        }
    }

    @Test func verifyDuringABackupSaysSoAndAPackThatVanishesUnclaimedIsNoFailure() throws {
        let (vault, _) = try HostileMediaTests.vaultWithVictim()
        // A leftover pack of a backup still running (copied from a claimed one under its own name).
        let claimed = try #require(try vault.vault.listPacks().first)
        var bytes = try vault.vault.storage.read(PackFormat.packPath(claimed), limit: 1 << 30)
        bytes += [0]
        let leftover = SHA256Hasher.hash(bytes)
        try vault.vault.storage.writeDurably(PackFormat.packPath(leftover), bytes)
        let lock = try VaultLock.acquire(vaultPath: vault.url.path, operation: "backup of export.zip")
        defer { withExtendedLifetime(lock) {} }
        let opened = try vault.reopened()
        let racing = Vault(storage: VanishingStorage(base: LocalDirectoryStorage(root: vault.url), vanishing: PackFormat.packPath(leftover)),
            config: opened.config, configDocument: opened.configDocument)
        let report = try racing.verify()
        #expect(report.problems.isEmpty, "\(report.problems)")
        #expect(report.activeWriter?.contains("backup of export.zip") == true)
        #expect(report.warnings.first?.contains("is writing to this vault now") == true)
    }
}

/// What the plaintext audit log on the medium gives away (issue 6, item 19).
struct AuditPrivacyTests {
    @Test func pathsOutsideTheVaultAreRecordedAsPlaceholdersUnlessVerbose() {
        let arguments = ["restore", "--vault", "/media/offsite/crm", "latest", "--to", "/srv/restore/alice", "--key=/etc/crmvault/w.key",
                         "--passphrase-file", "/home/alice/.pass", "--label", "2026-11"]
        let outcome = "restored 3 files of snapshot 3f9a to /srv/restore/alice; /srv/restore/alice/x.csv failed"
        let quiet = AuditEvent(operation: "restore", arguments: arguments, outcome: outcome, vaultPath: "/media/offsite/crm")
        #expect(quiet.arguments == ["restore", "--vault", "/media/offsite/crm", "latest", "--to", "<path>", "--key=<path>",
                                    "--passphrase-file", "<path>", "--label", "2026-11"])
        #expect(quiet.outcome == "restored 3 files of snapshot 3f9a to <path>; <path>/x.csv failed")
        let verbose = AuditEvent(operation: "restore", arguments: arguments, outcome: outcome, vaultPath: "/media/offsite/crm", recordsPaths: true)
        #expect(verbose.arguments == arguments)
        #expect(verbose.outcome == outcome)
    }
}
