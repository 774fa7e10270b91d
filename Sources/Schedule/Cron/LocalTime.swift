import Foundation

/// Wall-clock time in one time zone, counted in whole minutes since 1970-01-01 00:00 *local* time, and the
/// mapping back to instants across DST changes.
///
/// A local minute that a DST change skips (02:30 on the night clocks go forward) maps to the instant the clocks
/// jump, so a job set inside the gap runs once, right after it. A local minute that happens twice (the night
/// clocks go back) maps to its first occurrence, so a job runs once, not twice.
struct LocalTime: Sendable {
    let timeZone: TimeZone

    private static let utcCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// The local minute `date` falls in.
    func minute(of date: Date) -> Int {
        let local = date.timeIntervalSince1970 + Double(timeZone.secondsFromGMT(for: date))
        return Int((local / 60).rounded(.down))
    }

    /// The latest local minute `date` reads as under any offset the zone has within a day of it.
    func latestMinute(of date: Date) -> Int {
        let offsets = [-86_400.0, 0, 86_400].map { timeZone.secondsFromGMT(for: date.addingTimeInterval($0)) }
        return Int(((date.timeIntervalSince1970 + Double(offsets.max()!)) / 60).rounded(.down))
    }

    /// The instant a local minute starts: its first occurrence, or the end of the DST gap it lies in.
    func instant(ofMinute minute: Int) -> Date {
        let wall = minute * 60
        func offset(_ seconds: Int) -> Int {
            timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(seconds)))
        }
        let earlier = offset(wall - 86_400)
        let later = offset(wall + 86_400)
        let candidates = Set([wall - earlier, wall - later]).filter { $0 + offset($0) == wall }
        if let first = candidates.min() { return Date(timeIntervalSince1970: Double(first)) }
        // In a gap: the clocks jump from before `wall` to after it. Find the first second whose local time
        // reaches `wall`, which is the transition.
        var low = wall - max(earlier, later)
        var high = wall - min(earlier, later)
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if middle + offset(middle) >= wall { high = middle } else { low = middle }
        }
        return Date(timeIntervalSince1970: Double(high))
    }

    /// The calendar date of a local day number (days since 1970-01-01), with its weekday (0 is Sunday).
    static func date(ofDay day: Int) -> (month: Int, day: Int, weekday: Int) {
        let components = utcCalendar.dateComponents(
            [.month, .day, .weekday], from: Date(timeIntervalSince1970: Double(day) * 86_400))
        return (components.month!, components.day!, components.weekday! - 1)
    }

    /// The local date and time of a local minute, for messages and tests.
    static func components(ofMinute minute: Int) -> DateComponents {
        utcCalendar.dateComponents(
            [.year, .month, .day, .hour, .minute], from: Date(timeIntervalSince1970: Double(minute) * 60))
    }
}

extension TimeZone {
    /// Coordinated Universal Time, the default zone of a schedule.
    public static let utc = TimeZone(identifier: "UTC")!

    /// The zone's IANA name as cron, systemd and people write it: `UTC` for UTC (Foundation on Linux calls it `GMT`).
    public var name: String {
        ["GMT", "UTC", "Etc/UTC", "Etc/GMT", "Universal", "Zulu"].contains(identifier) ? "UTC" : identifier
    }
}
