/// Appends RFC 4180 CSV rows in Salesforce Bulk API style to a UTF-8 byte buffer.
///
/// Every field is enclosed in double quotes, a quote inside a field is doubled, fields are separated by commas
/// and rows end with a single LF (fields may contain LF themselves). Fields are written either whole
/// (``field(_:)``) or piecewise between ``openField()`` and ``closeField()``.
struct CSVRowWriter: Sendable {
    /// The bytes written so far.
    private(set) var bytes: [UInt8] = []

    /// Whether the next field is the first of its row.
    private var atRowStart = true

    /// The ASCII double quote.
    private static let quote: UInt8 = 0x22

    /// Two-digit decimal strings "00" ... "99", for fast date formatting.
    private static let twoDigits: [UInt8] = (0..<100).flatMap { (value: Int) -> [UInt8] in
        [UInt8(0x30 + value / 10), UInt8(0x30 + value % 10)]
    }

    /// Creates a writer whose buffer can hold `capacity` bytes without reallocating.
    init(capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    /// Writes a header or data row of plain strings.
    mutating func row(_ fields: [String]) {
        for field in fields {
            self.field(Array(field.utf8))
        }
        endRow()
    }

    /// Ends the current row.
    mutating func endRow() {
        bytes.append(0x0A)
        atRowStart = true
    }

    /// Starts a field: a separating comma unless first in the row, then the opening quote.
    mutating func openField() {
        if atRowStart {
            atRowStart = false
        } else {
            bytes.append(0x2C)
        }
        bytes.append(CSVRowWriter.quote)
    }

    /// Ends a field with its closing quote.
    mutating func closeField() {
        bytes.append(CSVRowWriter.quote)
    }

    /// Writes a whole field of text.
    mutating func field(_ text: [UInt8]) {
        openField()
        append(text)
        closeField()
    }

    /// Writes an empty field (`""`), which is how the Bulk API exports a null value.
    mutating func emptyField() {
        openField()
        closeField()
    }

    /// Writes a boolean field as `true` or `false`.
    mutating func field(_ value: Bool) {
        openField()
        append(value ? CSVRowWriter.trueText : CSVRowWriter.falseText)
        closeField()
    }

    /// Writes an integer field.
    mutating func field(integer value: Int) {
        openField()
        appendInteger(value)
        closeField()
    }

    /// Writes a Salesforce date-time field, e.g. `2026-01-15T10:23:45.000Z`.
    mutating func field(dateTime second: Int64) {
        openField()
        appendDateTime(second)
        closeField()
    }

    /// Writes a Salesforce date field, e.g. `2026-01-15`.
    mutating func field(day: Int) {
        openField()
        appendDate(day: day)
        closeField()
    }

    /// Writes an 18-character Salesforce id field.
    mutating func field(id number: UInt64, keyPrefix: [UInt8]) {
        openField()
        SalesforceID.append(keyPrefix: keyPrefix, number: number, to: &bytes)
        closeField()
    }

    /// Writes an id field for an optional reference, empty when there is none.
    mutating func field(reference: RecordReference?) {
        openField()
        if let reference {
            SalesforceID.append(keyPrefix: reference.object.keyPrefix, number: reference.number, to: &bytes)
        }
        closeField()
    }

    /// Appends text inside an open field, doubling any double quote.
    mutating func append(_ text: [UInt8]) {
        if !text.contains(CSVRowWriter.quote) {
            bytes.append(contentsOf: text)
            return
        }
        for byte in text {
            bytes.append(byte)
            if byte == CSVRowWriter.quote {
                bytes.append(byte)
            }
        }
    }

    /// Appends a single ASCII byte inside an open field (never a double quote).
    mutating func append(byte: UInt8) {
        bytes.append(byte)
    }

    /// Appends a decimal integer inside an open field.
    mutating func appendInteger(_ value: Int) {
        if value < 0 {
            bytes.append(0x2D)
        }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { scratch in
            repeat {
                scratch[count] = UInt8(0x30 + magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            for position in stride(from: count - 1, through: 0, by: -1) {
                bytes.append(scratch[position])
            }
        }
    }

    /// Appends a non-negative integer zero-padded to `width` digits.
    mutating func appendInteger(_ value: Int, width: Int) {
        var divisor = 1
        for _ in 1..<width {
            divisor *= 10
        }
        var remaining = value
        while divisor > 0 {
            bytes.append(UInt8(0x30 + (remaining / divisor) % 10))
            remaining %= divisor
            divisor /= 10
        }
    }

    /// Appends a whole amount as a Salesforce currency value with one decimal, e.g. `125000.0`.
    mutating func appendAmount(_ value: Int) {
        appendInteger(value)
        bytes.append(0x2E)
        bytes.append(0x30)
    }

    /// Appends `YYYY-MM-DD`.
    mutating func appendDate(day: Int) {
        let date = CivilCalendar.date(days: day)
        appendTwoDigits(date.year / 100)
        appendTwoDigits(date.year % 100)
        bytes.append(0x2D)
        appendTwoDigits(date.month)
        bytes.append(0x2D)
        appendTwoDigits(date.day)
    }

    /// Appends `YYYY-MM-DDThh:mm:ss.000Z`.
    mutating func appendDateTime(_ second: Int64) {
        let day = CivilCalendar.day(ofSecond: second)
        let secondOfDay = Int(second - Int64(day) * CivilCalendar.secondsPerDay)
        appendDate(day: day)
        bytes.append(0x54)
        appendTwoDigits(secondOfDay / 3_600)
        bytes.append(0x3A)
        appendTwoDigits(secondOfDay / 60 % 60)
        bytes.append(0x3A)
        appendTwoDigits(secondOfDay % 60)
        bytes.append(contentsOf: CSVRowWriter.millisecondsAndZone)
    }

    /// Appends a number in `0 ..< 100` as two digits.
    private mutating func appendTwoDigits(_ value: Int) {
        bytes.append(CSVRowWriter.twoDigits[value * 2])
        bytes.append(CSVRowWriter.twoDigits[value * 2 + 1])
    }

    /// The text of a true boolean.
    private static let trueText: [UInt8] = Array("true".utf8)

    /// The text of a false boolean.
    private static let falseText: [UInt8] = Array("false".utf8)

    /// The fixed tail of a date-time.
    private static let millisecondsAndZone: [UInt8] = Array(".000Z".utf8)

    /// Returns a string as one quoted CSV field, doubling embedded quotes.
    static func quoted(_ text: String) -> String {
        var quoted = "\""
        for character in text {
            quoted += character == "\"" ? "\"\"" : String(character)
        }
        return quoted + "\""
    }
}
