import Foundation

/// A cron expression as systemd `OnCalendar=` values (systemd.time(7)):
/// `[weekdays] *-months-days hours:minutes:00 zone`.
///
/// Every cron expression translates: lists and ranges map to systemd's lists and `..` ranges, steps are written out
/// as lists, and the day-of-month/day-of-week OR rule (both restricted) becomes two `OnCalendar=` lines, one per
/// day field, which a timer combines with OR. systemd handles DST changes its own way; with `Persistent=true` a
/// run missed while the host was down happens at the next boot, as the daemon's catch-up does.
public enum SystemdCalendar {
    /// The `OnCalendar=` values for `expression` in `timeZone` (one, or two for the OR rule).
    public static func onCalendar(_ expression: CronExpression, timeZone: TimeZone) -> [String] {
        let time = "\(values(expression.hour)):\(values(expression.minute)):00 \(timeZone.name)"
        let months = values(expression.month)
        let weekdays = weekdayList(expression.dayOfWeek)
        if expression.daysCombineWithOr {
            return ["*-\(months)-\(values(expression.dayOfMonth)) \(time)", "\(weekdays) *-\(months)-* \(time)"]
        }
        let days = values(expression.dayOfMonth)
        let prefix = expression.dayOfWeek.values.count == 7 ? "" : "\(weekdays) "
        return ["\(prefix)*-\(months)-\(days) \(time)"]
    }

    /// `*` for every value of the field, else a comma list with runs of three or more as `a..b`, two digits each.
    static func values(_ field: CronField) -> String {
        let all = field.values
        if all.count == field.kind.range.count { return "*" }
        return runs(all).map { run in
            run.count >= 3
                ? "\(twoDigits(run.first!))..\(twoDigits(run.last!))" : run.map(twoDigits).joined(separator: ",")
        }.joined(separator: ",")
    }

    private static func weekdayList(_ field: CronField) -> String {
        let names = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        return runs(field.values).map { run in
            run.count >= 3 ? "\(names[run.first!])..\(names[run.last!])" : run.map { names[$0] }.joined(separator: ",")
        }.joined(separator: ",")
    }

    /// Consecutive values grouped: [1,2,3,7] is [[1,2,3],[7]].
    private static func runs(_ values: [Int]) -> [[Int]] {
        var runs: [[Int]] = []
        for value in values {
            if let last = runs.last?.last, last + 1 == value {
                runs[runs.count - 1].append(value)
            } else {
                runs.append([value])
            }
        }
        return runs
    }

    private static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
