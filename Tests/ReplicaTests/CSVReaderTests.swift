import ExportLayout
import Foundation
import Testing
import VaultTesting

/// The streaming CSV reader on the dialects vendors write and on broken files.
struct CSVReaderTests {
    struct Result {
        var header: [String]
        var rows: [[String]]
        var lines: [Int]
        var errors: [CSVError]
        var encoding: CSVEncoding
    }

    /// Reads every record of `bytes` (written to a file) with the given buffer size, collecting errors.
    static func read(
        _ bytes: [UInt8], encoding: CSVEncoding? = nil, bufferBytes: Int = 1 << 20, recordBytes: Int = 64 << 20
    ) throws -> Result {
        let directory = try TemporaryDirectory("csv-reader")
        let file = try directory.write("Object.csv", Data(bytes))
        let reader = try CSVReader(
            path: file.path, displayName: "Object.csv", encoding: encoding,
            limits: .init(recordBytes: recordBytes, bufferBytes: bufferBytes))
        var result = Result(header: reader.header, rows: [], lines: [], errors: [], encoding: reader.encoding)
        while true {
            do {
                guard try reader.next() else { break }
                result.rows.append(reader.withFields { fields in (0..<fields.count).map { fields.string($0) } })
                result.lines.append(reader.line)
            } catch let error as CSVError {
                result.errors.append(error)
                if !error.isRecoverable { break }
            }
        }
        return result
    }

    @Test func readsSalesforceStyleQuotedFieldsWithEmbeddedSeparatorsAndLineBreaks() throws {
        let csv =
            "\"Id\",\"Name\",\"Description\"\n\"001A\",\"Acme, Inc.\",\"said \"\"hi\"\"\r\nthen\rleft\nbye\"\n"
            + "\"001B\",\"\",\"\"\n"
        let result = try Self.read(Array(csv.utf8))
        #expect(result.header == ["Id", "Name", "Description"])
        #expect(result.rows == [["001A", "Acme, Inc.", "said \"hi\"\r\nthen\rleft\nbye"], ["001B", "", ""]])
        #expect(result.lines == [2, 5])
        #expect(result.errors.isEmpty)
    }

    @Test func handlesBOMCRLFUnquotedFieldsEmptyFieldsAndNoFinalLineEnd() throws {
        let csv = "\u{FEFF}Id,Name,Phone\r\n1,,+49 30 1234\r\n2,\"\",\r\n3,x,\"0100\""
        let result = try Self.read(Array(csv.utf8))
        #expect(result.header == ["Id", "Name", "Phone"])
        #expect(result.rows == [["1", "", "+49 30 1234"], ["2", "", ""], ["3", "x", "0100"]])
        #expect(result.encoding == .utf8)
    }

    @Test func readsOldMacCRLineEnds() throws {
        let result = try Self.read(Array("A,B\r1,2\r3,4".utf8))
        #expect(result.rows == [["1", "2"], ["3", "4"]])
        #expect(result.lines == [2, 3])
    }

    @Test func tellsQuotedEmptyFromUnquotedEmpty() throws {
        let directory = try TemporaryDirectory("csv-reader")
        let file = try directory.write("A.csv", Data("A,B,C\n\"\",,x\n".utf8))
        let reader = try CSVReader(path: file.path)
        #expect(try reader.next())
        reader.withFields { fields in
            #expect(fields.isQuoted(0) && !fields.isQuoted(1) && !fields.isQuoted(2))
            #expect(fields[0].isEmpty && fields[1].isEmpty && fields[2].count == 1)
        }
        #expect(try !reader.next())
    }

    @Test func skipsEmptyLinesOnlyWhenTheyCannotBeRecords() throws {
        #expect(try Self.read(Array("A,B\n\n1,2\n\n".utf8)).rows == [["1", "2"]])
        #expect(try Self.read(Array("A\n\nx\n".utf8)).rows == [[""], ["x"]])
    }

    @Test func readsAHeaderOnlyFile() throws {
        let result = try Self.read(Array("\"Id\",\"Name\"\n".utf8))
        #expect(result.header == ["Id", "Name"])
        #expect(result.rows.isEmpty && result.errors.isEmpty)
    }

    @Test func reportsARaggedRowWithFileAndLineAndGoesOn() throws {
        let result = try Self.read(Array("Id,Name\n1,a\n\"2\",\"multi\nline\",extra\n3\n4,d\n".utf8))
        #expect(result.rows == [["1", "a"], ["4", "d"]])
        #expect(result.errors.map(\.line) == [3, 5])
        #expect(result.errors.map(\.kind) == [.raggedRow(expected: 2, found: 3), .raggedRow(expected: 2, found: 1)])
        #expect(
            result.errors.first?.description.hasPrefix(
                "Object.csv, line 3: the record has 3 fields but the header has 2") == true)
        #expect(result.errors.allSatisfy { $0.isRecoverable })
    }

    @Test func reportsBrokenQuoting() throws {
        let result = try Self.read(Array("Id,Name\n1,ab\"c\n2,\"x\"y\n3,ok\n4,\"never closed\n5,z\n".utf8))
        #expect(result.rows == [["3", "ok"]])
        #expect(
            result.errors.map(\.kind) == [.strayQuote(field: 2), .textAfterClosingQuote(field: 2), .unterminatedQuote])
        #expect(result.errors.map(\.line) == [2, 3, 5])
        #expect(result.errors.last?.isRecoverable == false)
        #expect(result.errors.last?.remedy.contains("--lenient") == true)
    }

    /// A Bulk API 2.0 result asked for with `columnDelimiter=SEMICOLON` (or TAB, PIPE, ...) is malformed here, and the
    /// error names the delimiter rather than calling it broken quoting.
    @Test func namesAnotherDelimiterAfterAClosingQuote() throws {
        let result = try Self.read(Array("\"Id\"\n\"001\";\"Acme\"\n\"002\"\t\"Beta\"\n\"003\"x\n".utf8))
        #expect(
            result.errors.map(\.kind) == [
                .otherDelimiter(field: 1, delimiter: "semicolon"), .otherDelimiter(field: 1, delimiter: "tab"),
                .textAfterClosingQuote(field: 1),
            ])
        #expect(result.errors.map(\.line) == [2, 3, 4])
        #expect(result.errors.first?.description.contains("looks delimited by semicolons") == true)
        #expect(result.errors.first?.remedy.contains("columnDelimiter=COMMA") == true)
        #expect(result.errors.allSatisfy { $0.isRecoverable })
    }

    @Test func detectsAndConvertsWindows1252() throws {
        // Müller, € 5, “q” in Windows-1252.
        let bytes: [UInt8] =
            Array("Name,Price,Note\n".utf8)
            + [0x4D, 0xFC, 0x6C, 0x6C, 0x65, 0x72, 0x2C, 0x80, 0x20, 0x35, 0x2C, 0x93, 0x71, 0x94, 0x0A]
        let detected = try Self.read(bytes)
        #expect(detected.encoding == .windows1252)
        #expect(detected.rows == [["Müller", "€ 5", "“q”"]])
        let latin1 = try Self.read(bytes, encoding: .latin1)
        #expect(latin1.rows == [["Müller", "\u{80} 5", "\u{93}q\u{94}"]])
    }

    @Test func refusesInvalidUTF8WhenUTF8IsGivenAndNamesTheLine() throws {
        let result = try Self.read(Array("A,B\n1,é\n2,".utf8) + [0xC3, 0x28] + Array("\n".utf8), encoding: .utf8)
        #expect(result.rows == [["1", "é"]])
        #expect(result.errors.map(\.kind) == [.invalidEncoding(.utf8)])
        #expect(result.errors.first?.line == 3)
        #expect(result.errors.first?.remedy.contains("--encoding windows-1252") == true)
    }

    @Test func refusesUTF16AndEmptyFilesWithAReason() throws {
        #expect(throws: CSVError(file: "Object.csv", line: 1, kind: .unsupportedEncoding("UTF-16LE"))) {
            _ = try Self.read([0xFF, 0xFE, 0x41, 0x00])
        }
        #expect(throws: CSVError(file: "Object.csv", line: 1, kind: .emptyFile)) { _ = try Self.read([]) }
    }

    @Test func neverFollowsALink() throws {
        let directory = try TemporaryDirectory("csv-reader")
        let target = try directory.write("real.csv", Data("A\n1\n".utf8))
        let link = directory.path("Link.csv")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
        let error = try #require(throws: CSVError.self) { _ = try CSVReader(path: link.path, displayName: "Link.csv") }
        #expect(error.description.contains("symbolic link"))
    }

    @Test func boundsTheMemoryOfOneRecord() throws {
        let big = "A,B\n1,\"" + String(repeating: "x", count: 5_000) + "\"\n2,y\n"
        let result = try Self.read(Array(big.utf8), recordBytes: 4_096)
        #expect(result.errors.map(\.kind) == [.recordTooLarge(limit: 4_096)])
        #expect(result.errors.first?.line == 2)
    }

    /// Random records, written in every quoting and line-end style, read back at buffer sizes that split every
    /// token across reads, equal what was written (the generator is the oracle).
    @Test(arguments: [4, 5, 7, 64, 1 << 20])
    func readsRandomRecordsExactlyAtAnyBufferSize(bufferBytes: Int) throws {
        var random = SeededRandom(seed: UInt64(bufferBytes))
        let alphabet = ["a", "b", ",", "\"", "\n", "\r", "\r\n", " ", "é", "😀", "=", "x"]
        let header = ["Id", "Text", "Other"]
        var rows: [[String]] = []
        var csv = header.joined(separator: ",") + "\r\n"
        var lines: [Int] = []
        var line = 2
        for record in 0..<300 {
            var row = ["\(record)"]
            for _ in 0..<2 {
                row.append((0..<random.below(6)).map { _ in alphabet[random.below(alphabet.count)] }.joined())
            }
            rows.append(row)
            lines.append(line)
            let encoded = row.map { field -> String in
                let needsQuotes = field.utf8.contains { [0x2C, 0x22, 0x0D, 0x0A].contains($0) }
                return needsQuotes || random.below(2) == 0
                    ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
            }
            csv += encoded.joined(separator: ",")
            line += row.joined().utf8.filter { $0 == 0x0A }.count + 1
            if record < 299 || random.below(2) == 0 { csv += random.below(2) == 0 ? "\n" : "\r\n" }
        }
        let result = try Self.read(Array(csv.utf8), bufferBytes: bufferBytes)
        #expect(result.errors.isEmpty)
        #expect(result.header == header)
        #expect(result.rows == rows)
        #expect(result.lines == lines)
    }
}

/// A small deterministic generator (SplitMix64), so random tests repeat exactly.
struct SeededRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
