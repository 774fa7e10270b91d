import Foundation
import Testing
import VaultTesting

@testable import VaultCore

/// Deep verify proves the files of every snapshot on several threads. What must not change with that: the files a
/// damaged block really loses, named per snapshot in the manifest's order, the count of intact files, and progress
/// that only grows to the whole.
struct ParallelDeepVerifyTests {
    @Test func damagedFilesAreNamedPerSnapshotInManifestOrderWhateverThreadProvedThem() throws {
        var settings = TemporaryVault.fastSettings
        settings.packTarget = 1  // a pack per block, so each file's damage is isolated
        let vault = try TemporaryVault(settings: settings)
        for index in 0..<8 {
            try vault.directory.write("f\(index).bin", ParallelRestoreTests.bytes((200 + 50 * index) << 10, seed: UInt64(40 + index)),
                under: "export")
        }
        _ = try vault.vault.backup(vault.directory.path("export"), keys: vault.owner)
        try vault.directory.write("g.bin", ParallelRestoreTests.bytes(300 << 10, seed: 60), under: "export")
        _ = try vault.vault.backup(vault.directory.path("export"), keys: vault.owner)
        let first = try #require(try vault.vault.loadChain().snapshotEntries.first)
        let manifest = try vault.vault.loadManifest(first).manifest
        // The damage lies in the later files of the manifest, so a thread that finishes early proves files after them.
        for damaged in ["f6.bin", "f2.bin"] {
            let file = try #require(manifest.files.first { $0.path == damaged })
            let others = Set(manifest.files.filter { $0.path != damaged }.flatMap { $0.packs ?? [] })
            let index = try #require(file.packs?.first { !others.contains($0) })
            try vault.flipBit(in: PackFormat.packPath(try #require(Digest(hex: manifest.packs[index]))), at: -5)
        }
        let updates = OperatorVaultTests.Updates()
        var options = VerifyOptions(ownerKeys: vault.owner)
        options.progress = { updates.append($0) }
        let report = try vault.reopened().verify(options)
        #expect(report.damage.count == 2, "both snapshots hold the two damaged files: \(report.damage)")
        for damage in report.damage {
            #expect(damage.damagedFiles.map { String($0.prefix { $0 != ":" }) } == ["f2.bin", "f6.bin"], "\(damage)")
        }
        #expect(report.damage.map(\.intactFiles) == [6, 7])
        #expect(report.filesChecked == 13)
        let proofs = updates.all.filter { $0.phase == "file digests" }
        let last = try #require(proofs.last)
        #expect(last.itemsDone == 17 && last.itemsTotal == 17)
        #expect(zip(proofs, proofs.dropFirst()).allSatisfy { $0.itemsDone <= $1.itemsDone && $0.bytesDone <= $1.bytesDone })
    }

    /// `verify --deep` derives the key inside verify, on a thread of its own, while the chain, the manifests and the
    /// chunk map are read: the report is the one verify makes with the keys given first, damage and all; a key that
    /// cannot be derived (a wrong passphrase) fails the verify with that error.
    @Test func keysDerivedDuringTheKeylessPartGiveTheSameReport() throws {
        var settings = TemporaryVault.fastSettings
        settings.packTarget = 1
        let vault = try TemporaryVault(settings: settings)
        let (source, _) = try ParallelRestoreTests.mixedTree(in: vault.directory)
        _ = try vault.vault.backup(source, keys: vault.owner)
        try vault.directory.write("late.bin", ParallelRestoreTests.bytes(300 << 10, seed: 77), under: "export")
        _ = try vault.vault.backup(source, keys: vault.owner)
        let manifest = try vault.vault.loadManifest(try vault.vault.resolveSnapshot("latest", in: try vault.vault.loadChain())).manifest
        let file = try #require(manifest.files.first { $0.path == "late.bin" })
        let number = try #require(file.packs?.first)
        let pack = try #require(Digest(hex: manifest.packs[number]))
        try vault.flipBit(in: PackFormat.packPath(pack), at: -5)

        let given = try vault.reopened().verify(ownerKeys: vault.owner)
        var options = VerifyOptions()
        let owner = vault.owner
        options.unlock = { owner }
        let derived = try vault.reopened().verify(options)
        #expect(derived.isDeep && !derived.problems.isEmpty)
        #expect(derived.problems.map(\.message) == given.problems.map(\.message))
        #expect(derived.problems.map(\.file) == given.problems.map(\.file))
        #expect(derived.damage.map(\.damagedFiles) == given.damage.map(\.damagedFiles))
        #expect(derived.filesChecked == given.filesChecked && derived.filesChecked > 50)

        options.unlock = { throw VaultError(.wrongPassphrase, "wrong passphrase (test)") }
        #expect(throws: VaultError.self) { try vault.reopened().verify(options) }
    }
}
