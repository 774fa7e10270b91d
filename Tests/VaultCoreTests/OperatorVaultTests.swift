import Foundation
import Testing
import VaultTesting

@testable import VaultCore

#if canImport(Glibc)
import Glibc
#endif

/// What a new admin, auditor and operator ran into (issue 10), at the level of the vault engine: inputs that are not
/// exports, leftovers of interrupted backups, snapshot selection, coverage months, links and zip times.
struct OperatorVaultTests {
    // MARK: Inputs that are not exports (item 2)

    /// One rule for a snapshot's month wherever it is shown or counted (FORMAT.md §8): `snapshots`, verify's list and
    /// coverage agree, and a label cannot claim a month after the backup's.
    @Test func aSnapshotsMonthIsItsLabelOnlyWhenThatIsAMonthNoLaterThanItsTime() {
        #expect(SnapshotMonth.of(label: "2026-03", time: "2026-04-02T01:00:00Z") == "2026-03")
        #expect(SnapshotMonth.of(label: "2026-04", time: "2026-04-02T01:00:00Z") == "2026-04")
        #expect(SnapshotMonth.of(label: "2026-05", time: "2026-04-02T01:00:00Z") == "2026-04")
        #expect(SnapshotMonth.of(label: "2026-13", time: "2026-04-02T01:00:00Z") == "2026-04")
        #expect(SnapshotMonth.of(label: "march", time: "2026-04-02T01:00:00Z") == "2026-04")
    }

    @Test func anHTMLPageSavedAsZipIsRefusedAndNamedAsHTML() throws {
        let vault = try TemporaryVault()
        let page = try vault.directory.write("export.zip", Data("<!DOCTYPE html>\n<html><head><title>Login</title></head></html>\n".utf8))
        let error = try #require(throws: VaultError.self) { try vault.vault.backup(page, keys: vault.owner) }
        #expect(error.code == .exportRejected)
        #expect(error.message.contains("HTML"), "\(error.message)")
        #expect(try vault.vault.loadChain().snapshotEntries.isEmpty)
        #expect(try vault.vault.listPacks().isEmpty)
    }

    @Test func randomBytesNamedZipAreRefused() throws {
        let vault = try TemporaryVault()
        let file = try vault.directory.write("export.ZIP", TestExports.seededBytes(20_000, seed: 3))
        let error = try #require(throws: VaultError.self) { try vault.vault.backup(file, keys: vault.owner) }
        #expect(error.code == .exportRejected)
        #expect(error.message.contains("not a zip archive"), "\(error.message)")
    }

    @Test func anEmptyExportIsRefusedUnlessEmptyIsAllowed() throws {
        let vault = try TemporaryVault()
        let export = vault.directory.path("empty-export")
        try FileManager.default.createDirectory(at: export.appendingPathComponent("Account"), withIntermediateDirectories: true)
        try vault.directory.write("Account/empty.csv", Data(), under: "empty-export")
        let error = try #require(throws: VaultError.self) { try vault.vault.backup(export, keys: vault.owner) }
        #expect(error.code == .exportRejected)
        #expect(error.message.contains("only empty files"), "\(error.message)")
        #expect(try vault.vault.loadChain().snapshotEntries.isEmpty, "a snapshot of nothing must not become latest")
        let allowed = try vault.vault.backup(export, keys: vault.owner, expectations: ExportExpectations(allowsEmpty: true))
        #expect(allowed.bytesIn == 0)
    }

    @Test func aCRMExportMustHoldACSVWithAHeaderRow() throws {
        let vault = try TemporaryVault()
        let notes = try vault.directory.write("notes.txt", Data("not an export\n".utf8), under: "not-crm")
        let crm = ExportExpectations(kind: .crmExport)
        let error = try #require(throws: VaultError.self) {
            try vault.vault.backup(notes.deletingLastPathComponent(), keys: vault.owner, expectations: crm)
        }
        #expect(error.code == .exportRejected)
        #expect(error.message.contains("holds no CSV file"), "\(error.message)")
        let headerless = try vault.directory.write("Account.csv", Data(",,\n1,2,3\n".utf8), under: "headerless")
        #expect(throws: VaultError.self) { try vault.vault.backup(headerless.deletingLastPathComponent(), keys: vault.owner, expectations: crm) }
        let export = try vault.directory.write("Account.csv", TestExports.accountsCSV(rows: 3), under: "crm")
        #expect(try vault.vault.backup(export.deletingLastPathComponent(), keys: vault.owner, expectations: crm).files == 1)
        // The same check reads the members of a vendor zip.
        let zip = vault.directory.path("export.zip")
        try RawZipBuilder([.init(name: "Account.csv", data: TestExports.accountsCSV(rows: 2))]).build().write(to: zip)
        #expect(try vault.vault.backup(zip, keys: vault.owner, expectations: crm).files == 1)
    }

    @Test func backupReportsProgressUpToEveryByteAndFile() throws {
        let vault = try TemporaryVault()
        try vault.directory.write("Account.csv", TestExports.accountsCSV(rows: 5000), under: "export")
        try vault.directory.write("Contact.csv", TestExports.accountsCSV(rows: 300, firstID: 9), under: "export")
        let updates = Updates()
        let result = try vault.vault.backup(vault.directory.path("export"), keys: vault.owner) { updates.append($0) }
        let last = try #require(updates.all.last)
        #expect(last.bytesDone == Int64(result.bytesIn) && last.bytesTotal == Int64(result.bytesIn))
        #expect(last.itemsDone == 2 && last.itemsTotal == 2)
    }

    final class Updates: @unchecked Sendable {
        private let lock = NSLock()
        private var updates: [OperationProgress] = []
        func append(_ update: OperationProgress) { lock.withLock { updates.append(update) } }
        var all: [OperationProgress] { lock.withLock { updates } }
    }

    // MARK: Leftovers (item 3)

    /// A backup that stops after some packs are written (here a FIFO in the export, as a full disk would stop it).
    static func interruptedBackup(_ vault: TemporaryVault) throws -> [Digest] {
        try vault.directory.write("a.bin", TestExports.seededBytes(3 << 20, seed: 7), under: "export")
        let fifo = vault.directory.path("export", "zz-fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(throws: VaultError.self) { try vault.vault.backup(vault.directory.path("export"), keys: vault.owner) }
        unlink(fifo)
        let packs = try vault.vault.listPacks()
        #expect(!packs.isEmpty, "the interrupted backup left packs")
        return packs
    }

    @Test func theNextBackupReusesVerifiedLeftoversAndRemovesOnlyTheRest() throws {
        let vault = try TemporaryVault()
        let leftovers = try Self.interruptedBackup(vault)
        let storage = vault.vault.storage
        // Leftovers of FORMAT.md §9's rules 2 and 4: a sealed index whose pack never arrived, regular files in tmp/.
        var orphan = PackIndex(pack: Digest(hex: String(repeating: "ef", count: 32))!, records: [])
        orphan.seal(with: vault.owner)
        try storage.writeDurably(PackFormat.indexPath(orphan.pack), orphan.encoded())
        try vault.directory.write("0123456789abcdef.tmp", Data("half".utf8), under: "vault/tmp")
        try vault.directory.write("notes.txt", Data("half too".utf8), under: "vault/tmp")
        // Files no interrupted backup could have left: evidence for verify, which no backup may remove.
        let junk = TestExports.seededBytes(5000, seed: 11)
        let junkName = SHA256Hasher.hash(Array(junk))
        try storage.writeDurably(PackFormat.packPath(junkName), Array(junk))
        let garbageIndex = PackFormat.indexPath(Digest(hex: String(repeating: "ab", count: 32))!)
        try storage.writeDurably(garbageIndex, [1, 2, 3])
        let foreignManifest = "snapshots/" + String(repeating: "cd", count: 32) + ".manifest"
        try storage.writeDurably(foreignManifest, Array("{}\n".utf8))

        let result = try vault.vault.backup(vault.directory.path("export"), keys: vault.owner)
        #expect(result.newChunkBytes < 3 << 20, "the verified leftover packs were reused")
        let claimed = Set(try vault.vault.loadChain().claimedPacks.keys)
        #expect(Set(leftovers).isSubset(of: claimed))
        for path in [PackFormat.indexPath(orphan.pack), "tmp/0123456789abcdef.tmp", "tmp/notes.txt"] {
            #expect(result.leftovers.removed.contains(path), "\(path) was not reclaimed")
            #expect(!storage.exists(path))
        }
        for path in [PackFormat.packPath(junkName), garbageIndex, foreignManifest] {
            #expect(storage.exists(path), "\(path) is not a leftover, yet a backup removed it")
        }
        #expect(result.leftovers.removed.count == 3)
        let report = try vault.reopened().verify()
        #expect(report.leftovers.allSatisfy { [PackFormat.packPath(junkName), garbageIndex, foreignManifest].contains($0) })
    }

    @Test func leftoversABackupCouldNotUseAreRemovedOnceItCommits() throws {
        let vault = try TemporaryVault()
        let leftovers = try Self.interruptedBackup(vault)
        let other = try vault.directory.write("Account.csv", TestExports.accountsCSV(rows: 10), under: "other")
        let result = try vault.vault.backup(other.deletingLastPathComponent(), keys: vault.owner)
        for pack in leftovers { #expect(!vault.vault.storage.exists(PackFormat.packPath(pack))) }
        #expect(result.leftovers.bytesFreed >= 2 << 20)
        #expect(try vault.reopened().verify().leftovers.isEmpty)
    }

    @Test func cleanupRemovesEveryLeftoverAndNothingTheChainClaims() throws {
        let vault = try TemporaryVault()
        let committed = try vault.directory.write("Account.csv", TestExports.accountsCSV(rows: 2000), under: "first")
        _ = try vault.vault.backup(committed.deletingLastPathComponent(), keys: vault.owner)
        let claimed = Set(try vault.vault.loadChain().claimedPacks.keys)
        let leftovers = Set(try Self.interruptedBackup(vault)).subtracting(claimed)
        let cleanup = try vault.vault.cleanUpLeftovers()
        #expect(Set(cleanup.removed).isSuperset(of: leftovers.map(PackFormat.packPath)))
        #expect(cleanup.bytesFreed > 2 << 20)
        #expect(Set(try vault.vault.listPacks()) == claimed)
        #expect(try vault.vault.cleanUpLeftovers().removed.isEmpty)
        let target = vault.directory.path("restored")
        let entry = try vault.vault.resolveSnapshot("latest", in: try vault.vault.loadChain())
        #expect(try vault.vault.restore(entry, to: target, keys: vault.owner).failures.isEmpty)
    }

    // MARK: Snapshot selection and months (items 4 and 10)

    /// The README's sequence: two monthly exports of one source, then a one-off file without a source.
    static func readmeVault() throws -> (TemporaryVault, [BackupResult]) {
        let vault = try TemporaryVault()
        var results: [BackupResult] = []
        for (month, seed) in [("2026-10", 0), ("2026-11", 100)] {
            let export = try vault.directory.write("Account.csv", TestExports.accountsCSV(rows: 20, firstID: seed), under: "export-\(month)")
            results.append(try vault.vault.backup(export.deletingLastPathComponent(), keys: vault.owner, label: month,
                origin: "salesforce-prod"))
        }
        results.append(try vault.vault.backup(try vault.directory.write("one-off.csv", TestExports.accountsCSV(rows: 1)), keys: vault.owner))
        return (vault, results)
    }

    @Test func latestIsAmbiguousAcrossSourcesAndNamesEachSourcesNewest() throws {
        let (vault, results) = try Self.readmeVault()
        let chain = try vault.vault.loadChain()
        let error = try #require(throws: VaultError.self) { try vault.vault.resolveSnapshot("latest", in: chain) }
        #expect(error.code == .snapshotNotFound)
        #expect(error.message.contains("ambiguous") && error.message.contains("salesforce-prod") && error.message.contains("default"))
        #expect(error.message.contains(results[1].snapshotID.shortForm))
        #expect(try vault.vault.resolveSnapshot("latest", source: "salesforce-prod", in: chain).entry.snapshot == results[1].snapshotID.hex)
        #expect(try vault.vault.resolveSnapshot("latest", source: "default", in: chain).entry.snapshot == results[2].snapshotID.hex)
    }

    @Test func snapshotsAreSelectedByLabelOrIdPrefixAndAnAmbiguousOneListsTheCandidates() throws {
        let (vault, results) = try Self.readmeVault()
        let again = try vault.directory.write("Account.csv", TestExports.accountsCSV(rows: 21), under: "rerun")
        let rerun = try vault.vault.backup(again.deletingLastPathComponent(), keys: vault.owner, label: "2026-11", origin: "salesforce-prod")
        let chain = try vault.vault.loadChain()
        #expect(try vault.vault.resolveSnapshot("2026-10", in: chain).entry.snapshot == results[0].snapshotID.hex)
        #expect(try vault.vault.resolveSnapshot(results[2].snapshotID.shortForm, in: chain).entry.snapshot == results[2].snapshotID.hex)
        let error = try #require(throws: VaultError.self) { try vault.vault.resolveSnapshot("2026-11", in: chain) }
        #expect(error.message.contains("fits 2 snapshots"), "\(error.message)")
        #expect(error.message.contains(results[1].snapshotID.shortForm) && error.message.contains(rerun.snapshotID.shortForm))
        let summaries = try vault.vault.snapshots()
        #expect(summaries.map(\.numberInMonth) == [1, 1, 1, 2], "the re-run is the second of its month")
        #expect(throws: VaultError.self) { try vault.vault.resolveSnapshot("2026-12", in: chain) }
    }

    @Test func aSnapshotLabelledWithAMonthCountsForThatMonth() throws {
        let vault = try TemporaryVault()
        let export = try vault.directory.write("Account.csv", TestExports.accountsCSV(rows: 5), under: "export")
        // March's export, backed up on April 2nd: it covers March.
        let april2 = Date(timeIntervalSince1970: 1_775_088_000)  // 2026-04-02T00:00:00Z
        _ = try vault.vault.backup(export.deletingLastPathComponent(), keys: vault.owner, label: "2026-03", origin: "crm", time: april2)
        var options = VerifyOptions()
        options.now = april2.addingTimeInterval(86400)
        let report = try vault.vault.verify(options)
        let months = try #require(report.coverage.first).months
        #expect(months.first { $0.month == "2026-03" }?.snapshots.count == 1)
        #expect(months.first { $0.month == "2026-04" }?.snapshots.isEmpty == true)
        #expect(report.snapshotList.map(\.month) == ["2026-03"])
        #expect(try vault.vault.snapshots().map(\.month) == ["2026-03"])
    }

    // MARK: Restore (item 6) and zip times (item 14)

    @Test func anAbsoluteLinkIsRestoredAsALinkUnlessLinksOutsideAreRefused() throws {
        let vault = try TemporaryVault()
        try vault.directory.write("Account.csv", TestExports.accountsCSV(rows: 3), under: "export")
        try FileManager.default.createSymbolicLink(atPath: vault.directory.path("export", "certs").path, withDestinationPath: "/etc/ssl/certs")
        _ = try vault.vault.backup(vault.directory.path("export"), keys: vault.owner)
        let entry = try vault.vault.resolveSnapshot("latest", in: try vault.vault.loadChain())

        let restored = vault.directory.path("restored")
        let report = try vault.vault.restore(entry, to: restored, keys: vault.owner)
        #expect(report.failures.isEmpty, "\(report.failures)")
        #expect(report.linksOutside.map(\.target) == ["/etc/ssl/certs"])
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: restored.appendingPathComponent("certs").path) == "/etc/ssl/certs")

        let refused = vault.directory.path("refused")
        let strict = try vault.vault.restore(entry, to: refused, keys: vault.owner, outsideLinks: .refuse)
        #expect(strict.failures.map(\.cause) == [.refusedLink])
        #expect(!strict.hasDamagedData && !strict.hasTargetFailure, "a refused link is neither the vault's fault nor the target's")
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: refused.appendingPathComponent("certs").path)) == nil)
    }

    @Test func aForcedRestoreNeverRemovesAFileItDidNotMake() throws {
        let vault = try TemporaryVault()
        try vault.directory.write("Account.csv", TestExports.accountsCSV(rows: 3), under: "export")
        _ = try vault.vault.backup(vault.directory.path("export"), keys: vault.owner)
        let target = vault.directory.path("target")
        let lookalike = try vault.directory.write(".Account.csv.crmvault-partial", Data("someone's file".utf8), under: "target")
        let entry = try vault.vault.resolveSnapshot("latest", in: try vault.vault.loadChain())
        #expect(try vault.vault.restore(entry, to: target, keys: vault.owner, force: true).failures.isEmpty)
        #expect(try Data(contentsOf: lookalike) == Data("someone's file".utf8))
    }

    @Test func zipMemberTimesHonourTheExtendedTimestampAsUnzipDoes() throws {
        let vault = try TemporaryVault()
        let zip = vault.directory.path("export.zip")
        let mtime: Int32 = 1_700_000_123  // 2023-11-14T22:15:23Z; the DOS field says 1980-01-01
        try RawZipBuilder([
            .init(name: "Account.csv", data: TestExports.accountsCSV(rows: 2), extraField: RawZipBuilder.Member.extendedTimestamp(mtime)),
            .init(name: "Contact.csv", data: TestExports.accountsCSV(rows: 1)),
        ]).build().write(to: zip)
        _ = try vault.vault.backup(zip, keys: vault.owner)
        let manifest = try vault.vault.loadManifest(try vault.vault.loadChain().snapshotEntries[0]).manifest
        #expect(manifest.files.first { $0.path == "Account.csv" }?.mtime == Int(mtime))
        #expect(manifest.files.first { $0.path == "Contact.csv" }.map { $0.mtime < 400_000_000 } == true, "no UT field: the DOS time")
        let restored = vault.directory.path("restored")
        _ = try vault.vault.restore(try vault.vault.resolveSnapshot("latest", in: try vault.vault.loadChain()), to: restored, keys: vault.owner)
        let attributes = try FileManager.default.attributesOfItem(atPath: restored.appendingPathComponent("Account.csv").path)
        #expect((attributes[.modificationDate] as? Date)?.timeIntervalSince1970 == TimeInterval(mtime))
    }
}
