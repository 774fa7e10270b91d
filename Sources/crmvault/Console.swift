import ArgumentParser
import Foundation
import VaultCore

#if canImport(Glibc)
import Glibc
#endif

/// `--json` and `--quiet`, shared by every command that reports (docs/CLI.md).
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print the result as one JSON object on standard output (docs/CLI.md).") var json = false
    @Flag(name: [.short, .long], help: "Print nothing on success (for cron); errors still go to standard error.")
    var quiet = false

    mutating func validate() throws {
        Console.isQuiet = quiet
    }

    /// True when human-readable lines are wanted: neither --json nor --quiet.
    var isTalking: Bool { !json && !quiet }

    /// A line of the human-readable result, on standard output unless --json or --quiet.
    func say(_ line: String) {
        if isTalking { print(line) }
    }

    /// A progress line on standard error, only on a terminal and never with --quiet (nothing of it under cron or in
    /// a pipe).
    func progressMeter() -> ProgressMeter? {
        quiet || isatty(STDERR_FILENO) != 1 ? nil : ProgressMeter()
    }
}

/// Process-wide output state: whether `--quiet` silences warnings.
enum Console {
    nonisolated(unsafe) static var isQuiet = false
}

/// Prints one line on standard error, escaped (it may quote a file name, label or vault path).
func printError(_ message: String) {
    FileHandle.standardError.write(Data(("error: " + TerminalText.escaped(message) + "\n").utf8))
}

/// Prints one line on standard error, escaped, unless `--quiet` was given.
func printWarning(_ message: String) {
    guard !Console.isQuiet else { return }
    FileHandle.standardError.write(Data(("warning: " + TerminalText.escaped(message) + "\n").utf8))
}

/// "1 file", "2 files": a count with its noun in the right number (`plural` when it is not the noun + "s").
func counted(_ count: Int, _ noun: String, plural: String? = nil) -> String {
    "\(count) " + (count == 1 ? noun : plural ?? noun + "s")
}

/// Human-readable byte counts (1 kB = 1000 B, as `df -H` and restic show them).
func formatBytes(_ count: some BinaryInteger) -> String {
    let value = Double(count)
    let units = ["B", "kB", "MB", "GB", "TB"]
    var scaled = value
    var unit = 0
    while scaled >= 1000 && unit < units.count - 1 {
        scaled /= 1000
        unit += 1
    }
    return unit == 0 ? "\(count) B" : String(format: "%.1f %@", scaled, units[unit])
}

/// One line of progress on standard error, rewritten in place: bytes, items, rate and time left. It never prints an
/// escape sequence (only `\r` and spaces), is updated at most four times a second, and is erased when done.
final class ProgressMeter: @unchecked Sendable {
    private let lock = NSLock()
    private let started = Date()
    private var lastDrawn = Date.distantPast
    private var width = 0

    /// The handler to give VaultCore.
    var handler: ProgressHandler { { [self] progress in update(progress) } }

    func update(_ progress: OperationProgress) {
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        guard now.timeIntervalSince(lastDrawn) >= 0.25 else { return }
        lastDrawn = now
        draw(Self.line(progress, elapsed: now.timeIntervalSince(started)))
    }

    /// Erases the line, so what follows starts on a clean one.
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if width > 0 { draw("") }
    }

    private func draw(_ text: String) {
        var size = winsize()
        let columns = ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? Int(size.ws_col) : 80
        let shown = String(text.prefix(max(columns - 1, 10)))
        let padding = String(repeating: " ", count: max(width - shown.count, 0))
        FileHandle.standardError.write(Data(("\r" + shown + padding + (shown.isEmpty ? "\r" : "")).utf8))
        width = shown.count
    }

    static func line(_ progress: OperationProgress, elapsed: TimeInterval) -> String {
        var parts: [String] = []
        let done = formatBytes(progress.bytesDone)
        if let total = progress.bytesTotal, total > 0 {
            parts.append("\(done) of \(formatBytes(total)) (\(Int(100 * Double(progress.bytesDone) / Double(total))) %)")
        } else {
            parts.append(done)
        }
        parts.append(progress.itemsTotal.map { "\(progress.itemsDone) of \($0) \(progress.unit)" } ?? "\(progress.itemsDone) \(progress.unit)")
        let rate = elapsed > 0.5 ? Double(progress.bytesDone) / elapsed : 0
        if rate > 0 {
            parts.append("\(formatBytes(Int64(rate)))/s")
            if let total = progress.bytesTotal, total > progress.bytesDone {
                let left = Int(Double(total - progress.bytesDone) / rate)
                parts.append(String(format: "ETA %d:%02d", left / 60, left % 60))
            }
        }
        return "\(progress.phase): " + parts.joined(separator: ", ")
    }
}
