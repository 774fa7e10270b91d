import Foundation

/// A five-field cron expression (minute hour day-of-month month day-of-week) as Vixie cron reads it, or one of the
/// shortcuts `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight` and `@hourly`.
///
/// Each field is `*`, a value, a range `N-M`, a step `*/S` or `N-M/S`, or a comma-separated list of these; months
/// and days of the week also take names (`jan`, `mon-fri`); 0 and 7 are both Sunday. When both day fields are
/// restricted (neither starts with `*`), a day matches if **either** matches (`0 2 1 * mon` runs on the 1st and on
/// every Monday); otherwise both must. Times are wall-clock times in the schedule's time zone
/// (`CronExpression+Next.swift` says how DST changes are handled).
public struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    /// The expression as written (a shortcut stays a shortcut).
    public let text: String
    let minute: CronField
    let hour: CronField
    let dayOfMonth: CronField
    let month: CronField
    let dayOfWeek: CronField

    static let shortcuts: [String: String] = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]

    public var description: String { text }

    /// The five fields this expression stands for (a shortcut's expansion).
    public var fields: String {
        Self.shortcuts[text.lowercased()] ?? text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    public init(_ text: String) throws(CronSyntaxError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        self.text = trimmed
        var expanded = trimmed
        if trimmed.hasPrefix("@") {
            guard let fields = Self.shortcuts[trimmed.lowercased()] else {
                let known = Self.shortcuts.keys.sorted().joined(separator: ", ")
                throw CronSyntaxError(
                    field: nil, text: trimmed,
                    problem: trimmed.lowercased() == "@reboot"
                        ? "@reboot is not a time; use `crmvault pull` from the host's start-up instead"
                        : "the shortcuts are \(known)")
            }
            expanded = fields
        }
        let parts = expanded.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard parts.count == 5 else {
            throw CronSyntaxError(
                field: nil, text: trimmed,
                problem: "it has \(parts.count) field\(parts.count == 1 ? "" : "s"); a cron expression has 5: "
                    + "minute hour day-of-month month day-of-week, e.g. `0 2 1 * *` for 02:00 on the 1st of every month"
            )
        }
        minute = try CronField(parsing: parts[0], as: .minute)
        hour = try CronField(parsing: parts[1], as: .hour)
        dayOfMonth = try CronField(parsing: parts[2], as: .dayOfMonth)
        month = try CronField(parsing: parts[3], as: .month)
        dayOfWeek = try CronField(parsing: parts[4], as: .dayOfWeek)
        guard canEverRun else {
            throw CronSyntaxError(
                field: "day-of-month", text: String(parts[2]),
                problem: "none of these days exists in the months `\(parts[3])`, so the schedule would never run")
        }
    }

    /// Whether the two day fields combine with OR (both restricted) rather than AND.
    var daysCombineWithOr: Bool { !dayOfMonth.isStar && !dayOfWeek.isStar }

    /// Whether some day matches: only a day-of-month list that no month in the list has (`30 2`, `31 apr`) fails.
    /// Every weekday falls on every date of every month (29 February included) within 400 years.
    private var canEverRun: Bool {
        if daysCombineWithOr { return true }
        let longest = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return month.values.contains { month in dayOfMonth.values.contains { $0 <= longest[month] } }
    }

    /// Whether a calendar day matches the day fields and the month field (weekday 0 is Sunday).
    func matches(month monthValue: Int, day: Int, weekday: Int) -> Bool {
        guard month.contains(monthValue) else { return false }
        if daysCombineWithOr { return dayOfMonth.contains(day) || dayOfWeek.contains(weekday) }
        return dayOfMonth.contains(day) && dayOfWeek.contains(weekday)
    }
}
