import Foundation
import NIOHTTP1

/// A request to a vendor, as a connector describes it; `VendorHTTPClient` adds the token, retries and checks.
struct VendorRequest: Sendable {
    var method: HTTPMethod = .GET
    var url: URL
    var headers: [(String, String)] = []
    /// The body; for a token request it holds the client secret, so it is never logged.
    var body: [UInt8]?
    /// How the access token goes with the request; on a 401 (or, for a session cookie, a redirect to the login page)
    /// it is renewed once and the request sent again.
    var authorization = Authorization.bearer
    /// Whether the response may come gzip-compressed (not for byte-range downloads, whose offsets are the file's).
    var acceptsGzip = true
    /// The media type a successful answer must have when it names one (`text/csv`); another (a maintenance or proxy
    /// page sent with 200) is retried like a server error.
    var expectedType: String?
    /// Decides that an error answer is one the caller handles itself (an error to throw instead of the generic
    /// refusal), e.g. an object the Bulk API will not query when every object was asked for.
    var refusal: (@Sendable (ResponseHead, VendorMessage) -> Error?)?

    init(_ method: HTTPMethod = .GET, _ url: URL, headers: [(String, String)] = [], body: [UInt8]? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// `METHOD /path?query` for logs and errors (the host is the instance's; secrets are redacted by the caller).
    var label: String {
        var target = url.path.isEmpty ? "/" : url.path
        if let query = url.query, !query.isEmpty { target += "?" + query }
        return "\(method.rawValue) \(target)"
    }
}

/// How a request carries the access token.
enum Authorization: Sendable {
    /// `Authorization: Bearer <token>` (REST, Bulk API, Dataverse).
    case bearer
    /// `Cookie: sid=<token>`, as Salesforce's Setup pages and file servlets take the session (Data Export downloads).
    case sessionCookie
    /// Nothing (the token request itself).
    case none
}

/// The status line and headers of a vendor's response.
struct ResponseHead: Sendable {
    var status: HTTPResponseStatus
    var headers: HTTPHeaders

    func header(_ name: String) -> String? { headers.first(name: name) }
}

/// Thrown by a response handler when the response cannot be used but asking again may help: a body cut short, a page
/// whose record count does not match its header. The client sends the request again within its retry budget.
struct RetryableFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
