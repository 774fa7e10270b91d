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
    let session: SalesforceSession

    static let listingPath = "ui/setup/export/DataExportPage/d"

    init(context: PullContext, secret: VendorSecret) throws {
        self.context = context
        session = try SalesforceSession(context: context, secret: secret)
    }

    func shutdown() async { await session.shutdown() }

    func pull(into export: URL, downloads: URL) async throws -> ExportManifest {
        let started = Date()
        var listing = VendorRequest(
            .GET, session.http.instance.appendingPathComponent(Self.listingPath), headers: [("Accept", "text/html")])
        listing.authorization = .sessionCookie
        let page = try await session.http.send(listing, tokens: session.tokens) { _, body in
            try await VendorHTTPClient.collect(body, limit: 16 << 20)
        }
        let links = try Self.exportLinks(in: String(decoding: page, as: UTF8.self), instance: session.http.instance)
        guard !links.isEmpty else {
            throw VaultError(
                .vendorFailed, "Salesforce's Data Export page lists no export ready for download.",
                remedy:
                    "Schedule the export in Setup > Data Export, and run the pull once Salesforce's email says it is ready."
            )
        }
        context.progress("\(links.count) Data Export files ready")
        var unpacker = ArchiveUnpacker(export: export, fileLimit: context.options.maximumFileBytes)
        var archives: [ExportArchive] = []
        for link in links {
            try Task.checkCancellation()
            let zip = downloads.appendingPathComponent(link.name)
            try await ResumableDownload(
                http: session.http, tokens: session.tokens, url: link.url, file: zip,
                limit: context.options.maximumFileBytes, logger: context.logger
            ).run()
            archives.append(try unpacker.unpack(zip, name: link.name))
            context.progress("\(link.name): downloaded and unpacked")
        }
        var objects: [ExportObject] = []
        let files = try FileManager.default.contentsOfDirectory(atPath: export.path).filter {
            ExportPath.isObjectFile($0)
        }
        for file in files.sorted() {
            let name = String(file.dropLast(4))
            guard APIName.isValid(name) else { continue }
            objects.append(try await describeObject(name, file: file, in: export))
        }
        guard !objects.isEmpty else {
            throw VaultError(.vendorFailed, "The Data Export files hold no object CSV files.")
        }
        var manifest = await session.manifest(vendor: .salesforceExport, started: started, objects: objects)
        manifest.archives = archives
        return manifest
    }

    /// Counts the object's CSV and types its columns from the object's describe, which is kept beside it.
    private func describeObject(_ name: String, file: String, in export: URL) async throws -> ExportObject {
        let (header, records) = try ExportCheck.count(export.appendingPathComponent(file))
        let (describe, metadataPath) = try await session.describe(name, into: export)
        let described = Dictionary(describe.fields.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var object = ExportObject(name: name, file: file)
        object.metadata = metadataPath
        object.recordsWritten = records
        object.fields = header.map { column in
            described[column].map(SalesforceDescribe.exportField) ?? ExportField(name: column, type: .string)
        }
        object.primaryKey = describe.fields.first { $0.type == "id" && header.contains($0.name) }?.name
        object.checks = [
            "unpacked from the Data Export zips with every member's CRC-32 checked; \(records) records counted"
        ]
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
                let name = URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems?.first(where: {
                    $0.name == "fileName"
                })?.value
            else {
                throw VaultError(
                    .vendorFailed, "The Data Export page links to a file outside \(instance.host ?? "the instance").")
            }
            guard name.wholeMatch(of: /[A-Za-z0-9][A-Za-z0-9._-]{0,200}/) != nil else {
                throw VaultError(.vendorFailed, "The Data Export page offers a file with an unusable name.")
            }
            if !links.contains(where: { $0.name == name }) { links.append(ExportLink(name: name, url: url)) }
        }
        return links
    }
}
