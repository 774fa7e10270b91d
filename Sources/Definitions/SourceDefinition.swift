import Foundation

/// The `[source]` table of a schedule: which vendor to pull from and how to reach it.
///
/// Keys (README.md, "IT admin", lists them too; the samples in `Schedules/` show each vendor):
///
/// | key | vendors | meaning |
/// |---|---|---|
/// | `vendor` | all | `salesforce`, `salesforce-export`, `dataverse` or `directory` |
/// | `instance_url` | HTTP vendors | the org's endpoint, `https://acme.my.salesforce.com`, `https://acme.crm4.dynamics.com` |
/// | `client_id` | HTTP vendors | the OAuth client (connected app consumer key, Entra application id) |
/// | `client_secret_file` | HTTP vendors | a file holding the client secret; must be readable by its owner only |
/// | `client_secret_env` | HTTP vendors | or: the name of an environment variable holding it |
/// | `client_secret_command` | HTTP vendors | or: a command printing it, run without a shell (string split on spaces, or an array) |
/// | `token_url` | HTTP vendors | optional: the OAuth token endpoint; default `<instance_url>/services/oauth2/token` (Salesforce), `https://login.microsoftonline.com/<tenant_id>/oauth2/v2.0/token` (Dataverse) |
/// | `tenant_id` | dataverse | the Entra tenant (directory) id; required unless `token_url` is given |
/// | `scope` | dataverse | optional: default `<instance_url>/.default` |
/// | `objects` | salesforce, dataverse | Salesforce object names or `["*"]` for every queryable one (default); Dataverse entity set names (required) |
/// | `api_version` | HTTP vendors | optional: `61.0` (Salesforce, default), `v9.2` (Dataverse, default) |
/// | `query_all` | salesforce | optional: `true` runs `queryAll` (also deleted and archived records); default `false` |
/// | `page_size` | salesforce, dataverse | optional: records per result page (`maxRecords`, `odata.maxpagesize`) |
/// | `ca_file` | HTTP vendors | optional: a PEM file with an extra trusted root, added to the system's |
/// | `allow_insecure_loopback` | HTTP vendors | optional: `true` allows `http://` to 127.0.0.1/::1/localhost only; default `false` |
/// | `timeout_seconds` | HTTP vendors | optional: connect and read timeout per request; default 120 |
/// | `retries` | HTTP vendors | optional: retries of a failed request (5xx, 429, timeouts) before the pull fails; default 5 |
/// | `path` | directory | the folder the vendor drops exports into |
/// | `quiet_seconds` | directory | optional: how long a file set must be unchanged before it is ingested; default 300 |
public struct SourceDefinition: Sendable, Equatable {
    public enum Vendor: String, Sendable, CaseIterable {
        case salesforce
        case salesforceExport = "salesforce-export"
        case dataverse
        case directory

        /// Whether the vendor is reached over HTTPS with OAuth client credentials.
        public var isHTTP: Bool { self != .directory }
    }

    public var vendor: Vendor
    public var instanceURL: URL?
    public var clientID: String?
    public var clientSecret: SecretSource?
    public var tokenURL: URL?
    public var tenantID: String?
    public var scope: String?
    /// Object (Salesforce) or entity set (Dataverse) names; `["*"]` means every queryable object.
    public var objects: [String]
    public var apiVersion: String?
    public var queryAll = false
    public var pageSize: Int?
    public var caFile: URL?
    public var allowInsecureLoopback = false
    public var timeoutSeconds = 120
    public var retries = 5
    public var path: URL?
    public var quietSeconds = 300

    public init(vendor: Vendor, objects: [String] = []) {
        self.vendor = vendor
        self.objects = objects
    }

    /// Whether every object the vendor offers is wanted (`objects = ["*"]`).
    public var wantsAllObjects: Bool { objects == ["*"] }

    /// The OAuth token endpoint: `token_url`, else the vendor's documented default.
    public var tokenEndpoint: URL? {
        if let tokenURL { return tokenURL }
        switch vendor {
        case .salesforce, .salesforceExport: return instanceURL?.appendingPathComponent("services/oauth2/token")
        case .dataverse:
            return tenantID.flatMap { URL(string: "https://login.microsoftonline.com/\($0)/oauth2/v2.0/token") }
        case .directory: return nil
        }
    }

    static func read(_ table: inout DefinitionTable) throws -> SourceDefinition {
        let vendorName = try table.requiredString("vendor", example: "\"salesforce\"")
        guard let vendor = Vendor(rawValue: vendorName) else {
            let names = Vendor.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            throw table.failure("vendor", "is \"\(vendorName)\"; it must be one of \(names)")
        }
        try table.refuseKeys(otherThan: Self.keys(of: vendor), note: " for vendor = \"\(vendor.rawValue)\"")
        var source = SourceDefinition(vendor: vendor)
        if vendor.isHTTP {
            try source.readConnection(&table)
        } else {
            source.path = table.path(try table.requiredString("path", example: "\"/srv/sftp/acme/exports\""))
            source.quietSeconds = try table.integer("quiet_seconds", in: 0...86_400) ?? source.quietSeconds
        }
        try table.refuseUnknownKeys()
        return source
    }

    /// The keys `[source]` may hold for a vendor.
    static func keys(of vendor: Vendor) -> Set<String> {
        let connection: Set<String> = [
            "vendor", "instance_url", "client_id", "token_url", "timeout_seconds", "retries", "ca_file",
            "allow_insecure_loopback", "api_version",
        ]
        switch vendor {
        case .salesforce: return connection.union(SecretSource.keys).union(["objects", "query_all", "page_size"])
        case .salesforceExport: return connection.union(SecretSource.keys)
        case .dataverse:
            return connection.union(SecretSource.keys).union(["objects", "tenant_id", "scope", "page_size"])
        case .directory: return ["vendor", "path", "quiet_seconds"]
        }
    }

    private mutating func readConnection(_ table: inout DefinitionTable) throws {
        allowInsecureLoopback = try table.bool("allow_insecure_loopback") ?? false
        let instance = try table.requiredString("instance_url", example: "\"https://acme.my.salesforce.com\"")
        instanceURL = try endpoint(instance, key: "instance_url", table: table)
        clientID = try table.requiredString("client_id", example: "\"3MVG9...\"")
        clientSecret = try SecretSource.read(&table)
        tokenURL = try table.string("token_url").map { try endpoint($0, key: "token_url", table: table) }
        timeoutSeconds = try table.integer("timeout_seconds", in: 1...3600) ?? timeoutSeconds
        retries = try table.integer("retries", in: 0...20) ?? retries
        caFile = try table.string("ca_file").map { table.path($0) }
        apiVersion = try table.string("api_version")
        pageSize = try table.integer("page_size", in: 1...1_000_000)
        let listed = vendor == .salesforceExport ? nil : try table.strings("objects")
        switch vendor {
        case .salesforce:
            objects = listed ?? ["*"]
            queryAll = try table.bool("query_all") ?? false
            if let apiVersion, apiVersion.wholeMatch(of: /[0-9]{2,3}\.[0-9]/) == nil {
                throw table.failure("api_version", "is \"\(apiVersion)\"; Salesforce versions look like \"61.0\"")
            }
        case .dataverse:
            guard let listed, !listed.isEmpty, listed != ["*"] else {
                throw table.failure("objects", "must list the entity sets to pull, e.g. [\"accounts\", \"contacts\"]")
            }
            objects = listed
            tenantID = try table.string("tenant_id")
            scope = try table.string("scope")
            if tenantID == nil && tokenURL == nil {
                throw table.failure(
                    "tenant_id", "is missing; add your Entra tenant id, e.g. `tenant_id = \"contoso.onmicrosoft.com\"`")
            }
            if let apiVersion, apiVersion.wholeMatch(of: /v[0-9]\.[0-9]/) == nil {
                throw table.failure("api_version", "is \"\(apiVersion)\"; Dataverse versions look like \"v9.2\"")
            }
        case .salesforceExport, .directory:
            break
        }
        for name in objects where name != "*" && !Self.isObjectName(name) {
            throw table.failure("objects", "holds \"\(name)\", which is not an API name (letters, digits and _ only)")
        }
        if objects.contains("*") && objects != ["*"] {
            throw table.failure("objects", "mixes \"*\" with names; use either [\"*\"] or a list of names")
        }
    }

    /// Checks an endpoint: HTTPS, or `http://` to loopback when `allow_insecure_loopback = true`; no credentials,
    /// query or fragment in it (they would be logged).
    private func endpoint(_ text: String, key: String, table: DefinitionTable) throws -> URL {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty
        else {
            throw table.failure(key, "is \"\(text)\", which is not a URL like https://acme.my.salesforce.com")
        }
        guard url.user == nil && url.password == nil && url.query == nil && url.fragment == nil else {
            throw table.failure(key, "must not hold a user name, password, query or fragment")
        }
        switch scheme {
        case "https":
            return url
        case "http" where Self.isLoopback(host: host):
            guard allowInsecureLoopback else {
                throw table.failure(
                    key,
                    "uses plain http://; that is allowed only to loopback and only with `allow_insecure_loopback = true`"
                )
            }
            return url
        case "http":
            throw table.failure(key, "uses plain http:// to \(host); vendors are reached over https:// only")
        default:
            throw table.failure(key, "has the scheme \(scheme):; use https://")
        }
    }

    /// Whether `host` names this machine over loopback: `localhost`, 127.0.0.0/8 or ::1.
    public static func isLoopback(host: String) -> Bool {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if bare.lowercased() == "localhost" || bare == "::1" { return true }
        let parts = bare.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    /// An API name a vendor may use for an object or entity set, and that is safe as a file name: ASCII letters,
    /// digits and `_`, starting with a letter, at most 100 characters.
    public static func isObjectName(_ name: String) -> Bool {
        let scalars = name.unicodeScalars
        guard let first = scalars.first, scalars.count <= 100, first.isASCII, first.properties.isAlphabetic else {
            return false
        }
        return scalars.allSatisfy {
            $0.isASCII && ($0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0))
        }
    }
}
