import AsyncHTTPClient
import Definitions
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import VaultCore

/// The one HTTP client of a pull, over async-http-client: HTTPS with certificate verification (plus the schedule's
/// `ca_file`), plain HTTP only to loopback and only when allowed, redirects of reads within the instance's origin
/// only, connect and read timeouts, gzip, bounded retries with backoff and `Retry-After`, one token renewal on a 401,
/// and every secret redacted from what it logs and throws.
final class VendorHTTPClient: Sendable {
    private let client: HTTPClient
    let instance: URL
    let allowInsecureLoopback: Bool
    let policy: RetryPolicy
    let redactor: Redactor
    let logger: Logger
    /// Decides which vendor errors end the pull at once instead of being retried (`REQUEST_LIMIT_EXCEEDED`).
    let fatal: @Sendable (ResponseHead, VendorMessage) -> VaultError?
    /// Sees the head of every response (Salesforce's `Sforce-Limit-Info`).
    let watch: @Sendable (ResponseHead) -> Void

    /// Statuses worth asking again: too many requests, and server errors that are usually passing.
    static let retryableStatuses: Set<UInt> = [429, 500, 502, 503, 504]
    /// A request, body included, must finish within this; stalls are caught sooner by the read timeout.
    static let requestDeadline = TimeAmount.hours(6)

    init(
        source: SourceDefinition, policy: RetryPolicy, redactor: Redactor, logger: Logger,
        fatal: @escaping @Sendable (ResponseHead, VendorMessage) -> VaultError? = { _, _ in nil },
        watch: @escaping @Sendable (ResponseHead) -> Void = { _ in }
    ) throws {
        guard let instance = source.instanceURL else {
            throw VaultError(.usage, "The schedule's [source] has no instance_url.")
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        tls.certificateVerification = .fullVerification
        if let caFile = source.caFile {
            do {
                let certificates = try NIOSSLCertificate.fromPEMFile(caFile.path)
                guard !certificates.isEmpty else { throw VaultError(.usage, "no certificate") }
                tls.additionalTrustRoots = [.certificates(certificates)]
            } catch {
                throw VaultError(
                    .usage, "The ca_file \(caFile.path) is not a readable PEM certificate file.",
                    remedy: "Point ca_file at the PEM file of the CA that signed the vendor's certificate.")
            }
        }
        // Connection failures come back at once and go through this client's own retries and their backoff, so a
        // certificate that does not verify is reported in a moment rather than after the connect timeout.
        var pool = HTTPClient.Configuration.ConnectionPool(idleTimeout: .seconds(60))
        pool.retryConnectionEstablishment = false
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tls, redirectConfiguration: .disallow,
            timeout: .init(
                connect: .seconds(Int64(source.timeoutSeconds)), read: .seconds(Int64(source.timeoutSeconds))),
            connectionPool: pool, proxy: nil, decompression: .enabled(limit: .ratio(400)))
        configuration.httpVersion = .automatic
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        self.instance = instance
        self.allowInsecureLoopback = source.allowInsecureLoopback
        self.policy = policy
        self.redactor = redactor
        self.logger = logger
        self.fatal = fatal
        self.watch = watch
    }

    func shutdown() async {
        try? await client.shutdown()
    }

    /// Refuses a URL the pull must not send a request to: not HTTPS (unless loopback and allowed), or carrying
    /// credentials. Vendor-supplied URLs (`@odata.nextLink`, download links) pass through here too.
    func check(_ url: URL) throws {
        let scheme = url.scheme?.lowercased() ?? ""
        let host = url.host ?? ""
        let allowed =
            scheme == "https" || (scheme == "http" && allowInsecureLoopback && SourceDefinition.isLoopback(host: host))
        guard allowed, !host.isEmpty, url.user == nil, url.password == nil else {
            throw VaultError(
                .vendorFailed,
                "Refused to send a request to \(TerminalText.escaped(redactor.redact(url.absoluteString))): only https:// "
                    + "(or http:// to loopback with allow_insecure_loopback) is used.")
        }
    }

    /// Whether `url` has the instance's origin: only such requests carry the bearer token.
    func isInstanceOrigin(_ url: URL) -> Bool {
        url.scheme?.lowercased() == instance.scheme?.lowercased()
            && url.host?.lowercased() == instance.host?.lowercased()
            && (url.port ?? Self.defaultPort(url)) == (instance.port ?? Self.defaultPort(instance))
    }

    private static func defaultPort(_ url: URL) -> Int { url.scheme?.lowercased() == "http" ? 80 : 443 }

    /// Sends a request and hands a successful (2xx) response to `handle`, which reads the body. Transport failures,
    /// 429/5xx and `RetryableFailure`s from `handle` are retried with backoff; a 401 renews the token once; other
    /// statuses end the pull with the vendor's message. `handle` may run more than once and must start afresh.
    func send<T: Sendable>(
        _ request: VendorRequest, tokens: OAuthTokens?,
        handle: (ResponseHead, HTTPClientResponse.Body) async throws -> T
    ) async throws -> T {
        try check(request.url)
        let authorize = request.authorization != .none && tokens != nil
        if authorize && !isInstanceOrigin(request.url) {
            throw VaultError(
                .vendorFailed,
                "The vendor pointed the pull at \(TerminalText.escaped(redactor.redact(request.url.absoluteString))), "
                    + "outside \(instance.absoluteString); the access token is not sent there.")
        }
        let label = TerminalText.escaped(redactor.redact(request.label))
        var attempt = 0
        var renewed = false
        // Where the request goes now: its URL, or where the vendor redirected it.
        var target = request.url
        var redirects = 0
        while true {
            try Task.checkCancellation()
            var outgoing = HTTPClientRequest(url: target.absoluteString)
            outgoing.method = request.method
            for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
            outgoing.headers.replaceOrAdd(name: "User-Agent", value: "crmvault/0.1")
            if request.acceptsGzip { outgoing.headers.replaceOrAdd(name: "Accept-Encoding", value: "gzip") }
            var token: String?
            if authorize, let tokens {
                let current = try await tokens.current(using: self)
                token = current
                if request.authorization == .sessionCookie {
                    outgoing.headers.replaceOrAdd(name: "Cookie", value: "sid=\(current)")
                } else {
                    outgoing.headers.replaceOrAdd(name: "Authorization", value: "Bearer \(current)")
                }
            }
            if let body = request.body { outgoing.body = .bytes(body) }

            var retryAfter: String?
            var reason: String
            var isNetwork = false
            let started = ContinuousClock.now
            do {
                let response = try await client.execute(outgoing, timeout: Self.requestDeadline)
                let head = ResponseHead(status: response.status, headers: response.headers)
                watch(head)
                logger.debug("\(label) → \(response.status.code) in \(ContinuousClock.now - started)")
                if (200..<300).contains(response.status.code) {
                    if let expected = request.expectedType, let type = Self.mediaType(head), type != expected {
                        _ = try await Self.collect(response.body, limit: 256 << 10, tolerant: true)
                        throw RetryableFailure(
                            "the answer was \(type.prefix(100)) where the vendor documents \(expected)")
                    }
                    guard request.authorization == .sessionCookie, Self.mediaType(head) == "text/html" else {
                        return try await handle(head, response.body)
                    }
                    // Salesforce answers many UI requests whose session it does not accept with a 200 page whose
                    // script sends the browser to the login page: an expired session, renewed once like a 401.
                    let page = try await Self.collect(response.body, limit: Self.maximumPageBytes)
                    guard Self.isLoginPage(page) else { return try await handle(head, .bytes(ByteBuffer(bytes: page))) }
                    if authorize && !renewed, let tokens {
                        renewed = true
                        logger.notice("\(label) was answered with the login page; renewing the access token once")
                        try await tokens.renew(replacing: token, using: self)
                        continue
                    }
                    throw Self.sessionRefused(label)
                }
                let body = try await Self.collect(response.body, limit: 256 << 10, tolerant: true)
                if let next = try redirection(head, from: target, of: request, label: label) {
                    redirects += 1
                    guard redirects <= Self.maximumRedirects else {
                        throw VaultError(
                            .vendorFailed,
                            "The vendor redirected \(label) more than \(Self.maximumRedirects) times.",
                            remedy: "Check instance_url; if it is right, the vendor's service misbehaves: try later.")
                    }
                    logger.info("\(label) redirected to \(TerminalText.escaped(redactor.redact(next.path)))")
                    target = next
                    continue
                }
                let message = VendorMessage(body: body)
                if let failure = fatal(head, message) { throw failure }
                if let refused = request.refusal?(head, message) { throw CallerRefusal(error: refused) }
                // A Setup page answers an expired session with a redirect to the login page rather than a 401.
                let sentToLogin = request.authorization == .sessionCookie && (300..<400).contains(response.status.code)
                if (response.status == .unauthorized || sentToLogin) && authorize && !renewed, let tokens {
                    renewed = true
                    logger.notice(
                        "\(label) was refused with 401 (token expired or revoked); renewing the access token once")
                    try await tokens.renew(replacing: token, using: self)
                    continue
                }
                if sentToLogin { throw Self.sessionRefused(label) }
                guard Self.retryableStatuses.contains(response.status.code) else {
                    throw VaultError(
                        .vendorFailed,
                        "The vendor refused \(label) with HTTP \(response.status.code): \(message.summary(redactor: redactor)).",
                        remedy: Self.remedy(for: response.status.code))
                }
                retryAfter = head.header("Retry-After")
                reason = "HTTP \(response.status.code): \(message.summary(redactor: redactor))"
            } catch let failure as RetryableFailure {
                reason = redactor.redact(failure.description)
            } catch let error as VaultError {
                throw error
            } catch let refusal as CallerRefusal {
                throw refusal.error
            } catch let error as CancellationError {
                throw error
            } catch {
                if Task.isCancelled { throw CancellationError() }
                if let tls = Self.tlsFailure(error) {
                    throw VaultError(
                        .networkFailed,
                        "\(label) to \(instance.host ?? "the vendor") failed: the server's TLS certificate was not accepted (\(tls)).",
                        remedy:
                            "If the vendor or a proxy uses a private CA, set ca_file in the schedule to that CA's PEM file; "
                            + "otherwise someone may be intercepting the connection.")
                }
                reason = Self.describe(error, redactor: redactor)
                isNetwork = true
            }
            attempt += 1
            guard attempt <= policy.retries else {
                throw VaultError(
                    isNetwork ? .networkFailed : .vendorFailed,
                    "\(label) at \(instance.host ?? "the vendor") failed \(attempt) times; the last time: \(reason).",
                    remedy:
                        "Nothing was written to the vault. Check the vendor's status page and the network, then run the pull again."
                )
            }
            let wait = policy.delay(attempt: attempt, retryAfter: retryAfter)
            logger.warning("\(label) failed (\(reason)); retry \(attempt) of \(policy.retries) in \(wait)")
            try await Task.sleep(for: wait)
        }
    }

    /// Redirects followed for one request.
    static let maximumRedirects = 5

    /// Where a redirect answer sends the request, when it is to be followed: a `GET` or `HEAD` redirected (301, 302,
    /// 303, 307, 308) within the instance's origin, the token going along. Nil for any other answer, and for a
    /// session-cookie request sent to the login page (an expired session, renewed by the caller). A redirect of an
    /// authorized request to another origin is refused: the token is never sent there, and a copy without it would
    /// only reach another login page.
    private func redirection(
        _ head: ResponseHead, from current: URL, of request: VendorRequest, label: String
    ) throws -> URL? {
        guard [301, 302, 303, 307, 308].contains(head.status.code), let location = head.header("Location"),
            let next = URL(string: location.trimmingCharacters(in: .whitespaces), relativeTo: current)?.absoluteURL
        else { return nil }
        if request.authorization == .sessionCookie && Self.isLoginURL(next) { return nil }
        let shown = TerminalText.escaped(redactor.redact(next.absoluteString))
        guard request.method == .GET || request.method == .HEAD else {
            throw VaultError(
                .vendorFailed, "The vendor answered \(label) with a redirect to \(shown); only reads are redirected.",
                remedy: "Check instance_url: it must be the org's own URL (its My Domain or environment URL).")
        }
        try check(next)
        if request.authorization != .none && !isInstanceOrigin(next) {
            throw VaultError(
                .vendorFailed,
                "The vendor redirected \(label) to \(shown), outside \(instance.absoluteString); the access token is "
                    + "not sent there.",
                remedy: "Check instance_url: it must be the org's own URL (its My Domain or environment URL), "
                    + "the one the vendor redirects to.")
        }
        return next
    }

    /// The largest HTML page read from a session-cookie request (the Data Export page).
    static let maximumPageBytes = 16 << 20

    /// The response's media type (`text/csv` of `text/csv; charset=UTF-8`, any case), nil when it names none.
    static func mediaType(_ head: ResponseHead) -> String? {
        guard let value = head.header("Content-Type") else { return nil }
        let type = (value.split(separator: ";").first ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        return type.isEmpty ? nil : type
    }

    /// Whether an HTML page is Salesforce's way of sending a browser to its login page: a small page whose script
    /// goes to `…?ec=302&startURL=…` (a real Setup page is far larger and may name `startURL` in its links), or the
    /// login form itself.
    static func isLoginPage(_ page: [UInt8]) -> Bool {
        let text = String(decoding: page.prefix(64 << 10), as: UTF8.self)
        let redirects = text.contains("location.replace(") || text.contains("location.href")
        return (page.count <= 16 << 10 && text.contains("startURL=") && redirects)
            || text.contains("<title>Login | Salesforce")
    }

    /// A session-cookie request still sent to the login page after the token was renewed.
    private static func sessionRefused(_ label: String) -> VaultError {
        VaultError(
            .vendorFailed,
            "Salesforce answered \(label) with its login page: it does not accept the access token as a session for "
                + "its Setup pages.",
            remedy: "Give the connected app the OAuth scope `web` (or `full`) besides `api`, so that its token opens "
                + "Setup pages and the Data Export files, then run the pull again.")
    }

    /// Whether a redirect goes to a login page (Salesforce sends a request without a valid session to
    /// `/?ec=302&startURL=…`, on the instance or on login.salesforce.com).
    static func isLoginURL(_ url: URL) -> Bool {
        url.path.isEmpty || url.path == "/" || (url.query ?? "").contains("startURL=")
    }

    /// The error a request's own `refusal` made of an error answer: carried out of the retry loop as it is, never
    /// retried or taken for a network failure.
    private struct CallerRefusal: Error {
        var error: any Error
    }

    /// Reads a whole body into memory, refusing more than `limit` bytes. With `tolerant`, a body cut short yields
    /// what arrived (for error responses, whose message is only informative).
    static func collect(_ body: HTTPClientResponse.Body, limit: Int, tolerant: Bool = false) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        do {
            for try await buffer in body {
                guard bytes.count + buffer.readableBytes <= limit else {
                    if tolerant { return bytes }
                    throw VaultError(
                        .vendorFailed,
                        "The vendor sent a response larger than \(limit >> 10) KiB where a small one was expected.")
                }
                bytes.append(contentsOf: buffer.readableBytesView)
            }
        } catch  where tolerant && !(error is CancellationError) {
            return bytes
        } catch let error as VaultError {
            throw error
        } catch let error as CancellationError {
            throw error
        } catch {
            throw RetryableFailure("the response body was cut short (\(error))")
        }
        return bytes
    }

    /// Reads a JSON body (at most `limit` bytes) and decodes it; a body that is not the expected JSON is the vendor's fault.
    static func decode<T: Decodable>(
        _ type: T.Type, from body: HTTPClientResponse.Body, limit: Int, what: String
    ) async throws -> T {
        let bytes = try await collect(body, limit: limit)
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch {
            throw RetryableFailure(
                "\(what) was not the JSON the vendor documents (\(String(describing: error).prefix(200)))")
        }
    }

    private static func remedy(for status: UInt) -> String {
        switch status {
        case 400, 401:
            return
                "Check client_id and the client secret in the schedule, and that the client credentials flow is enabled for the app."
        case 403: return "Check that the integration user has the API and read permissions for these objects."
        case 404: return "Check instance_url, api_version and the object names in the schedule."
        default:
            return
                "Nothing was written to the vault. Run the pull again later; if it keeps failing, contact the vendor."
        }
    }

    /// A short description of a TLS failure, or nil when the error is not one.
    private static func tlsFailure(_ error: any Error) -> String? {
        if error is NIOSSLError || error is NIOSSLExtraError {
            let text = String(describing: error)
            if text.contains("CERTIFICATE_VERIFY_FAILED") { return "certificate verify failed" }
            if text.lowercased().contains("hostname") { return "the certificate is for another host name" }
            return String(text.prefix(200))
        }
        return nil
    }

    static func describe(_ error: any Error, redactor: Redactor) -> String {
        if let client = error as? HTTPClientError {
            return client.description
        }
        return redactor.redact(String(String(describing: error).prefix(300)))
    }
}
