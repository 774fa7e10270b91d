import Foundation
import NIOHTTP1
import VaultCore

/// Access tokens from an OAuth 2.0 client-credentials grant (RFC 6749 §4.4), as Salesforce and the Microsoft
/// identity platform document it: `POST` a form with `grant_type=client_credentials`, `client_id`, `client_secret`
/// (and `scope` for Microsoft) to the token endpoint; the JSON answer's `access_token` goes out as a bearer token.
/// Every token is registered with the redactor the moment it arrives.
actor OAuthTokens {
    let endpoint: URL
    let clientID: String
    let secret: VendorSecret
    let scope: String?
    let redactor: Redactor
    private var token: String?
    /// The last token response, for what it tells about the org (Salesforce `id`, `instance_url`).
    private(set) var lastResponse: TokenResponse?
    private(set) var issued = 0

    struct TokenResponse: Decodable, Sendable {
        var access_token: String
        var token_type: String?
        var instance_url: String?
        /// Salesforce: the identity URL, `https://login.salesforce.com/id/<org id>/<user id>`.
        var id: String?
        var expires_in: Int?
    }

    init(endpoint: URL, clientID: String, secret: VendorSecret, scope: String?, redactor: Redactor) {
        self.endpoint = endpoint
        self.clientID = clientID
        self.secret = secret
        self.scope = scope
        self.redactor = redactor
        redactor.register(secret)
    }

    /// The current token, asking for one first if there is none.
    func current(using client: VendorHTTPClient) async throws -> String {
        if let token { return token }
        return try await requestToken(using: client)
    }

    /// Asks for a new token unless another request already replaced `stale`.
    func renew(replacing stale: String?, using client: VendorHTTPClient) async throws {
        if let token, token != stale { return }
        token = nil
        _ = try await requestToken(using: client)
    }

    private func requestToken(using client: VendorHTTPClient) async throws -> String {
        var body = formBody()
        defer { VendorSecret.wipe(&body) }
        var request = VendorRequest(
            .POST, endpoint,
            headers: [
                ("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json"),
            ], body: body)
        request.authorization = .none
        let response = try await client.send(request, tokens: nil) { _, body in
            try await VendorHTTPClient.decode(
                TokenResponse.self, from: body, limit: 64 << 10, what: "The token response")
        }
        let value = response.access_token
        guard !value.isEmpty, value.utf8.count <= 16 << 10, value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
            throw VaultError(
                .vendorFailed, "The token endpoint \(endpoint.host ?? "") answered without a usable access_token.")
        }
        var bytes = Array(value.utf8)
        redactor.register(VendorSecret(consuming: &bytes))
        token = value
        lastResponse = response
        issued += 1
        return value
    }

    /// `grant_type=client_credentials&client_id=…&client_secret=…[&scope=…]`, percent-encoded. Holds the secret:
    /// the caller wipes it.
    private func formBody() -> [UInt8] {
        var body: [UInt8] = []
        // One allocation, so no copy of the secret is left behind in a buffer outgrown while appending.
        body.reserveCapacity(256 + clientID.utf8.count * 3 + secret.count * 3 + (scope?.utf8.count ?? 0) * 3)
        body += Array("grant_type=client_credentials&client_id=".utf8)
        body += Array(clientID.utf8).withUnsafeBytes { Redactor.percentEncoded($0) }
        body += Array("&client_secret=".utf8)
        secret.withUnsafeBytes { raw in
            var encoded = Redactor.percentEncoded(raw)
            body += encoded
            VendorSecret.wipe(&encoded)
        }
        if let scope {
            body += Array("&scope=".utf8)
            body += Array(scope.utf8).withUnsafeBytes { Redactor.percentEncoded($0) }
        }
        return body
    }
}
