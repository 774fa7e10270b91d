import ExportLayout
import Foundation

/// What a pull did: the snapshot(s) it committed and what they hold. A pull that fails throws instead, and has
/// committed nothing.
public struct PullResult: Sendable, Encodable {
    public var schedule: String
    public var vendor: String
    public var started: Date
    public var finished: Date
    /// One per export committed: exactly one for the HTTP vendors; for `directory`, one per new file set (possibly none).
    public var exports: [PulledExport]

    enum CodingKeys: String, CodingKey { case schedule, vendor, started, finished, exports }

    /// Times as RFC 3339 UTC text, as everywhere else in crmvault's JSON.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(schedule, forKey: .schedule)
        try container.encode(vendor, forKey: .vendor)
        try container.encode(ExportWriting.timestamp(started), forKey: .started)
        try container.encode(ExportWriting.timestamp(finished), forKey: .finished)
        try container.encode(exports, forKey: .exports)
    }
}

/// One export pulled and committed as a snapshot.
public struct PulledExport: Sendable, Encodable {
    /// The snapshot id (hex).
    public var snapshot: String
    /// The snapshot's label: the month, `YYYY-MM`.
    public var label: String
    public var objects: [PulledObject]
    public var files: Int
    /// Bytes of the staged export (CSV, metadata, manifest) that went into the snapshot.
    public var bytesIn: Int
    /// Bytes of new packs the snapshot added to the vault.
    public var bytesStored: Int
    /// Objects the vendor listed but refused to export, when every object was asked for (the export manifest's
    /// `skipped`); empty otherwise.
    public var skipped: [SkippedObject] = []
}

/// One object of a pulled export.
public struct PulledObject: Sendable, Encodable, Equatable {
    public var name: String
    /// Records written to the CSV (checked equal to the vendor's count where it reports one).
    public var records: Int
}
