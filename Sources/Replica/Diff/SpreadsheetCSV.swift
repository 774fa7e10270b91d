/// CSV that crmvault writes for people to open in a spreadsheet (`diff --csv`, `history --csv`): RFC 4180, every field
/// quoted, and any field a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or carriage
/// return, as OWASP's "CSV Injection" guidance lists them) prefixed with a single quote, so CRM content stays text.
public enum SpreadsheetCSV {
    /// The characters that start a formula.
    static let formulaStarts: Set<Character> = ["=", "+", "-", "@", "\t", "\r"]

    /// One field: quoted, quotes doubled, formulas neutralized.
    public static func field(_ value: String) -> String {
        let text = value.first.map { formulaStarts.contains($0) || $0 == "\r\n" } == true ? "'" + value : value
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One row, ending in CRLF as RFC 4180 has it.
    public static func row(_ values: [String]) -> String {
        values.map(field).joined(separator: ",") + "\r\n"
    }
}
