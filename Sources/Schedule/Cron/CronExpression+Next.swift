import Foundation

extension CronExpression {
    /// How far a search looks: the Gregorian calendar repeats every 400 years, so a match exists within that or never.
    private static let searchDays = 146_097

    /// The first time strictly after `date` at which the expression matches, in `timeZone`.
    ///
    /// A matching local time skipped by a DST change runs when the clocks jump (once, however many matching minutes
    /// the gap held); a local time that happens twice runs at its first occurrence only.
    public func nextRun(after date: Date, in timeZone: TimeZone = .utc) -> Date? {
        let local = LocalTime(timeZone: timeZone)
        var minute = local.minute(of: date)
        // A few rounds at most: only minutes in a repeated hour whose first occurrence is already past are skipped.
        for _ in 0..<1_000 {
            guard let candidate = firstMatch(from: minute + 1, forward: true) else { return nil }
            let instant = local.instant(ofMinute: candidate)
            if instant > date { return instant }
            minute = candidate
        }
        return nil
    }

    /// The last time at or before `date` at which the expression matched, in `timeZone`: the run that was due.
    public func previousRun(atOrBefore date: Date, in timeZone: TimeZone = .utc) -> Date? {
        let local = LocalTime(timeZone: timeZone)
        // Start from the latest local minute `date` could be (after clocks went back, the first occurrence of a
        // later-reading local time may already be past); local minutes map to instants in order, so the first
        // candidate at or before `date` going backwards is the one.
        var minute = local.latestMinute(of: date)
        for _ in 0..<1_000 {
            guard let candidate = firstMatch(from: minute, forward: false) else { return nil }
            let instant = local.instant(ofMinute: candidate)
            if instant <= date { return instant }
            minute = candidate - 1
        }
        return nil
    }

    /// The first matching local minute at or after (or, backwards, at or before) `start`.
    func firstMatch(from start: Int, forward: Bool) -> Int? {
        var day = Int((Double(start) / 1440).rounded(.down))
        var boundary: Int? = start - day * 1440
        let times = forward ? timesOfDay : timesOfDay.reversed()
        for _ in 0..<Self.searchDays {
            let date = LocalTime.date(ofDay: day)
            if matches(month: date.month, day: date.day, weekday: date.weekday) {
                let time = times.first { time in
                    guard let boundary else { return true }
                    return forward ? time >= boundary : time <= boundary
                }
                if let time { return day * 1440 + time }
            }
            day += forward ? 1 : -1
            boundary = nil
        }
        return nil
    }

    /// The matching minutes of a day (0 is midnight), ascending.
    private var timesOfDay: [Int] {
        hour.values.flatMap { hour in minute.values.map { hour * 60 + $0 } }
    }
}
