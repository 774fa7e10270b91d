import Foundation

/// Results written by concurrent tasks, one slot each.
final class ResultSlots<Value: Sendable>: @unchecked Sendable {
    private var values: [Value?]
    private let lock = NSLock()

    init(count: Int) { values = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: Value) { lock.withLock { values[index] = value } }

    subscript(index: Int) -> Value { lock.withLock { values[index]! } }
}
