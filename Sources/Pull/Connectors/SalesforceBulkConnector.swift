import AsyncHTTPClient
import Definitions
import ExportLayout
import Foundation
import Logging
import NIOHTTP1
import VaultCore

/// `vendor = "salesforce"`: a full export through Bulk API 2.0 query jobs, as Salesforce documents them.
///
/// For each object (from the schedule, or every `queryable` one of `GET …/sobjects`): `GET …/sobjects/NAME/describe`
/// (kept as `metadata/NAME.describe.json`), one query job `SELECT <every non-compound field> FROM NAME`, polled with
/// backoff until `JobComplete`, then its results paged with `maxRecords` and the `Sforce-Locator` header until the
/// literal `null`. Each page's records must equal its `Sforce-NumberOfRecords`, the object's total the job's
/// `numberRecordsProcessed`. A failed or aborted job, and `REQUEST_LIMIT_EXCEEDED`, end the pull.
struct SalesforceBulkConnector: VendorConnector {
    let context: PullContext
    let session: SalesforceSession

    init(context: PullContext, secret: VendorSecret) throws {
        self.context = context
        session = try SalesforceSession(context: context, secret: secret)
    }

    func shutdown() async { await session.shutdown() }

    private var http: VendorHTTPClient { session.http }
    private var tokens: OAuthTokens { session.tokens }
    private var base: URL { session.base }

    func pull(into export: URL, downloads: URL) async throws -> ExportManifest {
        let started = Date()
        let names = try await objectNames()
        // Every object's job is created first, so Salesforce runs them side by side while earlier results download.
        var queued: [QueuedObject] = []
        var objects: [ExportObject] = []
        var skipped: [SkippedObject] = []
        do {
            for name in names {
                try Task.checkCancellation()
                do {
                    queued.append(try await queue(name, into: export))
                } catch let refused as ObjectNotExportable where context.source.wantsAllObjects {
                    skipped.append(SkippedObject(name: name, reason: refused.reason))
                    context.logger.warning(
                        "skipping \(name): Salesforce refuses to export it (\(refused.reason))")
                }
            }
            guard !queued.isEmpty else {
                throw VaultError(
                    .vendorFailed,
                    "Salesforce refused a query job for every one of the \(names.count) objects; the first: "
                        + (skipped.first.map { "\($0.name): \($0.reason)" } ?? "none") + ".",
                    remedy: "Check the integration user's permissions, or list the objects in the schedule's `objects`.")
            }
            for object in queued {
                try Task.checkCancellation()
                objects.append(try await finish(object, into: export))
            }
        } catch {
            // The jobs not read yet would go on running in the org and count against its Bulk API limits (unless
            // the org's API allowance is what ended the pull: then every request is refused, aborts too).
            if !SalesforceSession.isAllowanceUsedUp(error) { await abort(queued.dropFirst(objects.count).map(\.job)) }
            throw error
        }
        var manifest = await session.manifest(vendor: .salesforce, started: started, objects: objects)
        manifest.skipped = skipped.isEmpty ? nil : skipped
        return manifest
    }

    /// After a failure, best effort: asks Salesforce to abort the query jobs this pull created and did not read
    /// (`PATCH …/jobs/query/ID` with `{"state":"Aborted"}`), so that they stop using the org's limits. A job that had
    /// already completed cannot be aborted and is left to expire; a refusal is logged, never raised over the failure
    /// that ended the pull.
    private func abort(_ jobs: [BulkQueryJob]) async {
        let jobsURL = base.appendingPathComponent("jobs/query")
        let body = Array(#"{"state":"Aborted"}"#.utf8)
        for job in jobs where !["JobComplete", "Failed", "Aborted"].contains(job.state) {
            do {
                try await http.send(
                    VendorRequest(
                        .PATCH, jobsURL.appendingPathComponent(job.id),
                        headers: [("Content-Type", "application/json"), ("Accept", "application/json")], body: body),
                    tokens: tokens
                ) { _, body in
                    _ = try await VendorHTTPClient.decode(
                        BulkQueryJob.self, from: body, limit: 1 << 20, what: "The aborted job's state")
                }
                context.logger.info("query job \(job.id) aborted")
            } catch {
                context.logger.info(
                    "query job \(job.id) could not be aborted (\(TerminalText.escaped(String(describing: error)))); it expires on its own")
            }
        }
    }

    private func objectNames() async throws -> [String] {
        guard context.source.wantsAllObjects else { return context.source.objects }
        let list = try await http.send(
            VendorRequest(.GET, base.appendingPathComponent("sobjects"), headers: [("Accept", "application/json")]),
            tokens: tokens
        ) { _, body in
            try await VendorHTTPClient.decode(
                SalesforceObjectList.self, from: body, limit: context.options.maximumDocumentBytes,
                what: "The sobjects list")
        }
        let names = list.sobjects.filter { $0.queryable == true }.map(\.name)
        let refused = names.filter { !SourceDefinition.isObjectName($0) }
        if !refused.isEmpty {
            context.logger.warning("skipping \(refused.count) objects whose names are not plain API names")
        }
        let usable = names.filter(SourceDefinition.isObjectName)
        guard !usable.isEmpty else {
            throw VaultError(
                .vendorFailed, "Salesforce listed no queryable objects for this integration user.",
                remedy: "Check the user's permissions, or list the objects in the schedule's `objects`.")
        }
        context.progress("\(usable.count) queryable objects")
        return usable
    }

    /// An object whose describe is kept and whose query job is created.
    struct QueuedObject {
        var name: String
        var fields: [SalesforceDescribe.Field]
        var metadataPath: String
        var job: BulkQueryJob
        var created: ContinuousClock.Instant
        var seconds: Double
    }

    /// Fetches and keeps the object's describe and creates its query job.
    private func queue(_ name: String, into export: URL) async throws -> QueuedObject {
        let clock = ContinuousClock.now
        let (describe, metadataPath) = try await session.describe(name, into: export)
        let fields = describe.selectableFields
        guard !fields.isEmpty else {
            throw VaultError(.vendorFailed, "The describe of \(name) lists no field a Bulk API query can select.")
        }

        let job: BulkQueryJob
        do {
            job = try await createJob(object: name, fields: fields.map(\.name))
        } catch let refused as ObjectNotExportable {
            // The object's describe is not kept when the object itself is not in the export.
            try? FileManager.default.removeItem(at: export.appendingPathComponent(metadataPath))
            throw refused
        }
        return QueuedObject(
            name: name, fields: fields, metadataPath: metadataPath, job: job, created: ContinuousClock.now,
            seconds: ExportWriting.seconds(since: clock))
    }

    /// Waits for the object's job, reads its results into `<Object>.csv` and checks them.
    private func finish(_ queued: QueuedObject, into export: URL) async throws -> ExportObject {
        let clock = ContinuousClock.now
        let (name, fields, metadataPath) = (queued.name, queued.fields, queued.metadataPath)
        let job = try await waitForJob(queued.job, createdAt: queued.created, object: name)
        guard let reported = job.numberRecordsProcessed else {
            throw VaultError(.vendorFailed, "The Bulk API job for \(name) completed without numberRecordsProcessed.")
        }
        let file = try StagedFile(
            creating: export.appendingPathComponent("\(name).csv"), limit: context.options.maximumFileBytes)
        let joiner = CSVPageJoiner(file: file)
        try await fetchResults(of: job, object: name, into: joiner)
        if joiner.header == nil && joiner.records == 0 {
            // No records and no header row from the vendor: the header alone, so the file still names its columns.
            try file.append(SalesforceStyleCSV.row(fields.map(\.name)))
        }
        try file.finish()

        guard joiner.header == nil || joiner.columns == fields.map(\.name) else {
            let unexpected = joiner.columns.filter { !fields.map(\.name).contains($0) }.prefix(5).joined(
                separator: ", ")
            throw VaultError(
                .vendorFailed,
                "The \(name) results have the columns \(TerminalText.escaped(unexpected.isEmpty ? "in another order" : unexpected)) "
                    + "where the query selected \(fields.count) fields from the describe; a renamed or missing column.",
                remedy: "Run the pull again; if it persists, the object's schema changed during the pull.")
        }
        guard joiner.records == reported else {
            throw VaultError(
                .vendorFailed,
                "The \(name) results hold \(joiner.records) records, but the Bulk API job reported \(reported) processed.",
                remedy:
                    "Nothing was written to the vault. Run the pull again; if it persists, contact Salesforce support with job \(TerminalText.escaped(job.id))."
            )
        }
        context.progress("\(name): \(ExportWriting.count(reported)) records in \(joiner.pages) pages")
        var object = ExportObject(name: name)
        object.metadata = metadataPath
        object.records = reported
        object.recordsWritten = joiner.records
        object.primaryKey = fields.first { $0.type == "id" }?.name
        object.fields = fields.map(SalesforceDescribe.exportField)
        object.checks = [
            "header row equals the \(fields.count) fields selected from the describe",
            "each of \(joiner.pages) result pages holds as many records as its Sforce-NumberOfRecords",
            "\(joiner.records) records in all, equal to the job's numberRecordsProcessed",
        ]
        object.seconds = queued.seconds + ExportWriting.seconds(since: clock)
        return object
    }

    /// Creates the query job selecting `fields`.
    private func createJob(object: String, fields: [String]) async throws -> BulkQueryJob {
        let query = "SELECT \(fields.joined(separator: ", ")) FROM \(object)"
        let spec: [String: String] = ["operation": context.source.queryAll ? "queryAll" : "query", "query": query]
        let body = Array(try JSONSerialization.data(withJSONObject: spec, options: [.sortedKeys]))
        let jobsURL = base.appendingPathComponent("jobs/query")
        var request = VendorRequest(
            .POST, jobsURL, headers: [("Content-Type", "application/json"), ("Accept", "application/json")], body: body)
        // Asked for by name, an object Salesforce refuses fails the pull (the generic refusal); asked for as one of
        // every object, it is left out and named.
        if context.source.wantsAllObjects { request.refusal = ObjectNotExportable.refusal(of: object, redactor: context.redactor) }
        let job = try await http.send(request, tokens: tokens) { _, body in
            try await VendorHTTPClient.decode(BulkQueryJob.self, from: body, limit: 1 << 20, what: "The new query job")
        }
        guard APIName.isValid(job.id) else {
            throw VaultError(.vendorFailed, "Salesforce answered the query job for \(object) with an unusable job id.")
        }
        context.logger.info("query job \(job.id) for \(object) created")
        return job
    }

    /// Polls a job until it completes, at growing intervals counted from the last look (its creation first, so a
    /// job created while earlier results downloaded is looked at at once); a failed or aborted job ends the pull.
    private func waitForJob(
        _ created: BulkQueryJob, createdAt: ContinuousClock.Instant, object: String
    ) async throws
        -> BulkQueryJob
    {
        var job = created
        let jobsURL = base.appendingPathComponent("jobs/query")
        let deadline = ContinuousClock.now + context.options.jobTimeout
        var wait = context.options.pollInterval
        var lastLook = createdAt
        // The job info from creation does not carry numberRecordsProcessed, even when it already says JobComplete.
        var polled = false
        while !["JobComplete", "Failed", "Aborted"].contains(job.state) || (job.state == "JobComplete" && !polled) {
            guard ContinuousClock.now < deadline else {
                throw VaultError(
                    .vendorFailed,
                    "The Bulk API job for \(object) did not complete within \(context.options.jobTimeout).",
                    remedy: "Run the pull again later; Salesforce may be busy.")
            }
            if job.state != "JobComplete" && lastLook + wait > ContinuousClock.now {
                try await Task.sleep(until: lastLook + wait)
            }
            wait = min(wait * 2, context.options.maximumPollInterval)
            polled = true
            lastLook = ContinuousClock.now
            job = try await http.send(
                VendorRequest(.GET, jobsURL.appendingPathComponent(job.id), headers: [("Accept", "application/json")]),
                tokens: tokens
            ) { _, body in
                try await VendorHTTPClient.decode(
                    BulkQueryJob.self, from: body, limit: 1 << 20, what: "The query job's state")
            }
        }
        guard job.state == "JobComplete" else {
            let said = VendorMessage(code: nil, text: job.errorMessage ?? "no message").summary(
                redactor: context.redactor)
            throw VaultError(
                .vendorFailed,
                "The Bulk API query job for \(object) ended \(job.state == "Failed" ? "in failure" : "aborted"): \(said).",
                remedy: "Nothing was written to the vault. Check the message; run the pull again once it is resolved.")
        }
        return job
    }

    /// Reads every result page, following `Sforce-Locator` until it is `null`.
    private func fetchResults(of job: BulkQueryJob, object: String, into joiner: CSVPageJoiner) async throws {
        let resultsURL = base.appendingPathComponent("jobs/query").appendingPathComponent(job.id)
            .appendingPathComponent("results")
        var locator: String?
        var seenLocators = Set<String>()
        repeat {
            try Task.checkCancellation()
            var components = URLComponents(url: resultsURL, resolvingAgainstBaseURL: false)!
            var items: [URLQueryItem] = []
            if let locator { items.append(URLQueryItem(name: "locator", value: locator)) }
            if let pageSize = context.source.pageSize {
                items.append(URLQueryItem(name: "maxRecords", value: String(pageSize)))
            }
            components.queryItems = items.isEmpty ? nil : items
            var request = VendorRequest(.GET, components.url!, headers: [("Accept", "text/csv")])
            request.expectedType = "text/csv"
            let next: String? = try await http.send(request, tokens: tokens) { head, body in
                let expected = head.header("Sforce-NumberOfRecords").flatMap {
                    Int($0.trimmingCharacters(in: .whitespaces))
                }
                let nextLocator = head.header("Sforce-Locator")?.trimmingCharacters(in: .whitespaces)
                guard let expected else {
                    throw VaultError(
                        .vendorFailed, "A result page of \(object) came without the Sforce-NumberOfRecords header.")
                }
                _ = try await joiner.append(page: body, object: object, expected: expected)
                return nextLocator
            }
            guard let next, !next.isEmpty, next != "null" else { break }
            guard next.utf8.count <= 1024, seenLocators.insert(next).inserted else {
                throw VaultError(
                    .vendorFailed, "Salesforce returned a result locator for \(object) that repeats or is malformed.")
            }
            locator = next
        } while true
    }
}
