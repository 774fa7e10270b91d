import Foundation

/// One snapshot as the coverage report sees it: the time its manifest claims, the time its chain entry was written,
/// its source, and whether it holds any file.
struct CoverageSnapshot {
    var id: Digest
    var sequence: Int
    var label: String
    var time: String
    var entryTime: String
    var origin: String
    var holdsFiles: Bool
    var files: Int
    /// Who signed its chain entry: `owner`, `writer NAME` or an unknown key (``ChainState/role(of:owner:)``).
    var signedBy: String
}

extension Vault {
    /// How far a snapshot's time may lie from its chain entry's (a backup of a large export takes hours, not days).
    static let snapshotTimeTolerance: TimeInterval = 2 * 86400

    /// Month-by-month snapshots per source, the months before the current one that have none, and a warning
    /// when a source's newest snapshot is older than `maximumAgeDays`.
    ///
    /// A snapshot counts for the month its label names when the label is a month (`2026-03`, what `pull` and the
    /// README's backups give), else for the month of its time: an export of March backed up on April 2nd covers March.
    /// The times come from whoever wrote the snapshots, so they are not taken on trust: a snapshot that holds no file
    /// does not count as a month's backup, and one whose time lies after `now`, or far from the time its chain entry
    /// was written, is a warning (37 future-dated empty snapshots must not silence the missing-month warnings).
    static func coverage(of snapshots: [CoverageSnapshot], now: Date, maximumAgeDays: Int) -> (coverage: [SourceCoverage], warnings: [String]) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        func monthKey(_ date: Date) -> String {
            let parts = calendar.dateComponents([.year, .month], from: date)
            return String(format: "%04d-%02d", parts.year!, parts.month!)
        }
        func firstDay(of key: String) -> Date? {
            guard SnapshotMonth.isMonth(key) else { return nil }
            return calendar.date(from: DateComponents(year: Int(key.prefix(4)), month: Int(key.suffix(2)), day: 1))
        }
        var coverage: [SourceCoverage] = []
        var warnings: [String] = []
        var counted: [(date: Date, month: String, origin: String, id: Digest)] = []
        for snapshot in snapshots {
            guard let date = Timestamp.parse(snapshot.time) else {
                warnings.append("snapshot \(snapshot.id.shortForm) has no valid time (\(snapshot.time)); it is not counted in the coverage")
                continue
            }
            if date.timeIntervalSince(now) > 86400 {
                warnings.append("snapshot \(snapshot.id.shortForm) claims a time in the future (\(snapshot.time)); it is not counted")
                continue
            }
            if let written = Timestamp.parse(snapshot.entryTime), abs(written.timeIntervalSince(date)) > snapshotTimeTolerance {
                warnings.append("snapshot \(snapshot.id.shortForm) claims the time \(snapshot.time), but its chain entry was written at "
                    + "\(snapshot.entryTime)")
            }
            let labelled = SnapshotMonth.of(label: snapshot.label, time: snapshot.time)
            if let written = Timestamp.parse(snapshot.entryTime), snapshot.signedBy != "owner",
                let counted = firstDay(of: labelled),
                let limit = calendar.date(byAdding: .month, value: -1, to: firstDay(of: monthKey(written)) ?? written),
                counted < limit
            {
                // A pull backs up the month just ended; a writer key that adds an older month fills a gap in the
                // coverage after the fact (a stolen pull host can do it with any bytes): the auditor is told.
                warnings.append("snapshot \(snapshot.id.shortForm) of \(snapshot.origin) counts for \(labelled) but was added on "
                    + "\(snapshot.entryTime.prefix(10)) by \(snapshot.signedBy): a month filled in afterwards; check that it holds "
                    + "that month's export")
            }
            if snapshot.holdsFiles { counted.append((date, labelled, snapshot.origin, snapshot.id)) }
        }
        let bySource = Dictionary(grouping: counted, by: \.origin)
        for source in bySource.keys.sorted() {
            let dated = bySource[source]!.sorted { ($0.month, $0.date) < ($1.month, $1.date) }
            guard let firstMonth = dated.first?.month, let newest = dated.map(\.date).max(),
                var cursor = firstDay(of: firstMonth)
            else { continue }
            let byMonth = Dictionary(grouping: dated, by: \.month)
            var months: [SourceCoverage.Month] = []
            var missing: [String] = []
            let current = monthKey(now)
            while monthKey(cursor) <= current {
                let key = monthKey(cursor)
                let ids = (byMonth[key] ?? []).map(\.id.hex)
                months.append(.init(month: key, snapshots: ids))
                if ids.isEmpty && key < current { missing.append(key) }
                cursor = calendar.date(byAdding: .month, value: 1, to: cursor)!
                if months.count > 1200 { break }
            }
            coverage.append(SourceCoverage(source: source, months: months, missingMonths: missing, newest: Timestamp.format(newest)))
            if !missing.isEmpty {
                warnings.append("source \(source) has no snapshot for \(missing.joined(separator: ", "))")
            }
            let age = Int(now.timeIntervalSince(newest) / 86400)
            if age > maximumAgeDays {
                warnings.append("source \(source): the newest snapshot is \(age) days old (more than \(maximumAgeDays)); is the monthly pull running?")
            }
        }
        return (coverage, warnings)
    }
}
