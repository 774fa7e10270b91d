import Foundation
import Schedule

/// A wall clock that stands still until the test moves it, and tells how many tasks sleep on it.
final class ManualClock: WallClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date
    private var sleepers = 0

    init(_ start: Date) { current = start }

    var now: Date { lock.withLock { current } }

    var sleeping: Int { lock.withLock { sleepers } }

    func set(_ date: Date) { lock.withLock { current = date } }

    func sleep(until deadline: Date) async throws {
        lock.withLock { sleepers += 1 }
        defer { lock.withLock { sleepers -= 1 } }
        while now < deadline {
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    /// Waits until `count` tasks sleep on this clock.
    func waitUntilSleeping(_ count: Int) async throws {
        try await Poll.until("\(count) services asleep (\(sleeping) are)") { self.sleeping == count }
    }
}

/// Waiting in real time for something another task does, with a deadline so a broken test fails instead of hanging.
///
/// The deadline is generous: in a full parallel test run on two cores, long synchronous tests of other suites can hold
/// both threads of the cooperative pool for a minute or more, and this test's tasks wait for them.
enum Poll {
    struct TimedOut: Error, CustomStringConvertible {
        var description: String
    }

    static func until(_ what: String, seconds: Double = 300, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw TimedOut(description: "timed out waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(2))
        }
    }
}
