import CRMExportGenerator
import Foundation
import Logging
import Schedule
import VaultCore
import VaultTesting

/// A real job standing in for a pull: it "downloads" a generated month of CRM export into a staging directory, one
/// object file at a time with a pause between (so it can be cancelled part-way, as a pull is while it downloads),
/// then backs the export up into a real vault with a writer key and removes the staging directory.
///
/// Cancelled or failed, it removes what it staged and commits nothing, as a pull must.
struct ExportBackupJob: PullJob {
    let vault: Vault
    let keys: VaultKeys
    let source: String
    let staging: URL
    var pause: Duration = .zero
    var scale = 40
    /// Told when the job starts staging and when it is done.
    var events: JobEvents?
    /// Whether the job waits, once started, until a job on another vault has started too (proving they overlap).
    var waitsForAnotherVault = false

    func run(scheduledFor: Date, logger: Logger) async throws -> PullJobResult {
        let directory = staging.appendingPathComponent("\(source)-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let label = String(Timestamp.format(scheduledFor).prefix(7))
        let month = (Int(label.prefix(4))! - 2026) * 12 + Int(label.suffix(2))! - 1
        let files = CRMExportGenerator(seed: 7, scale: scale).month(month)
        events?.started(source)
        defer { events?.finished(source) }
        if waitsForAnotherVault, let events {
            try await Poll.until("a job on another vault than \(source)'s") {
                events.hasStartedOnAnotherVault(than: source)
            }
        }
        for (index, file) in files.enumerated() {
            if index > 0 { try await Task.sleep(for: pause) }
            try Task.checkCancellation()
            try file.contents.write(to: directory.appendingPathComponent(file.name))
        }
        try Task.checkCancellation()
        let result = try await BlockingWork.run { [self] in
            try vault.backup(directory, keys: keys, label: label, origin: source, time: scheduledFor)
        }
        return PullJobResult(snapshotIDs: [result.snapshotID.hex], details: ["files": "\(result.files)"])
    }
}

/// What jobs did, seen from the test: which are running now, the most that ran at once per vault, and in all.
final class JobEvents: @unchecked Sendable {
    private let lock = NSLock()
    private var running: [String: String] = [:]
    private var startOrder: [String] = []
    private var mostAtOnce = 0
    private var mostAtOncePerVault: [String: Int] = [:]
    /// Source name to vault path.
    let vaults: [String: String]

    init(vaults: [String: String]) { self.vaults = vaults }

    func started(_ source: String) {
        lock.withLock {
            startOrder.append(source)
            running[source] = vaults[source]
            mostAtOnce = max(mostAtOnce, running.count)
            let vault = vaults[source] ?? ""
            mostAtOncePerVault[vault] = max(mostAtOncePerVault[vault] ?? 0, running.values.filter { $0 == vault }.count)
        }
    }

    func finished(_ source: String) { lock.withLock { running[source] = nil } }

    func hasStartedOnAnotherVault(than source: String) -> Bool {
        lock.withLock { startOrder.contains { vaults[$0] != vaults[source] } }
    }

    var startedSources: [String] { lock.withLock { startOrder } }
    var runningSources: Set<String> { lock.withLock { Set(running.keys) } }
    var mostRunningAtOnce: Int { lock.withLock { mostAtOnce } }
    func mostRunningAtOnce(onVault vault: String) -> Int { lock.withLock { mostAtOncePerVault[vault] ?? 0 } }
}
