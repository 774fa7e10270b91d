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
