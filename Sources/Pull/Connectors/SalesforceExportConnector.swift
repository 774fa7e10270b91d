import Definitions
import ExportLayout
import Foundation
import VaultCore

/// `vendor = "salesforce-export"`: ingests the zips of Salesforce's own weekly or monthly Data Export service.
///
/// Salesforce publishes no API for this service. Like the tools admins use for it, the connector reads the Data
/// Export page of Setup (`GET /ui/setup/export/DataExportPage/d`, with the OAuth access token as the `sid` session
/// cookie) for its `servlet.OrgExport?fileName=…` links, downloads each zip resumably (`ResumableDownload`), and
/// unpacks them safely into one export (`ArchiveUnpacker`); each zip's name, SHA-256 and size go into the export
/// manifest's `archives`. Each object's describe is fetched over REST (`metadata/<Object>.describe.json`) to type the
/// CSV's columns. Data Export reports no record counts, so `records` stays empty and every CSV is counted.
struct SalesforceExportConnector: VendorConnector {
    let context: PullContext
    let http: VendorHTTPClient
    let tokens: OAuthTokens
    let apiVersion: String

    static let listingPath = "ui/setup/export/DataExportPage/d"

    init(context: PullContext, secret: VendorSecret) throws {
        self.context = context
        let source = context.source
        guard let endpoint = source.tokenEndpoint, let clientID = source.clientID else {
            throw VaultError(.usage, "The schedule \(context.schedule.name) lacks instance_url or client_id.")
        }
        http = try VendorHTTPClient(
            source: source, policy: context.options.retryPolicy(retries: source.retries), redactor: context.redactor,
            logger: context.logger, fatal: SalesforceBulkConnector.fatal)
        tokens = OAuthTokens(endpoint: endpoint, clientID: clientID, secret: secret, scope: nil, redactor: context.redactor)
        apiVersion = source.apiVersion ?? SalesforceBulkConnector.defaultAPIVersion
    }

    func shutdown() async { await http.shutdown() }

    func pull(into export: URL, downloads: URL) async throws -> ExportManifest {
        let started = Date()
        var listing = VendorRequest(.GET, http.instance.appendingPathComponent(Self.listingPath), headers: [("Accept", "text/html")])
        listing.authorization = .sessionCookie
        let page = try await http.send(listing, tokens: tokens) { _, body in
            try await VendorHTTPClient.collect(body, limit: 16 << 20)
        }
        let links = try Self.exportLinks(in: String(decoding: page, as: UTF8.self), instance: http.instance)
        guard !links.isEmpty else {
            throw VaultError(.vendorFailed, "Salesforce's Data Export page lists no export ready for download.",
                remedy: "Schedule the export in Setup > Data Export, and run the pull once Salesforce's email says it is ready.")
        }
        context.progress("\(links.count) Data Export files ready")
        var unpacker = ArchiveUnpacker(export: export, fileLimit: context.options.maximumFileBytes)
        var archives: [ExportArchive] = []
        for link in links {
            try Task.checkCancellation()
            let zip = downloads.appendingPathComponent(link.name)
            try await ResumableDownload(http: http, tokens: tokens, url: link.url, file: zip,
                limit: context.options.maximumFileBytes, logger: context.logger).run()
            archives.append(try unpacker.unpack(zip, name: link.name))
            context.progress("\(link.name): downloaded and unpacked")
        }
        var objects: [ExportObject] = []
        let files = try FileManager.default.contentsOfDirectory(atPath: export.path).filter { ExportPath.isObjectFile($0) }
        for file in files.sorted() {
            let name = String(file.dropLast(4))
            guard APIName.isValid(name) else { continue }
            objects.append(try await describeObject(name, file: file, in: export))
        }
        guard !objects.isEmpty else {
            throw VaultError(.vendorFailed, "The Data Export files hold no object CSV files.")
        }
        var manifest = ExportManifest(
            vendor: SourceDefinition.Vendor.salesforceExport.rawValue, source: context.schedule.name,
            started: ExportWriting.timestamp(started), finished: ExportWriting.timestamp(Date()), objects: objects)
        manifest.instance = http.instance.absoluteString
        manifest.apiVersion = apiVersion
        manifest.archives = archives
        manifest.organization = await SalesforceBulkConnector.organization(from: tokens.lastResponse?.id)
        return manifest
    }

    /// Counts the object's CSV and types its columns from the object's describe, which is kept beside it.
    private func describeObject(_ name: String, file: String, in export: URL) async throws -> ExportObject {
        let (header, records) = try ExportCheck.count(export.appendingPathComponent(file))
        let describeURL = http.instance.appendingPathComponent("services/data/v\(apiVersion)/sobjects/\(name)/describe")
        let bytes = try await http.send(VendorRequest(.GET, describeURL, headers: [("Accept", "application/json")]), tokens: tokens) {
            _, body in
            try await VendorHTTPClient.collect(body, limit: context.options.maximumDocumentBytes)
        }
        let describe: SalesforceDescribe
        do { describe = try JSONDecoder().decode(SalesforceDescribe.self, from: Data(bytes)) } catch {
            throw VaultError(.vendorFailed, "The describe of \(name) is not the JSON Salesforce documents.", cause: error)
        }
        let metadataPath = "\(ExportManifest.metadataFolder)/\(name).describe.json"
        _ = try ExportWriting.metadataFolder(in: export)
        try ExportWriting.write(bytes, to: export.appendingPathComponent(metadataPath), limit: context.options.maximumDocumentBytes)
        let described = Dictionary(describe.fields.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var object = ExportObject(name: name, file: file)
        object.metadata = metadataPath
        object.recordsWritten = records
        object.fields = header.map { column in
            described[column].map(SalesforceDescribe.exportField) ?? ExportField(name: column, type: .string)
        }
        object.primaryKey = describe.fields.first { $0.type == "id" && header.contains($0.name) }?.name
        object.checks = ["unpacked from the Data Export zips with every member's CRC-32 checked; \(records) records counted"]
        return object
    }

    struct ExportLink: Equatable {
        var name: String
        var url: URL
    }

    /// The `servlet.OrgExport?fileName=…` links of the Data Export page, in page order, each once. File names must be
    /// plain (`WE_00D…_1.ZIP`); links must stay on the instance.
    static func exportLinks(in html: String, instance: URL) throws -> [ExportLink] {
        var links: [ExportLink] = []
        for match in html.matches(of: /href\s*=\s*["']([^"']*servlet\.OrgExport\?[^"']*)["']/) {
            let raw = String(match.output.1).replacingOccurrences(of: "&amp;", with: "&")
            guard let url = URL(string: raw, relativeTo: instance)?.absoluteURL,
                url.host?.lowercased() == instance.host?.lowercased(),
                let name = URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems?.first(where: { $0.name == "fileName" })?.value
            else {
                throw VaultError(.vendorFailed, "The Data Export page links to a file outside \(instance.host ?? "the instance").")
            }
            guard name.wholeMatch(of: /[A-Za-z0-9][A-Za-z0-9._-]{0,200}/) != nil else {
                throw VaultError(.vendorFailed, "The Data Export page offers a file with an unusable name.")
            }
            if !links.contains(where: { $0.name == name }) { links.append(ExportLink(name: name, url: url)) }
        }
        return links
    }
}
