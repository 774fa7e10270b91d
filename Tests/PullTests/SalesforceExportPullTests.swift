import Crypto
import ExportLayout
import Foundation
import Testing
import VaultCore
import VaultTesting
import VendorSimulator

@testable import Pull

@Suite(.serialized) struct SalesforceExportPullTests {
    @Test func theDataExportZipsAreIngestedAsOneSnapshotWithTheirProvenance() async throws {
        let fixture = try await PullFixture.start { $0.exportPartBytes = 6_000 }
        defer { Task { await fixture.stop() } }
        let schedule = try fixture.schedule(fixture.scheduleText(vendor: "salesforce-export"))
        let result = try await fixture.pull(schedule)
        let restored = try fixture.restore(try #require(result.exports.first).snapshot)
        for (name, contents) in try fixture.vendor.export(month: 0) {
            #expect(try Data(contentsOf: restored.appendingPathComponent(name)) == contents, "\(name)")
        }
        let manifest = try ExportManifest.decode(
            Data(contentsOf: restored.appendingPathComponent(ExportManifest.fileName)), path: "export-manifest.json")
        let zips = try fixture.vendor.dataExportArchives(month: 0)
        #expect(zips.count >= 2, "the test wants the export split into several zips")
        #expect(manifest.archives?.map(\.name) == zips.map(\.name))
        #expect(
            manifest.archives?.map(\.sha256)
                == zips.map { SHA256.hash(data: $0.contents).map { String(format: "%02x", $0) }.joined() })
        #expect(manifest.objects.allSatisfy { $0.records == nil && ($0.recordsWritten ?? 0) > 0 && $0.fields != nil })
        #expect(
            fixture.workFiles().filter { $0.hasPrefix("staging/acme-prod/downloads/") }.isEmpty,
            "downloads were not cleared")
    }

    @Test func anInterruptedDownloadResumesInTheNextRunFromWhatItProved() async throws {
        let fixture = try await PullFixture.start { $0.exportPartBytes = 6_000 }
        defer { Task { await fixture.stop() } }
        var faults = VendorSimulator.Faults()
        faults.truncations = [.init(.exportDownload, count: 1)]
        fixture.vendor.faults = faults
        let noRetries = fixture.scheduleText(vendor: "salesforce-export").replacingOccurrences(
            of: "retries = 3", with: "retries = 0")
        let schedule = try fixture.schedule(noRetries)
        let error = try await #require(throws: VaultError.self) { try await fixture.pull(schedule) }
        #expect(error.code == .networkFailed)
        #expect(error.message.contains("kept for the next run"))
        #expect(fixture.workFiles().contains { $0.hasSuffix(".partial.json") })
        #expect(fixture.snapshotCount == 0)

        let result = try await fixture.pull(schedule)
        #expect(
            fixture.vendor.servedRequests.contains { $0.endpoint == .exportDownload && $0.status == 206 },
            "the download started over")
        let restored = try fixture.restore(try #require(result.exports.first).snapshot)
        for (name, contents) in try fixture.vendor.export(month: 0) {
            #expect(try Data(contentsOf: restored.appendingPathComponent(name)) == contents, "\(name)")
        }
    }

    @Test(arguments: [
        (RawZipBuilder.Member(name: "../escape.csv", data: Data("Id\n1\n".utf8)), "`..`"),
        (RawZipBuilder.Member(name: "Account.csv", data: Data("/etc/passwd".utf8), isSymlink: true), "symbolic link"),
        (RawZipBuilder.Member(name: "Account.csv", data: Data("Id\n1\n".utf8), crc: 1), "CRC-32"),
        (RawZipBuilder.Member(name: "Attachments\\00P1", data: Data("x".utf8)), "uses `\\` between folders"),
    ])
    func aHostileZipIsRefusedAndNothingEscapes(member: RawZipBuilder.Member, reason: String) throws {
        let directory = try TemporaryDirectory()
        let zip = directory.path("hostile.zip")
        try RawZipBuilder([member]).build().write(to: zip)
        let export = directory.path("export")
        try FileManager.default.createDirectory(at: export, withIntermediateDirectories: false)
        var unpacker = ArchiveUnpacker(export: export, fileLimit: 1 << 20)
        let error = try #require(throws: VaultError.self) { try unpacker.unpack(zip, name: "hostile.zip") }
        #expect(error.code == .vendorFailed)
        #expect(error.message.contains(reason))
        #expect(!FileManager.default.fileExists(atPath: directory.path("escape.csv").path))
    }

    @Test func aMemberInTwoArchivesOfOneExportIsRefused() throws {
        let directory = try TemporaryDirectory()
        let export = directory.path("export")
        try FileManager.default.createDirectory(at: export, withIntermediateDirectories: false)
        var unpacker = ArchiveUnpacker(export: export, fileLimit: 1 << 20)
        for name in ["WE_1.ZIP", "WE_2.ZIP"] {
            try RawZipBuilder([.init(name: "Account.csv", data: Data("Id\n1\n".utf8))]).build().write(
                to: directory.path(name))
        }
        _ = try unpacker.unpack(directory.path("WE_1.ZIP"), name: "WE_1.ZIP")
        let error = try #require(throws: VaultError.self) {
            try unpacker.unpack(directory.path("WE_2.ZIP"), name: "WE_2.ZIP")
        }
        #expect(error.message.contains("appears twice"))
    }
}
