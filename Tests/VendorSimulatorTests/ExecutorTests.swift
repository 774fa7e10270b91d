import AsyncHTTPClient
import Dispatch
import Foundation
import NIOCore
import Testing
import VaultTesting
import VendorSimulator

/// The simulator serves on a thread of its own: a test suite that keeps Swift's global concurrency pool busy (it has
/// as many threads as cores, two on CI) cannot starve it into timing out the clients it is there to test.
struct ExecutorTests {
    /// Blocks the calling thread until `release` is signalled (a plain function: semaphores may not be waited on in
    /// async code directly).
    static func park(_ started: DispatchSemaphore, until release: DispatchSemaphore) {
        started.signal()
        release.wait()
    }

    @Test func theSimulatorAnswersWhileEveryThreadOfTheConcurrencyPoolIsBlocked() async throws {
        try await withVendor { vendor, client in
            let url = vendor.baseURL.absoluteString + "/services/data"
            let http = client.http
            // The request is made and waited for on a thread of its own, with the future API (no task involved).
            let (status, seconds, blocked) = try await BlockingWork.run { () throws -> (UInt, Double, Int) in
                let width = ProcessInfo.processInfo.activeProcessorCount
                let started = DispatchSemaphore(value: 0)
                let release = DispatchSemaphore(value: 0)
                for _ in 0..<width { Task.detached { Self.park(started, until: release) } }
                defer { for _ in 0..<width { release.signal() } }
                // Other tests may hold some threads already: then fewer of ours start, and the pool is just as busy.
                let blocked = (0..<width).filter { _ in started.wait(timeout: .now() + 10) == .success }.count
                let begin = Date()
                let response = try http.execute(
                    request: try HTTPClient.Request(url: url), deadline: .now() + .seconds(15)
                ).wait()
                return (response.status.code, Date().timeIntervalSince(begin), blocked)
            }
            #expect(status == 200)
            #expect(seconds < 5, "answered in \(seconds) s with \(blocked) pool threads blocked")
        }
    }
}
