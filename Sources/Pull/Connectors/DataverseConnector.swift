import Definitions
import ExportLayout
import Foundation
import Logging
import VaultCore

/// `vendor = "dataverse"`: a full export of the listed tables through the Dataverse Web API (OData v4), as Microsoft
/// documents it.
///
/// A client-credentials token from the Microsoft identity platform (scope `<instance_url>/.default`); `WhoAmI` for the
/// organization id; per entity set, its `EntityDefinitions` entry with its attributes (kept as
/// `metadata/<logical name>.describe.json`), then its records page by page with `Prefer: odata.maxpagesize=N,
/// odata.include-annotations="*"`, following `@odata.nextLink` until there is none. Records are written as CSV in
/// Salesforce's quoting (docs/EXPORTS.md), one column per readable attribute (`_x_value` for lookups, plus the
/// lookup's table annotation). `@odata.count` is checked against the records when it is exact (Dataverse caps it
/// at 5,000). 429 answers are retried after their `Retry-After`.
struct DataverseConnector: VendorConnector {
    let context: PullContext
    let http: VendorHTTPClient
    let tokens: OAuthTokens
    let apiVersion: String

    static let defaultAPIVersion = "v9.2"
    static let defaultPageSize = 5000
    /// Dataverse reports at most this in `@odata.count`; a count this large says only "at least".
    static let countCap = 5000

    init(context: PullContext, secret: VendorSecret) throws {
        self.context = context
        let source = context.source
        guard let endpoint = source.tokenEndpoint, let clientID = source.clientID, let instance = source.instanceURL
        else {
            throw VaultError(
                .usage, "The schedule \(context.schedule.name) lacks instance_url, client_id or tenant_id.")
        }
        http = try VendorHTTPClient(
            source: source, policy: context.options.retryPolicy(retries: source.retries), redactor: context.redactor,
            logger: context.logger)
        let scope =
            source.scope ?? instance.absoluteString.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            + "/.default"
        tokens = OAuthTokens(
            endpoint: endpoint, clientID: clientID, secret: secret, scope: scope, redactor: context.redactor)
        apiVersion = source.apiVersion ?? Self.defaultAPIVersion
    }

    func shutdown() async { await http.shutdown() }

    private var base: URL { http.instance.appendingPathComponent("api/data/\(apiVersion)") }

    private var odataHeaders: [(String, String)] {
        [("Accept", "application/json"), ("OData-MaxVersion", "4.0"), ("OData-Version", "4.0")]
    }

    func pull(into export: URL, downloads: URL) async throws -> ExportManifest {
        let started = Date()
        let whoAmI = try await http.send(
            VendorRequest(.GET, base.appendingPathComponent("WhoAmI"), headers: odataHeaders),
            tokens: tokens
        ) { _, body in
            try await VendorHTTPClient.decode(DataverseWhoAmI.self, from: body, limit: 1 << 20, what: "WhoAmI")
        }
        var objects: [ExportObject] = []
        for entitySet in context.source.objects {
            try Task.checkCancellation()
            objects.append(try await pullEntitySet(entitySet, into: export))
        }
        var manifest = ExportWriting.manifest(
            vendor: .dataverse, context: context, started: started, objects: objects,
            instance: http.instance, apiVersion: apiVersion)
        manifest.organization = whoAmI.OrganizationId.flatMap { UUID(uuidString: $0)?.uuidString.lowercased() }
        return manifest
    }

    private func url(_ path: String, query: [(String, String)]) -> URL {
        var components = URLComponents(url: base.appendingPathComponent(path), resolvingAgainstBaseURL: false)!
        components.percentEncodedQuery = query.map { name, value in
            let allowed = CharacterSet.urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+'"))
            return "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
        }.joined(separator: "&")
        return components.url!
    }

    private func pullEntitySet(_ entitySet: String, into export: URL) async throws -> ExportObject {
        let clock = ContinuousClock.now
        let metadataURL = url(
            "EntityDefinitions", query: [("$filter", "EntitySetName eq '\(entitySet)'"), ("$expand", "Attributes")])
        let metadataBytes = try await http.send(VendorRequest(.GET, metadataURL, headers: odataHeaders), tokens: tokens)
        { _, body in
            try await VendorHTTPClient.collect(body, limit: context.options.maximumDocumentBytes)
        }
        let definitions: ODataCollection<DataverseEntityDefinition>
        do {
            definitions = try JSONDecoder().decode(
                ODataCollection<DataverseEntityDefinition>.self, from: Data(metadataBytes))
        } catch {
            throw VaultError(
                .vendorFailed, "The metadata of the entity set \(entitySet) is not the JSON Dataverse documents.",
                cause: error)
        }
        guard let definition = definitions.value.first, definitions.value.count == 1 else {
            throw VaultError(
                .vendorFailed, "Dataverse has no table whose entity set is \(entitySet).",
                remedy:
                    "Check `objects` in the schedule: it lists entity set names (accounts, contacts), not table names.")
        }
        let name = definition.LogicalName
        guard SourceDefinition.isObjectName(name) else {
            throw VaultError(
                .vendorFailed, "The table behind \(entitySet) has a logical name that is not a plain API name.")
        }
        let metadataPath = "\(ExportManifest.metadataFolder)/\(name).describe.json"
        _ = try ExportWriting.metadataFolder(in: export)
        try ExportWriting.write(
            metadataBytes, to: export.appendingPathComponent(metadataPath), limit: context.options.maximumDocumentBytes)
        let fields = definition.columns
        guard !fields.isEmpty else {
            throw VaultError(.vendorFailed, "The metadata of \(name) lists no readable attribute.")
        }
        let columns = fields.map(\.name)
        let known = Set(columns)
        // Properties the metadata lists that are no column: a column's companions (`AttributeOf`: an entity image's
        // `entityimage_url`, a file column's `…_name`), which the Web API returns beside the records' values. They
        // derive from a kept column, so they are left out (and named); a property the metadata lacks is an error.
        let companions = Set((definition.Attributes ?? []).map(\.LogicalName)).subtracting(known)
        var leftOut = Set<String>()

        let file = try StagedFile(
            creating: export.appendingPathComponent("\(name).csv"), limit: context.options.maximumFileBytes)
        try file.append(SalesforceStyleCSV.row(columns))
        let pageSize = min(context.source.pageSize ?? Self.defaultPageSize, Self.defaultPageSize)
        let prefer = "odata.maxpagesize=\(pageSize),odata.include-annotations=\"*\""
        var next: URL? = url(entitySet, query: [("$count", "true")])
        var records = 0
        var pages = 0
        var reported: Int?
        var seen = Set<String>()
        while let pageURL = next {
            try Task.checkCancellation()
            let page = try await http.send(
                VendorRequest(.GET, pageURL, headers: odataHeaders + [("Prefer", prefer)]), tokens: tokens
            ) {
                _, body in
                let bytes = try await VendorHTTPClient.collect(body, limit: context.options.maximumDocumentBytes)
                do { return try ODataPageReader.read(bytes) } catch {
                    throw RetryableFailure("a page of \(entitySet) is not the JSON Dataverse documents (\(error))")
                }
            }
            if pages == 0 { reported = page.count }
            for record in page.records {
                leftOut.formUnion(record.keys.filter(companions.contains))
                if let unknown = record.keys.first(where: {
                    !$0.contains("@") && !known.contains($0) && !companions.contains($0)
                }) {
                    throw VaultError(
                        .vendorFailed,
                        "A \(name) record has the column \(TerminalText.escaped(unknown)), which the table's metadata does not list; "
                            + "a renamed or added column.",
                        remedy: "Run the pull again; if it persists, the table's schema changed during the pull.")
                }
                try file.append(SalesforceStyleCSV.row(columns.map { record[$0]?.csvText }))
            }
            records += page.records.count
            pages += 1
            next = try page.nextLink.map { link in
                guard let url = URL(string: link), seen.insert(link).inserted else {
                    throw VaultError(
                        .vendorFailed, "Dataverse returned an unusable or repeating @odata.nextLink for \(entitySet).")
                }
                return url
            }
        }
        try file.finish()
        var checks = [
            "every readable attribute of the table's metadata is a column; no record has a property the metadata lacks",
            "followed @odata.nextLink through \(pages) pages until there was none",
        ]
        if !leftOut.isEmpty {
            checks.append(
                "left out the companion properties \(leftOut.sorted().joined(separator: ", ")), which the metadata "
                    + "lists as derived from another attribute (AttributeOf)")
        }
        var object = ExportObject(name: name)
        if let reported, reported < Self.countCap {
            guard reported == records else {
                throw VaultError(
                    .vendorFailed,
                    "Dataverse sent \(records) \(name) records, but its @odata.count says \(reported).",
                    remedy: "Nothing was written to the vault. Run the pull again; records may have changed during it.")
            }
            object.records = reported
            checks.append("\(records) records, equal to @odata.count")
        } else {
            checks.append(
                "@odata.count is capped at \(Self.countCap) by Dataverse, so the total could not be checked against it")
        }
        context.progress("\(name): \(ExportWriting.count(records)) records in \(pages) pages")
        object.metadata = metadataPath
        object.recordsWritten = records
        object.primaryKey = definition.PrimaryIdAttribute.flatMap { known.contains($0) ? $0 : nil }
        object.fields = fields
        object.checks = checks
        object.seconds = ExportWriting.seconds(since: clock)
        return object
    }
}
