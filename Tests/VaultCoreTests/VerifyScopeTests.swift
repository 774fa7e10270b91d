import Foundation
import Testing
import VaultTesting

@testable import VaultCore

struct VerifyScopeTests {
    static func vaultWithMonths(_ count: Int) throws -> TemporaryVault {
        var settings = TemporaryVault.fastSettings
        settings.packTarget = 64 << 10
        let vault = try TemporaryVault(settings: settings)
        for month in 1...count {
            var random = SystemRandomNumberGenerator()
            let noise = (0..<30000).map { _ in String(UInt64.random(in: 0...UInt64.max, using: &random), radix: 36) }.joined(separator: ",")
            try vault.directory.write("Account.csv", Data(noise.utf8), under: "m\(month)")
            _ = try vault.vault.backup(vault.directory.path("m\(month)"), keys: vault.owner, label: "m\(month)")
        }
        return vault
    }

    @Test func sinceACheckpointReadsOnlyWhatWasAddedAfterIt() throws {
        let vault = try Self.vaultWithMonths(2)
        let checkpoint = try vault.vault.checkpoint()
        let oldPacks = Set(try vault.files(under: "packs"))
        _ = try vault.vault.backup(try vault.directory.write("new.csv", Data(String(repeating: "fresh,row\n", count: 20000).utf8)),
            keys: vault.owner)
        let newPacks = Set(try vault.files(under: "packs")).subtracting(oldPacks)
        #expect(!newPacks.isEmpty)

        var options = VerifyOptions()
        options.since = (checkpoint, "monthly.txt")
        let report = try vault.reopened().verify(options)
        #expect(report.problems.isEmpty)
        #expect(report.packs == newPacks.count)
        #expect(report.snapshots == 1)

        // Damage to an old pack is outside the scope of `--since`; damage to a new one is inside it.
        try vault.flipBit(in: oldPacks.first!, at: 100)
        #expect(try vault.reopened().verify(options).problems.isEmpty)
        #expect(try !vault.reopened().verify().problems.isEmpty)
        try vault.flipBit(in: newPacks.first!, at: 100)
        #expect(try vault.reopened().verify(options).problems.contains { $0.file == newPacks.first! })
    }

    @Test func aSampleReadsAboutThatShareOfThePacks() throws {
        let vault = try Self.vaultWithMonths(3)
        let total = try vault.files(under: "packs").count
        #expect(total >= 6)
        var options = VerifyOptions()
        options.samplePercent = 50
        let report = try vault.reopened().verify(options)
        #expect(report.problems.isEmpty)
        #expect(report.packs == Int((Double(total) / 2).rounded(.up)))
        #expect(report.packs + report.packsSkipped == total)
    }

    @Test func deepVerifyChecksEveryFileDigest() throws {
        let vault = try Self.vaultWithMonths(2)
        let report = try vault.reopened().verify(ownerKeys: vault.owner)
        #expect(report.problems.isEmpty)
        #expect(report.filesChecked == 2)
    }

    @Test func coverageFlagsMonthsWithoutBackupAndStaleSources() throws {
        let vault = try TemporaryVault()
        let export = try vault.directory.write("a.csv", Data("x\n".utf8))
        for day in ["2026-01-03T02:00:00Z", "2026-02-03T02:00:00Z", "2026-04-03T02:00:00Z"] {
            _ = try vault.vault.backup(export, keys: vault.owner, origin: "salesforce-prod", time: Timestamp.parse(day)!)
        }
        _ = try vault.vault.backup(export, keys: vault.owner, origin: "dynamics", time: Timestamp.parse("2026-05-02T02:00:00Z")!)
        var options = VerifyOptions()
        options.now = Timestamp.parse("2026-05-20T00:00:00Z")!
        let report = try vault.reopened().verify(options)
        let salesforce = try #require(report.coverage.first { $0.source == "salesforce-prod" })
        #expect(salesforce.missingMonths == ["2026-03"])
        #expect(salesforce.months.map(\.month) == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"])
        #expect(report.warnings.contains { $0.contains("salesforce-prod") && $0.contains("days old") })
        #expect(!report.warnings.contains { $0.contains("dynamics") && $0.contains("newest snapshot") })
        #expect(report.problems.isEmpty)
    }
}
