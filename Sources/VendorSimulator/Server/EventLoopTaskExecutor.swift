import NIOCore

/// A task executor that runs jobs on one NIO event loop: the simulator's own thread.
///
/// The simulator's server and every task it starts (one per connection, one per request) prefer this executor, so
/// answering a request never waits for a thread of Swift's global concurrency pool. That pool has as many threads as
/// cores (two on CI), and tests that compute or block occupy them; a vendor that waited for them would time out the
/// very clients it is there to test. The I/O runs on the same event loop, so a request is read, answered and written
/// without a thread hop.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
