import Foundation
import Testing
import VaultTesting

@testable import VaultCore

struct KeyRoleTests {
    /// Every file of the vault with its bytes, to prove an operation wrote nothing.
    static func snapshotOfFiles(_ vault: TemporaryVault) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for directory in ["chain", "packs", "index", "snapshots", "keys"] {
            for path in try vault.files(under: directory) { files[path] = try Data(contentsOf: vault.url.appendingPathComponent(path)) }
        }
        files["config"] = try Data(contentsOf: vault.url.appendingPathComponent("config"))
        return files
    }

    @Test func wrongPassphraseIsRefusedAndWritesNothing() throws {
        let vault = try TemporaryVault()
        let before = try Self.snapshotOfFiles(vault)
        let error = try #require(throws: VaultError.self) { try vault.reopened().unlock(passphrase: Passphrase("wrong horse")) }
        #expect(error.code == .wrongPassphrase)
        #expect(!error.description.contains("wrong horse"))
        #expect(try Self.snapshotOfFiles(vault) == before)
    }

    @Test func rightPassphraseOpensTheSameOwnerKey() throws {
        let vault = try TemporaryVault()
        let keys = try vault.reopened().unlock(passphrase: Passphrase(TemporaryVault.passphraseText))
        #expect(keys.signingPublicKey == vault.owner.signingPublicKey)
        #expect(keys.canRead)
    }

    @Test func writerKeyBacksUpButCannotRestoreOrDecrypt() throws {
        let vault = try TemporaryVault()
        let (writer, _) = try vault.writerKey()
        #expect(!writer.canRead)
        let file = try vault.directory.write("Lead.csv", Data("Id,Email\n\"00Q1\",\"a@example.com\"\n".utf8))
        _ = try vault.vault.backup(file, keys: writer)
        let entry = try vault.vault.resolveSnapshot("latest", in: try vault.vault.loadChain())

        let error = try #require(throws: VaultError.self) {
            try vault.vault.restore(entry, to: vault.directory.path("restored"), keys: writer)
        }
        #expect(error.code == .readOnlyKey)
        #expect(!FileManager.default.fileExists(atPath: vault.directory.path("restored", "Lead.csv").path))
        // Not even the pack's data key opens with what a writer holds.
        let pack = try #require(try vault.vault.listPacks().first)
        let header = try vault.vault.storage.read(PackFormat.packPath(pack), offset: 0, count: PackFormat.headerCount)
        #expect(throws: VaultError.self) { try BlockOpener.openPackKey(header, sealing: writer.sealing, pack: pack) }
        // The owner can.
        #expect(try vault.vault.restore(entry, to: vault.directory.path("restored"), keys: vault.owner).filesRestored == 1)
    }

    @Test func writerKeyFileIsOwnerOnlyAndRefusedWhenOthersCanReadIt() throws {
        let vault = try TemporaryVault()
        let (_, file) = try vault.writerKey()
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int)
        #expect(mode == 0o600)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        let error = try #require(throws: VaultError.self) { try vault.vault.loadWriterKey(from: file) }
        #expect(error.code == .keyFileInsecure)
    }

    @Test func writerKeyOfAnotherVaultIsRefused() throws {
        let first = try TemporaryVault()
        let second = try TemporaryVault()
        let (_, file) = try first.writerKey()
        let error = try #require(throws: VaultError.self) { try second.vault.loadWriterKey(from: file) }
        #expect(error.code == .keyRefused)
    }

    @Test func ownerKeyFileRecordsModerateArgon2idByDefault() throws {
        let directory = try TemporaryDirectory()
        let (vault, _) = try Vault.create(at: directory.path("v"), passphrase: Passphrase("p"), settings: VaultSettings())
        let file = try CanonicalJSON.decode(OwnerKeyFile.self, from: try vault.storage.read(OwnerKeyFile.path, limit: ReadLimit.ownerKey))
        #expect(file.kdf.algorithm == "argon2id13")
        #expect(file.kdf.memlimit >= PassphraseKDF.moderate.memoryLimit)
        #expect(file.kdf.opslimit >= PassphraseKDF.moderate.opsLimit)
    }

    @Test func secretsNeverAppearInTheVaultInClear() throws {
        let vault = try TemporaryVault()
        let chunkIDKey = vault.owner.chunkIDKey.withUnsafeBytes { Hex.encode($0) }
        for (path, data) in try Self.snapshotOfFiles(vault) {
            #expect(!String(decoding: data, as: UTF8.self).contains(chunkIDKey), "\(path) holds the chunk-id key")
            #expect(!String(decoding: data, as: UTF8.self).contains(TemporaryVault.passphraseText))
        }
    }
}
