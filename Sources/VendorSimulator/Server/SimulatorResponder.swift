import Foundation
import Hummingbird
import Logging

/// The HTTP side of the simulator: reads a request, applies the faults in force, lets the vendor handlers answer,
/// and writes the answer (gzip, cut short or slowly when a fault or the client asks).
struct SimulatorResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let state: SimulatorState
    let logger: Logger

    /// The largest request body read; vendors' request bodies here are small JSON or form documents.
    static let maximumRequestBody = 1 << 20

    func respond(to request: Request, context: Context) async throws -> Response {
        var request = request
        let route = Route(path: request.uri.path)
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: SimulatorResponder.maximumRequestBody)
        } catch {
            return finish(VendorReply(status: 413), route: route, request: request, served: nil)
        }
        let vendorRequest = VendorRequest(
            method: request.method, path: request.uri.path, rawQuery: request.uri.query ?? "",
            headers: request.headers, body: Data(body.readableBytesView))
        let latency = state.faults.latency
        if latency > .zero { try await Task.sleep(for: latency) }
        let reply = injectedFailure(for: route, vendorRequest) ?? answer(route, vendorRequest)
        return finish(reply, route: route, request: request, served: vendorRequest)
    }

    /// The answer of the vendor handlers, or their refusal.
    private func answer(_ route: Route, _ request: VendorRequest) -> VendorReply {
        let handlers = VendorHandlers(state: state)
        do {
            return try handlers.handle(route, request)
        } catch let refusal as VendorRefusal {
            return refusal.reply
        } catch {
            logger.error("simulated vendor failed: \(error)")
            return VendorReply.salesforceError(
                500, "UNKNOWN_EXCEPTION", "An unexpected error occurred in the simulator.")
        }
    }

    /// A 5xx, 429 or redirect answer when a counted fault is aimed at the route's endpoint.
    private func injectedFailure(for route: Route, _ request: VendorRequest) -> VendorReply? {
        guard let endpoint = route.endpoint else { return nil }
        if let fault = state.takeCounted(
            \.redirects, key: "redirects", endpoint: endpoint, endpointOf: \.endpoint, countOf: \.count)
        {
            return FaultReplies.redirect(request, toOtherHost: fault.toOtherHost, base: state.baseURL.current)
        }
        if state.takeCounted(
            \.htmlPages, key: "htmlPages", endpoint: endpoint, endpointOf: \.endpoint, countOf: \.count) != nil
        {
            return FaultReplies.maintenancePage
        }
        if let fault = state.takeCounted(
            \.serverErrors, key: "serverErrors", endpoint: endpoint, endpointOf: \.endpoint, countOf: \.count)
        {
            return FaultReplies.serverError(status: fault.status, endpoint: endpoint)
        }
        if let fault = state.takeCounted(
            \.throttles, key: "throttles", endpoint: endpoint, endpointOf: \.endpoint, countOf: \.count)
        {
            return FaultReplies.throttled(retryAfter: fault.retryAfterSeconds, endpoint: endpoint)
        }
        return nil
    }

    /// The Hummingbird response, after gzip, truncation and slow-body faults; also records the request.
    private func finish(_ reply: VendorReply, route: Route, request: Request, served: VendorRequest?) -> Response {
        var reply = reply
        var headers = HTTPFields()
        if reply.isCompressible, !reply.body.isEmpty, Gzip.isAccepted(by: served?.header("Accept-Encoding")),
            let compressed = try? Gzip.compress(reply.body)
        {
            reply.body = compressed
            headers[.contentEncoding] = "gzip"
            headers[.vary] = "Accept-Encoding"
        }
        for (name, value) in reply.headers {
            if let fieldName = HeaderField.Name(name) { headers.append(HeaderField(name: fieldName, value: value)) }
        }
        let isHead = request.method == .head
        let unsized = route.endpoint.map { state.faults.unsizedBodies.contains($0) } ?? false
        if headers[.contentLength] == nil && !unsized { headers[.contentLength] = String(reply.body.count) }
        state.record(
            VendorSimulator.ServedRequest(
                endpoint: route.endpoint, method: request.method.rawValue, path: request.uri.path, status: reply.status)
        )
        let status = HTTPResponse.Status(code: reply.status)
        if isHead { return Response(status: status, headers: headers, body: ResponseBody()) }
        let bytes = reply.body
        if let endpoint = route.endpoint,
            state.takeCounted(
                \.truncations, key: "truncations", endpoint: endpoint, endpointOf: \.endpoint,
                countOf: \.count) != nil
        {
            return Response(status: status, headers: headers, body: FaultReplies.truncatedBody(bytes))
        }
        if let endpoint = route.endpoint, let slow = state.faults.slowBodies.first(where: { $0.endpoint == endpoint }) {
            return Response(status: status, headers: headers, body: FaultReplies.slowBody(bytes, slow))
        }
        if unsized { return Response(status: status, headers: headers, body: FaultReplies.unsizedBody(bytes)) }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
