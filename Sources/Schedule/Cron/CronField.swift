import VaultCore

/// One of the five fields of a cron expression: the set of values it matches.
struct CronField: Sendable, Hashable {
    /// Which field this is, with its range and the names it accepts.
    struct Kind: Sendable, Hashable {
        var name: String
        var range: ClosedRange<Int>
        var names: [String]
        /// The value the first name stands for (`jan` is 1, `sun` is 0).
        var firstNameValue: Int

        static let minute = Kind(name: "minute", range: 0...59, names: [], firstNameValue: 0)
        static let hour = Kind(name: "hour", range: 0...23, names: [], firstNameValue: 0)
        static let dayOfMonth = Kind(name: "day-of-month", range: 1...31, names: [], firstNameValue: 1)
        static let month = Kind(
            name: "month", range: 1...12,
            names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
            firstNameValue: 1)
        /// 0 and 7 are both Sunday, as in Vixie cron.
        static let dayOfWeek = Kind(
            name: "day-of-week", range: 0...7, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
            firstNameValue: 0)

        static let all = [minute, hour, dayOfMonth, month, dayOfWeek]
    }

    /// Bit `n` is set when the field matches value `n`.
    private(set) var bits: UInt64 = 0
    /// Whether the field was written starting with `*`: Vixie cron's test for the day-of-month/day-of-week OR rule.
    let isStar: Bool
    let kind: Kind

    func contains(_ value: Int) -> Bool { bits & (1 << UInt64(value)) != 0 }

    /// The matched values, ascending.
    var values: [Int] { (0..<64).filter(contains) }

    /// Parses one field: a comma-separated list of `*`, `N`, `N-M`, `*/S` or `N-M/S`, with names where the field
    /// has them (`jan`, `mon-fri`). `N/S` is refused: Vixie cron (Debian's) rejects it, so it would not survive
    /// `crmvault schedule crontab`.
    init(parsing text: Substring, as kind: Kind) throws(CronSyntaxError) {
        isStar = text.hasPrefix("*")
        self.kind = kind
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            try add(item, kind: kind, field: text)
        }
        if kind == .dayOfWeek && contains(7) {
            bits = (bits | 1) & ~(1 << 7)
        }
    }

    private mutating func add(_ item: Substring, kind: Kind, field: Substring) throws(CronSyntaxError) {
        func fail(_ problem: String) -> CronSyntaxError {
            CronSyntaxError(field: kind.name, text: String(field), problem: problem)
        }
        guard !item.isEmpty else { throw fail("it has an empty list item (two commas in a row, or one at an end)") }
        let parts = item.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        var step = 1
        if parts.count == 2 {
            guard let parsed = Int(parts[1]), parts[1].count <= 3, parsed > 0 else {
                throw fail("the step `\(parts[1])` in `\(item)` is not a whole number from 1 up")
            }
            step = parsed
        }
        let range: ClosedRange<Int>
        if parts[0] == "*" {
            range = kind.range
        } else {
            let bounds = parts[0].split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
            let low = try value(bounds[0], kind: kind, fail: fail)
            if bounds.count == 2 {
                let high = try value(bounds[1], kind: kind, fail: fail)
                guard low <= high else {
                    throw fail("the range `\(parts[0])` runs backwards; write the smaller value first")
                }
                range = low...high
            } else {
                guard parts.count == 1 else {
                    throw fail(
                        "`\(item)` steps from a single value; write a range, e.g. `\(low)-\(kind.range.upperBound)/\(step)`"
                    )
                }
                range = low...low
            }
        }
        for value in stride(from: range.lowerBound, through: range.upperBound, by: step) {
            bits |= 1 << UInt64(value)
        }
    }

    private func value(_ text: Substring, kind: Kind, fail: (String) -> CronSyntaxError) throws(CronSyntaxError) -> Int
    {
        if let index = kind.names.firstIndex(of: text.lowercased()) {
            return index + kind.firstNameValue
        }
        guard !text.isEmpty, text.count <= 3, text.allSatisfy(\.isASCII), let number = Int(text) else {
            let names = kind.names.isEmpty ? "" : " or a name (\(kind.names.first!), \(kind.names[1]), …)"
            throw fail("`\(text)` is not a number\(names)")
        }
        guard kind.range.contains(number) else {
            throw fail("\(number) is out of range (\(kind.range.lowerBound)-\(kind.range.upperBound))")
        }
        return number
    }
}

/// A cron expression that cannot be parsed: which field, what it says, and what is wrong with it.
public struct CronSyntaxError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The field's name (`minute`, `hour`, `day-of-month`, `month`, `day-of-week`), or nil for the whole expression.
    public var field: String?
    /// The field (or the expression) as written.
    public var text: String
    public var problem: String

    /// Escaped for a terminal: the expression came from a file someone else may have written.
    public var description: String {
        let problem = TerminalText.escaped(problem)
        if let field { return "the \(field) field `\(TerminalText.escaped(text))` is wrong: \(problem)" }
        return "`\(TerminalText.escaped(text))` is not a cron expression: \(problem)"
    }
}
