import Hummingbird

/// What a request asks for, decided from its method and path alone.
enum Route: Sendable {
    case salesforceToken
    case salesforceVersions
    case sobjects(version: String)
    case describe(version: String, object: String)
    case limits(version: String)
    case queryJobs(version: String)
    case queryJob(version: String, id: String)
    case queryResults(version: String, id: String)
    case loginPage
    case exportListing
    case exportDownload
    case dataverseToken(tenant: String)
    case dataverseWhoAmI
    case dataverseEntitySet(name: String)
    case dataverseEntityDefinitions(logicalName: String?, attributesOnly: Bool)
    /// A Salesforce REST path that does not exist (including an unsupported API version).
    case salesforceNotFound
    /// A Dataverse Web API path that does not exist.
    case dataverseNotFound
    case notFound

    /// The API versions served under `/services/data/`: 31.0 to 66.0; Bulk API 2.0 query jobs need 47.0 or later.
    static let servedSalesforceVersions = (31...66).map { "\($0).0" }

    init(path: String) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        switch parts.first {
        case "services": self = Route.salesforce(parts)
        case "api": self = Route.dataverse(parts)
        case "ui" where parts == ["ui", "setup", "export", "DataExportPage", "d"]: self = .exportListing
        case "servlet" where parts == ["servlet", "servlet.OrgExport"]: self = .exportDownload
        case nil: self = .loginPage
        default:
            if parts.count == 4, parts[1] == "oauth2", parts[2] == "v2.0", parts[3] == "token" {
                self = .dataverseToken(tenant: parts[0])
            } else {
                self = .notFound
            }
        }
    }

    private static func salesforce(_ parts: [String]) -> Route {
        if parts == ["services", "oauth2", "token"] { return .salesforceToken }
        guard parts.count >= 2, parts[1] == "data" else { return .salesforceNotFound }
        if parts.count == 2 { return .salesforceVersions }
        guard parts[2].hasPrefix("v"), servedSalesforceVersions.contains(String(parts[2].dropFirst())) else {
            return .salesforceNotFound
        }
        let version = String(parts[2].dropFirst())
        let rest = Array(parts.dropFirst(3))
        switch rest.count {
        case 1 where rest[0] == "sobjects": return .sobjects(version: version)
        case 1 where rest[0] == "limits": return .limits(version: version)
        case 3 where rest[0] == "sobjects" && rest[2] == "describe": return .describe(version: version, object: rest[1])
        case 2... where rest[0] == "jobs" && rest[1] == "query":
            guard Double(version)! >= 47 else { return .salesforceNotFound }
            if rest.count == 2 { return .queryJobs(version: version) }
            if rest.count == 3 { return .queryJob(version: version, id: rest[2]) }
            if rest.count == 4, rest[3] == "results" { return .queryResults(version: version, id: rest[2]) }
            return .salesforceNotFound
        default: return .salesforceNotFound
        }
    }

    private static func dataverse(_ parts: [String]) -> Route {
        guard parts.count >= 4, parts[1] == "data", ["v9.0", "v9.1", "v9.2"].contains(parts[2]) else {
            return .dataverseNotFound
        }
        let resource = parts[3].removingPercentEncoding ?? parts[3]
        if parts.count == 4 && resource == "WhoAmI" { return .dataverseWhoAmI }
        if resource == "EntityDefinitions" && parts.count == 4 {
            return .dataverseEntityDefinitions(logicalName: nil, attributesOnly: false)
        }
        if resource.hasPrefix("EntityDefinitions(LogicalName='"), resource.hasSuffix("')") {
            let name = String(resource.dropFirst("EntityDefinitions(LogicalName='".count).dropLast(2))
            if parts.count == 4 { return .dataverseEntityDefinitions(logicalName: name, attributesOnly: false) }
            if parts.count == 5, parts[4] == "Attributes" {
                return .dataverseEntityDefinitions(logicalName: name, attributesOnly: true)
            }
        }
        if parts.count == 4 { return .dataverseEntitySet(name: resource) }
        return .dataverseNotFound
    }

    /// The endpoint family faults aim at.
    var endpoint: VendorSimulator.Endpoint? {
        switch self {
        case .salesforceToken: .salesforceToken
        case .salesforceVersions, .limits: .limits
        case .sobjects: .sobjects
        case .describe: .describe
        case .queryJobs: .createQueryJob
        case .queryJob: .queryJob
        case .queryResults: .queryResults
        case .exportListing, .loginPage: .exportListing
        case .exportDownload: .exportDownload
        case .dataverseToken: .dataverseToken
        case .dataverseWhoAmI, .dataverseEntitySet: .dataverseQuery
        case .dataverseEntityDefinitions: .dataverseMetadata
        case .salesforceNotFound, .dataverseNotFound, .notFound: nil
        }
    }

    /// Whether the route is a Salesforce REST API call (bearer token, daily allowance).
    var isSalesforceREST: Bool {
        switch self {
        case .sobjects, .describe, .limits, .queryJobs, .queryJob, .queryResults: true
        default: false
        }
    }

    /// Whether the route is a Dataverse Web API call (bearer token from the Dataverse token endpoint).
    var isDataverseAPI: Bool {
        switch self {
        case .dataverseWhoAmI, .dataverseEntitySet, .dataverseEntityDefinitions: true
        default: false
        }
    }
}
