import Foundation

/// The vendor listed an object as queryable but refuses to export it (Salesforce answers the Bulk API query job with
/// a 400: `INVALIDENTITY` "not supported by the Bulk API", `MALFORMED_QUERY` "Implementation restriction: … requires a
/// filter", `EXTERNAL_OBJECT_UNSUPPORTED_EXCEPTION`, …). Real orgs list dozens of such objects; when every object is
/// asked for (`objects = ["*"]`) each is left out and named in the export manifest's `skipped`, when it was named in
/// the schedule the pull fails.
struct ObjectNotExportable: Error, Sendable {
    var object: String
    /// `CODE: message` as the vendor said it, cut to 500 characters, secrets redacted
    /// (``VendorMessage/summary(redactor:)``): what the export manifest keeps; printed escaped.
    var reason: String

    /// The refusal test for a query job of `object`: a 400 with a Salesforce error code.
    static func refusal(of object: String, redactor: Redactor) -> @Sendable (ResponseHead, VendorMessage) -> Error? {
        { head, message in
            guard head.status.code == 400, let code = message.code, !code.isEmpty else { return nil }
            return ObjectNotExportable(object: object, reason: message.summary(redactor: redactor))
        }
    }
}
