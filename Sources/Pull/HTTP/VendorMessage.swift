import Foundation
import VaultCore

/// What a vendor said in an error response, in the shapes the vendors document: Salesforce REST
/// `[{"message": …, "errorCode": …}]`, OAuth 2.0 `{"error": …, "error_description": …}`, OData
/// `{"error": {"code": …, "message": …}}`; otherwise the start of the body as text.
struct VendorMessage: Sendable, Equatable {
    var code: String?
    var text: String

    static let maximumLength = 500

    init(code: String?, text: String) {
        self.code = code
        self.text = text
    }

    init(body: [UInt8]) {
        let object = try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
        if let list = object as? [[String: Any]], let first = list.first, let message = first["message"] as? String {
            self.init(code: first["errorCode"] as? String, text: message)
        } else if let dictionary = object as? [String: Any], let error = dictionary["error"] as? [String: Any] {
            self.init(code: error["code"] as? String, text: error["message"] as? String ?? "")
        } else if let dictionary = object as? [String: Any], let error = dictionary["error"] as? String {
            self.init(code: error, text: dictionary["error_description"] as? String ?? "")
        } else {
            self.init(code: nil, text: String(decoding: body.prefix(Self.maximumLength), as: UTF8.self))
        }
    }

    /// `CODE: text`, cut to 500 characters, secrets redacted; exact otherwise (a reason in the export manifest's JSON
    /// keeps the vendor's characters). Every path to a terminal or a log line escapes it when it prints it (the CLI's
    /// `error:`/`warning:` lines, `LineLogHandler`), so it is not escaped here: escaping twice would show a vendor's
    /// `\` or newline doubled.
    func summary(redactor: Redactor) -> String {
        let joined = [code, text.isEmpty ? nil : text].compactMap { $0 }.joined(separator: ": ")
        let cut = joined.count > Self.maximumLength ? String(joined.prefix(Self.maximumLength)) + "…" : joined
        return redactor.redact(cut.isEmpty ? "(no message)" : cut)
    }
}
