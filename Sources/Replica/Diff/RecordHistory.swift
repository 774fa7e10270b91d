import ExportLayout
import Foundation
import VaultCore

/// One record in every snapshot (`crmvault history`), with what changed from one to the next. Each snapshot's object
/// CSV is streamed from the vault (``SnapshotFileReader``: every chunk checked), never written to disk.
public struct RecordHistory: Sendable, Codable {
    public struct Field: Sendable, Codable, Equatable {
        public var name: String
        public var value: String
    }

    public struct Change: Sendable, Codable, Equatable {
        public var field: String
        public var before: String
        public var after: String

        public init(field: String, before: String, after: String) {
            self.field = field
            self.before = before
            self.after = after
        }
    }

    public struct Version: Sendable, Codable {
        public var snapshot: String
        public var time: String
        public var label: String
        public var source: String
        /// `present`, `absent` (the object is exported, the record is not) or `no object` (no such CSV).
        public var status: String
        /// The record's fields in header order, when present.
        public var fields: [Field]?
        /// What differs from the previous version that had the record (fields added or removed count too).
        public var changes: [Change]
    }

    public var object: String
    public var id: String
    public var versions: [Version] = []

    /// The record `id` of `object` in each of `snapshots` (chain order), found by the `Id` column.
    public static func of(
        _ id: String, object: String, in snapshots: [StoredChainEntry], vault: Vault, keys: VaultKeys
    ) throws -> RecordHistory {
        var history = RecordHistory(object: object, id: id)
        var previous: [Field]?
        for snapshot in snapshots {
            let manifest = try vault.loadManifest(snapshot).manifest
            var version = Version(
                snapshot: snapshot.entry.snapshot ?? "", time: manifest.time, label: manifest.label,
                source: manifest.source.origin ?? "default", status: "no object", fields: nil, changes: [])
            let file = object + ".csv"
            if manifest.files.contains(where: { $0.path == file }) {
                let fields = try find(id, in: file, of: snapshot, vault: vault, keys: keys)
                version.status = fields == nil ? "absent" : "present"
                version.fields = fields
                if let fields, let previous { version.changes = changes(from: previous, to: fields) }
                if let fields { previous = fields }
            }
            history.versions.append(version)
        }
        return history
    }

    /// Streams `file` looking for the record; UTF-8 first, Windows-1252 when the bytes are not UTF-8.
    private static func find(
        _ id: String, in file: String, of snapshot: StoredChainEntry, vault: Vault, keys: VaultKeys
    ) throws -> [Field]? {
        do {
            return try find(id, in: file, of: snapshot, vault: vault, keys: keys, encoding: .utf8)
        } catch let error as CSVError where error.kind == .invalidEncoding(.utf8) {
            return try find(id, in: file, of: snapshot, vault: vault, keys: keys, encoding: .windows1252)
        }
    }

    private static func find(
        _ id: String, in file: String, of snapshot: StoredChainEntry, vault: Vault, keys: VaultKeys,
        encoding: CSVEncoding
    ) throws -> [Field]? {
        let source = VaultFileSource(try SnapshotFileReader(file, of: snapshot, in: vault, keys: keys))
        let reader = try CSVReader(source: source, displayName: file, encoding: encoding)
        let object = ExportPath.isObjectFile(file) ? String(file.dropLast(4)) : file  // as ExportDirectory names it
        guard let key = ObjectScan.idColumn(in: reader.header, primaryKey: nil, object: object) else {
            throw VaultError(
                .usage,
                "\(file) in snapshot \(snapshot.entry.snapshot?.prefix(12) ?? "") has no Id column to find a record by."
            )
        }
        let wanted = Array(id.utf8)
        while true {
            do {
                guard try reader.next() else { return nil }
            } catch let error as CSVError where error.isRecoverable {
                continue
            }
            let found = reader.withFields { fields -> [Field]? in
                guard fields[key].elementsEqual(wanted) else { return nil }
                return reader.header.indices.map { Field(name: reader.header[$0], value: fields.string($0)) }
            }
            if let found { return found }
        }
    }

    private static func changes(from before: [Field], to after: [Field]) -> [Change] {
        var changes: [Change] = []
        for field in after {
            let old = before.first { $0.name == field.name }?.value ?? ""
            if old != field.value { changes.append(Change(field: field.name, before: old, after: field.value)) }
        }
        for field in before where !after.contains(where: { $0.name == field.name }) && !field.value.isEmpty {
            changes.append(Change(field: field.name, before: field.value, after: ""))
        }
        return changes
    }
}

/// A vault file as a CSV byte source.
final class VaultFileSource: CSVByteSource {
    private let reader: SnapshotFileReader

    init(_ reader: SnapshotFileReader) {
        self.reader = reader
    }

    func read(into buffer: UnsafeMutableBufferPointer<UInt8>) throws -> Int {
        try reader.read(into: UnsafeMutableRawBufferPointer(buffer))
    }
}
