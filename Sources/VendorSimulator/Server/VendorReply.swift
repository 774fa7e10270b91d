import Foundation

/// A response before the transport faults (gzip, truncation, slow body) are applied.
struct VendorReply: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: Data
    /// Whether the body may be sent gzip-compressed to a client that accepts it.
    var isCompressible = false

    init(status: Int, headers: [(String, String)] = [], body: Data = Data(), isCompressible: Bool = false) {
        self.status = status
        self.headers = headers
        self.body = body
        self.isCompressible = isCompressible
    }

    /// A JSON body.
    static func json(_ value: JSONValue, status: Int = 200, headers: [(String, String)] = []) -> VendorReply {
        VendorReply(
            status: status, headers: [("Content-Type", "application/json;charset=UTF-8")] + headers,
            body: Data(value.encoded()), isCompressible: true)
    }

    /// An HTML page.
    static func html(_ page: String, status: Int = 200) -> VendorReply {
        VendorReply(status: status, headers: [("Content-Type", "text/html;charset=UTF-8")], body: Data(page.utf8))
    }

    /// Salesforce's REST error shape: a JSON array of `{"message","errorCode"}`.
    static func salesforceError(_ status: Int, _ code: String, _ message: String, headers: [(String, String)] = [])
        -> VendorReply
    {
        json(
            .array([.object([("message", .string(message)), ("errorCode", .string(code))])]), status: status,
            headers: headers)
    }

    /// OAuth 2.0's error shape as Salesforce's token endpoint sends it.
    static func oauthError(_ status: Int, _ error: String, _ description: String) -> VendorReply {
        json(.object([("error", .string(error)), ("error_description", .string(description))]), status: status)
    }

    /// Dataverse Web API's error shape: `{"error":{"code","message"}}`.
    static func dataverseError(_ status: Int, _ code: String, _ message: String, headers: [(String, String)] = [])
        -> VendorReply
    {
        json(
            .object([("error", .object([("code", .string(code)), ("message", .string(message))]))]), status: status,
            headers: headers)
    }
}

/// A request the vendor refuses, carrying the answer it sends.
struct VendorRefusal: Error {
    let reply: VendorReply
    init(_ reply: VendorReply) { self.reply = reply }
}
