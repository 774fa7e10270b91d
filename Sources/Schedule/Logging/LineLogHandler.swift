import Foundation
import Logging
import VaultCore

#if canImport(Glibc)
import Glibc
#endif

/// A swift-log handler that writes one line per event, `level event key=value ...`, for journald and log files.
///
/// - No timestamp: journald and syslog add their own. When standard error is the journal (`JOURNAL_STREAM` names
///   it), each line starts with the syslog priority (`<6>`), which journald turns into the entry's priority.
/// - Keys are sorted; a value with a space, `"` or `=` is quoted; control characters in messages and values are
///   escaped (``TerminalText/escaped(_:)``), so a hostile name cannot forge a line.
/// - Values of keys that name a secret (`secret`, `token`, `password`, `passphrase`, `authorization`, `cookie`) are
///   written as `<redacted>`: a mistake elsewhere must not put a credential in the journal.
public struct LineLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info
    private let sink: LineSink

    /// Logs to standard error.
    public init(label: String) {
        self.init(sink: .standardError)
    }

    /// Logs to `sink` (tests pass one that keeps the lines).
    public init(sink: LineSink) {
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        if let error = event.error { merged["error"] = "\(error)" }
        sink.write(Self.line(level: event.level, message: "\(event.message)", metadata: merged), level: event.level)
    }

    /// One event as a line, without its priority prefix or line end.
    public static func line(level: Logger.Level, message: String, metadata: Logger.Metadata) -> String {
        var line = "\(level) \(quoted(message))"
        for key in metadata.keys.sorted() {
            let value = isSecret(key) ? "<redacted>" : "\(metadata[key]!)"
            line += " \(TerminalText.escaped(key).replacingOccurrences(of: " ", with: "_"))=\(quoted(value))"
        }
        return line
    }

    static func isSecret(_ key: String) -> Bool {
        let lowered = key.lowercased()
        return ["secret", "token", "password", "passphrase", "authorization", "cookie"].contains {
            lowered.contains($0)
        }
    }

    private static func quoted(_ value: String) -> String {
        let escaped = TerminalText.escaped(value)
        guard escaped.isEmpty || escaped.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) else {
            return escaped
        }
        return "\"" + escaped.replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

/// Where a ``LineLogHandler`` writes its lines; each is written whole, under a lock, so lines never interleave.
public final class LineSink: @unchecked Sendable {
    private let lock = NSLock()
    private let output: (String, Logger.Level) -> Void
    private var kept: [String] = []
    private let keeps: Bool

    private init(keeps: Bool, output: @escaping (String, Logger.Level) -> Void) {
        self.keeps = keeps
        self.output = output
    }

    /// Standard error, with syslog priority prefixes when it is connected to the journal.
    public static let standardError: LineSink = {
        let isJournal = JournalStream.isStandardError(ProcessInfo.processInfo.environment["JOURNAL_STREAM"])
        return LineSink(keeps: false) { line, level in
            let bytes = Array(((isJournal ? JournalStream.priority(of: level) : "") + line + "\n").utf8)
            bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Glibc.write(2, buffer.baseAddress! + offset, buffer.count - offset)
                    if written <= 0 { break }
                    offset += written
                }
            }
        }
    }()

    /// A sink that keeps the lines in memory, for tests.
    public static func memory() -> LineSink { LineSink(keeps: true) { _, _ in } }

    /// The lines written so far (for a memory sink).
    public var lines: [String] { lock.withLock { kept } }

    func write(_ line: String, level: Logger.Level) {
        lock.withLock {
            if keeps { kept.append(line) }
            output(line, level)
        }
    }
}

/// journald's stream protocol: `JOURNAL_STREAM=device:inode` names the stream standard error is connected to.
enum JournalStream {
    static func isStandardError(_ value: String?) -> Bool {
        guard let parts = value?.split(separator: ":"), parts.count == 2,
            let device = UInt64(parts[0]), let inode = UInt64(parts[1])
        else { return false }
        var status = stat()
        guard fstat(2, &status) == 0 else { return false }
        return UInt64(status.st_dev) == device && UInt64(status.st_ino) == inode
    }

    /// The syslog priority prefix journald reads (`SyslogLevelPrefix=`, on by default).
    static func priority(of level: Logger.Level) -> String {
        switch level {
        case .trace, .debug: "<7>"
        case .info: "<6>"
        case .notice: "<5>"
        case .warning: "<4>"
        case .error: "<3>"
        case .critical: "<2>"
        }
    }
}
