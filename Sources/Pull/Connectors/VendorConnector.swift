import Definitions
import ExportLayout
import Foundation
import Logging

/// What every connector works with during one pull.
struct PullContext: Sendable {
    var schedule: ScheduleDefinition
    var options: PullOptions
    var logger: Logger
    var redactor: Redactor
    /// Progress lines for a person watching (the CLI shows them on a terminal only).
    var progress: @Sendable (String) -> Void

    var source: SourceDefinition { schedule.source }
}

/// Speaks one vendor's export protocol and writes one full export in the layout of docs/EXPORTS.md.
protocol VendorConnector: Sendable {
    /// Pulls the whole export into `export` (an empty private directory) and returns its manifest, with the vendor's
    /// record counts and what was checked. Throws, leaving the pull to clean up, when anything is missing or wrong.
    func pull(into export: URL, downloads: URL) async throws -> ExportManifest
    /// Releases connections.
    func shutdown() async
}

/// Helpers every connector shares.
enum ExportWriting {
    /// RFC 3339 UTC with whole seconds, as the export manifest wants.
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    /// The export manifest's common part: who pulled what from where, and when.
    static func manifest(
        vendor: SourceDefinition.Vendor, context: PullContext, started: Date, objects: [ExportObject],
        instance: URL?, apiVersion: String?
    ) -> ExportManifest {
        var manifest = ExportManifest(
            vendor: vendor.rawValue, source: context.schedule.name, started: timestamp(started),
            finished: timestamp(Date()),
            objects: objects)
        manifest.instance = instance?.absoluteString
        manifest.apiVersion = apiVersion
        return manifest
    }

    /// Writes bytes as a new 0600 file.
    static func write(_ bytes: some Collection<UInt8>, to url: URL, limit: Int) throws {
        let file = try StagedFile(creating: url, limit: limit)
        try file.append(bytes)
        try file.finish()
    }

    /// The `metadata/` folder of an export, created on first use.
    static func metadataFolder(in export: URL) throws -> URL {
        let folder = export.appendingPathComponent(ExportManifest.metadataFolder)
        if !FileManager.default.fileExists(atPath: folder.path) {
            try StagingArea.makePrivateDirectory(folder, intermediate: false)
        }
        return folder
    }

    /// A number with thousands separators, for progress lines.
    static func count(_ value: Int) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.groupingSeparator = ","
        formatter.usesGroupingSeparator = true
        return formatter.string(from: NSNumber(value: value)) ?? String(value)
    }

    /// Seconds since `start`, to the millisecond.
    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let (seconds, attoseconds) = (ContinuousClock.now - start).components
        return ((Double(seconds) + Double(attoseconds) / 1e18) * 1000).rounded() / 1000
    }
}
