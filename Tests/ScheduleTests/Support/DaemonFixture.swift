import Foundation
import Logging
import Schedule
import ServiceLifecycleTestKit
import Testing
import VaultCore
import VaultTesting

/// Vaults with writer keys, a state directory and a fixed clock, in temporary directories; runs a daemon's
/// services under ServiceLifecycle's test graceful shutdown.
final class DaemonFixture: @unchecked Sendable {
    let directory: TemporaryDirectory
    let store: RunStateStore
    let clock: ManualClock
    let log = LineSink.memory()
    private(set) var vaults: [String: (vault: TemporaryVault, keys: VaultKeys)] = [:]

    init(now: String) throws {
        directory = try TemporaryDirectory("crmvault-daemon")
        store = RunStateStore(directory: directory.path("state"))
        try store.prepare()
        clock = ManualClock(try #require(Timestamp.parse(now)))
    }

    var logger: Logger {
        let sink = log
        var logger = Logger(label: "test") { _ in LineLogHandler(sink: sink) }
        logger.logLevel = .debug
        return logger
    }

    /// A vault under the name `name`, with an authorized writer key.
    func vault(_ name: String) throws -> (vault: TemporaryVault, keys: VaultKeys) {
        if let existing = vaults[name] { return existing }
        let vault = try TemporaryVault()
        let keys = try vault.writerKey().keys
        vaults[name] = (vault, keys)
        return (vault, keys)
    }

    /// A schedule named `name` backing up into vault `vaultName`, with its job.
    func schedule(
        _ name: String, every: String = "0 2 1 * *", vault vaultName: String = "main", pause: Duration = .zero,
        events: JobEvents? = nil, waitsForAnotherVault: Bool = false
    ) throws -> (entry: ScheduleEntry, job: any PullJob) {
        let (vault, keys) = try self.vault(vaultName)
        let entry = ScheduleEntry(
            name: name, every: try CronExpression(every), vault: vault.url,
            definitionFile: directory.path("Schedules", "\(name).toml"))
        var job = ExportBackupJob(vault: vault.vault, keys: keys, source: name, staging: directory.path("staging"))
        job.pause = pause
        job.events = events
        job.waitsForAnotherVault = waitsForAnotherVault
        return (entry, job)
    }

    /// Records that the daemon last finished the run due at `lastFinished`, watching since `since`.
    func saveState(_ name: String, since: String, lastFinished: String?) throws {
        var state = ScheduleState(schedule: name)
        state.watchedSince = Timestamp.parse(since)
        state.lastFinishedSlot = lastFinished.flatMap(Timestamp.parse)
        try store.save(state)
    }

    /// Runs the daemon's services until `body` returns, then shuts them down gracefully and waits for them.
    func run(_ daemon: ScheduleDaemon, _ body: @Sendable () async throws -> Void) async throws {
        let services = daemon.services(logger: logger)
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for service in services {
                    group.addTask { try await service.run() }
                }
                do {
                    try await body()
                } catch {
                    group.cancelAll()
                    throw error
                }
                trigger.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        }
    }

    func daemon(_ schedules: [(entry: ScheduleEntry, job: any PullJob)]) -> ScheduleDaemon {
        ScheduleDaemon(schedules: schedules, store: store, clock: clock)
    }

    func state(_ name: String) throws -> ScheduleState { try store.state(of: name) }

    /// The labels of a vault's snapshots, read back from disk.
    func labels(in vaultName: String) throws -> [String] {
        try vaults[vaultName]!.vault.reopened().snapshots().map(\.label)
    }

    var logLines: [String] { log.lines }
}
