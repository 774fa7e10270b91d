import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import VendorSimulator

/// A plain HTTPS client for the simulator that trusts only its test CA, as a connector configured with the
/// simulator's CA file would.
struct VendorClient {
    struct Reply {
        let status: Int
        let headers: [(String, String)]
        let body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        func header(_ name: String) -> String? {
            headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
        }
        func json() throws -> Any { try JSONSerialization.jsonObject(with: body) }
        /// The `errorCode` of a Salesforce error array.
        var salesforceErrorCode: String? {
            ((try? json()) as? [[String: Any]])?.first?["errorCode"] as? String
        }
    }

    let vendor: VendorSimulator
    let http: HTTPClient

    init(_ vendor: VendorSimulator, decompress: Bool = false, trustCA: Bool = true, readTimeout: TimeAmount? = nil) {
        self.vendor = vendor
        var tls = TLSConfiguration.makeClientConfiguration()
        if trustCA { tls.trustRoots = .file(vendor.caCertificateFile.path) }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.decompression = decompress ? .enabled(limit: .none) : .disabled
        configuration.redirectConfiguration = .disallow
        if let readTimeout { configuration.timeout = .init(connect: .seconds(5), read: readTimeout) }
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func shutdown() async throws { try await http.shutdown() }

    /// Sends a request to `path` (with its query) on the simulator.
    func send(
        _ method: HTTPMethod = .GET, _ path: String, headers: [(String, String)] = [], body: Data? = nil,
        timeout: TimeAmount = .seconds(20)
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: vendor.baseURL.absoluteString + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await http.execute(request, timeout: timeout)
        let buffer = try await response.body.collect(upTo: 64 << 20)
        return Reply(
            status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
            body: Data(buffer.readableBytesView))
    }

    /// A form-encoded POST.
    func postForm(_ path: String, _ fields: [(String, String)]) async throws -> Reply {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let body = fields.map {
            "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)"
        }.joined(separator: "&")
        return try await send(
            .POST, path, headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Data(body.utf8))
    }

    /// A Salesforce access token from the client-credentials flow.
    func salesforceToken() async throws -> String {
        let reply = try await postForm(
            "/services/oauth2/token",
            [
                ("grant_type", "client_credentials"), ("client_id", vendor.clientID),
                ("client_secret", vendor.clientSecret),
            ])
        guard reply.status == 200, let object = try reply.json() as? [String: Any],
            let token = object["access_token"] as? String
        else { throw Unexpected("token request answered \(reply.status): \(reply.text)") }
        return token
    }

    /// A Dataverse access token from the identity platform's client-credentials flow.
    func dataverseToken() async throws -> String {
        let reply = try await postForm(
            "/\(vendor.tenantID)/oauth2/v2.0/token",
            [
                ("grant_type", "client_credentials"), ("client_id", vendor.dataverseClientID),
                ("client_secret", vendor.clientSecret), ("scope", vendor.dataverseScope),
            ])
        guard reply.status == 200, let object = try reply.json() as? [String: Any],
            let token = object["access_token"] as? String
        else { throw Unexpected("Dataverse token request answered \(reply.status): \(reply.text)") }
        return token
    }

    /// A GET with a bearer token.
    func get(_ path: String, token: String, headers: [(String, String)] = []) async throws -> Reply {
        try await send(.GET, path, headers: [("Authorization", "Bearer \(token)")] + headers)
    }

    /// The statuses of `times` GETs of `path` in a row.
    func statuses(_ path: String, token: String, times: Int) async throws -> [Int] {
        var statuses: [Int] = []
        for _ in 0..<times { statuses.append(try await get(path, token: token).status) }
        return statuses
    }

    /// A JSON POST with a bearer token.
    func postJSON(_ path: String, token: String, _ json: String) async throws -> Reply {
        try await send(
            .POST, path, headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")],
            body: Data(json.utf8))
    }
}

struct Unexpected: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Starts a simulator of a small org, runs `body` with a client for it, and stops both.
func withVendor<Result>(
    _ configure: (inout VendorSimulator.Options) -> Void = { _ in },
    decompress: Bool = false,
    _ body: (VendorSimulator, VendorClient) async throws -> Result
) async throws -> Result {
    var options = VendorSimulator.Options()
    options.seed = 7
    options.scale = 8
    options.jobPollsUntilComplete = 2
    options.logger.logLevel = .critical
    configure(&options)
    let vendor = try await VendorSimulator.start(options)
    let client = VendorClient(vendor, decompress: decompress)
    do {
        let result = try await body(vendor, client)
        try await client.shutdown()
        await vendor.stop()
        return result
    } catch {
        try? await client.shutdown()
        await vendor.stop()
        throw error
    }
}

/// Counts the records of a Bulk API CSV page (rows after the header; line breaks inside quotes do not count).
func csvRecordCount(_ data: Data) -> Int {
    var rows = 0
    var inQuotes = false
    for byte in data {
        if byte == 0x22 { inQuotes.toggle() } else if byte == 0x0A && !inQuotes { rows += 1 }
    }
    return max(0, rows - 1)
}

/// The header line of a CSV page.
func csvHeader(_ data: Data) -> String {
    String(decoding: data.prefix { $0 != 0x0A }, as: UTF8.self)
}
