import Foundation
import Testing
import VaultTesting

@testable import CRMExportGenerator
@testable import VaultCore

/// Restore writes several files at once (one per core) and checks chunk ids on a thread of its own. These tests pin what must not change with that: byte-exact files,
/// damage confined to the files it touches, failures reported in the manifest's order.
struct ParallelRestoreTests {
    /// Seeded bytes (the generator's SplitMix64), so the trees are the same on every run.
    static func bytes(_ count: Int, seed: UInt64) -> Data {
        var random = DeterministicRandom(seed: seed)
        var data = Data(capacity: count + 8)
        while data.count < count { withUnsafeBytes(of: random.next()) { data.append(contentsOf: $0) } }
        return data.prefix(count)
    }

    /// 30 files from empty to 900 KiB in nested directories; some are copies of others (their chunks are shared).
    static func mixedTree(in directory: TemporaryDirectory) throws -> (URL, Int) {
        var total = 0
        for index in 0..<30 {
            let size = index == 0 ? 0 : (index * 7919 * 31) % (900 << 10)
            let contents = index % 7 == 3 ? bytes(size, seed: 3) : bytes(size, seed: UInt64(index))
            try directory.write("d\(index % 4)/sub\(index % 3)/f\(index).bin", contents, under: "export")
            total += contents.count
        }
        return (directory.path("export"), total)
    }

    @Test func manyFilesOfMixedSizesRestoreByteExact() throws {
        let vault = try TemporaryVault()
        let (source, total) = try Self.mixedTree(in: vault.directory)
        _ = try vault.vault.backup(source, keys: vault.owner)
        let target = vault.directory.path("restored")
        let report = try vault.vault.restore(
            try vault.vault.resolveSnapshot("latest", in: try vault.vault.loadChain()), to: target, keys: vault.owner)
        #expect(report.failures.isEmpty)
        #expect(report.filesRestored == 30)
        #expect(report.bytesRestored == total)
        #expect(try DirectoryComparison.differences(between: source, and: target) == [])
    }

    @Test func progressFromSeveralThreadsComesOneAtATimeAndOnlyGrows() throws {
        let vault = try TemporaryVault()
        let (source, total) = try Self.mixedTree(in: vault.directory)
        _ = try vault.vault.backup(source, keys: vault.owner)
        let updates = OperatorVaultTests.Updates()
        let report = try vault.vault.restore(
            try vault.vault.resolveSnapshot("latest", in: try vault.vault.loadChain()), to: vault.directory.path("restored"),
            keys: vault.owner) { updates.append($0) }
        #expect(report.failures.isEmpty && report.filesRestored == 30)
        let all = updates.all
        let last = try #require(all.last)
        #expect(last.bytesDone == Int64(total) && last.bytesTotal == Int64(total))
        #expect(last.itemsDone == 30 && last.itemsTotal == 30)
        #expect(zip(all, all.dropFirst()).allSatisfy { $0.bytesDone <= $1.bytesDone && $0.itemsDone <= $1.itemsDone })
    }

    @Test func damageInTwoFilesFailsExactlyThoseInManifestOrder() throws {
        var settings = TemporaryVault.fastSettings
        settings.packTarget = 1  // a pack per block, so each file's damage is isolated
        let vault = try TemporaryVault(settings: settings)
        // Restore starts with the largest file; the failures must still come in the manifest's (path) order.
        try vault.directory.write("a-small.bin", Self.bytes(400 << 10, seed: 11), under: "export")
        try vault.directory.write("b-large.bin", Self.bytes(800 << 10, seed: 12), under: "export")
        try vault.directory.write("c-kept.bin", Self.bytes(500 << 10, seed: 13), under: "export")
        _ = try vault.vault.backup(vault.directory.path("export"), keys: vault.owner)
        let entry = try vault.vault.resolveSnapshot("latest", in: try vault.vault.loadChain())
        let manifest = try vault.vault.loadManifest(entry).manifest
        for damaged in ["a-small.bin", "b-large.bin"] {
            let file = try #require(manifest.files.first { $0.path == damaged })
            let others = Set(manifest.files.filter { $0.path != damaged }.flatMap { $0.packs ?? [] })
            let index = try #require(file.packs?.first { !others.contains($0) })
            try vault.flipBit(in: PackFormat.packPath(try #require(Digest(hex: manifest.packs[index]))), at: -5)
        }
        let target = vault.directory.path("restored")
        let report = try vault.vault.restore(entry, to: target, keys: vault.owner)
        #expect(report.failures.map(\.path) == ["a-small.bin", "b-large.bin"])
        #expect(!report.hasTargetFailure)
        #expect(report.filesRestored == 1)
        #expect(try Data(contentsOf: target.appendingPathComponent("c-kept.bin")) == Self.bytes(500 << 10, seed: 13))
        let left = try FileManager.default.contentsOfDirectory(atPath: target.path)
        #expect(left == ["c-kept.bin"])  // no partial file of a damaged one stays behind
    }
}
