import ExportLayout
import Foundation
import VaultCore

#if canImport(Glibc)
    import Glibc
#endif

/// Compares two exports on disk record by record (`crmvault diff`): per object, records added, deleted and modified
/// by id, the fields that changed most, and alerts when deletions or blanked fields pass a threshold. Each CSV is
/// read once into partitions by id hash (``PartitionedRecords``); partitions are compared one at a time, so memory
/// stays bounded by one partition whatever the exports' size.
public enum ExportDiff {
    public struct Options: Sendable {
        /// Only this object (by name), when set.
        public var object: String?
        /// List the ids added, deleted and modified.
        public var listsIDs = false
        /// Alert when more than this share of an object's records is deleted, in per mille (default 50 = 5 %).
        public var deletedPerMille = 50
        /// Alert when a field is blanked in more than this share of an object's records, in per mille.
        public var blankedPerMille = 50
        /// Where the partition files go (removed afterwards).
        public var workDirectory: URL

        public init(workDirectory: URL) {
            self.workDirectory = workDirectory
        }
    }

    /// Compares the export at `a` (the older) with the one at `b`.
    public static func compare(_ a: URL, _ b: URL, options: Options) throws -> DiffReport {
        let started = Date()
        let exportA = try ExportDirectory(root: a)
        let exportB = try ExportDirectory(root: b)
        var report = DiffReport()
        var names = exportA.objects.map(\.name)
        for object in exportB.objects where !names.contains(object.name) { names.append(object.name) }
        if let only = options.object {
            guard names.contains(only) else {
                throw VaultError(
                    .usage, "Neither export has an object named \(only).",
                    remedy: "Objects: \(names.joined(separator: ", ")).")
            }
            names = [only]
        }
        let work = try FileManager.default.url(
            for: .itemReplacementDirectory, in: .userDomainMask, appropriateFor: options.workDirectory, create: true)
        defer { try? FileManager.default.removeItem(at: work) }
        for name in names {
            let objectA = exportA.objects.first { $0.name == name }
            let objectB = exportB.objects.first { $0.name == name }
            let primaryKey = objectB?.metadata?.primaryKey ?? objectA?.metadata?.primaryKey
            var diff = try compare(
                objectA, objectB, name: name, primaryKey: primaryKey, work: work, listsIDs: options.listsIDs)
            diff.fields.sort { ($0.changed, $1.name) > ($1.changed, $0.name) }
            report.alerts += alerts(for: diff, options: options)
            if diff.malformedA + diff.malformedB > 0 {
                report.warnings.append(
                    "\(name): \(diff.malformedA + diff.malformedB) malformed records were left out of the comparison")
            }
            report.objects.append(diff)
        }
        report.seconds = Date().timeIntervalSince(started)
        return report
    }

    private static func compare(
        _ a: ExportDirectory.ObjectFile?, _ b: ExportDirectory.ObjectFile?, name: String, primaryKey: String?,
        work: URL, listsIDs: Bool
    ) throws -> ObjectDiff {
        let size = max(fileSize(a?.url), fileSize(b?.url))
        let partitions = PartitionedRecords.partitionCount(forBytes: size)
        // Both sides are keyed the same way: by the id when both have it, else by whole rows. The id column is the
        // replica's (`Id`, an older export's `ID`, Dataverse's `contactid`), named the same on both sides.
        let headers = try [a, b].compactMap { try $0.map(header(of:)) }
        let key = headers.last.flatMap { header in
            ObjectScan.idColumn(in: header, primaryKey: primaryKey, object: name).map { header[$0] }
        } ?? primaryKey ?? "Id"
        let usesKey = headers.allSatisfy { $0.contains(key) }
        let keyColumn = usesKey ? key : nil
        let recordsA = try a.map {
            try PartitionedRecords(
                csv: $0.url, displayName: $0.file, keyColumn: keyColumn, partitions: partitions, directory: work,
                prefix: "a")
        }
        let recordsB = try b.map {
            try PartitionedRecords(
                csv: $0.url, displayName: $0.file, keyColumn: keyColumn, partitions: partitions, directory: work,
                prefix: "b")
        }
        var diff = ObjectDiff(name: name, key: usesKey ? key : "row")
        diff.recordsA = recordsA?.records ?? 0
        diff.recordsB = recordsB?.records ?? 0
        diff.malformedA = recordsA?.malformed ?? 0
        diff.malformedB = recordsB?.malformed ?? 0
        let headerA = recordsA?.header ?? []
        let headerB = recordsB?.header ?? []
        if recordsA != nil && recordsB != nil {
            diff.columnsAdded = headerB.filter { !headerA.contains($0) }
            diff.columnsRemoved = headerA.filter { !headerB.contains($0) }
        }
        // For each column of A, the same-named column of B.
        let mapping = headerA.map { column in headerB.firstIndex(of: column) }
        var changed = [Int](repeating: 0, count: headerA.count)
        var blanked = [Int](repeating: 0, count: headerA.count)
        var filled = [Int](repeating: 0, count: headerA.count)
        var added: [String] = []
        var deleted: [String] = []
        var modified: [String] = []
        func text(_ key: UnsafeRawBufferPointer) -> String {
            usesKey ? String(decoding: key, as: UTF8.self) : key.map { String(format: "%02x", $0) }.joined()
        }
        for partition in 0..<partitions {
            // A's partition in memory: key → cells; B's streamed against it.
            var table = KeyTable(columns: headerA.count)
            try recordsA?.forEachRecord(inPartition: partition) { key, cells in table.insert(key, cells) }
            try recordsB?.forEachRecord(inPartition: partition) { key, cells in
                guard let position = table.take(key) else {
                    diff.added += 1
                    if listsIDs { added.append(text(key)) }
                    return
                }
                var isModified = false
                for column in mapping.indices {
                    guard let other = mapping[column] else { continue }
                    let before = table.cell(position, column)
                    let after = cells[other]
                    guard before != after else { continue }
                    isModified = true
                    changed[column] += 1
                    if after == 0 { blanked[column] += 1 } else if before == 0 { filled[column] += 1 }
                }
                if isModified {
                    diff.modified += 1
                    if listsIDs { modified.append(text(key)) }
                } else {
                    diff.unchanged += 1
                }
            }
            table.forEachRemaining { key in
                diff.deleted += 1
                if listsIDs { deleted.append(text(key)) }
            }
        }
        diff.fields = headerA.indices.filter { changed[$0] > 0 }.map {
            FieldChange(name: headerA[$0], changed: changed[$0], blanked: blanked[$0], filled: filled[$0])
        }
        if listsIDs {
            diff.addedIDs = added.sorted()
            diff.deletedIDs = deleted.sorted()
            diff.modifiedIDs = modified.sorted()
        }
        return diff
    }

    /// Mass deletion and blanked fields beyond the thresholds.
    private static func alerts(for diff: ObjectDiff, options: Options) -> [DiffAlert] {
        guard diff.recordsA > 0 else { return [] }
        var alerts: [DiffAlert] = []
        func perMille(_ count: Int) -> Int { count * 1000 / diff.recordsA }
        func percent(_ count: Int) -> String { String(format: "%.1f %%", Double(count) * 100 / Double(diff.recordsA)) }
        if diff.deleted * 1000 > options.deletedPerMille * diff.recordsA {
            alerts.append(
                DiffAlert(
                    kind: .deleted, object: diff.name, count: diff.deleted, of: diff.recordsA,
                    perMille: perMille(diff.deleted),
                    message:
                        "\(diff.name): \(diff.deleted) of \(diff.recordsA) records deleted (\(percent(diff.deleted))), more than "
                        + "\(Double(options.deletedPerMille) / 10) %: a mass deletion?"))
        }
        for field in diff.fields where field.blanked * 1000 > options.blankedPerMille * diff.recordsA {
            alerts.append(
                DiffAlert(
                    kind: .blanked, object: diff.name, field: field.name, count: field.blanked, of: diff.recordsA,
                    perMille: perMille(field.blanked),
                    message:
                        "\(diff.name).\(field.name) was blanked in \(field.blanked) of \(diff.recordsA) records "
                        + "(\(percent(field.blanked))), "
                        + "more than \(Double(options.blankedPerMille) / 10) %: data wiped?"))
        }
        return alerts
    }

    /// The header row alone (UTF-8, or Windows-1252 when it is not valid UTF-8).
    private static func header(of object: ExportDirectory.ObjectFile) throws -> [String] {
        do {
            return try CSVReader(path: object.url.path, displayName: object.file, encoding: .utf8).header
        } catch let error as CSVError where error.kind == .invalidEncoding(.utf8) {
            return try CSVReader(path: object.url.path, displayName: object.file, encoding: .windows1252).header
        }
    }

    private static func fileSize(_ url: URL?) -> Int64 {
        var status = stat()
        guard let url, lstat(url.path, &status) == 0 else { return 0 }
        return Int64(status.st_size)
    }
}

/// A partition of A's records in memory: key → cell hashes, each taken once; what is left was deleted.
private struct KeyTable {
    private let columns: Int
    private var cells: [UInt64] = []
    /// Every key's bytes, one after the other; `keyEnds[i]` is where key `i` ends.
    private var keyBytes: [UInt8] = []
    private var keyEnds: [Int] = []
    private var index: [UInt64: Int] = [:]
    /// Keys whose 64-bit hash collides with another's (practically never), looked up by their bytes.
    private var collisions: [[UInt8]: Int] = [:]
    private var isTaken: [Bool] = []

    init(columns: Int) {
        self.columns = columns
    }

    private func key(_ position: Int) -> ArraySlice<UInt8> {
        keyBytes[(position == 0 ? 0 : keyEnds[position - 1])..<keyEnds[position]]
    }

    mutating func insert(_ key: UnsafeRawBufferPointer, _ values: UnsafeBufferPointer<UInt64>) {
        let hash = XXH64.hash(key.bindMemory(to: UInt8.self), seed: 2)
        if let existing = index[hash] {
            if self.key(existing).elementsEqual(key) { return }  // a duplicate key: the first record counts
            if collisions[[UInt8](key)] != nil { return }
            collisions[[UInt8](key)] = keyEnds.count
        } else {
            index[hash] = keyEnds.count
        }
        keyBytes.append(contentsOf: key)
        keyEnds.append(keyBytes.count)
        cells.append(contentsOf: values)
        isTaken.append(false)
    }

    /// The position of `key`'s record, marked as matched; nil when A has no such record (or it was matched already).
    mutating func take(_ key: UnsafeRawBufferPointer) -> Int? {
        let hash = XXH64.hash(key.bindMemory(to: UInt8.self), seed: 2)
        guard var position = index[hash] else { return nil }
        if !self.key(position).elementsEqual(key) {
            guard let other = collisions[[UInt8](key)] else { return nil }
            position = other
        }
        guard !isTaken[position] else { return nil }
        isTaken[position] = true
        return position
    }

    /// Cell `column` of the record at `position`.
    func cell(_ position: Int, _ column: Int) -> UInt64 { cells[position * columns + column] }

    func forEachRemaining(_ body: (UnsafeRawBufferPointer) -> Void) {
        for position in keyEnds.indices where !isTaken[position] {
            key(position).withUnsafeBytes(body)
        }
    }
}
