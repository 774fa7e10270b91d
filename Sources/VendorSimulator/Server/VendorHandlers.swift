import Foundation

/// The vendors' endpoints: authentication, the daily allowance, then the handler of each route.
struct VendorHandlers {
    let state: SimulatorState

    func handle(_ route: Route, _ request: VendorRequest) throws -> VendorReply {
        if route.isDataverseAPI { try authorizeDataverse(request) }
        guard route.isSalesforceREST else { return try answer(route, request) }
        try authorizeSalesforce(request)
        var reply = try answer(route, request)
        let (used, limit) = state.mutable.withLock { ($0.apiRequests, $0.faults.dailyRequestLimit) }
        reply.headers.append(("Sforce-Limit-Info", "api-usage=\(used)/\(limit ?? Self.defaultDailyRequests)"))
        return reply
    }

    /// The daily API allowance `/limits` reports when no fault sets one.
    static let defaultDailyRequests = 5_000_000

    private func answer(_ route: Route, _ request: VendorRequest) throws -> VendorReply {
        switch route {
        case .salesforceToken: return try salesforceToken(request)
        case .salesforceVersions: return versions()
        case .sobjects(let version): return try sobjects(request, version: version)
        case .describe(let version, let object): return try describe(request, version: version, object: object)
        case .limits: return try limits(request)
        case .queryJobs(let version): return try queryJobs(request, version: version)
        case .queryJob(let version, let id): return try queryJob(request, version: version, id: id)
        case .queryResults(let version, let id): return try queryResults(request, version: version, id: id)
        case .loginPage: return loginPage()
        case .exportListing: return try exportListing(request)
        case .exportDownload: return try exportDownload(request)
        case .dataverseToken(let tenant): return try dataverseToken(request, tenant: tenant)
        case .dataverseWhoAmI: return try whoAmI(request)
        case .dataverseEntitySet(let name): return try entitySet(request, name: name)
        case .dataverseEntityDefinitions(let name, let attributesOnly):
            return try entityDefinitions(request, logicalName: name, attributesOnly: attributesOnly)
        case .salesforceNotFound:
            return VendorReply.salesforceError(404, "NOT_FOUND", "The requested resource does not exist")
        case .dataverseNotFound:
            return VendorReply.dataverseError(
                404, "0x80060888",
                "Resource not found for the segment '\(request.path.split(separator: "/").last ?? "")'.")
        case .notFound:
            return VendorReply(status: 404, headers: [("Content-Type", "text/plain")], body: Data("Not Found".utf8))
        }
    }

    /// Refuses a method the resource does not take, as Salesforce does.
    func require(_ request: VendorRequest, _ methods: String...) throws {
        guard !methods.contains(request.method.rawValue) else { return }
        throw VendorRefusal(
            VendorReply.salesforceError(
                405, "METHOD_NOT_ALLOWED",
                "HTTP Method '\(request.method.rawValue)' not allowed. Allowed are \(methods.joined(separator: ","))"))
    }

    /// Checks the Salesforce bearer token and the daily API allowance.
    private func authorizeSalesforce(_ request: VendorRequest) throws {
        switch state.checkToken(request.bearerToken, for: .salesforce) {
        case .valid: break
        case .missingOrUnknown, .expired:
            throw VendorRefusal(
                VendorReply.salesforceError(401, "INVALID_SESSION_ID", "Session expired or invalid"))
        }
        let overLimit = state.mutable.withLock { state -> Bool in
            if let limit = state.faults.dailyRequestLimit, state.apiRequests >= limit { return true }
            state.apiRequests += 1
            return false
        }
        if overLimit { throw VendorRefusal(FaultReplies.requestLimitExceeded) }
    }

    /// Checks the Dataverse bearer token.
    private func authorizeDataverse(_ request: VendorRequest) throws {
        let check = state.checkToken(request.bearerToken, for: .dataverse)
        guard check != .valid else { return }
        let base = state.baseURL.current.absoluteString
        var challenge = "Bearer authorization_uri=\(base)/\(state.tenantID)/oauth2/authorize, resource_id=\(base)/"
        if check == .expired {
            challenge += ", error=\"invalid_token\", error_description=\"The access token is expired\""
        }
        throw VendorRefusal(VendorReply(status: 401, headers: [("WWW-Authenticate", challenge)]))
    }
}
