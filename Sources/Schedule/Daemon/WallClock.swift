import Foundation

/// Wall-clock time for the scheduler: what time it is, and waiting until a time.
public protocol WallClock: Sendable {
    var now: Date { get }
    /// Returns at or after `deadline`; throws `CancellationError` when the task is cancelled.
    func sleep(until deadline: Date) async throws
}

/// The system's clock. It sleeps at most a minute at a time and looks at the time again, so a clock set by NTP or
/// a host that was suspended still runs its jobs on time.
public struct SystemWallClock: WallClock {
    public init() {}

    public var now: Date { Date() }

    public func sleep(until deadline: Date) async throws {
        while true {
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { return }
            try await Task.sleep(for: .seconds(min(remaining, 60)))
        }
    }
}
