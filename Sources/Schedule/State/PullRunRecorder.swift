import Definitions
import Foundation
import VaultCore

/// Records a run of `crmvault pull` (started by cron, a systemd timer or by hand) in the daemon's state directory, so
/// that `crmvault status` shows it like the daemon's own runs, and a daemon started later does not catch up a run
/// that cron already made.
///
/// The run is recorded as `running` when it starts and as `succeeded` or `failed` when it ends; a pull killed in
/// between stays `running` until a daemon's start marks it `interrupted`. Its due time is the latest time the
/// schedule's `every` matches at or before the start (the slot a cron line or timer fired for).
public struct PullRunRecorder: Sendable {
    public let store: RunStateStore
    public let schedule: String
    private var record: RunRecord

    /// A recorder for a run of `definition` starting at `started`; nothing is written yet.
    public init(definition: ScheduleDefinition, store: RunStateStore, started: Date) {
        self.store = store
        schedule = definition.name
        let every = try? CronExpression(definition.every)
        let due = every?.previousRun(atOrBefore: started, in: definition.timeZone) ?? started
        record = RunRecord(scheduledFor: due, trigger: .pullCommand, started: started)
    }

    /// Records the run as `running`.
    public func begin() throws {
        try store.prepare()
        var state = try store.state(of: schedule)
        state.lastRun = record
        try store.save(state)
    }

    /// Records the run as `succeeded` with the snapshots it committed.
    public mutating func succeeded(snapshots: [String], at finished: Date) throws {
        record.outcome = .succeeded
        record.snapshots = snapshots
        try finish(at: finished)
    }

    /// Records the run as `failed` with the error (errors never hold secrets).
    public mutating func failed(_ error: any Error, at finished: Date) throws {
        let vaultError = error as? VaultError
        record.outcome = .failed
        record.error = vaultError?.description ?? String(describing: error)
        record.errorCode = vaultError?.code.rawValue
        try finish(at: finished)
    }

    private mutating func finish(at finished: Date) throws {
        record.finished = finished
        var state = try store.state(of: schedule)
        state.lastRun = record
        if record.scheduledFor > (state.lastFinishedSlot ?? .distantPast) {
            state.lastFinishedSlot = record.scheduledFor
        }
        try store.save(state)
    }
}
