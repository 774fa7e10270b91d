import Foundation

extension Vault {
    /// Month-by-month snapshots per source, the months before the current one that have none, and a warning
    /// when a source's newest snapshot is older than `maximumAgeDays`.
    static func coverage(of snapshots: [(time: String, origin: String, id: Digest)], now: Date, maximumAgeDays: Int)
        -> (coverage: [SourceCoverage], warnings: [String])
    {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        func monthKey(_ date: Date) -> String {
            let parts = calendar.dateComponents([.year, .month], from: date)
            return String(format: "%04d-%02d", parts.year!, parts.month!)
        }
        var coverage: [SourceCoverage] = []
        var warnings: [String] = []
        let bySource = Dictionary(grouping: snapshots, by: \.origin)
        for source in bySource.keys.sorted() {
            let dated = bySource[source]!.compactMap { snapshot in Timestamp.parse(snapshot.time).map { ($0, snapshot.id) } }
                .sorted { $0.0 < $1.0 }
            guard let first = dated.first?.0, let newest = dated.last?.0 else { continue }
            var months: [SourceCoverage.Month] = []
            var missing: [String] = []
            let current = monthKey(now)
            var cursor = calendar.date(from: calendar.dateComponents([.year, .month], from: first))!
            while monthKey(cursor) <= current {
                let key = monthKey(cursor)
                let ids = dated.filter { monthKey($0.0) == key }.map { $0.1.hex }
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
