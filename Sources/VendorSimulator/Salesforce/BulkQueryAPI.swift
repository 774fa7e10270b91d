import Foundation

/// Bulk API 2.0 query jobs: create, poll, abort, delete, list, and the paged CSV results.
extension VendorHandlers {
    private struct CreateJobBody: Decodable {
        let operation: String?
        let query: String?
        let contentType: String?
        let columnDelimiter: String?
        let lineEnding: String?
    }

    /// `POST …/jobs/query` creates a job; `GET …/jobs/query` lists them.
    func queryJobs(_ request: VendorRequest, version: String) throws -> VendorReply {
        try require(request, "GET", "POST")
        if request.method == .get {
            let jobs = state.mutable.withLock { Array($0.jobs.values) }.sorted { $0.created < $1.created }
            let records = jobs.map {
                $0.info(createdBy: state.org.integrationUserID, reportedRecords: $0.recordCount, includeCounts: true)
            }
            return .json(.object([("done", .bool(true)), ("records", .array(records)), ("nextRecordsUrl", .null)]))
        }
        guard request.header("Content-Type")?.lowercased().hasPrefix("application/json") == true else {
            return .salesforceError(
                415, "UNSUPPORTED_MEDIA_TYPE",
                "Content-Type header specified in HTTP request is not supported: "
                    + (request.header("Content-Type") ?? "")
            )
        }
        guard let body = try? JSONDecoder().decode(CreateJobBody.self, from: request.body) else {
            return .salesforceError(400, "JSON_PARSER_ERROR", "The request body is not a valid query job definition.")
        }
        guard let operation = body.operation, ["query", "queryAll"].contains(operation) else {
            return .salesforceError(400, "INVALIDJOB", "InvalidJob : Invalid operation: \(body.operation ?? "")")
        }
        guard let text = body.query, !text.isEmpty else {
            return .salesforceError(400, "INVALIDJOB", "InvalidJob : The query field is required.")
        }
        if let type = body.contentType, type != "CSV" {
            return .salesforceError(400, "INVALIDJOB", "InvalidJob : Invalid contentType: \(type)")
        }
        if (body.columnDelimiter ?? "COMMA") != "COMMA" || (body.lineEnding ?? "LF") != "LF" {
            return .salesforceError(
                400, "API_ERROR",
                "The simulated vendor writes results only with columnDelimiter COMMA and lineEnding LF.")
        }
        let job = try makeJob(SOQLQuery.parse(text), operation: operation, version: version)
        return .json(
            job.info(createdBy: state.org.integrationUserID, reportedRecords: job.recordCount, includeCounts: false))
    }

    private func makeJob(_ query: SOQLQuery, operation: String, version: String) throws -> BulkQueryJob {
        if let listed = SalesforceSchema.unqueryableObjects.first(where: {
            $0.name.caseInsensitiveCompare(query.object) == .orderedSame
        }) {
            throw SOQLQuery.refusal("INVALIDENTITY", "Entity '\(listed.name)' is not supported by the Bulk API.")
        }
        if let listed = SalesforceSchema.filterRequiredObjects.first(where: {
            $0.name.caseInsensitiveCompare(query.object) == .orderedSame
        }) {
            throw SOQLQuery.refusal(listed.code, listed.message)
        }
        guard let object = canonicalObjectName(query.object) else {
            throw SOQLQuery.refusal(
                "INVALID_TYPE",
                "\n\(query.text)\nERROR at Row:1:Column:\(query.objectColumn)\nsObject type '\(query.object)' is not "
                    + "supported. If you are attempting to use a custom object, be sure to append the '__c' after the "
                    + "entity name. Please reference your WSDL or the describe call for the appropriate names.")
        }
        let monthNumber = state.currentMonth
        let month = try state.org.month(monthNumber)
        guard let table = month.tables[object] else { throw SimulatorSetupError("no table for \(object)") }
        let compounds = Set(
            SalesforceSchema.fields(ofObject: object, columns: table.header).filter(\.isCompound).map(\.name))
        let faults = state.faults
        var columns: [Int] = []
        var names: [String] = []
        for field in query.fields {
            if field.name.contains(".") {
                throw SOQLQuery.refusal(
                    "API_ERROR", "The simulated vendor does not evaluate relationship fields such as \(field.name).")
            }
            if compounds.contains(where: { $0.caseInsensitiveCompare(field.name) == .orderedSame }) {
                throw SOQLQuery.refusal("API_ERROR", "Selecting compound data not supported in Bulk Query")
            }
            guard let column = table.column(named: field.name) else { throw query.invalidField(field, object: object) }
            guard !columns.contains(column) else {
                throw SOQLQuery.refusal("MALFORMED_QUERY", "duplicate field selected: \(table.header[column])")
            }
            columns.append(column)
            let name = table.header[column]
            let renamed = faults.renamedColumns.first {
                $0.object.caseInsensitiveCompare(object) == .orderedSame
                    && $0.column.caseInsensitiveCompare(name) == .orderedSame
            }
            names.append(renamed?.newName ?? name)
        }
        let failure = faults.failedJobs.first { $0.object.caseInsensitiveCompare(object) == .orderedSame }?.message
        let records = min(query.limit ?? Int.max, table.rows.count)
        return state.mutable.withLock { shared in
            shared.jobsCreated += 1
            let id = StableID.salesforce(keyPrefix: "750", number: 62 * 62 * 62 * 62 * 50 + UInt64(shared.jobsCreated))
            var job = BulkQueryJob(
                id: id, operation: operation, object: object, columns: columns, names: names, month: monthNumber,
                recordCount: records, apiVersion: version, created: Date(), state: .uploadComplete, failure: failure)
            if jobPollsUntilCompleteIsZero { job.advance(pollsUntilComplete: 0) }
            shared.jobs[id] = job
            return job
        }
    }

    private var jobPollsUntilCompleteIsZero: Bool { state.jobPollsUntilComplete == 0 }

    /// `GET` (poll), `PATCH` (abort) and `DELETE` of `…/jobs/query/{id}`.
    func queryJob(_ request: VendorRequest, version: String, id: String) throws -> VendorReply {
        try require(request, "GET", "PATCH", "DELETE")
        let notFound = VendorReply.salesforceError(404, "NOT_FOUND", "The requested resource does not exist")
        switch request.method {
        case .delete:
            let removed = state.mutable.withLock { $0.jobs.removeValue(forKey: id) }
            return removed == nil ? notFound : VendorReply(status: 204)
        case .patch:
            let wantsAbort =
                (try? JSONDecoder().decode([String: String].self, from: request.body))?["state"] == "Aborted"
            guard wantsAbort else { return .salesforceError(400, "INVALIDJOB", "InvalidJob : Invalid state change.") }
            let job = state.mutable.withLock { shared -> BulkQueryJob? in
                guard var job = shared.jobs[id] else { return nil }
                if job.state == .uploadComplete || job.state == .inProgress { job.state = .aborted }
                shared.jobs[id] = job
                return job
            }
            guard let job else { return notFound }
            return .json(
                job.info(createdBy: state.org.integrationUserID, reportedRecords: job.recordCount, includeCounts: true))
        default:
            let polls = state.jobPollsUntilComplete
            let job = state.mutable.withLock { shared -> BulkQueryJob? in
                shared.jobs[id]?.advance(pollsUntilComplete: polls)
                return shared.jobs[id]
            }
            guard let job else { return notFound }
            let reported = job.recordCount + countLie(.jobInfo, object: job.object)
            return .json(
                job.info(createdBy: state.org.integrationUserID, reportedRecords: reported, includeCounts: true))
        }
    }

    /// `GET …/jobs/query/{id}/results?locator=&maxRecords=`: one page of CSV with `Sforce-Locator` (the literal
    /// `null` on the last page) and `Sforce-NumberOfRecords`.
    func queryResults(_ request: VendorRequest, version: String, id: String) throws -> VendorReply {
        try require(request, "GET")
        guard let job = state.mutable.withLock({ $0.jobs[id] }) else {
            return .salesforceError(404, "NOT_FOUND", "The requested resource does not exist")
        }
        guard job.apiVersion == version else {
            return .salesforceError(
                409, "INVALIDJOB",
                "The job was created with API version \(job.apiVersion); get its results with that version, "
                    + "not \(version)."
            )
        }
        guard job.state == .jobComplete else {
            return .salesforceError(
                400, "INVALIDJOB", "InvalidJob : Job \(id) is in state \(job.state.rawValue), not JobComplete.")
        }
        var pageSize = state.defaultResultsPageRecords
        if let text = request.query["maxRecords"] {
            guard let value = Int(text), value > 0 else {
                return .salesforceError(400, "API_ERROR", "maxRecords must be a positive integer, not '\(text)'.")
            }
            pageSize = value
        }
        var offset = 0
        if let locator = request.query["locator"], !locator.isEmpty {
            guard let decoded = Self.decodeLocator(locator), decoded <= job.recordCount else {
                return .salesforceError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
            }
            offset = decoded
        }
        let end = min(job.recordCount, offset + min(pageSize, job.recordCount - offset))
        guard let table = try state.org.month(job.month).tables[job.object] else {
            throw SimulatorSetupError("no table for \(job.object)")
        }
        let body = table.render(columns: job.columns, names: job.names, rows: offset..<end)
        let count = end - offset + countLie(.pageHeader, object: job.object)
        return VendorReply(
            status: 200,
            headers: [
                ("Content-Type", "text/csv"),
                ("Sforce-Locator", end < job.recordCount ? Self.encodeLocator(end) : "null"),
                ("Sforce-NumberOfRecords", String(count)),
            ],
            body: Data(body), isCompressible: true)
    }

    /// The delta of the record-count fault at `place` for `object`, or 0.
    func countLie(_ place: VendorSimulator.Faults.RecordCountLie.Place, object: String) -> Int {
        state.faults.recordCountLies.filter { lie in
            lie.place == place && (lie.object == nil || lie.object!.caseInsensitiveCompare(object) == .orderedSame)
        }.reduce(0) { $0 + $1.delta }
    }

    /// A locator as Salesforce's look: the base64 of the next record's offset, without padding (`MTAwMDA`).
    static func encodeLocator(_ offset: Int) -> String {
        Data(String(offset).utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
    }

    static func decodeLocator(_ locator: String) -> Int? {
        var padded = locator
        while padded.count % 4 != 0 { padded += "=" }
        guard let data = Data(base64Encoded: padded), let text = String(data: data, encoding: .utf8) else { return nil }
        return Int(text).flatMap { $0 >= 0 ? $0 : nil }
    }
}
