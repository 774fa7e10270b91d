#if canImport(Glibc)
import Glibc
#endif

/// Reads an export's CSV file record by record, in bounded memory: RFC 4180 as the vendors write it
/// (docs/EXPORTS.md). UTF-8 with or without byte order mark, Windows-1252 or ISO-8859-1 (converted to UTF-8);
/// LF, CRLF or CR line ends; fields quoted or not; quoted fields holding commas, doubled quotes, CR, LF and CRLF;
/// no final line end needed. Fully empty lines are skipped when the header has more than one field.
///
/// The reader works on bytes: a record's unescaped field bytes are copied into one reusable buffer, and fields are
/// handed out as byte ranges of it (``withFields(_:)``), so reading allocates nothing per field.
///
/// ```swift
/// let reader = try CSVReader(path: "Account.csv")
/// while try reader.next() {
///     reader.withFields { fields in print(fields.string(0)) }
/// }
/// ```
///
/// `next()` throws a ``CSVError`` for a malformed record; when ``CSVError/isRecoverable`` the reader has read past
/// that record and the next call goes on with the one after it (what `--lenient` uses), otherwise it returns false.
public final class CSVReader {
    /// Resource limits: no hostile file makes the reader allocate more than these.
    public struct Limits: Sendable {
        /// The most bytes one record's fields may hold.
        public var recordBytes: Int
        /// The most fields in one record (the header included).
        public var fields: Int
        /// The size of the read buffer.
        public var bufferBytes: Int

        public init(recordBytes: Int = 64 << 20, fields: Int = 10_000, bufferBytes: Int = 1 << 20) {
            self.recordBytes = recordBytes
            self.fields = fields
            self.bufferBytes = max(4, bufferBytes)
        }
    }

    /// The file as named in errors.
    public let displayName: String
    public let encoding: CSVEncoding
    /// The header row's field names, converted to UTF-8.
    public private(set) var header: [String] = []
    /// The physical line (1-based) where the current record starts.
    public private(set) var line = 0
    /// The number of records read after the header, malformed ones included.
    public private(set) var recordsRead = 0
    /// The number of bytes read from the file so far.
    public private(set) var bytesRead = 0

    private let source: any CSVByteSource
    private let limits: Limits
    private let raw: UnsafeMutableBufferPointer<UInt8>
    /// The UTF-8 text being parsed: `raw` itself for UTF-8, else the converted bytes.
    private let text: UnsafeMutableBufferPointer<UInt8>
    private let conversion: [UInt32]
    private var validator = UTF8Validator()
    private var position = 0
    private var end = 0
    private var isAtEnd = false
    private var isAtStart = true
    private var encodingErrorPending = false
    private var isBroken = false
    /// Physical line of `position`.
    private var currentLine = 1
    /// A record ended in CR: a LF right after belongs to it.
    private var skipsLineFeed = false

    // The current record: field bytes, end offsets and quoting. Plain pointers: the parser keeps its state in
    // locals, because every access to a class property costs a dynamic exclusivity check.
    private var bytes: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var count = 0
    private let ends: UnsafeMutablePointer<Int>
    private let quoted: UnsafeMutablePointer<Bool>
    private var fieldTotal = 0
    private var problem: CSVError.Kind?

    /// Opens `path` (never through a link) and reads its header row.
    ///
    /// - Parameters:
    ///   - displayName: how errors name the file (default: `path`).
    ///   - encoding: the file's encoding; `nil` detects it (one extra read of the file,
    ///     ``CSVEncoding/detect(fileAt:displayName:)``).
    public convenience init(
        path: String, displayName: String? = nil, encoding: CSVEncoding? = nil, limits: Limits = Limits()
    ) throws {
        let name = displayName ?? path
        let encoding = try encoding ?? CSVEncoding.detect(fileAt: path, displayName: name)
        try self.init(
            source: try CSVFile(path: path, displayName: name), displayName: name, encoding: encoding, limits: limits)
    }

    /// Reads CSV from any source of bytes (a file streamed from a vault) in a known encoding, starting with its header.
    public init(source: any CSVByteSource, displayName: String, encoding: CSVEncoding, limits: Limits = Limits()) throws
    {
        self.displayName = displayName
        self.encoding = encoding
        self.limits = limits
        self.source = source
        raw = .allocate(capacity: limits.bufferBytes)
        text = encoding == .utf8 ? raw : .allocate(capacity: limits.bufferBytes * 3)
        conversion = encoding == .utf8 ? [] : CSVEncoding.conversionTable(for: encoding)
        capacity = 4096
        bytes = .allocate(capacity: capacity)
        ends = .allocate(capacity: limits.fields)
        quoted = .allocate(capacity: limits.fields)
        // Every property is set: from here on a thrown error runs deinit, which frees the buffers.
        guard try parseRecord() else { throw CSVError(file: displayName, line: 1, kind: .emptyFile) }
        if let problem { throw CSVError(file: displayName, line: line, kind: problem) }
        header = (0..<fieldTotal).map { field(at: $0) }
    }

    deinit {
        if text.baseAddress != raw.baseAddress { text.deallocate() }
        raw.deallocate()
        bytes.deallocate()
        ends.deallocate()
        quoted.deallocate()
    }

    /// Reads the next record. Returns false at the end of the file.
    ///
    /// Throws a ``CSVError`` for a malformed record (ragged, broken quoting, invalid encoding, over a limit).
    public func next() throws -> Bool {
        guard !isBroken else { return false }
        do {
            guard try parseRecord() else { return false }
        } catch let error as CSVError {
            isBroken = true
            throw error
        }
        recordsRead += 1
        if let problem { throw CSVError(file: displayName, line: line, kind: problem) }
        if fieldTotal != header.count {
            throw CSVError(file: displayName, line: line, kind: .raggedRow(expected: header.count, found: fieldTotal))
        }
        return true
    }

    /// The number of fields of the current record.
    public var fieldCount: Int { fieldTotal }

    /// Calls `body` with the current record's fields; they are valid only inside `body`.
    public func withFields<Result>(_ body: (CSVFields) throws -> Result) rethrows -> Result {
        try body(
            CSVFields(
                bytes: UnsafePointer(bytes), ends: UnsafeBufferPointer(start: ends, count: fieldTotal),
                quoted: UnsafeBufferPointer(start: quoted, count: fieldTotal)))
    }

    /// Field `index` of the current record as a string.
    public func field(at index: Int) -> String {
        withFields { $0.string(index) }
    }

    // MARK: Parsing

    private static let comma: UInt8 = 0x2C
    /// The delimiters Bulk API 2.0 can be asked for besides the comma (`columnDelimiter`), by name: a file using one
    /// is not read as such, and errors and warnings name it.
    public static let otherDelimiters: [UInt8: String] = [
        0x09: "tab", 0x3B: "semicolon", 0x7C: "pipe", 0x5E: "caret", 0x60: "backquote",
    ]
    private static let quote: UInt8 = 0x22
    private static let lineFeed: UInt8 = 0x0A
    private static let carriageReturn: UInt8 = 0x0D

    private enum State {
        case fieldStart, unquoted, quoted, quoteInQuoted
    }

    /// Parses one record into the record buffer; false when the file has no more records.
    private func parseRecord() throws -> Bool {
        problem = nil
        var count = 0
        var fields = 0
        var state = State.fieldStart
        var isQuoted = false
        var hasStarted = false
        var position = self.position
        var end = self.end
        var currentLine = self.currentLine
        var skipsLineFeed = self.skipsLineFeed
        var recordLine = self.line
        var bytes = self.bytes
        var capacity = self.capacity
        let ends = self.ends
        let quoted = self.quoted
        let fieldLimit = limits.fields
        let recordLimit = limits.recordBytes
        let isMultiField = header.count != 1
        let base = UnsafePointer(text.baseAddress!)
        defer {
            self.position = position
            self.end = end
            self.currentLine = currentLine
            self.skipsLineFeed = skipsLineFeed
            self.line = recordLine
            self.bytes = bytes
            self.capacity = capacity
            self.count = count
            self.fieldTotal = fields
        }
        func append(_ source: UnsafePointer<UInt8>, _ length: Int) throws {
            if count + length > capacity {
                guard count + length <= recordLimit else {
                    throw CSVError(file: displayName, line: recordLine, kind: .recordTooLarge(limit: recordLimit))
                }
                let grown = min(recordLimit, max(capacity * 2, count + length))
                let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
                larger.update(from: bytes, count: count)
                bytes.deallocate()
                bytes = larger
                capacity = grown
            }
            (bytes + count).update(from: source, count: length)
            count += length
        }
        func endField(_ isQuoted: Bool) throws {
            guard fields < fieldLimit else {
                throw CSVError(file: displayName, line: recordLine, kind: .tooManyFields(limit: fieldLimit))
            }
            ends[fields] = count
            quoted[fields] = isQuoted
            fields += 1
        }
        func endLine(_ byte: UInt8) {
            currentLine += 1
            skipsLineFeed = byte == Self.carriageReturn
        }
        while true {
            if position == end {
                self.position = position
                self.end = end
                self.currentLine = currentLine
                let hasMore = try refill()
                position = self.position
                end = self.end
                guard hasMore else {
                    switch state {
                    case .quoted:
                        throw CSVError(file: displayName, line: recordLine, kind: .unterminatedQuote)
                    case .fieldStart where !hasStarted:
                        return false
                    default:
                        try endField(isQuoted)
                        return true
                    }
                }
                continue
            }
            if skipsLineFeed {
                skipsLineFeed = false
                if base[position] == Self.lineFeed {
                    position += 1
                    continue
                }
            }
            if !hasStarted {
                // A fully empty line is no record when records have several fields.
                let byte = base[position]
                if (byte == Self.lineFeed || byte == Self.carriageReturn) && isMultiField {
                    position += 1
                    endLine(byte)
                    continue
                }
                hasStarted = true
                recordLine = currentLine
            }
            switch state {
            case .fieldStart:
                if base[position] == Self.quote {
                    position += 1
                    isQuoted = true
                    state = .quoted
                } else {
                    isQuoted = false
                    state = .unquoted
                }
            case .unquoted:
                var index = position
                while index < end {
                    let byte = base[index]
                    if byte > Self.quote && byte != Self.comma {
                        index += 1
                        continue
                    }
                    if byte == Self.comma || byte == Self.lineFeed || byte == Self.carriageReturn || byte == Self.quote
                    {
                        break
                    }
                    index += 1
                }
                try append(base + position, index - position)
                position = index
                guard index < end else { continue }
                let byte = base[index]
                position += 1
                if byte == Self.quote {
                    if problem == nil { problem = .strayQuote(field: fields + 1) }
                    try append(base + index, 1)
                } else if byte == Self.comma {
                    try endField(false)
                    state = .fieldStart
                } else {
                    try endField(false)
                    endLine(byte)
                    return true
                }
            case .quoted:
                // memchr is vectorized: most quoted fields are plain text up to their closing quote.
                let found = memchr(base + position, Int32(Self.quote), end - position)
                let index = found.map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) - base } ?? end
                var lineFeed = position
                while let next = memchr(base + lineFeed, Int32(Self.lineFeed), index - lineFeed) {
                    currentLine += 1
                    lineFeed = UnsafePointer(next.assumingMemoryBound(to: UInt8.self)) - base + 1
                }
                try append(base + position, index - position)
                position = index
                if index < end {
                    position += 1
                    state = .quoteInQuoted
                }
            case .quoteInQuoted:
                let byte = base[position]
                position += 1
                if byte == Self.quote {
                    try append(base + position - 1, 1)
                    state = .quoted
                } else if byte == Self.comma {
                    try endField(true)
                    state = .fieldStart
                } else if byte == Self.lineFeed || byte == Self.carriageReturn {
                    try endField(true)
                    endLine(byte)
                    return true
                } else {
                    if problem == nil {
                        problem = Self.otherDelimiters[byte].map { .otherDelimiter(field: fields + 1, delimiter: $0) }
                            ?? .textAfterClosingQuote(field: fields + 1)
                    }
                    try append(base + position - 1, 1)
                    state = .unquoted
                }
            }
        }
    }

    /// Reads the next block of the file into `text`; false at the end of the file.
    private func refill() throws -> Bool {
        if encodingErrorPending {
            throw CSVError(file: displayName, line: currentLine, kind: .invalidEncoding(encoding))
        }
        guard !isAtEnd else { return false }
        let length = try source.read(into: raw)
        bytesRead += length
        position = 0
        end = 0
        guard length > 0 else {
            isAtEnd = true
            if encoding == .utf8 && !validator.isComplete {
                throw CSVError(file: displayName, line: currentLine, kind: .invalidEncoding(encoding))
            }
            return false
        }
        let block = UnsafeBufferPointer(rebasing: raw[0..<length])
        if isAtStart {
            isAtStart = false
            if let name = CSVEncoding.unsupportedByteOrderMark(block) {
                throw CSVError(file: displayName, line: 1, kind: .unsupportedEncoding(name))
            }
            if encoding == .utf8 && CSVEncoding.hasUTF8ByteOrderMark(block) { position = 3 }
        }
        if encoding == .utf8 {
            end = length
            if let invalid = validator.firstInvalid(in: block) {
                end = invalid
                encodingErrorPending = true
            }
        } else {
            end = convert(block)
        }
        return true
    }

    /// Converts a block of single-byte text into UTF-8 in `text`; returns its length.
    private func convert(_ block: UnsafeBufferPointer<UInt8>) -> Int {
        var written = 0
        let target = text.baseAddress!
        conversion.withUnsafeBufferPointer { table in
            for byte in block {
                if byte < 0x80 {
                    target[written] = byte
                    written += 1
                    continue
                }
                let entry = table[Int(byte)]
                let length = Int(entry >> 24)
                target[written] = UInt8(truncatingIfNeeded: entry)
                target[written + 1] = UInt8(truncatingIfNeeded: entry >> 8)
                if length == 3 { target[written + 2] = UInt8(truncatingIfNeeded: entry >> 16) }
                written += length
            }
        }
        return written
    }
}

/// Where a ``CSVReader`` gets its bytes: a file, or a file streamed from a vault.
public protocol CSVByteSource: AnyObject {
    /// Reads up to `buffer.count` bytes; 0 at the end.
    func read(into buffer: UnsafeMutableBufferPointer<UInt8>) throws -> Int
}

/// The fields of one record, as UTF-8 byte ranges of the reader's buffer; valid only inside
/// ``CSVReader/withFields(_:)``.
public struct CSVFields {
    let bytes: UnsafePointer<UInt8>
    let ends: UnsafeBufferPointer<Int>
    let quoted: UnsafeBufferPointer<Bool>

    /// Fields laid out as the reader lays them out: `bytes` holds the record's fields one after the other, field `i`
    /// ends at `ends[i]` (an offset from `bytes`). For records copied out of the reader and read later.
    public init(bytes: UnsafePointer<UInt8>, ends: UnsafeBufferPointer<Int>, quoted: UnsafeBufferPointer<Bool>) {
        self.bytes = bytes
        self.ends = ends
        self.quoted = quoted
    }

    public var count: Int { ends.count }

    /// The bytes of the whole record's fields, one after the other.
    public var allBytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: bytes, count: ends.last ?? 0) }

    /// The bytes of field `index` (quotes removed, doubled quotes undoubled).
    public subscript(index: Int) -> UnsafeBufferPointer<UInt8> {
        let start = index == 0 ? 0 : ends[index - 1]
        return UnsafeBufferPointer(start: bytes + start, count: ends[index] - start)
    }

    /// Whether field `index` was enclosed in double quotes (an empty quoted field is `""`).
    public func isQuoted(_ index: Int) -> Bool { quoted[index] }

    /// Field `index` as a string.
    public func string(_ index: Int) -> String { String(decoding: self[index], as: UTF8.self) }

    /// Where each field ends, as offsets from the record's first byte (the layout ``init(bytes:ends:quoted:)`` takes).
    public var fieldEnds: UnsafeBufferPointer<Int> { ends }

    /// Whether each field was enclosed in double quotes.
    public var quotedFields: UnsafeBufferPointer<Bool> { quoted }
}
