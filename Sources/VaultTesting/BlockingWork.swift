import Foundation

/// Blocking work (a backup, waiting for a child process) run on a thread of its own, so that an async test does not
/// hold one of the few threads of Swift's cooperative pool (two on a two-core CI machine) that an in-process server
/// or the code under test needs.
public enum BlockingWork {
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result(catching: body)) }
        }
    }
}
