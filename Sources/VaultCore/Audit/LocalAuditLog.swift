import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The local audit log, for operations that cannot or must not write to the vault: JSON lines, each naming the
/// SHA-256 of the line before it. `CRMVAULT_AUDIT_LOG` overrides its place (default
/// `$XDG_STATE_HOME/crmvault/audit.log`, else `~/.local/state/crmvault/audit.log`).
public enum LocalAuditLog {
    struct Line: Codable {
        var vault: String
        var previous: String
        var reason: String
        var event: AuditEvent
    }

    public static var path: String {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["CRMVAULT_AUDIT_LOG"], !path.isEmpty { return path }
        let state = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.local/state"
        return state + "/crmvault/audit.log"
    }

    /// One line of the local log, read back: the vault (its id, or the path given when it could not be opened), why the
    /// vault's own log was not used, the event, and whether the line names the hash of the one before it.
    public struct Record: Sendable, Codable {
        public var vault: String
        public var reason: String
        public var event: AuditEvent
        public var isLinked: Bool
    }

    /// Every line of the local log that parses, in order (lines that do not parse are skipped and counted).
    public static func records() -> (records: [Record], unreadableLines: Int) {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        var records: [Record] = []
        var unreadable = 0
        var previous = Digest.zero
        for line in text.split(separator: "\n") {
            let bytes = Array(line.utf8)
            defer { previous = SHA256Hasher.hash(bytes) }
            guard let parsed = try? JSONDecoder().decode(Line.self, from: Data(bytes)) else {
                unreadable += 1
                continue
            }
            records.append(Record(vault: parsed.vault, reason: parsed.reason, event: parsed.event, isLinked: parsed.previous == previous.hex))
        }
        return (records, unreadable)
    }

    /// Records an operation on a vault that could not be opened (it is named by its path).
    public static func record(_ event: AuditEvent, vaultPath: String) -> AuditDestination {
        append(event, vault: vaultPath, reason: "the vault could not be opened")
    }

    static func append(_ event: AuditEvent, vault: String, reason: String) -> AuditDestination {
        let path = Self.path
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return .local(path: path, reason: reason + "; the local log could not be opened either") }
        defer { close(fd) }
        flock(fd, LOCK_EX)
        defer { flock(fd, LOCK_UN) }
        let lastLine = Self.lastLine(of: fd)
        let previous = lastLine.isEmpty ? Digest.zero : SHA256Hasher.hash(lastLine)
        if let line = try? CanonicalJSON.encode(Line(vault: vault, previous: previous.hex, reason: reason, event: event)) {
            _ = (line + [0x0a]).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        }
        return .local(path: path, reason: reason)
    }

    /// The log's last non-empty line (without its line end), read backwards from the end in 64 KiB steps, so that an
    /// append costs the same whatever the log's length. A last line longer than 16 MiB is not one this log wrote: it
    /// counts as empty (the next line then names the zero hash, and `log --local` shows the break).
    static func lastLine(of fd: Int32) -> [UInt8] {
        let step = 64 << 10
        let limit = 16 << 20
        func read(_ range: Range<Int>) -> [UInt8] {
            var bytes = [UInt8](repeating: 0, count: range.count)
            let count = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(range.lowerBound)) }
            return count == range.count ? bytes : []
        }
        var position = Int(lseek(fd, 0, SEEK_END))  // what lies before it is not read yet
        var lineEnd: Int?  // just past the last line's last byte, once found
        while position > 0 {
            let start = max(0, position - step)
            let block = read(start..<position)
            guard !block.isEmpty else { return [] }
            for index in block.indices.reversed() {
                if let end = lineEnd {
                    if block[index] == 0x0a { return read((start + index + 1)..<end) }
                } else if block[index] != 0x0a {
                    lineEnd = start + index + 1
                }
            }
            if let end = lineEnd, end - start > limit { return [] }
            position = start
        }
        return lineEnd.map { read(0..<$0) } ?? []
    }
}
