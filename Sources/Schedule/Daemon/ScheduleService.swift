import Foundation
import Logging
import ServiceLifecycle
import VaultCore

/// Runs one schedule for as long as the daemon runs: catches up a run missed while the daemon was down, then
/// sleeps until each next time and runs the job, one run at a time per vault.
///
/// On graceful shutdown (SIGTERM) the wait ends and a running job is cancelled; it is recorded as `cancelled` and
/// caught up at the next start.
public struct ScheduleService: Service {
    public let entry: ScheduleEntry
    let job: any PullJob
    let store: RunStateStore
    let queue: VaultRunQueue
    let clock: any WallClock
    let logger: Logger

    public init(
        entry: ScheduleEntry, job: any PullJob, store: RunStateStore, queue: VaultRunQueue,
        clock: any WallClock = SystemWallClock(), logger: Logger
    ) {
        self.entry = entry
        self.job = job
        self.store = store
        self.queue = queue
        self.clock = clock
        var logger = logger
        logger[metadataKey: "schedule"] = "\(entry.name)"
        self.logger = logger
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown { try await self.runUntilCancelled() }
    }

    private func runUntilCancelled() async throws {
        var state = try startingState()
        if let missed = CatchUp.missedRun(of: entry, state: state, now: clock.now) {
            logger.notice("run.catch-up", metadata: ["scheduled": "\(Timestamp.format(missed))"])
            state = await perform(scheduledFor: missed, trigger: .catchUp, state: state)
        }
        while !Task.isCancelled {
            guard let next = entry.every.nextRun(after: clock.now, in: entry.timeZone) else { break }
            logger.info("schedule.waiting", metadata: ["next": "\(Timestamp.format(next))"])
            do { try await clock.sleep(until: next) } catch { break }
            state = await perform(scheduledFor: next, trigger: .schedule, state: state)
        }
        logger.info("schedule.stopped")
    }

    /// The schedule's saved state, with a run left `running` by a dead daemon marked `interrupted`, and the time
    /// the daemon began watching it recorded for a schedule seen for the first time.
    private func startingState() throws -> ScheduleState {
        var state: ScheduleState
        do {
            state = try store.state(of: entry.name)
        } catch let error as VaultError {
            logger.warning("state.unreadable", metadata: ["error": "\(error.message)"])
            state = ScheduleState(schedule: entry.name)
        }
        if state.lastRun?.outcome == .running {
            logger.warning(
                "run.interrupted", metadata: ["scheduled": "\(Timestamp.format(state.lastRun!.scheduledFor))"])
        }
        state = state.markingInterrupted()
        if state.watchedSince == nil { state.watchedSince = clock.now }
        try store.save(state)
        return state
    }

    /// Runs the job for one due time once its vault is free, and records the run.
    private func perform(scheduledFor: Date, trigger: RunRecord.Trigger, state: ScheduleState) async -> ScheduleState {
        let vault = entry.vaultKey
        var state = state
        let metadata: Logger.Metadata = [
            "scheduled": "\(Timestamp.format(scheduledFor))", "vault": "\(entry.vault.path)",
        ]
        guard await queue.acquire(vault) else { return state }
        defer { queue.release(vault) }
        guard !Task.isCancelled else { return state }
        var record = RunRecord(scheduledFor: scheduledFor, trigger: trigger, started: clock.now)
        state.lastRun = record
        save(state)
        logger.info("run.started", metadata: metadata.merging(["trigger": "\(trigger.rawValue)"]) { $1 })
        do {
            let result = try await job.run(scheduledFor: scheduledFor, logger: logger)
            record.outcome = .succeeded
            record.snapshots = result.snapshotIDs
            var details = metadata
            for (key, value) in result.details { details[key] = "\(value)" }
            details["snapshots"] = "\(result.snapshotIDs.isEmpty ? "none" : result.snapshotIDs.joined(separator: ","))"
            logger.info("run.succeeded", metadata: details)
        } catch {
            if Task.isCancelled || error is CancellationError {
                record.outcome = .cancelled
                logger.notice("run.cancelled", metadata: metadata)
            } else {
                record.outcome = .failed
                let vaultError = error as? VaultError
                record.error = vaultError?.description ?? String(describing: error)
                record.errorCode = vaultError?.code.rawValue
                logger.error(
                    "run.failed",
                    metadata: metadata.merging([
                        "error": "\(vaultError?.message ?? String(describing: error))",
                        "code": "\(vaultError?.code.rawValue ?? "other")",
                    ]) { $1 })
            }
        }
        record.finished = clock.now
        state.lastRun = record
        if record.isFinished { state.lastFinishedSlot = scheduledFor }
        save(state)
        return state
    }

    /// Saves state; a failure is logged, not fatal: the run itself is done, only its record is lost.
    private func save(_ state: ScheduleState) {
        do { try store.save(state) } catch {
            logger.error("state.unwritable", metadata: ["error": "\(error)", "directory": "\(store.directory.path)"])
        }
    }
}
