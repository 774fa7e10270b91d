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
}
