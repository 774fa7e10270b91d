import Foundation

/// Which run, if any, the daemon owes a schedule when it starts.
public enum CatchUp {
    /// The latest run due at or before `now` that has not finished, if it was due after the last finished run (or,
    /// for a schedule with none, after the daemon began watching it). Only that one is run, however many were
    /// missed: each pull takes the full export, so the latest is the one that matters.
    public static func missedRun(of entry: ScheduleEntry, state: ScheduleState, now: Date) -> Date? {
        guard let reference = state.lastFinishedSlot ?? state.watchedSince,
            let due = entry.every.previousRun(atOrBefore: now, in: entry.timeZone)
        else { return nil }
        return due > reference ? due : nil
    }
}
