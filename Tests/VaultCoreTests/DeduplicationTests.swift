import CRMExportGenerator
import Foundation
import Testing
import VaultTesting

@testable import VaultCore

struct DeduplicationTests {
    @Test func aSecondMonthStoresOnlyASmallFractionOfItsSize() throws {
        let vault = try TemporaryVault()
        let generator = CRMExportGenerator(seed: 7, scale: 1500)
        let first = vault.directory.path("2026-01")
        let second = vault.directory.path("2026-02")
        try generator.writeMonth(0, to: first)
        try generator.writeMonth(1, to: second)

        let january = try vault.vault.backup(first, keys: vault.owner)
        let february = try vault.vault.backup(second, keys: vault.owner)
        #expect(january.bytesStored < january.bytesIn / 3, "compression of the first month")
        let fraction = Double(february.bytesStored) / Double(february.bytesIn)
        #expect(fraction < 0.08, "the second month stored \(fraction * 100) % of its size")

        let target = vault.directory.path("restored")
        let entry = try vault.vault.resolveSnapshot("latest", in: try vault.vault.loadChain())
        #expect(try vault.vault.restore(entry, to: target, keys: vault.owner).failures.isEmpty)
        #expect(try DirectoryComparison.differences(between: second, and: target, checkMetadata: false) == [])
    }

    @Test func backingUpTheSameExportTwiceStoresNothingNew() throws {
        let vault = try TemporaryVault()
        let export = vault.directory.path("2026-01")
        try CRMExportGenerator(seed: 3, scale: 300).writeMonth(0, to: export)
        _ = try vault.vault.backup(export, keys: vault.owner)
        let again = try vault.vault.backup(export, keys: vault.owner)
        #expect(again.bytesStored == 0)
        #expect(again.newChunkBytes == 0)
    }
}
