import Foundation
import Logging

/// The org's daily API usage as Salesforce reports it on REST answers (`Sforce-Limit-Info: api-usage=25/15000`,
/// possibly followed by `, per-app-api-usage=…`). The last figure goes into the pull's log; a warning is logged once
/// when 90% of the allowance is used, before `REQUEST_LIMIT_EXCEEDED` ends this pull or the org's other integrations.
final class SalesforceAPIUsage: @unchecked Sendable {
    private let lock = NSLock()
    private var latest: (used: Int, limit: Int)?
    private var warned = false
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    /// Notes the usage a response reports, if it reports one.
    func observe(_ head: ResponseHead) {
        guard let value = head.header("Sforce-Limit-Info"), let usage = Self.usage(in: value) else { return }
        lock.lock()
        latest = usage
        let warn = !warned && usage.limit > 0 && usage.used * 10 >= usage.limit * 9
        if warn { warned = true }
        lock.unlock()
        if warn {
            let text =
                "the org has used \(usage.used) of its \(usage.limit) daily API requests (Sforce-Limit-Info); "
                + "when none are left, Salesforce refuses this pull and every other integration of the org"
            logger.warning("\(text)")
        }
    }

    /// `U of L daily API requests used`, from the last response that said.
    var summary: String? {
        lock.lock()
        defer { lock.unlock() }
        return latest.map { "\($0.used) of \($0.limit) daily API requests used (Sforce-Limit-Info)" }
    }

    /// The `api-usage=U/L` entry of a `Sforce-Limit-Info` value.
    static func usage(in value: String) -> (used: Int, limit: Int)? {
        for entry in value.split(separator: ",") {
            let trimmed = entry.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("api-usage=") else { continue }
            let numbers = trimmed.dropFirst("api-usage=".count).split(separator: "/")
            guard numbers.count == 2, let used = Int(numbers[0]), let limit = Int(numbers[1]), used >= 0, limit >= 0
            else { return nil }
            return (used, limit)
        }
        return nil
    }
}
