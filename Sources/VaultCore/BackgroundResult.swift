import Foundation

/// A value one thread computes and another waits for, with what computing it threw: a block compressed on another
/// core, the owner's keys derived while verify reads on.
final class BackgroundResult<Value>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    // Written once, before `done` is signalled; read only after it is waited for.
    private var result: Result<Value, any Error>?

    init() {}

    /// Computes `body` on a thread of its own.
    convenience init(onThreadOfItsOwn body: @escaping @Sendable () throws -> Value) {
        self.init()
        Thread { [self] in compute(body) }.start()
    }

    /// Computes the value on the calling thread; call once.
    func compute(_ body: () throws -> Value) {
        result = Result(catching: body)
        done.signal()
    }

    /// Waits until the value is computed (any number of times, from any thread).
    func wait() {
        done.wait()
        done.signal()
    }

    /// The value, or the error computing it threw, once it is computed.
    func get() throws -> Value {
        wait()
        return try result!.get()
    }
}
