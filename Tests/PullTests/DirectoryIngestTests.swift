import Definitions
import ExportLayout
import Foundation
import Testing
import VaultCore
import VaultTesting

@testable import Pull

struct DirectoryIngestTests {
    /// A vault with a writer key and a drop folder; no vendor needed.
    final class Drop {
        let vault: TemporaryVault
        let directory: TemporaryDirectory
        let writerKey: URL
        var dropFolder: URL { directory.path("drop") }

        init() throws {
            vault = try TemporaryVault()
            directory = try TemporaryDirectory("crmvault-drop")
            writerKey = try vault.writerKey().file
            try FileManager.default.createDirectory(at: dropFolder, withIntermediateDirectories: true)
        }

        func schedule(quietSeconds: Int = 3600) throws -> ScheduleDefinition {
            let text = """
                every = "0 * * * *"
                vault = "\(vault.url.path)"
                writer_key = "\(writerKey.path)"
                work_dir = "\(directory.path("work").path)"
                [source]
                vendor = "directory"
                path = "\(dropFolder.path)"
                quiet_seconds = \(quietSeconds)

                """
            return try ScheduleDefinition.load(
                file: try directory.write("sftp-drop.toml", Data(text.utf8), under: "Schedules"))
        }

        /// Writes a file into the drop folder; it and its folder are dated `age` seconds ago.
        func drop(_ relative: String, _ contents: String, age: TimeInterval) throws {
            let url = dropFolder.appendingPathComponent(relative)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(contents.utf8).write(to: url)
            for path in [url.path, url.deletingLastPathComponent().path] {
                try FileManager.default.setAttributes(
                    [.modificationDate: Date().addingTimeInterval(-age)], ofItemAtPath: path)
            }
        }

        func pull() async throws -> PullResult {
            try await Puller(options: PullTestSupport.fastOptions).run(
                try schedule(), now: Date(), logger: LogCapture().logger)
        }
    }

    @Test func aQuietFileSetIsIngestedOnceAndABusyOneWaits() async throws {
        let drop = try Drop()
        try drop.drop(
            "2026-03/Account.csv", "\"Id\",\"Name\"\n\"001\",\"Ada, \"\"the\"\" first\nline two\"\n\"002\",\"Bo\"\n",
            age: 7200)
        try drop.drop("2026-03/Contact.csv", "\"Id\"\n\"003\"\n", age: 7200)
        try drop.drop("2026-04/Account.csv", "\"Id\"\n", age: 5)
        try drop.drop("2026-04.zip.part", "partial", age: 7200)

        let first = try await drop.pull()
        #expect(first.exports.count == 1)
        let export = try #require(first.exports.first)
        #expect(
            export.objects == [PulledObject(name: "Account", records: 2), PulledObject(name: "Contact", records: 1)])
        let snapshots = try drop.vault.reopened().snapshots()
        #expect(snapshots.map(\.origin) == ["sftp-drop"])

        let second = try await drop.pull()
        #expect(second.exports.isEmpty, "an ingested set was ingested again")
        #expect(try drop.vault.reopened().snapshots().count == 1)
    }

    @Test func aZipSetIsUnpackedAndItsProvenanceKept() async throws {
        let drop = try Drop()
        let zip = RawZipBuilder([.init(name: "Lead.csv", data: Data("\"Id\"\n\"00Q1\"\n\"00Q2\"\n".utf8))]).build()
        try zip.write(to: drop.dropFolder.appendingPathComponent("export-2026-02.zip"))
        try FileManager.default.setAttributes(
            [.modificationDate: Date().addingTimeInterval(-7200)],
            ofItemAtPath: drop.dropFolder.appendingPathComponent("export-2026-02.zip").path)
        let result = try await drop.pull()
        #expect(result.exports.first?.objects == [PulledObject(name: "Lead", records: 2)])
    }

    @Test func aMalformedCSVIsRefusedNamingFileAndLineAndNothingIsIngested() async throws {
        let drop = try Drop()
        try drop.drop("2026-05/Account.csv", "Id,Name\n001,Ada\n002,Bo,extra\n", age: 7200)
        let error = try await #require(throws: VaultError.self) { try await drop.pull() }
        #expect(error.code == .vendorFailed)
        #expect(error.message.contains("Account.csv, line 3"))
        #expect(try drop.vault.reopened().snapshots().isEmpty)
    }
}
