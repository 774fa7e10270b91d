import Foundation
import Logging

@testable import Pull

/// Log lines kept in memory (swift-log best practice: no global bootstrap in tests).
final class LogCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []

    var lines: [String] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }

    func append(_ line: String) {
        lock.lock()
        stored.append(line)
        lock.unlock()
    }

    var logger: Logger {
        Logger(label: "crmvault.pull.test") { _ in Handler(capture: self) }
    }

    struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            capture.append("\(event.level) \(event.message) \(metadata) \(event.metadata ?? [:])")
        }
    }
}

enum PullTestSupport {
    /// Short waits: tests check behaviour, not patience.
    static var fastOptions: PullOptions {
        var options = PullOptions()
        options.baseDelay = .milliseconds(20)
        options.maximumDelay = .milliseconds(100)
        options.maximumRetryAfter = .seconds(2)
        options.pollInterval = .milliseconds(10)
        options.maximumPollInterval = .milliseconds(50)
        return options
    }
}
