/// Proleptic Gregorian calendar arithmetic in UTC, independent of Foundation's locale-aware calendars.
///
/// Times are whole seconds since 1970-01-01T00:00:00Z; days are whole days since 1970-01-01. The conversions
/// are Howard Hinnant's `days_from_civil` / `civil_from_days` algorithms.
enum CivilCalendar {
    /// Seconds in one day.
    static let secondsPerDay: Int64 = 86_400

    /// The first calendar year of export month 0.
    static let firstExportYear = 2026

    /// Returns the number of days since 1970-01-01 of a calendar date.
    static func days(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// Returns the calendar date of a day number (days since 1970-01-01).
    static func date(days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Returns the first second of export month `month` (0 is January 2026; negative months lie before it).
    static func startOfExportMonth(_ month: Int) -> Int64 {
        let monthIndex = firstExportYear * 12 + month
        let year = monthIndex >= 0 ? monthIndex / 12 : (monthIndex - 11) / 12
        return Int64(days(year: year, month: monthIndex - year * 12 + 1, day: 1)) * secondsPerDay
    }

    /// Returns the day number containing a time.
    static func day(ofSecond second: Int64) -> Int {
        Int(second >= 0 ? second / secondsPerDay : (second - secondsPerDay + 1) / secondsPerDay)
    }
}
