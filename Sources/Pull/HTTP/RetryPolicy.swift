import Foundation

/// How often and how patiently a failed vendor request is tried again: exponential backoff with jitter, and the
/// vendor's `Retry-After` honoured on 429 and 503 (capped, so a hostile value cannot stall a pull for days).
public struct RetryPolicy: Sendable, Equatable {
    /// Retries after the first attempt (the schedule's `retries`).
    public var retries: Int
    /// The first backoff; each further retry doubles it, up to `maximumDelay`.
    public var baseDelay: Duration
    public var maximumDelay: Duration
    /// The longest `Retry-After` obeyed; longer ones are cut to this.
    public var maximumRetryAfter: Duration

    public init(
        retries: Int = 5, baseDelay: Duration = .seconds(1), maximumDelay: Duration = .seconds(60),
        maximumRetryAfter: Duration = .seconds(300)
    ) {
        self.retries = retries
        self.baseDelay = baseDelay
        self.maximumDelay = maximumDelay
        self.maximumRetryAfter = maximumRetryAfter
    }

    /// The wait before retry number `attempt` (1-based): the vendor's `Retry-After` when it sent one, else the
    /// backoff `base × 2^(attempt-1)` (capped) with half of it random ("equal jitter"), so many clients do not retry
    /// in step.
    func delay(attempt: Int, retryAfter: String?, now: Date = Date()) -> Duration {
        if let retryAfter, let seconds = Self.seconds(retryAfter: retryAfter, now: now) {
            return min(.milliseconds(Int64(seconds * 1000)), maximumRetryAfter)
        }
        let exponent = min(max(attempt - 1, 0), 30)
        let backoff = min(baseDelay * (1 << exponent), maximumDelay)
        let half = backoff / 2
        let jitter = Double.random(in: 0...1)
        return half + half * jitter
    }

    /// `Retry-After` as seconds from now: delta-seconds or an HTTP-date (RFC 9110 §10.2.3); nil if neither.
    static func seconds(retryAfter: String, now: Date) -> Double? {
        let trimmed = retryAfter.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(trimmed), seconds >= 0 { return Double(seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: trimmed) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }
}
