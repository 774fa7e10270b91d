import Foundation
import Testing
import VaultTesting

@testable import VaultCore

/// Restore finishes each file (its last chunk-id checks, its fsync, its rename) on a thread of its own while the file's
/// writer starts the next file. These tests pin that this skips no check: a chunk damaged in the middle of a file still
/// fails that file, which never appears under its name, nor as a partial file; the other files restore byte-exact.
struct RestoreFinishingTests {
    /// Six files of seeded text, each different (no chunk shared), the largest first taken by the restore's threads.
    static func export(in vault: TemporaryVault) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for (index, name) in ["a.csv", "b.csv", "c.csv", "d.csv", "e.csv", "f.csv"].enumerated() {
            let contents = Data(OverlappedUnlockRestoreTests.text((300 + 70 * index) << 10, seed: UInt64(40 + index)))
            _ = try vault.directory.write(name, contents, under: "export")
            files[name] = contents
        }
        return files
    }

    @Test func aChunkDamagedMidFileFailsOnlyItsFileAndLeavesNothingUnderItsName() throws {
        var settings = TemporaryVault.fastSettings
        // 300+ chunks a file: the files are stored as chunk lists.
        settings.chunker = ChunkerParameters(minimum: 256, average: 1024, maximum: 8192)
        let vault = try TemporaryVault(settings: settings)
        let files = try Self.export(in: vault)
        _ = try vault.vault.backup(vault.directory.path("export"), keys: vault.owner)
        let entry = try vault.vault.resolveSnapshot("latest", in: try vault.vault.loadChain())
        let manifest = try vault.vault.loadManifest(entry).manifest
        let locations = try vault.vault.loadChunkLocations(of: manifest.packs.compactMap(Digest.init(hex:)),
            sealers: vault.vault.indexSealers(try vault.vault.loadChain()))
        let reader = ChunkReader(storage: vault.vault.storage, keys: vault.owner, locations: locations)
        // The middle chunk of two files, one taken first (the largest) and one taken later by the same threads: its
        // block re-sealed with the pack's own key, so it authenticates and only its id check finds it.
        let damaged = ["b.csv", "f.csv"]
        for name in damaged {
            let file = try #require(manifest.files.first { $0.path == name })
            var ids: [Digest] = []
            var resolver = ChunkResolver(ChunkWords(distinct: locations.keys), of: manifest)
            try vault.vault.forEachChunkID(of: file, reader: reader, resolver: &resolver) { ids.append($0) }
            try OverlappedUnlockRestoreTests.alterTheEnd(of: try #require(locations[ids[ids.count / 2]]), in: vault)
        }

        let target = vault.directory.path("restored")
        let report = try vault.reopened().restore(entry, to: target, keys: vault.owner)
        #expect(report.failures.map(\.path) == damaged)
        #expect(report.failures.allSatisfy { $0.reason.contains("does not match its id") && $0.cause == .damagedData })
        #expect(report.filesRestored == 4)
        let left = try FileManager.default.contentsOfDirectory(atPath: target.path).sorted()
        #expect(left == ["a.csv", "c.csv", "d.csv", "e.csv"])  // no partial file, nothing under a damaged file's name
        for name in left { #expect(try Data(contentsOf: target.appendingPathComponent(name)) == files[name]) }
    }

    @Test func aPartialFileAppearsUnderItsNameOnlyWhenFinished() throws {
        let directory = try TemporaryDirectory()
        let keys = try TemporaryVault().owner
        func partial(_ name: String) -> PartialFile {
            let temporary = directory.path("." + name + ".partial").path
            let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            _ = "bytes".withCString { write(fd, $0, 5) }
            return PartialFile(fd: fd, temporary: temporary, checker: ChunkChecker(keys: keys))
        }
        do { _ = partial("dropped") }  // released unfinished: an error on the writing thread
        var finished: PartialFile? = partial("kept")
        try finished?.finish(as: directory.path("kept").path, syncing: true)
        finished = nil
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path) == ["kept"])
        #expect(try String(contentsOf: directory.path("kept"), encoding: .utf8) == "bytes")
    }
}
