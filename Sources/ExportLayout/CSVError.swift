/// A CSV file that cannot be read as the export layout says, with the file, the physical line where the record
/// starts, and what is wrong.
public struct CSVError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The record has a different number of fields than the header.
        case raggedRow(expected: Int, found: Int)
        /// A quoted field opened on this line is never closed; everything after it was read as its text.
        case unterminatedQuote
        /// A double quote inside an unquoted field (`ab"c`).
        case strayQuote(field: Int)
        /// Text after the closing quote of a field (`"ab"c`).
        case textAfterClosingQuote(field: Int)
        /// A tab, `;`, `|`, `^` or `` ` `` after the closing quote of a field (`"Id";"Name"`): a file delimited by
        /// another character than the comma (Bulk API 2.0's `columnDelimiter`), named here.
        case otherDelimiter(field: Int, delimiter: String)
        /// The record is larger than the reader's limit.
        case recordTooLarge(limit: Int)
        /// The record has more fields than the reader's limit.
        case tooManyFields(limit: Int)
        /// Bytes that are not valid in the file's encoding.
        case invalidEncoding(CSVEncoding)
        /// A UTF-16 or UTF-32 file.
        case unsupportedEncoding(String)
        /// The file has no header row.
        case emptyFile
        /// The file could not be opened or read.
        case unreadable(String)
    }

    /// The file, as named to the user (a path relative to the export).
    public var file: String
    /// The physical line (1-based, counting LF line ends) where the record starts; 0 when not about a line.
    public var line: Int
    public var kind: Kind

    public init(file: String, line: Int, kind: Kind) {
        self.file = file
        self.line = line
        self.kind = kind
    }

    /// Whether the reader can go on with the next record after this error (the record's end was found).
    public var isRecoverable: Bool {
        switch kind {
        case .raggedRow, .strayQuote, .textAfterClosingQuote, .otherDelimiter: true
        default: false
        }
    }

    /// What is wrong, in words, without the file and line.
    public var problem: String {
        switch kind {
        case .raggedRow(let expected, let found):
            "the record has \(found) field\(found == 1 ? "" : "s") but the header has \(expected) (a ragged row)"
        case .unterminatedQuote:
            "a quoted field opened here is never closed (broken quoting): the rest of the file was read as its text"
        case .strayQuote(let field):
            "field \(field) holds a double quote but is not enclosed in quotes (a stray quote)"
        case .textAfterClosingQuote(let field):
            "field \(field) has text after its closing quote (broken quoting: a quote inside a field must be doubled)"
        case .otherDelimiter(let field, let delimiter):
            "field \(field) is followed by a \(delimiter), not a comma, after its closing quote: the file looks "
                + "delimited by \(delimiter)s, and crmvault reads comma-separated files"
        case .recordTooLarge(let limit):
            "the record is larger than \(limit >> 20) MiB, the most this reader holds in memory"
        case .tooManyFields(let limit):
            "the record has more than \(limit) fields"
        case .invalidEncoding(let encoding):
            "the bytes here are not valid \(encoding.rawValue)"
        case .unsupportedEncoding(let name):
            "the file is \(name) (byte order mark), which crmvault does not read"
        case .emptyFile:
            "the file is empty: a CSV file needs at least a header row"
        case .unreadable(let reason):
            "cannot be read: \(reason)"
        }
    }

    /// The next thing to do about it.
    public var remedy: String {
        switch kind {
        case .raggedRow, .strayQuote, .textAfterClosingQuote, .unterminatedQuote:
            "Fix the file at that line, or pass --lenient to build from the well-formed rows and list the rest."
        case .otherDelimiter:
            "Re-export the file comma-separated (Bulk API 2.0: columnDelimiter=COMMA; Excel: \"CSV UTF-8\")."
        case .recordTooLarge, .tooManyFields:
            "Check that the file is a CSV export; split or trim the record if it really is that large."
        case .invalidEncoding(.utf8):
            "Pass --encoding windows-1252 (or iso-8859-1) if the file was written in a single-byte encoding."
        case .invalidEncoding, .unsupportedEncoding:
            "Re-export the file as CSV in UTF-8 (Excel: \"CSV UTF-8\"), or pass the right --encoding."
        case .emptyFile:
            "Re-export the object; an object without records still has a header row."
        case .unreadable:
            "Check that the file exists, is a regular file and is readable."
        }
    }

    public var description: String {
        (line > 0 ? "\(file), line \(line): " : "\(file): ") + problem + "."
    }
}
