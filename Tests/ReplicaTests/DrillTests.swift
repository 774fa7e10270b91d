import ExportLayout
import Foundation
import Replica
import Testing
import VaultTesting

@testable import VaultCore

/// Drills: restore, replica and checks from a real vault, the signed result in the chain, and keyless verify's view.
struct DrillTests {
    static let started = Timestamp.parse("2026-03-01T02:00:00Z")!

    /// A vault holding the weekly export as one snapshot of source `salesforce-prod`.
    static func vault(
        export: (URL) throws -> Void = { try SalesforceWeeklyExport.write(to: $0) }
    ) throws -> (TemporaryVault, StoredChainEntry) {
        let vault = try TemporaryVault()
        let directory = vault.directory.path("export")
        try export(directory)
        _ = try vault.vault.backup(
            directory, keys: vault.owner, label: "2026-03", origin: "salesforce-prod", time: started)
        let entry = try vault.vault.resolveSnapshot("latest", in: try vault.vault.loadChain())
        return (vault, entry)
    }

    static func options(_ vault: TemporaryVault) -> Drill.Options {
        var options = Drill.Options(workDirectory: vault.directory.url)
        options.crmvaultVersion = "test"
        return options
    }

    @Test func aPassingDrillIsSignedIntoTheChainAndShownByKeylessVerify() throws {
        let (vault, snapshot) = try Self.vault()
        let report = try Drill.run(snapshot, of: vault.vault, keys: vault.owner, options: Self.options(vault))
        #expect(report.result == "pass", "\(report.record.failures)")
        #expect(report.record.objects.first { $0.name == "Account" }?.rows == 3)
        #expect(report.record.objects.allSatisfy { $0.digest.count == 64 })
        let account = try #require(report.replica.objects.first { $0.name == "Account" })
        #expect(
            report.record.objects.first { $0.name == "Account" }?.digest
                == Vault.drillDigest(object: "Account", cellDigest: account.digest, keys: vault.owner))

        let chain = try vault.reopened().loadChain()
        let entry = try #require(chain.entries.last?.entry)
        #expect(entry.type == .drill && entry.snapshot == snapshot.entry.snapshot && entry.drill == report.record)
        #expect(entry.signer == vault.vault.config.ownerSigningKey)

        var options = VerifyOptions()
        options.now = Date()
        let verified = try vault.reopened().verify(options)
        #expect(verified.problems.isEmpty, "\(verified.problems.map(\.message))")
        let drill = try #require(verified.drills.first)
        #expect(drill.source == "salesforce-prod" && drill.lastResult == "pass" && drill.drills == 1)
        #expect(!verified.warnings.contains { $0.contains("restore drill") })

        options.now = Date().addingTimeInterval(40 * 86400)
        let later = try vault.reopened().verify(options)
        #expect(
            later.warnings.contains {
                $0.contains("salesforce-prod") && $0.contains("last passing restore drill is 40 days old")
            })
    }

    @Test func aWrongVendorCountFailsTheDrillNamingTheObject() throws {
        let (vault, snapshot) = try Self.vault { directory in
            try SalesforceWeeklyExport.write(to: directory)
            var contact = ExportObject(name: "Contact")
            contact.records = 4  // the CSV holds 3
            let manifest = ExportManifest(
                vendor: "salesforce", source: "salesforce-prod", started: "2026-03-01T01:00:00Z",
                finished: "2026-03-01T01:10:00Z", objects: [contact])
            try manifest.encoded().write(to: directory.appendingPathComponent(ExportManifest.fileName))
        }
        let report = try Drill.run(snapshot, of: vault.vault, keys: vault.owner, options: Self.options(vault))
        #expect(report.result == "fail")
        #expect(
            report.record.failures == [
                "Contact: rows vs vendor: the table holds 3 rows but the vendor reported 4 records"
            ])
        let verified = try vault.reopened().verify(VerifyOptions())
        #expect(verified.problems.isEmpty)
        #expect(verified.warnings.contains { $0.contains("FAILED") && $0.contains("Contact: rows vs vendor") })
    }

    @Test func aReplicaCorruptedBeforeItsChecksFailsTheDrillNamingObjectAndColumn() throws {
        let (vault, snapshot) = try Self.vault()
        var options = Self.options(vault)
        options.beforeChecks = { url in
            let database = try TestDatabase(url, readOnly: false)
            try database.execute("UPDATE Account SET AnnualRevenue = 250.25 WHERE AnnualRevenue = 250.5")
        }
        let report = try Drill.run(snapshot, of: vault.vault, keys: vault.owner, options: options)
        #expect(report.result == "fail")
        #expect(report.record.failures.first?.hasPrefix("Account.AnnualRevenue: cells:") == true)
    }

    @Test func verifyReportsAForgedOrAlteredDrillEntry() throws {
        let (vault, snapshot) = try Self.vault()
        _ = try Drill.run(snapshot, of: vault.vault, keys: vault.owner, options: Self.options(vault))
        let path = try #require(try vault.files(under: "chain").last)
        let url = vault.url.appendingPathComponent(path)
        let original = try String(contentsOf: url, encoding: .utf8)
        // An altered result: "fail" turned into "pass" by someone without the owner key.
        try FileManager.default.removeItem(at: url)
        try Data(original.replacingOccurrences(of: "\"result\":\"pass\"", with: "\"result\":\"fail\"").utf8).write(
            to: url)
        let altered = try vault.reopened().verify(VerifyOptions())
        #expect(altered.problems.contains { $0.file == path && $0.message.contains("invalid signature") })

        // A drill signed by an authorized writer: writers may add snapshots, never vouch for a restore.
        try FileManager.default.removeItem(at: url)
        try Data(original.utf8).write(to: url)
        let writer = try vault.writerKey()
        #expect(throws: VaultError.self) {
            try vault.vault.appendDrill(
                DrillRecord(
                    result: "pass", objects: [], files: 0, checks: 0, warnings: 0,
                    failures: [], milliseconds: .init(restore: 0, build: 0, checks: 0, total: 0),
                    crmvaultVersion: "forged"), of: snapshot, keys: writer.keys)
        }
        #expect(try vault.reopened().verify(VerifyOptions()).problems.isEmpty)
    }

    /// Drill entries written past `appendDrill`: one signed by a writer, one naming a snapshot the chain never held.
    @Test func verifyReportsForgedDrillEntries() throws {
        let (vault, snapshot) = try Self.vault()
        let writer = try vault.writerKey()
        let record = DrillRecord(
            result: "pass", objects: [], files: 0, checks: 0, warnings: 0, failures: [],
            milliseconds: .init(restore: 0, build: 0, checks: 0, total: 0), crmvaultVersion: "forged")
        var chain = try vault.vault.loadChain()
        var forged = ChainEntry(
            vault: vault.vault.id, sequence: chain.entries.count, previous: chain.headHash, time: Timestamp.now(),
            signer: writer.keys.signing.publicKey, type: .drill)
        forged.snapshot = snapshot.entry.snapshot
        forged.drill = record
        try vault.vault.append(forged, signedBy: writer.keys)
        let byWriter = try vault.reopened().verify(VerifyOptions())
        #expect(byWriter.problems.contains { $0.message.contains("never authorized") })

        let other = try Self.vault()
        chain = try other.0.vault.loadChain()
        var unknown = ChainEntry(
            vault: other.0.vault.id, sequence: chain.entries.count, previous: chain.headHash, time: Timestamp.now(),
            signer: other.0.owner.signing.publicKey, type: .drill)
        unknown.snapshot = String(repeating: "ab", count: 32)
        unknown.drill = record
        try other.0.vault.append(unknown, signedBy: other.0.owner)
        let report = try other.0.reopened().verify(VerifyOptions())
        #expect(report.problems.map(\.message) == ["records a drill of a snapshot no earlier chain entry holds"])
    }

    @Test func latestPerSourceDrillsEachSourcesNewestSnapshot() throws {
        let (vault, first) = try Self.vault()
        let export = vault.directory.path("export")
        _ = try vault.vault.backup(
            export, keys: vault.owner, label: "2026-04", origin: "salesforce-prod",
            time: Self.started.addingTimeInterval(86400 * 31))
        _ = try vault.vault.backup(export, keys: vault.owner, label: "dyn", origin: "dynamics", time: Self.started)
        let chosen = try Drill.latestPerSource(of: vault.vault, chain: try vault.vault.loadChain())
        #expect(chosen.count == 2)
        #expect(
            !chosen.contains { $0.entry.snapshot == first.entry.snapshot && $0.entry.sequence == first.entry.sequence })
    }
}
