import Foundation
import Testing
import VaultCore

@testable import Schedule

/// Parsing and next-run times of cron expressions, against a fixed clock.
struct CronExpressionTests {
    static let berlin = TimeZone(identifier: "Europe/Berlin")!
    static let newYork = TimeZone(identifier: "America/New_York")!

    /// The next `count` runs after `start`, as RFC 3339 UTC strings.
    static func runs(_ expression: String, after start: String, in zone: TimeZone = .utc, count: Int = 4) throws
        -> [String]
    {
        let cron = try CronExpression(expression)
        var time = try #require(Timestamp.parse(start))
        var result: [String] = []
        for _ in 0..<count {
            time = try #require(cron.nextRun(after: time, in: zone))
            result.append(Timestamp.format(time))
        }
        return result
    }

    @Test func theMonthlyPullRunsAtTwoOnTheFirst() throws {
        #expect(
            try Self.runs("0 2 1 * *", after: "2026-01-15T00:00:00Z") == [
                "2026-02-01T02:00:00Z", "2026-03-01T02:00:00Z", "2026-04-01T02:00:00Z", "2026-05-01T02:00:00Z",
            ])
    }

    @Test func aRunIsStrictlyAfterTheGivenTime() throws {
        #expect(try Self.runs("0 2 1 * *", after: "2026-02-01T02:00:00Z", count: 1) == ["2026-03-01T02:00:00Z"])
        #expect(try Self.runs("0 2 1 * *", after: "2026-02-01T01:59:59Z", count: 1) == ["2026-02-01T02:00:00Z"])
    }

    @Test func theThirtyFirstSkipsShortMonths() throws {
        #expect(
            try Self.runs("0 0 31 * *", after: "2026-01-31T00:00:00Z") == [
                "2026-03-31T00:00:00Z", "2026-05-31T00:00:00Z", "2026-07-31T00:00:00Z", "2026-08-31T00:00:00Z",
            ])
    }

    @Test func theTwentyNinthOfFebruaryComesInLeapYearsOnly() throws {
        #expect(
            try Self.runs("0 0 29 2 *", after: "2026-01-01T00:00:00Z", count: 3) == [
                "2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z", "2036-02-29T00:00:00Z",
            ])
        // 2100 is not a leap year.
        #expect(try Self.runs("0 0 29 2 *", after: "2097-01-01T00:00:00Z", count: 1) == ["2104-02-29T00:00:00Z"])
    }

    @Test func restrictedDayFieldsCombineWithOr() throws {
        // The 1st of the month, and every Monday (Vixie cron's rule): Sunday 1 February 2026 is in.
        #expect(
            try Self.runs("0 2 1 * mon", after: "2026-01-20T00:00:00Z", count: 4) == [
                "2026-01-26T02:00:00Z", "2026-02-01T02:00:00Z", "2026-02-02T02:00:00Z", "2026-02-09T02:00:00Z",
            ])
        // February 29 or any Monday in February.
        #expect(
            try Self.runs("0 0 29 2 1", after: "2026-01-01T00:00:00Z", count: 2) == [
                "2026-02-02T00:00:00Z", "2026-02-09T00:00:00Z",
            ])
    }

    @Test func aDayFieldStartingWithAStarCombinesWithAnd() throws {
        // Odd days that are Mondays.
        #expect(
            try Self.runs("0 2 */2 * mon", after: "2026-01-15T00:00:00Z", count: 3) == [
                "2026-01-19T02:00:00Z", "2026-02-09T02:00:00Z", "2026-02-23T02:00:00Z",
            ])
    }

    @Test func namesListsRangesAndSteps() throws {
        #expect(
            try Self.runs("*/20 9-10 * JAN-mar sat,Sun", after: "2026-01-01T00:00:00Z", count: 7) == [
                "2026-01-03T09:00:00Z", "2026-01-03T09:20:00Z", "2026-01-03T09:40:00Z", "2026-01-03T10:00:00Z",
                "2026-01-03T10:20:00Z", "2026-01-03T10:40:00Z", "2026-01-04T09:00:00Z",
            ])
        // 7 is Sunday too; 1-30/10 is 1, 11, 21.
        #expect(
            try Self.runs("0 0 1-30/10 * *", after: "2026-01-01T00:00:00Z", count: 3) == [
                "2026-01-11T00:00:00Z", "2026-01-21T00:00:00Z", "2026-02-01T00:00:00Z",
            ])
        #expect(try Self.runs("0 0 * * 7", after: "2026-01-01T00:00:00Z", count: 1) == ["2026-01-04T00:00:00Z"])
    }

    @Test(arguments: [
        ("@monthly", "0 0 1 * *"), ("@daily", "0 0 * * *"), ("@midnight", "0 0 * * *"), ("@weekly", "0 0 * * 0"),
        ("@yearly", "0 0 1 1 *"), ("@annually", "0 0 1 1 *"), ("@hourly", "0 * * * *"),
    ])
    func shortcutsStandForTheirFields(shortcut: String, fields: String) throws {
        let expression = try CronExpression(shortcut)
        #expect(expression.fields == fields)
        #expect(
            try Self.runs(shortcut, after: "2026-03-10T10:30:00Z") == Self.runs(fields, after: "2026-03-10T10:30:00Z"))
    }

    @Test func theTimeZoneDecidesTheWallClock() throws {
        // Midnight in New York is 05:00 UTC in winter, 04:00 in summer.
        #expect(
            try Self.runs("@monthly", after: "2026-10-15T00:00:00Z", in: Self.newYork, count: 2) == [
                "2026-11-01T04:00:00Z", "2026-12-01T05:00:00Z",
            ])
    }

    @Test func aTimeSkippedWhenClocksGoForwardRunsOnceWhenTheyJump() throws {
        // Europe/Berlin, 29 March 2026: 02:00 CET becomes 03:00 CEST (01:00 UTC); 02:30 does not exist.
        #expect(
            try Self.runs("30 2 * * *", after: "2026-03-28T12:00:00Z", in: Self.berlin, count: 2) == [
                "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z",
            ])
        // Three matching minutes in the gap still make one run.
        #expect(
            try Self.runs("*/20 2 * * *", after: "2026-03-28T12:00:00Z", in: Self.berlin, count: 2) == [
                "2026-03-29T01:00:00Z", "2026-03-30T00:00:00Z",
            ])
    }

    @Test func aTimeRepeatedWhenClocksGoBackRunsOnce() throws {
        // Europe/Berlin, 25 October 2026: 03:00 CEST becomes 02:00 CET (01:00 UTC); 02:30 happens twice.
        #expect(
            try Self.runs("30 2 * * *", after: "2026-10-24T12:00:00Z", in: Self.berlin, count: 2) == [
                "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z",
            ])
        // Asked during the second 02:10, the run at the first 02:30 is past: the next one is tomorrow.
        #expect(
            try Self.runs("30 2 * * *", after: "2026-10-25T01:10:00Z", in: Self.berlin, count: 1) == [
                "2026-10-26T01:30:00Z"
            ])
    }

    @Test func theRunThatWasDueIsTheLatestAtOrBeforeNow() throws {
        let monthly = try CronExpression("0 2 1 * *")
        #expect(
            monthly.previousRun(atOrBefore: try #require(Timestamp.parse("2026-03-15T12:00:00Z"))).map(Timestamp.format)
                == "2026-03-01T02:00:00Z")
        #expect(
            monthly.previousRun(atOrBefore: try #require(Timestamp.parse("2026-03-01T02:00:00Z"))).map(Timestamp.format)
                == "2026-03-01T02:00:00Z")
        let leap = try CronExpression("0 0 29 2 *")
        #expect(
            leap.previousRun(atOrBefore: try #require(Timestamp.parse("2027-06-01T00:00:00Z"))).map(Timestamp.format)
                == "2024-02-29T00:00:00Z")
        // During the second pass of a repeated hour, the first 02:30 of that night has already been due.
        let nightly = try CronExpression("30 2 * * *")
        #expect(
            nightly.previousRun(atOrBefore: try #require(Timestamp.parse("2026-10-25T01:10:00Z")), in: Self.berlin).map(
                Timestamp.format)
                == "2026-10-25T00:30:00Z")
    }

    @Test(
        arguments: [
            ("0 2 1 *", nil, "it has 4 fields; a cron expression has 5"),
            ("0 2 1 * * *", nil, "it has 6 fields"),
            ("61 * * * *", "minute", "61 is out of range (0-59)"),
            ("0 24 * * *", "hour", "24 is out of range (0-23)"),
            ("0 2 0 * *", "day-of-month", "0 is out of range (1-31)"),
            ("0 2 1 13 *", "month", "13 is out of range (1-12)"),
            ("0 2 * * 8", "day-of-week", "8 is out of range (0-7)"),
            ("0 2 * foo *", "month", "`foo` is not a number or a name (jan, feb, …)"),
            ("5/10 * * * *", "minute", "write a range, e.g. `5-59/10`"),
            ("*/0 * * * *", "minute", "the step `0` in `*/0` is not a whole number from 1 up"),
            ("0 5-1 * * *", "hour", "the range `5-1` runs backwards"),
            ("0 2 1,,15 * *", "day-of-month", "empty list item"),
            ("0 2 30 2 *", "day-of-month", "none of these days exists in the months `2`"),
            ("0 2 31 apr,jun *", "day-of-month", "none of these days exists"),
            ("@reboot", nil, "@reboot is not a time"),
            ("@fortnightly", nil, "the shortcuts are @annually, @daily"),
        ] as [(String, String?, String)])
    func aWrongExpressionNamesTheFieldAndTheProblem(expression: String, field: String?, problem: String) {
        let error = #expect(throws: CronSyntaxError.self) { try CronExpression(expression) }
        #expect(error?.field == field)
        #expect(error?.description.contains(problem) == true, "\(error?.description ?? "")")
    }

    @Test func anErrorEscapesControlCharacters() {
        let error = #expect(throws: CronSyntaxError.self) { try CronExpression("0 2 1\u{1b}[2J * *") }
        #expect(error?.description.contains("\u{1b}") == false)
        #expect(error?.description.contains("\\e[2J") == true)
    }
}
