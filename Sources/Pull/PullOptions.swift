import Foundation

/// How patient and how generous a pull is. The defaults suit a real vendor; tests shorten the waits.
public struct PullOptions: Sendable {
    /// Backoff between retries of a failed request; the number of retries is the schedule's `retries`.
    public var baseDelay: Duration = .seconds(1)
    public var maximumDelay: Duration = .seconds(60)
    /// The longest `Retry-After` obeyed.
    public var maximumRetryAfter: Duration = .seconds(300)
    /// The first wait between polls of a Bulk API job; it doubles up to `maximumPollInterval`.
    public var pollInterval: Duration = .seconds(1)
    public var maximumPollInterval: Duration = .seconds(30)
    /// How long one Bulk API job may take before the pull gives up on it.
    public var jobTimeout: Duration = .seconds(12 * 3600)
    /// The largest file (one object's CSV, one vendor archive) a pull writes.
    public var maximumFileBytes = 64 << 30
    /// The largest JSON document (describe, metadata, one OData page) read into memory.
    public var maximumDocumentBytes = 256 << 20

    public init() {}

    func retryPolicy(retries: Int) -> RetryPolicy {
        RetryPolicy(
            retries: retries, baseDelay: baseDelay, maximumDelay: maximumDelay, maximumRetryAfter: maximumRetryAfter)
    }
}
