import ExportLayout
import Foundation
import VaultCore

/// A restore drill (`crmvault drill`): a snapshot restored and built into a replica in a temporary place, every check
/// run and timed, and the signed result appended to the vault's chain (docs/FORMAT.md §9.1).
public enum Drill {
    /// What one drill found.
    public struct Report: Sendable, Codable {
        public var snapshot: String
        public var source: String
        public var label: String
        public var result: String
        /// The chain entry that records the drill.
        public var sequence: Int?
        public var restoreFailures: [String]
        public var replica: ReplicaReport
        public var record: DrillRecord
    }

    /// Options of a drill.
    public struct Options: Sendable {
        /// Where the snapshot is restored and the replica built (removed afterwards).
        public var workDirectory: URL
        public var encoding: CSVEncoding?
        public var crmvaultVersion = "unknown"
        /// Called with the finished replica before its checks run; for tests that damage it.
        public var beforeChecks: (@Sendable (URL) throws -> Void)?

        public init(workDirectory: URL) {
            self.workDirectory = workDirectory
        }
    }

    /// The snapshots a drill takes by default: the latest of each source, in chain order.
    public static func latestPerSource(of vault: Vault, chain: ChainState) throws -> [StoredChainEntry] {
        var latest: [String: StoredChainEntry] = [:]
        for entry in chain.snapshotEntries {
            let origin = try vault.loadManifest(entry).manifest.source.origin ?? "default"
            latest[origin] = entry
        }
        return latest.values.sorted { $0.entry.sequence < $1.entry.sequence }
    }

    /// Restores and builds `snapshot`, runs the checks, and appends the signed result (owner keys needed).
    /// A damaged snapshot or a malformed export is a failed drill, recorded as such, not an error.
    public static func run(
        _ snapshot: StoredChainEntry, of vault: Vault, keys: VaultKeys, options: Options
    ) throws -> Report {
        let started = Date()
        let restored = try RestoredExport(snapshot, of: vault, keys: keys, under: options.workDirectory)
        var replicaOptions = ReplicaOptions()
        replicaOptions.encoding = options.encoding
        replicaOptions.isLenient = true
        replicaOptions.crmvaultVersion = options.crmvaultVersion
        replicaOptions.origin = restored.origin
        replicaOptions.beforeChecks = options.beforeChecks
        let database = restored.url.deletingLastPathComponent().appendingPathComponent("replica.sqlite")
        var replica = try ReplicaBuilder.build(exportAt: restored.url, into: database, options: replicaOptions)
        for failure in restored.failures {
            replica.checks.append(ReplicaCheck(check: "restore", status: .fail, detail: failure))
        }
        replica.status = replica.isPassed ? "ok" : "failed"
        replica.database = nil  // removed with the restored export
        let record = DrillRecord(
            result: replica.isPassed ? "pass" : "fail",
            objects: replica.objects.map {
                DrillRecord.Object(
                    name: $0.name, rows: $0.rows, records: $0.recordsParsed, vendorRecords: $0.vendorRecords,
                    digest: Vault.drillDigest(object: $0.name, cellDigest: $0.digest, keys: keys))
            },
            files: replica.files, checks: replica.checks.count,
            warnings: replica.checks.filter { $0.status == .warn }.count,
            failures: replica.failures,
            milliseconds: .init(
                restore: milliseconds(restored.seconds),
                build: milliseconds(replica.durations.scan + replica.durations.load + replica.durations.index),
                checks: milliseconds(replica.durations.check), total: milliseconds(Date().timeIntervalSince(started))),
            crmvaultVersion: options.crmvaultVersion)
        let entry = try vault.appendDrill(record, of: snapshot, keys: keys)
        return Report(
            snapshot: snapshot.entry.snapshot ?? "", source: restored.origin.source, label: restored.manifest.label,
            result: record.result,
            sequence: entry.entry.sequence, restoreFailures: restored.failures, replica: replica, record: record)
    }

    private static func milliseconds(_ seconds: Double) -> Int { Int((seconds * 1000).rounded()) }
}
