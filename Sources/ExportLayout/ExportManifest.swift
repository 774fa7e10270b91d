import Foundation

/// The layout of a CRM export as crmvault keeps it (docs/EXPORTS.md): the contract between the connectors
/// that write exports (`Pull`) and the readers that prove them (`Replica`, diff, history).
///
/// Nouns:
/// - **Export**: one month's pull, a directory laid out like Salesforce's own Data Export: `<Object>.csv` at the top
///   (header row, then records), binary files in folders named after their object (`ContentVersion/<Id>`),
///   vendor metadata under `metadata/`, and the **export manifest** `export-manifest.json`.
/// - **Object**: one CRM table (Salesforce sObject, Dataverse entity); one CSV file.
/// - **Field**: one CSV column, with a vendor-neutral **field type** and, for references, the objects it points to.
public struct ExportManifest: Codable, Sendable, Equatable {
    /// The file name of the export manifest at the top of an export.
    public static let fileName = "export-manifest.json"
    /// The folder holding the vendor's own metadata, one file per object.
    public static let metadataFolder = "metadata"

    public var format = "crmvault-export"
    public var version = 1
    /// The connector that made the export: `salesforce`, `salesforce-export`, `dataverse` or `directory`.
    public var vendor: String
    /// The schedule (or `--source`) the export was pulled for.
    public var source: String
    /// The vendor endpoint, without credentials or query (e.g. `https://acme.my.salesforce.com`).
    public var instance: String?
    /// The vendor's id of the organization (Salesforce org id, Dataverse organization id), when reported.
    public var organization: String?
    public var apiVersion: String?
    /// RFC 3339 UTC, whole seconds.
    public var started: String
    public var finished: String
    public var objects: [ExportObject]
    /// Binary files (attachments, documents) kept beside the CSVs.
    public var files: [ExportFile]?
    /// Vendor archives the export was unpacked from (Salesforce Data Export zips), for provenance.
    public var archives: [ExportArchive]?
    /// Objects the vendor listed but refused to export when every object was asked for (`objects = ["*"]`), each with
    /// the vendor's reason; absent when none was.
    public var skipped: [SkippedObject]?

    public init(vendor: String, source: String, started: String, finished: String, objects: [ExportObject]) {
        self.vendor = vendor
        self.source = source
        self.started = started
        self.finished = finished
        self.objects = objects
    }

    /// Reads and checks an export manifest; `path` is named in errors.
    public static func decode(_ data: Data, path: String) throws -> ExportManifest {
        let manifest: ExportManifest
        do {
            manifest = try JSONDecoder().decode(ExportManifest.self, from: data)
        } catch {
            throw ExportLayoutError("\(path) is not a valid export manifest: \(error)")
        }
        guard manifest.format == "crmvault-export" else { throw ExportLayoutError("\(path) is not an export manifest (format \(manifest.format)).") }
        guard manifest.version == 1 else {
            throw ExportLayoutError("\(path) has export manifest version \(manifest.version); this crmvault reads 1.")
        }
        for object in manifest.objects where !ExportPath.isObjectFile(object.file) {
            throw ExportLayoutError("\(path) names the object file \(object.file), which is not a top-level .csv file.")
        }
        return manifest
    }

    /// The manifest as written into an export: sorted keys, pretty, a final newline.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self) + Data("\n".utf8)
    }

    public func object(named name: String) -> ExportObject? { objects.first { $0.name == name } }
}

/// One object of an export.
public struct ExportObject: Codable, Sendable, Equatable {
    /// The object's API name (`Account`, `account`); also the replica's table name.
    public var name: String
    /// The CSV file, relative to the export's top: `<name>.csv`.
    public var file: String
    /// The vendor's raw metadata for the object, relative to the export's top (`metadata/Account.describe.json`).
    public var metadata: String?
    /// The number of records the vendor reported for this object (Bulk API `numberRecordsProcessed`,
    /// `@odata.count`), when it reported one. Replica and drill check the CSV against it.
    public var records: Int?
    /// The number of records written to the CSV.
    public var recordsWritten: Int?
    /// The field holding the record's unique id (`Id`, `accountid`), when the object has one.
    public var primaryKey: String?
    /// The CSV's columns in order, typed. Absent when the vendor gave no metadata.
    public var fields: [ExportField]?
    /// What the connector checked while pulling (e.g. "page record counts equal Sforce-NumberOfRecords").
    public var checks: [String]?
    /// Seconds the pull of this object took.
    public var seconds: Double?

    public init(name: String, file: String? = nil) {
        self.name = name
        self.file = file ?? "\(name).csv"
    }
}

/// One column of an object's CSV.
/// An object left out of an export of every object, and why (the vendor's error code and message).
public struct SkippedObject: Codable, Sendable, Equatable {
    public var name: String
    public var reason: String

    public init(name: String, reason: String) {
        self.name = name
        self.reason = reason
    }
}

public struct ExportField: Codable, Sendable, Equatable {
    /// The column name exactly as in the CSV header.
    public var name: String
    public var type: ExportFieldType
    /// For `reference`: the objects the value can point to (one for a plain lookup, several for a polymorphic one).
    public var referenceTo: [String]?
    /// The vendor's own type name (`picklist`, `Lookup`, `Money`), for people reading the replica.
    public var vendorType: String?

    public init(name: String, type: ExportFieldType, referenceTo: [String]? = nil, vendorType: String? = nil) {
        self.name = name
        self.type = type
        self.referenceTo = referenceTo
        self.vendorType = vendorType
    }
}

/// The vendor-neutral field types (docs/EXPORTS.md has the mapping from Salesforce and Dataverse types).
public enum ExportFieldType: String, Codable, Sendable, CaseIterable {
    case id, reference, string, boolean, integer, double, date, datetime, time, binary
}

/// A binary file of an export, linked to the record it belongs to.
public struct ExportFile: Codable, Sendable, Equatable {
    public var path: String
    public var object: String
    public var record: String?

    public init(path: String, object: String, record: String? = nil) {
        self.path = path
        self.object = object
        self.record = record
    }
}

/// A vendor archive an export was unpacked from.
public struct ExportArchive: Codable, Sendable, Equatable {
    public var name: String
    public var sha256: String
    public var size: Int

    public init(name: String, sha256: String, size: Int) {
        self.name = name
        self.sha256 = sha256
        self.size = size
    }
}

/// An export that breaks the layout, with what is wrong and where.
public struct ExportLayoutError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Path rules of the export layout.
public enum ExportPath {
    /// A top-level CSV file name: no folder, no `..`, ends in `.csv`.
    public static func isObjectFile(_ path: String) -> Bool {
        !path.contains("/") && !path.contains("\\") && path.lowercased().hasSuffix(".csv") && path != ".csv"
            && !path.hasPrefix(".")
    }
}
