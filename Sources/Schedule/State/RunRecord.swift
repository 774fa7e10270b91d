import Foundation

/// One run of a schedule, as the daemon records it: when it was due, when it ran, how it ended.
public struct RunRecord: Codable, Sendable, Equatable {
    public enum Outcome: String, Codable, Sendable {
        /// Started and not finished yet (or the process died: see ``ScheduleState/markingInterrupted()``).
        case running
        /// Finished with a snapshot, or with nothing new to back up.
        case succeeded
        /// Finished with an error; `error` says why. Nothing was committed.
        case failed
        /// Stopped by a shutdown (SIGTERM) before it committed anything; caught up at the next start.
        case cancelled
        /// The daemon died while it ran (power cut, SIGKILL); caught up at the next start.
        case interrupted
    }

    /// Why the run happened.
    public enum Trigger: String, Codable, Sendable {
        /// Its time came while the daemon ran.
        case schedule
        /// It was due while the daemon was down, and ran when the daemon started.
        case catchUp = "catch-up"
        /// `crmvault pull` ran it: a cron line, a systemd timer or a person (``PullRunRecorder``).
        case pullCommand = "pull-command"
    }

    /// The time the run was due (a time the cron expression matches; for `crmvault pull`, the latest one at or
    /// before its start).
    public var scheduledFor: Date
    public var trigger: Trigger
    public var started: Date
    public var finished: Date?
    public var outcome: Outcome
    /// The snapshots the run committed (none when a `directory` source had nothing new).
    public var snapshots: [String] = []
    /// What went wrong, as the error said it (errors never hold secrets).
    public var error: String?
    /// The error's kind (a `VaultError.Code`), which decides the exit code a `crmvault pull` would have had.
    public var errorCode: String?

    public init(scheduledFor: Date, trigger: Trigger, started: Date) {
        self.scheduledFor = scheduledFor
        self.trigger = trigger
        self.started = started
        self.outcome = .running
    }

    /// Whether the run ran to its end, well or not: a finished run is not caught up again.
    public var isFinished: Bool { outcome == .succeeded || outcome == .failed }
}

/// What the daemon keeps about one schedule between runs and restarts (`runs/NAME.json` in the state directory).
public struct ScheduleState: Codable, Sendable, Equatable {
    public var schedule: String
    /// When the daemon first ran this schedule: a run due before that was never missed.
    public var watchedSince: Date?
    /// The latest run, finished or not.
    public var lastRun: RunRecord?
    /// The time the latest finished run was due; runs due after it that never finished are caught up.
    public var lastFinishedSlot: Date?

    public init(schedule: String) { self.schedule = schedule }

    /// A record left `running` by a daemon that died is `interrupted`.
    public func markingInterrupted() -> ScheduleState {
        var state = self
        if state.lastRun?.outcome == .running { state.lastRun?.outcome = .interrupted }
        return state
    }
}
