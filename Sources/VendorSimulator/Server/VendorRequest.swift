import Foundation
import Hummingbird

/// A request as the vendor handlers see it: method, path, decoded query, headers and the whole (bounded) body.
struct VendorRequest: Sendable {
    let method: HTTPRequest.Method
    /// The path, not percent-decoded.
    let path: String
    /// The query string as sent, without `?`.
    let rawQuery: String
    /// The query's parameters, percent-decoded (`+` kept as is); the first of repeated names wins.
    let query: [String: String]
    let headers: HTTPFields
    let body: Data

    init(method: HTTPRequest.Method, path: String, rawQuery: String, headers: HTTPFields, body: Data) {
        self.method = method
        self.path = path
        self.rawQuery = rawQuery
        self.headers = headers
        self.body = body
        var query: [String: String] = [:]
        for (name, value) in VendorRequest.pairs(rawQuery, plusIsSpace: false) where query[name] == nil {
            query[name] = value
        }
        self.query = query
    }

    /// A header's value (the first, for repeated headers), by case-insensitive name.
    func header(_ name: String) -> String? {
        guard let fieldName = HeaderField.Name(name) else { return nil }
        return headers[fieldName]
    }

    /// Every value of a header, by case-insensitive name.
    func headerValues(_ name: String) -> [String] {
        guard let fieldName = HeaderField.Name(name) else { return [] }
        return headers[values: fieldName]
    }

    /// The bearer token of the `Authorization` header.
    var bearerToken: String? {
        guard let authorization = header("Authorization") else { return nil }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1]).trimmingCharacters(in: .whitespaces)
    }

    /// The value of a cookie sent in `Cookie` headers.
    func cookie(_ name: String) -> String? {
        for header in headerValues("Cookie") {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if parts.count == 2, parts[0] == name { return parts[1] }
            }
        }
        return nil
    }

    /// The body as `application/x-www-form-urlencoded` fields, or `nil` when it is sent as another type.
    var formFields: [String: String]? {
        let type = header("Content-Type")?.lowercased() ?? ""
        guard type.hasPrefix("application/x-www-form-urlencoded") else { return nil }
        var fields: [String: String] = [:]
        for (name, value) in VendorRequest.pairs(String(decoding: body, as: UTF8.self), plusIsSpace: true)
        where fields[name] == nil {
            fields[name] = value
        }
        return fields
    }

    /// `name=value` pairs of a query string or form body, percent-decoded.
    static func pairs(_ text: String, plusIsSpace: Bool) -> [(String, String)] {
        text.split(separator: "&").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                let spaced = plusIsSpace ? part.replacingOccurrences(of: "+", with: " ") : String(part)
                return spaced.removingPercentEncoding ?? spaced
            }
            guard let name = parts.first, !name.isEmpty else { return nil }
            return (decode(name), parts.count > 1 ? decode(parts[1]) : "")
        }
    }
}

/// One header field (`HTTPTypes.HTTPField`, reached through the `HTTPFields` Hummingbird exports).
typealias HeaderField = HTTPFields.Element
