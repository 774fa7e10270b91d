import Foundation
import Testing
import VaultTesting

@testable import VaultCore

/// Findings of reading docs/FORMAT.md as a second implementer and as an attacker would (session 18): each test shows
/// a rule the document states and the code now keeps.
struct FormatAuditTests {
    /// A backup whose manifest would be larger than readers accept (§3, "Sizes") records no snapshot: before, it
    /// committed one that every reader then refused unread (about 15,000 files of 256 chunks reach 256 MiB).
    @Test func aBackupWhoseManifestReadersWouldRefuseRecordsNoSnapshot() throws {
        let vault = try TemporaryVault()
        for index in 0..<12 {
            try vault.directory.write("Account-\(index).csv", TestExports.accountsCSV(rows: 20, firstID: index * 20),
                under: "export")
        }
        let export = vault.directory.path("export")
        let error = try #require(throws: VaultError.self) {
            try vault.vault.backup(export, keys: vault.owner, hashThreads: 1, manifestLimit: 1_000)
        }
        #expect(error.code == .exportRejected)
        #expect(error.message.contains("too large for one snapshot") && error.message.contains("FORMAT.md §8"),
            "\(error.message)")
        #expect(try vault.reopened().snapshots().isEmpty)
        #expect(try vault.files(under: "snapshots").isEmpty, "no manifest was written")
        let verify = try vault.reopened().verify()
        #expect(verify.problems.isEmpty, "\(verify.problems)")
        // Within the limit the same export is one snapshot, reusing the packs the refused run left.
        let result = try vault.reopened().backup(export, keys: vault.owner, hashThreads: 1)
        #expect(result.files == 12 && result.newChunkBytes == 0, "stored \(result.newChunkBytes) chunk bytes again")
        #expect(ReadLimit.manifest == SnapshotManifest.maximumBytes, "writers and readers use one limit")
    }

    /// Grows `relative` in `vault` to `size` bytes without writing them (a sparse file: free for whoever plants it).
    static func grow(_ relative: String, in vault: TemporaryVault, to size: UInt64) throws {
        let handle = try FileHandle(forWritingTo: vault.url.appendingPathComponent(relative))
        defer { try? handle.close() }
        try handle.truncate(atOffset: size)
    }

    /// A claimed pack grown on the medium to 16 GiB is reported from its size, not hashed for minutes (a terabyte
    /// would take hours): a claimed pack holds at most the `bytesStored` its entry signed (§9, §10).
    @Test func aClaimedPackGrownOnTheMediumIsReportedWithoutReadingIt() throws {
        let vault = try TemporaryVault()
        let export = try vault.directory.write("Account.csv", TestExports.accountsCSV(rows: 200), under: "export")
        _ = try vault.vault.backup(export, keys: vault.owner)
        let pack = try #require(try vault.files(under: "packs").first)
        try Self.grow(pack, in: vault, to: 16 << 30)

        let verify = try vault.reopened().verify()
        let problem = try #require(verify.problems.first { $0.file == pack }, "\(verify.problems)")
        #expect(problem.message.contains("more than the") && problem.message.contains("not read")
            && problem.message.contains("bytes chain entry 1 records for all the packs it claims"),
            "\(problem.message)")
        #expect(problem.affects.contains { $0.contains("Account.csv") }, "\(problem.affects)")
        // Harmless to a restore while its sealed index stands: the blocks it records are intact and are all it reads.
        let snapshot = try #require(try vault.reopened().loadChain().snapshotEntries.last)
        let restored = try vault.reopened().restore(snapshot, to: vault.directory.path("restored"), keys: vault.owner)
        #expect(restored.failures.isEmpty, "\(restored.failures)")
        // Without the index, a restore would read the pack itself: it does not, and reports the file, nothing hangs.
        let index = try #require(try vault.files(under: "index").first)
        try FileManager.default.removeItem(at: vault.url.appendingPathComponent(index))
        let report = try vault.reopened().restore(snapshot, to: vault.directory.path("restored-2"), keys: vault.owner)
        #expect(report.failures.map(\.path) == ["Account.csv"], "\(report.failures)")
    }

    /// Planted 16 GiB packs no entry claims, one with a made-up index that names it and the owner as its sealer, one
    /// without an index, are neither hashed by verify nor by a backup's leftover check: an unclaimed pack holds exactly
    /// what its index records (§9 rule 1), and one without an index is no leftover and is read no further than the
    /// largest pack the vault's writers make (§10, "Pack sizes").
    @Test func plantedHugeUnclaimedPacksAreNeverRead() throws {
        let vault = try TemporaryVault()
        let export = try vault.directory.write("Account.csv", TestExports.accountsCSV(rows: 200), under: "export")
        _ = try vault.vault.backup(export, keys: vault.owner)
        let realIndex = try #require(try vault.files(under: "index").first)
        let seal = try Data(contentsOf: vault.url.appendingPathComponent(realIndex)).suffix(96)
        let indexed = String(repeating: "ab", count: 32), bare = String(repeating: "cd", count: 32)
        var index = Data(PackFormat.indexMagic) + Data(Digest(hex: indexed)!.bytes) + Data([1, 0, 0, 0])
        index += Data(count: 32) + Data([88, 0, 0, 0, 0, 0, 0, 0]) + Data([100, 0, 0, 0]) + Data(count: 8)
        try vault.directory.write("\(indexed).index", index + seal, under: "vault/index/ab")
        for name in [indexed, bare] {
            try vault.directory.write("\(name).pack", Data("CRMVPK01".utf8), under: "vault/packs/\(name.prefix(2))")
            try Self.grow("packs/\(name.prefix(2))/\(name).pack", in: vault, to: 16 << 30)
        }

        let verify = try vault.reopened().verify()
        let problems = verify.problems.filter { !$0.file.hasPrefix("index/") }
        #expect(problems.map(\.file) == ["packs/ab/\(indexed).pack", "packs/cd/\(bare).pack"], "\(verify.problems)")
        #expect(problems.allSatisfy { $0.message.contains("not read") }, "\(problems.map(\.message))")
        #expect(problems.first?.message.contains("more than the 188 bytes its index records") == true)
        #expect(problems.last?.message.contains("bytes of the largest pack this vault's writers make") == true)
        #expect(verify.leftovers.isEmpty, "\(verify.leftovers)")
        let second = try vault.directory.write("Contact.csv", TestExports.accountsCSV(rows: 10, firstID: 500),
            under: "export2")
        let result = try vault.reopened().backup(second, keys: vault.owner)
        #expect(result.leftovers.reusablePacks.isEmpty && result.leftovers.removed.isEmpty, "\(result.leftovers)")
        #expect(try vault.reopened().verify().problems.count == verify.problems.count, "left as evidence")
    }
}
