import Foundation
import Hummingbird

/// The answers and bodies of injected faults, in the shape each vendor sends them.
enum FaultReplies {
    /// A 500 or 503 in the vendor's error shape.
    static func serverError(status: Int, endpoint: VendorSimulator.Endpoint) -> VendorReply {
        if endpoint.isDataverse {
            return VendorReply.dataverseError(status, "0x80040216", "An unexpected error occurred.")
        }
        if status == 503 {
            return VendorReply.salesforceError(
                503, "SERVER_UNAVAILABLE", "Server temporarily unavailable; please retry the request later.")
        }
        return VendorReply.salesforceError(
            status, "UNKNOWN_EXCEPTION",
            "An unexpected error occurred. Please include this ErrorId if you contact support: 1186426012-1234 (-1419)")
    }

    /// A 429 with `Retry-After`, in the vendor's shape (Dataverse's service protection limit error).
    static func throttled(retryAfter: Int, endpoint: VendorSimulator.Endpoint) -> VendorReply {
        let header = [("Retry-After", String(retryAfter))]
        if endpoint.isDataverse {
            return VendorReply.dataverseError(
                429, "0x80072322", "Number of requests exceeded the limit of 6000 over time window of 300 seconds.",
                headers: header)
        }
        return VendorReply.salesforceError(
            429, "REQUEST_LIMIT_EXCEEDED", "ConcurrentPerOrgLongTxn Limit exceeded.", headers: header)
    }

    /// A `200` HTML page where the client asked for data, as a maintenance window or a proxy may answer.
    static let maintenancePage = VendorReply.html(
        "<!DOCTYPE html><html><head><title>Down for maintenance</title></head><body><h1>We are down for "
            + "maintenance.</h1><p>Please try again shortly.</p></body></html>")

    /// The daily API allowance used up, as Salesforce answers it.
    static let requestLimitExceeded = VendorReply.salesforceError(
        403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")

    /// About half of `bytes` (at least one byte when there is any), then an error that makes the server close the
    /// connection with the announced `Content-Length` unmet.
    static func truncatedBody(_ bytes: Data) -> ResponseBody {
        ResponseBody(contentLength: bytes.count) { writer in
            let sent = bytes.isEmpty ? 0 : max(1, bytes.count / 2)
            try await writer.write(ByteBuffer(bytes: bytes.prefix(sent)))
            throw TruncatedOnPurpose()
        }
    }

    /// `bytes` in pieces with a pause before each.
    static func slowBody(_ bytes: Data, _ slow: VendorSimulator.Faults.SlowBody) -> ResponseBody {
        ResponseBody(contentLength: bytes.count) { writer in
            var offset = 0
            while offset < bytes.count {
                try await Task.sleep(for: slow.pause)
                let end = min(bytes.count, offset + slow.chunkBytes)
                try await writer.write(ByteBuffer(bytes: bytes[offset..<end]))
                offset = end
            }
            try await writer.finish(nil)
        }
    }

    /// `bytes` in 16 KiB chunks with no length announced: chunked transfer encoding.
    static func unsizedBody(_ bytes: Data) -> ResponseBody {
        ResponseBody(contentLength: nil) { writer in
            var offset = 0
            while offset < bytes.count {
                let end = min(bytes.count, offset + 16 << 10)
                try await writer.write(ByteBuffer(bytes: bytes[offset..<end]))
                offset = end
            }
            try await writer.finish(nil)
        }
    }

    /// A `302` to the same request with `redirected=1` added to its query: a path on this origin, or with
    /// `toOtherHost` an absolute URL on `localhost` at the same port.
    static func redirect(_ request: VendorRequest, toOtherHost: Bool, base: URL) -> VendorReply {
        let target = request.path + "?" + (request.rawQuery.isEmpty ? "" : request.rawQuery + "&") + "redirected=1"
        let location = toOtherHost ? "https://localhost:\(base.port ?? 443)\(target)" : target
        return VendorReply(status: 302, headers: [("Location", location)])
    }

    /// Thrown to cut a body short.
    struct TruncatedOnPurpose: Error {}
}
