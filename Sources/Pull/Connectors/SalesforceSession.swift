import Definitions
import ExportLayout
import Foundation
import VaultCore

/// What both Salesforce connectors share: the HTTP client (with `REQUEST_LIMIT_EXCEEDED` as a fatal answer), the
/// client-credentials tokens from `<instance_url>/services/oauth2/token`, the REST base `…/services/data/vNN.N`,
/// and the describe of an object, kept in the export as `metadata/<Object>.describe.json`.
struct SalesforceSession: Sendable {
    let context: PullContext
    let http: VendorHTTPClient
    let tokens: OAuthTokens
    let apiVersion: String
    let usage: SalesforceAPIUsage

    static let defaultAPIVersion = "61.0"

    init(context: PullContext, secret: VendorSecret) throws {
        self.context = context
        let source = context.source
        guard let endpoint = source.tokenEndpoint, let clientID = source.clientID else {
            throw VaultError(.usage, "The schedule \(context.schedule.name) lacks instance_url or client_id.")
        }
        let usage = SalesforceAPIUsage(logger: context.logger)
        self.usage = usage
        // Created last: once it exists, `shutdown()` must be called.
        http = try VendorHTTPClient(
            source: source, policy: context.options.retryPolicy(retries: source.retries), redactor: context.redactor,
            logger: context.logger, fatal: Self.fatal, watch: { usage.observe($0) })
        tokens = OAuthTokens(
            endpoint: endpoint, clientID: clientID, secret: secret, scope: nil, redactor: context.redactor)
        apiVersion = source.apiVersion ?? Self.defaultAPIVersion
    }

    func shutdown() async { await http.shutdown() }

    /// `https://…/services/data/vNN.N`.
    var base: URL { http.instance.appendingPathComponent("services/data/v\(apiVersion)") }

    /// `REQUEST_LIMIT_EXCEEDED` without a hint to wait (403 `TotalRequests Limit exceeded.`): the org's rolling
    /// 24-hour API allowance is used up, and retrying only makes it worse. The same code on a 429, with
    /// `Retry-After`, or for a concurrency limit (`ConcurrentPerOrgLongTxn`) is a passing throttle and is retried.
    static let allowanceUsedUp = "Salesforce refused the pull: the org's API request limit is used up"

    /// Whether the pull ended because the org's API allowance is used up: then no further request is worth sending.
    static func isAllowanceUsedUp(_ error: Error) -> Bool {
        (error as? VaultError)?.message.hasPrefix(allowanceUsedUp) == true
    }

    static func fatal(_ head: ResponseHead, _ message: VendorMessage) -> VaultError? {
        guard message.code == "REQUEST_LIMIT_EXCEEDED", head.status.code != 429, head.header("Retry-After") == nil,
            !message.text.contains("Concurrent")
        else { return nil }
        return VaultError(
            .vendorFailed,
            allowanceUsedUp + " (REQUEST_LIMIT_EXCEEDED, HTTP \(head.status.code)). "
                + "The pull stopped; nothing was written to the vault.",
            remedy: "Run it again once the rolling 24-hour window frees requests (Setup > Company Information shows "
                + "the API requests used), or ask Salesforce to raise the limit.")
    }

    /// Fetches `GET …/sobjects/NAME/describe`, keeps it as the vendor sent it, and returns it with its export path.
    func describe(_ name: String, into export: URL) async throws -> (describe: SalesforceDescribe, path: String) {
        let url = base.appendingPathComponent("sobjects").appendingPathComponent(name).appendingPathComponent(
            "describe")
        let bytes = try await http.send(
            VendorRequest(.GET, url, headers: [("Accept", "application/json")]), tokens: tokens
        ) {
            _, body in
            try await VendorHTTPClient.collect(body, limit: context.options.maximumDocumentBytes)
        }
        let describe: SalesforceDescribe
        do { describe = try JSONDecoder().decode(SalesforceDescribe.self, from: Data(bytes)) } catch {
            throw VaultError(
                .vendorFailed, "The describe of \(name) is not the JSON Salesforce documents.", cause: error)
        }
        let path = "\(ExportManifest.metadataFolder)/\(name).describe.json"
        _ = try ExportWriting.metadataFolder(in: export)
        try ExportWriting.write(
            bytes, to: export.appendingPathComponent(path), limit: context.options.maximumDocumentBytes)
        return (describe, path)
    }

    /// A manifest for this org: vendor, schedule, times, instance, API version and the org id (`00D…`) from the
    /// identity URL of the token response, `…/id/<org id>/<user id>`.
    func manifest(vendor: SourceDefinition.Vendor, started: Date, objects: [ExportObject]) async -> ExportManifest {
        if let summary = usage.summary { context.logger.info("Salesforce API: \(summary)") }
        var manifest = ExportWriting.manifest(
            vendor: vendor, context: context, started: started, objects: objects,
            instance: http.instance, apiVersion: apiVersion)
        manifest.organization = Self.organization(from: await tokens.lastResponse?.id)
        return manifest
    }

    static func organization(from identity: String?) -> String? {
        guard let identity, let url = URL(string: identity) else { return nil }
        let parts = url.pathComponents
        guard parts.count >= 3, parts[parts.count - 3] == "id" else { return nil }
        let org = parts[parts.count - 2]
        return (org.count == 15 || org.count == 18) && APIName.isValid(org) ? org : nil
    }
}
