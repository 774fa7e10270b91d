import Foundation
import Testing
import VaultTesting

@testable import VaultCore

#if canImport(Glibc)
import Glibc
#endif

/// The local audit log names the hash of its last line when it appends; finding that line reads the log's end, not all
/// of it, and must give the same line the whole-file reading gives.
struct LocalAuditLogTests {
    @Test func theLastLineIsFoundFromTheEndWhateverItsLengthAndTheLineEnds() throws {
        let directory = try TemporaryDirectory()
        let long = String(repeating: "x", count: 150_000)  // spans three 64 KiB steps
        let cases: [(String, String)] = [
            ("", ""),
            ("\n\n", ""),
            ("only", "only"),
            ("first\nsecond\n", "second"),
            ("first\nsecond\n\n\n", "second"),
            ("first\n\(long)\n", long),
            ("\(long)\nlast", "last"),
            ("\(long)", long),
            (String(repeating: "line\n", count: 40_000) + "end\n", "end"),
        ]
        for (index, (content, expected)) in cases.enumerated() {
            let path = directory.path("log-\(index)").path
            try Data(content.utf8).write(to: URL(fileURLWithPath: path))
            let fd = open(path, O_RDONLY)
            try #require(fd >= 0)
            defer { close(fd) }
            let found = String(decoding: LocalAuditLog.lastLine(of: fd), as: UTF8.self)
            #expect(found == expected, "case \(index): \(found.prefix(20))… (\(found.count) bytes), expected \(expected.count)")
        }
    }
}
