import Foundation

/// The last drill of one source, as keyless verify shows it.
public struct SourceDrill: Sendable, Codable {
    public var source: String
    /// Drill entries for this source's snapshots.
    public var drills: Int
    public var lastTime: String
    public var lastResult: String
    public var lastSnapshot: String
    /// The chain entry of the last drill.
    public var lastSequence: Int
    /// The newest passing drill's time, if any.
    public var lastPassed: String?
}

extension Vault {
    /// Checks every `drill` entry keylessly (FORMAT.md §9.1: it names a snapshot of an earlier entry and holds a
    /// well-formed result; owner-signed, which the chain check enforces) and summarizes them per source, warning
    /// when a source has no passing drill newer than `maximumAgeDays`.
    static func drills(
        in chain: ChainState, origins: [String: String], now: Date, maximumAgeDays: Int
    )
        -> (drills: [SourceDrill], warnings: [String], problems: [VerifyProblem])
    {
        var problems: [VerifyProblem] = []
        var seen: Set<String> = []
        var bySource: [String: [ChainEntry]] = [:]
        for stored in chain.entries {
            let entry = stored.entry
            if entry.type == .snapshot, let id = entry.snapshot { seen.insert(id) }
            guard entry.type == .drill else { continue }
            let path = ChainEntry.path(sequence: entry.sequence)
            guard let id = entry.snapshot, seen.contains(id) else {
                problems.append(
                    VerifyProblem(file: path, message: "records a drill of a snapshot no earlier chain entry holds"))
                continue
            }
            guard let record = entry.drill, ["pass", "fail"].contains(record.result),
                Timestamp.parse(entry.time) != nil,
                record.objects.allSatisfy({ Digest(hex: $0.digest) != nil && $0.rows >= 0 && $0.records >= 0 })
            else {
                problems.append(VerifyProblem(file: path, message: "is a drill entry without a well-formed result"))
                continue
            }
            bySource[origins[id] ?? "default", default: []].append(entry)
        }
        var drills: [SourceDrill] = []
        var warnings: [String] = []
        for source in Set(origins.values).union(bySource.keys).sorted() {
            let entries = bySource[source] ?? []
            let passed = entries.last { $0.drill?.isPassed == true }
            if let last = entries.last {
                drills.append(
                    SourceDrill(
                        source: source, drills: entries.count, lastTime: last.time, lastResult: last.drill!.result,
                        lastSnapshot: last.snapshot!, lastSequence: last.sequence, lastPassed: passed?.time))
                if !last.drill!.isPassed {
                    warnings.append(
                        "source \(source): the last restore drill (\(last.time), snapshot \(last.snapshot!.prefix(12))) FAILED: "
                            + (last.drill!.failures.first ?? "see its chain entry \(last.sequence)"))
                }
            }
            let age = passed.flatMap { Timestamp.parse($0.time) }.map { Int(now.timeIntervalSince($0) / 86400) }
            if let age, age <= maximumAgeDays { continue }
            warnings.append(
                "source \(source): "
                    + (age.map { "the last passing restore drill is \($0) days old" } ?? "no restore drill has passed")
                    + " (none in the last \(maximumAgeDays) days); run `crmvault drill` to prove the backups restore")
        }
        return (drills, warnings, problems)
    }
}
