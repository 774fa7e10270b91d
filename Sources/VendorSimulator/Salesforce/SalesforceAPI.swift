import Crypto
import Foundation

/// Salesforce's OAuth token endpoint and the REST API's metadata resources.
extension VendorHandlers {
    /// `POST /services/oauth2/token` with the OAuth 2.0 client-credentials grant, form-encoded.
    func salesforceToken(_ request: VendorRequest) throws -> VendorReply {
        guard request.method == .post else {
            return VendorReply.oauthError(400, "invalid_request", "must use HTTP POST")
        }
        guard let form = request.formFields else {
            return VendorReply.oauthError(400, "invalid_request", "must use application/x-www-form-urlencoded")
        }
        guard let grant = form["grant_type"], !grant.isEmpty else {
            return VendorReply.oauthError(400, "invalid_request", "grant type not supported")
        }
        guard grant == "client_credentials" else {
            return VendorReply.oauthError(400, "unsupported_grant_type", "grant type not supported")
        }
        guard form["client_id"] == state.clientID else {
            return VendorReply.oauthError(400, "invalid_client_id", "client identifier invalid")
        }
        guard let secret = form["client_secret"], Self.constantTimeEqual(secret, state.clientSecret) else {
            return VendorReply.oauthError(400, "invalid_client", "invalid client credentials")
        }
        let token =
            (state.tokenPrefix ?? "\(state.org.organizationID.prefix(15))!AQ")
            + StableID.base62("token:\(UUID().uuidString)", count: 96)
        state.issueToken(for: .salesforce, value: token)
        let base = state.baseURL.current.absoluteString
        let issuedAt = String(Int64(Date().timeIntervalSince1970 * 1000))
        let identity = "\(base)/id/\(state.org.organizationID)/\(state.org.integrationUserID)"
        let key = SymmetricKey(data: Data(state.clientSecret.utf8))
        let signature = Data(HMAC<SHA256>.authenticationCode(for: Data((identity + issuedAt).utf8), using: key))
        return VendorReply.json(
            .object([
                ("access_token", .string(token)), ("signature", .string(signature.base64EncodedString())),
                ("token_format", .string("opaque")), ("scope", .string("api")), ("instance_url", .string(base)),
                ("id", .string(identity)),
                ("token_type", .string("Bearer")), ("issued_at", .string(issuedAt)),
            ]))
    }

    /// `GET /services/data`: the API versions served.
    func versions() -> VendorReply {
        .json(
            .array(
                Route.servedSalesforceVersions.map { version in
                    .object([
                        ("label", .string("Version \(version)")), ("url", .string("/services/data/v\(version)")),
                        ("version", .string(version)),
                    ])
                }))
    }

    /// `GET /services/data/vNN.N/sobjects`.
    func sobjects(_ request: VendorRequest, version: String) throws -> VendorReply {
        try require(request, "GET", "HEAD")
        return .json(SalesforceDescribe.global(objects: state.org.objectNames, version: version))
    }

    /// `GET /services/data/vNN.N/sobjects/NAME/describe`; object names match case-insensitively.
    func describe(_ request: VendorRequest, version: String, object: String) throws -> VendorReply {
        try require(request, "GET", "HEAD")
        if let listed = SalesforceSchema.unqueryableObjects.first(where: {
            $0.name.caseInsensitiveCompare(object) == .orderedSame
        }) {
            return .json(SalesforceDescribe.unqueryable(listed.name, label: listed.label, version: version))
        }
        if let listed = SalesforceSchema.filterRequiredObjects.first(where: {
            $0.name.caseInsensitiveCompare(object) == .orderedSame
        }) {
            return .json(
                SalesforceDescribe.unqueryable(listed.name, label: listed.label, queryable: true, version: version))
        }
        guard let name = canonicalObjectName(object) else {
            return .salesforceError(
                404, "NOT_FOUND", "The requested resource does not exist")
        }
        let month = try state.org.month(state.currentMonth)
        let firstMonth = try state.org.month(0)
        guard let table = month.tables[name], let firstTable = firstMonth.tables[name] else {
            throw SimulatorSetupError("no table for \(name)")
        }
        let fields = SalesforceSchema.fields(ofObject: name, columns: table.header)
        var picklists: [String: [String]] = [:]
        for field in fields where field.type == "picklist" {
            if let column = firstTable.column(named: field.name) {
                picklists[field.name] = Array(Set(firstTable.rows.map { $0[column] }.filter { !$0.isEmpty })).sorted()
            }
        }
        return .json(SalesforceDescribe.object(name, fields: fields, picklistValues: picklists, version: version))
    }

    /// `GET /services/data/vNN.N/limits`: the daily allowances, with `DailyApiRequests` counting requests served.
    func limits(_ request: VendorRequest) throws -> VendorReply {
        try require(request, "GET", "HEAD")
        let (used, limit, jobs) = state.mutable.withLock {
            ($0.apiRequests, $0.faults.dailyRequestLimit, $0.jobsCreated)
        }
        let maximum = limit ?? Self.defaultDailyRequests
        func allowance(_ max: Int, _ remaining: Int) -> JSONValue {
            .object([("Max", .int(max)), ("Remaining", .int(Swift.max(0, remaining)))])
        }
        return .json(
            .object([
                ("DailyApiRequests", allowance(maximum, maximum - used)),
                ("DailyBulkV2QueryFileStorageMB", allowance(976_562, 976_562)),
                ("DailyBulkV2QueryJobs", allowance(10_000, 10_000 - jobs)),
            ]))
    }

    /// The generated object named `name`, compared case-insensitively as Salesforce compares sObject names.
    func canonicalObjectName(_ name: String) -> String? {
        state.org.objectNames.first { $0.caseInsensitiveCompare(name) == .orderedSame }
    }

    /// Compares two secrets in time independent of where they differ.
    static func constantTimeEqual(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8)
        let right = Array(rhs.utf8)
        var difference = UInt8(left.count == right.count ? 0 : 1)
        for index in 0..<max(left.count, right.count) {
            difference |= (index < left.count ? left[index] : 0) ^ (index < right.count ? right[index] : 0)
        }
        return difference == 0
    }
}
