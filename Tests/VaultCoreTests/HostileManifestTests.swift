import Foundation
import Testing
import VaultTesting

@testable import VaultCore

/// What a key holder can sign into a vault: manifests, index seals, audit entries and times crafted to make readers
/// run unbounded, trust the wrong index, show unsigned entries or hide missing months (issue 6).
struct HostileManifestTests {
    static func vaultWithLists() throws -> (vault: TemporaryVault, writer: VaultKeys) {
        let vault = try TemporaryVault()
        return (vault, try vault.writerBackupOfChunkedExport())
    }

    /// Commits the latest manifest with `file` (from it, by path) changed by `edit` as its only file.
    static func commitBomb(_ vault: TemporaryVault, _ writer: VaultKeys, from path: String, edit: @escaping (inout SnapshotManifest.Entry) -> Void) throws {
        try ReviewRegressionTests.commitForgedSnapshot(vault, keys: writer) { manifest in
            var file = manifest.files.first { $0.path == path }!
            edit(&file)
            manifest.files = [file]
        }
    }

    @Test func aChunkListRepeatedBeyondItsDeclaredSizeFailsKeylessAndDeepVerifyAndRestore() throws {
        let (vault, writer) = try Self.vaultWithLists()
        try Self.commitBomb(vault, writer, from: "big.csv") { file in
            let list = file.content!.list!
            file.path = "bomb.csv"
            file.size = 10
            file.content = .init(count: file.content!.count! * 100, list: Array(repeating: list[0], count: list.count * 100))
        }
        let keyless = try vault.reopened().verify()
        #expect(keyless.problems.contains { $0.message.contains("bomb.csv") }, "\(keyless.problems)")
        let deep = try vault.reopened().verify(ownerKeys: vault.owner)
        #expect(deep.problems.contains { $0.message.contains("bomb.csv") })
        let target = vault.directory.path("restored")
        let report = try vault.vault.restore(try vault.vault.resolveSnapshot("latest", in: try vault.vault.loadChain()), to: target,
            keys: vault.owner)
        #expect(report.failures.map(\.path) == ["bomb.csv"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: target.path).isEmpty)
    }

    @Test func inlineChunksThatOutgrowTheDeclaredSizeAreStoppedThere() throws {
        let (vault, writer) = try Self.vaultWithLists()
        try Self.commitBomb(vault, writer, from: "small.csv") { file in
            file.path = "bomb.csv"
            file.size = 3000
            file.content = .init(chunks: Array(repeating: file.content!.chunks![0], count: 200))
        }
        #expect(try vault.reopened().verify().problems.contains { $0.message.contains("records 3000 bytes for bomb.csv, but its chunks hold") })
        let deep = try vault.reopened().verify(ownerKeys: vault.owner)
        #expect(deep.problems.contains { $0.message.contains("more than its recorded size of 3000 bytes") })
        let report = try vault.vault.restore(try vault.vault.resolveSnapshot("latest", in: try vault.vault.loadChain()),
            to: vault.directory.path("restored"), keys: vault.owner)
        #expect(report.failures.first?.reason.contains("recorded size of 3000 bytes") == true)
    }

    @Test(.timeLimit(.minutes(3)))  // linear takes ~20 s alone; the bound is for a quadratic blow-up, not a speed target
    func aManifestOf40000FilesAnd40000PacksVerifiesInLinearTime() throws {
        let (vault, writer) = try Self.vaultWithLists()
        try ReviewRegressionTests.commitForgedSnapshot(vault, keys: writer) { manifest in
            let small = manifest.files.first { $0.path == "small.csv" }!
            let realPack = manifest.packs[small.packs![0]]
            manifest.packs = [realPack] + (1..<40_000).map { SHA256Hasher.hash(Array(String($0).utf8)).hex }.sorted()
            manifest.files = (0..<40_000).map { number in
                var file = small
                file.path = String(format: "objects/%05d.csv", number)
                file.packs = [number]  // file 0 in the real pack, every other in a pack that is not there
                return file
            }
        }
        let report = try vault.reopened().verify()
        #expect(report.problems.filter { $0.message == "is missing" }.count == 39_999)
        #expect(!report.problems.contains { $0.message.contains("objects/00000.csv") }, "the file in the real pack checks out")
    }

    @Test func restoreTrustsNoIndexResealedByAnotherWriter() throws {
        let vault = try TemporaryVault()
        let (writer, _) = try vault.writerKey()
        let export = try vault.directory.write("a.csv", Data(String(repeating: "\"001\",\"Acme\"\n", count: 5000).utf8), under: "export")
        _ = try vault.vault.backup(vault.directory.path("export"), keys: vault.owner)
        let pack = try #require(try vault.vault.listPacks().first)
        var index = try PackIndex.decode(try vault.vault.storage.read(PackFormat.indexPath(pack), limit: ReadLimit.index))
        index.records[0].location.offsetInBlock += 1
        index.seal(with: writer)  // a valid seal, by an authorized key, but not the key that claimed the pack
        try vault.vault.storage.writeDurably(PackFormat.indexPath(pack), index.encoded())

        let target = vault.directory.path("restored")
        let report = try vault.vault.restore(try vault.vault.resolveSnapshot("latest", in: try vault.vault.loadChain()), to: target,
            keys: vault.owner)
        #expect(report.failures.isEmpty, "\(report.failures)")
        #expect(try Data(contentsOf: target.appendingPathComponent("a.csv")) == Data(contentsOf: export))
        #expect(try vault.reopened().verify(ownerKeys: vault.owner).problems.map(\.file) == [PackFormat.indexPath(pack)])
    }

    @Test func logShowsEachEntrysSignerByRoleAndMarksOnesThatDoNotVerify() throws {
        let vault = try TamperTests.auditedVault()
        var records = try vault.reopened().auditLog()
        #expect(records.map(\.signedBy) == ["writer test-writer", "writer test-writer", "writer test-writer"])
        #expect(records.allSatisfy { $0.isVerified })
        let path = AuditEntry.path(sequence: 1)
        let url = vault.url.appendingPathComponent(path)
        let text = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "\"outcome\":\"ok\"", with: "\"outcome\":\"OK\"")
        try text.write(to: url, atomically: true, encoding: .utf8)
        records = try vault.reopened().auditLog()
        #expect(records[1].problems.contains { $0.contains("invalid signature") })
        #expect(records[1].entry?.event.outcome == "OK", "the edited text is shown, marked")
        #expect(records[0].isVerified)
    }

    /// A writer key (a stolen pull host) that adds a snapshot for an old month fills a gap in the coverage after the
    /// fact: verify warns, and its snapshot list says who signed each snapshot. The month just ended, and an owner's
    /// backup of an old month (an import of history), are normal and not warned about.
    @Test func aWriterFillingAnOldMonthIsWarnedAboutAndEverySnapshotNamesItsSigner() throws {
        let vault = try TemporaryVault()
        let (writer, _) = try vault.writerKey(name: "pull-host")
        let export = try vault.directory.write("a.csv", Data("Id\n1\n".utf8), under: "export").deletingLastPathComponent()
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        func month(_ offset: Int) -> String {
            let date = calendar.date(byAdding: .month, value: offset, to: Date())!
            let parts = calendar.dateComponents([.year, .month], from: date)
            return String(format: "%04d-%02d", parts.year!, parts.month!)
        }
        _ = try vault.vault.backup(export, keys: vault.owner, label: month(-8), origin: "sf")
        _ = try vault.vault.backup(export, keys: writer, label: month(-1), origin: "sf")
        let filled = try vault.vault.backup(export, keys: writer, label: month(-5), origin: "sf")
        _ = try vault.vault.backup(export, keys: vault.owner, label: month(-6), origin: "sf")

        let report = try vault.reopened().verify(VerifyOptions())
        #expect(report.problems.isEmpty, "\(report.problems)")
        #expect(report.snapshotList.map(\.signedBy) == ["owner", "writer pull-host", "writer pull-host", "owner"])
        let backfills = report.warnings.filter { $0.contains("a month filled in afterwards") }
        #expect(backfills.count == 1, "\(report.warnings)")
        #expect(backfills.first?.contains("snapshot \(filled.snapshotID.shortForm) of sf counts for \(month(-5))") == true)
        #expect(backfills.first?.contains("by writer pull-host") == true)
    }

    @Test func futureDatedOrEmptySnapshotsDoNotSilenceTheCoverageWarnings() throws {
        let vault = try TemporaryVault()
        let export = try vault.directory.write("a.csv", Data("x\n".utf8), under: "export")
        let empty = vault.directory.path("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let allowingEmpty = ExportExpectations(allowsEmpty: true)  // snapshots of nothing, recorded on purpose
        _ = try vault.vault.backup(vault.directory.path("export"), keys: vault.owner, origin: "sf", time: Timestamp.parse("2026-01-03T02:00:00Z")!)
        for month in ["2026-02-03", "2026-03-03", "2026-04-03"] {
            _ = try vault.vault.backup(empty, keys: vault.owner, origin: "sf", time: Timestamp.parse(month + "T02:00:00Z")!,
                expectations: allowingEmpty)
        }
        for year in 2027...2063 {  // the 37 future-dated empty snapshots
            _ = try vault.vault.backup(empty, keys: vault.owner, origin: "sf", time: Timestamp.parse("\(year)-01-01T00:00:00Z")!,
                expectations: allowingEmpty)
        }
        _ = try vault.vault.backup(export, keys: vault.owner, origin: "sf", time: Timestamp.parse("2064-01-01T00:00:00Z")!)
        var options = VerifyOptions()
        options.now = Timestamp.parse("2026-05-20T00:00:00Z")!
        let report = try vault.reopened().verify(options)
        let coverage = try #require(report.coverage.first { $0.source == "sf" })
        #expect(coverage.missingMonths == ["2026-02", "2026-03", "2026-04"])
        #expect(report.warnings.contains { $0.contains("days old") })
        #expect(coverage.newest == "2026-01-03T02:00:00Z", "a future-dated snapshot with files is not counted either")
        #expect(report.warnings.filter { $0.contains("claims a time in the future") }.count == 38)
        #expect(report.problems.isEmpty)
    }
}
