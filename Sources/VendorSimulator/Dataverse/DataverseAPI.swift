import Crypto
import Foundation

/// The Microsoft identity platform's token endpoint and the Dataverse Web API's queries.
extension VendorHandlers {
    /// The Web API's base path.
    static let dataversePath = "/api/data/v9.2"

    /// `POST /{tenant}/oauth2/v2.0/token` with the client-credentials grant and `scope=https://<org>/.default`.
    func dataverseToken(_ request: VendorRequest, tenant: String) throws -> VendorReply {
        func failure(_ status: Int, _ error: String, _ code: Int, _ description: String) -> VendorReply {
            let trace = StableID.guid("trace:\(UUID().uuidString)")
            return .json(
                .object([
                    ("error", .string(error)), ("error_description", .string("AADSTS\(code): \(description)")),
                    ("error_codes", .array([.int(code)])), ("timestamp", .string(Self.utcNow())),
                    ("trace_id", .string(trace)), ("correlation_id", .string(StableID.guid("correlation:\(trace)"))),
                    ("error_uri", .string("\(state.baseURL.current.absoluteString)/error?code=\(code)")),
                ]), status: status)
        }
        guard request.method == .post else {
            return failure(400, "invalid_request", 900561, "The endpoint only accepts POST requests.")
        }
        guard tenant == state.tenantID else {
            return failure(400, "invalid_request", 90002, "Tenant '\(tenant)' not found.")
        }
        guard let form = request.formFields else {
            return failure(
                400, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.")
        }
        guard form["grant_type"] == "client_credentials" else {
            return failure(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.")
        }
        guard form["client_id"] == state.dataverseClientID else {
            return failure(
                400, "unauthorized_client", 700016,
                "Application with identifier '\(form["client_id"] ?? "")' was not found in the directory.")
        }
        guard let secret = form["client_secret"], Self.constantTimeEqual(secret, state.clientSecret) else {
            return failure(401, "invalid_client", 7_000_215, "Invalid client secret provided.")
        }
        let base = state.baseURL.current
        let accepted = ["\(base.absoluteString)/.default", "https://localhost:\(base.port ?? 443)/.default"]
        guard let scope = form["scope"], accepted.contains(scope) else {
            return failure(
                400, "invalid_scope", 500011, "The resource principal named \(form["scope"] ?? "") was not found.")
        }
        let token =
            state.tokenPrefix.map { $0 + StableID.base62("token:\(UUID().uuidString)", count: 96) }
            ?? jwt(audience: base.absoluteString)
        state.issueToken(for: .dataverse, value: token)
        return .json(
            .object([
                ("token_type", .string("Bearer")), ("expires_in", .int(3599)), ("ext_expires_in", .int(3599)),
                ("access_token", .string(token)),
            ]))
    }

    /// A JWT-shaped access token (HS256 over the claims Entra ID puts in app tokens).
    private func jwt(audience: String) -> String {
        let now = Int(Date().timeIntervalSince1970)
        let header = JSONValue.object([("typ", .string("JWT")), ("alg", .string("HS256"))])
        let claims = JSONValue.object([
            ("aud", .string(audience)), ("iss", .string("https://sts.windows.net/\(state.tenantID)/")),
            ("iat", .int(now)), ("nbf", .int(now)), ("exp", .int(now + 3599)),
            ("appid", .string(state.dataverseClientID)),
            ("tid", .string(state.tenantID)), ("uti", .string(StableID.base62("uti:\(UUID().uuidString)", count: 22))),
        ])
        let signingInput = Self.base64URL(Data(header.encoded())) + "." + Self.base64URL(Data(claims.encoded()))
        let key = SymmetricKey(data: SHA256.hash(data: Data(state.clientSecret.utf8)))
        let signature = HMAC<SHA256>.authenticationCode(for: Data(signingInput.utf8), using: key)
        return signingInput + "." + Self.base64URL(Data(signature))
    }

    /// `GET /api/data/v9.2/WhoAmI`.
    func whoAmI(_ request: VendorRequest) throws -> VendorReply {
        try require(request, "GET")
        let base = state.baseURL.current.absoluteString
        return dataverseJSON(
            .object([
                (
                    "@odata.context",
                    .string("\(base)\(Self.dataversePath)/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse")
                ),
                ("BusinessUnitId", .string(StableID.guid("business-unit:\(state.tenantID)"))),
                ("UserId", .string(StableID.guid(state.org.integrationUserID))),
                ("OrganizationId", .string(state.dataverseOrganizationID)),
            ]))
    }

    /// `GET /api/data/v9.2/<entityset>` with `$select`, `$top`, `$count`, `$skiptoken` and the `Prefer` header's
    /// `odata.maxpagesize` (at most 5000, the default) and `odata.include-annotations`.
    func entitySet(_ request: VendorRequest, name: String) throws -> VendorReply {
        try require(request, "GET")
        guard let entity = DataverseEntity.entitySet(name) else {
            return .dataverseError(404, "0x80060888", "Resource not found for the segment '\(name)'.")
        }
        for option in ["$filter", "$orderby", "$expand", "$apply", "$search", "fetchXml"]
        where request.query[option] != nil {
            return .dataverseError(400, "0x80060888", "The simulated vendor does not evaluate \(option).")
        }
        let columns = entity.attributes.map(\.columnName)
        var selected = columns
        if let select = request.query["$select"] {
            selected = select.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            if let unknown = selected.first(where: { !columns.contains($0) }) {
                return .dataverseError(
                    400, "0x80060888",
                    "Could not find a property named '\(unknown)' on type "
                        + "'Microsoft.Dynamics.CRM.\(entity.logicalName)'."
                )
            }
        }
        var top: Int?
        if let text = request.query["$top"] {
            guard let value = Int(text), value >= 0 else {
                return .dataverseError(400, "0x80060888", "Invalid value '\(text)' for $top query option.")
            }
            top = value
        }
        let preferences = DataversePreferences(request.headerValues("Prefer"))
        let pageSize = min(5000, preferences.maxPageSize ?? 5000)
        let all = try state.dataverseRecords(month: state.currentMonth)[entity.entitySetName] ?? []
        let matching = Array(all.prefix(top ?? all.count))
        var start = 0
        var pageNumber = 1
        if let skiptoken = request.query["$skiptoken"] {
            guard let cookie = DataverseSkipToken(skiptoken) else {
                return .dataverseError(400, "0x80060888", "The $skiptoken value is not valid.")
            }
            start = matching.firstIndex { $0.id > cookie.lastID } ?? matching.count
            pageNumber = min(max(1, cookie.pageNumber), 1_000_000)
        }
        let end = min(matching.count, start + pageSize)
        let page = matching[start..<end]
        let base = state.baseURL.current.absoluteString
        let selection = request.query["$select"].map { "(\($0))" } ?? ""
        var body: [(String, JSONValue)] = [
            ("@odata.context", .string("\(base)\(Self.dataversePath)/$metadata#\(entity.entitySetName)\(selection)"))
        ]
        if request.query["$count"]?.lowercased() == "true" {
            let count = min(5000, matching.count) + countLie(.odataCount, object: entity.entitySetName)
            body.append(("@odata.count", .int(count)))
            if preferences.includes("Microsoft.Dynamics.CRM.totalrecordcount") {
                body.append(("@Microsoft.Dynamics.CRM.totalrecordcount", .int(min(5000, matching.count))))
            }
            if preferences.includes("Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded") {
                body.append(("@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded", .bool(matching.count > 5000)))
            }
        }
        if !selected.contains(entity.primaryIDAttribute) { selected.append(entity.primaryIDAttribute) }
        let image = state.faults.entityImages.contains(entity.entitySetName) && request.query["$select"] == nil
        body.append(
            ("value", .array(page.map { render($0, columns: selected, preferences: preferences, image: image) })))
        if end < matching.count, let last = page.last {
            let token = DataverseSkipToken(pageNumber: pageNumber + 1, lastID: last.id, firstID: page.first!.id).encoded
            let kept = VendorRequest.pairs(request.rawQuery, plusIsSpace: false).filter { $0.0 != "$skiptoken" }
                .map { "\(Self.percentEncoded($0.0))=\(Self.percentEncoded($0.1))" }
            let query = (kept + ["$skiptoken=\(Self.percentEncoded(token))"]).joined(separator: "&")
            body.append(("@odata.nextLink", .string("\(base)\(Self.dataversePath)/\(entity.entitySetName)?\(query)")))
        }
        var applied: [String] = []
        if let size = preferences.maxPageSize { applied.append("odata.maxpagesize=\(min(5000, size))") }
        if let annotations = preferences.annotations { applied.append("odata.include-annotations=\"\(annotations)\"") }
        return dataverseJSON(
            .object(body), extraHeaders: applied.isEmpty ? [] : [("Preference-Applied", applied.joined(separator: ","))]
        )
    }

    /// One record with its ETag and the annotations the client asked for, before each value as Dataverse writes them;
    /// with `image`, the entity image's properties too (Faults.entityImages).
    private func render(
        _ record: DataverseRecord, columns: [String], preferences: DataversePreferences, image: Bool
    ) -> JSONValue {
        var members: [(String, JSONValue)] = [("@odata.etag", .string(record.etag))]
        for column in columns {
            guard let cell = record.cells.first(where: { $0.column == column }) else { continue }
            if let formatted = cell.formattedValue, preferences.includes("OData.Community.Display.V1.FormattedValue") {
                members.append(("\(column)@OData.Community.Display.V1.FormattedValue", .string(formatted)))
            }
            if let navigation = cell.navigationProperty,
                preferences.includes("Microsoft.Dynamics.CRM.associatednavigationproperty")
            {
                members.append(("\(column)@Microsoft.Dynamics.CRM.associatednavigationproperty", .string(navigation)))
            }
            if let target = cell.lookupLogicalName, preferences.includes("Microsoft.Dynamics.CRM.lookuplogicalname") {
                members.append(("\(column)@Microsoft.Dynamics.CRM.lookuplogicalname", .string(target)))
            }
            members.append((column, cell.value))
        }
        if image { members += [("entityimageid", .null), ("entityimage_timestamp", .null), ("entityimage_url", .null)] }
        return .object(members)
    }

    /// A Web API JSON answer with its OData headers.
    func dataverseJSON(_ value: JSONValue, extraHeaders: [(String, String)] = []) -> VendorReply {
        VendorReply(
            status: 200,
            headers: [("Content-Type", "application/json; odata.metadata=minimal"), ("OData-Version", "4.0")]
                + extraHeaders,
            body: Data(value.encoded()), isCompressible: true)
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func percentEncoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~$,()'")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    static func utcNow() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date())
    }
}
