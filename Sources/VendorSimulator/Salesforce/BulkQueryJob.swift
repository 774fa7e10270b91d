import Foundation

/// A Bulk API 2.0 query job: what it selects, from which month of the org, and where it is in its life.
struct BulkQueryJob: Sendable {
    enum State: String, Sendable {
        case uploadComplete = "UploadComplete"
        case inProgress = "InProgress"
        case jobComplete = "JobComplete"
        case failed = "Failed"
        case aborted = "Aborted"
    }

    let id: String
    let operation: String
    let object: String
    /// The selected columns of the object's table, and the header names written for them.
    let columns: [Int]
    let names: [String]
    /// The org month the job reads, fixed when it is created.
    let month: Int
    /// The number of records the query selects.
    let recordCount: Int
    let apiVersion: String
    let created: Date
    var state: State
    var polls = 0
    /// Set when a failed-job fault applies: the `errorMessage` shown once the job ends.
    let failure: String?

    /// Moves the job one step toward its end on a status poll.
    mutating func advance(pollsUntilComplete: Int) {
        guard state == .uploadComplete || state == .inProgress else { return }
        polls += 1
        if polls >= pollsUntilComplete {
            state = failure == nil ? .jobComplete : .failed
        } else {
            state = .inProgress
        }
    }

    /// The job info JSON; `numberRecordsProcessed` is `reportedRecords` once complete, 0 before.
    func info(createdBy: String, reportedRecords: Int, includeCounts: Bool) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("id", .string(id)), ("operation", .string(operation)), ("object", .string(object)),
            ("createdById", .string(createdBy)), ("createdDate", .string(Self.timestamp(created))),
            ("systemModstamp", .string(Self.timestamp(created.addingTimeInterval(Double(polls))))),
            ("state", .string(state.rawValue)), ("concurrencyMode", .string("Parallel")),
            ("contentType", .string("CSV")), ("apiVersion", .number(apiVersion)),
        ]
        if includeCounts { members.append(("jobType", .string("V2Query"))) }
        members += [("lineEnding", .string("LF")), ("columnDelimiter", .string("COMMA"))]
        if includeCounts {
            members += [
                ("numberRecordsProcessed", .int(state == .jobComplete ? reportedRecords : 0)), ("retries", .int(0)),
                ("totalProcessingTime", .int(state == .jobComplete ? 250 + recordCount / 10 : 0)),
                ("isPkChunkingSupported", .bool(true)),
            ]
            if state == .failed, let failure { members.append(("errorMessage", .string(failure))) }
        }
        return .object(members)
    }

    /// Salesforce's job timestamp form, `2026-01-02T17:38:59.000+0000`.
    static func timestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss.SSS'+0000'"
        return formatter.string(from: date)
    }
}
