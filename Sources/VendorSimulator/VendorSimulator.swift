import Foundation
import Hummingbird
import HummingbirdTLS
import Logging
import NIOPosix
import ServiceLifecycle

/// VendorSimulator: a CRM vendor's export APIs served over HTTPS on 127.0.0.1 from a generated org, with scripted
/// faults, for `crmvault demo`, `crmvault-vendor-sim` and the tests. It speaks the protocols as the vendors
/// document them, not as crmvault's client calls them.
///
/// Nouns:
/// - **Org**: the generated CRM (``CRMExportGenerator``, seed and scale): Account, Contact, Lead, Opportunity, Case
///   and Task records with 18-character Salesforce ids. **Month** `m` is the org after `m` monthly changes
///   (0 = January 2026); the **current month** is the one every surface serves now.
/// - **Salesforce surfaces**: the OAuth token endpoint (client credentials), the REST metadata (`sobjects`,
///   `describe`, `limits`), Bulk API 2.0 query **jobs** and their paged CSV **results**, and the **Data Export**
///   service (its Setup page and the `servlet.OrgExport` download of `WE_<org>_<n>.ZIP` zips).
/// - **Dataverse surfaces**: the Microsoft identity platform token endpoint, the Web API's entity sets (`accounts`,
///   `contacts`, `leads`, `opportunities`, `incidents`, `tasks`) with OData paging and annotations, and
///   `EntityDefinitions` metadata. Records are the org's, with GUIDs derived from the Salesforce ids.
/// - **Faults** (``Faults``): latency, 5xx, 429, the daily allowance used up, expiring tokens, truncated and slow
///   bodies, lying record counts, failed jobs and renamed columns, each aimed at an ``Endpoint``.
/// - **Test CA**: the certificate authority made at start; its certificate is written to
///   ``caCertificateFile`` and is the only root that trusts the server.
///
/// The API (stable; the pull connectors' tests code against it):
/// ```swift
/// var options = VendorSimulator.Options()
/// options.scale = 20
/// options.tokenPrefix = "CANARY-TOKEN-"           // every access token starts with this
/// let vendor = try await VendorSimulator.start(options)
/// vendor.baseURL                 // https://127.0.0.1:PORT, the Salesforce instance_url and the Dataverse org URL
/// vendor.caCertificateFile       // PEM of the test CA, for the client's CA file
/// vendor.clientID, vendor.clientSecret              // Salesforce connected app
/// vendor.dataverseClientID, vendor.tenantID, vendor.dataverseScope, vendor.dataverseTokenURL
/// vendor.organizationID          // 00D… (the Salesforce org id, also in the export zip names)
/// vendor.currentMonth = 1        // serve the next month
/// vendor.faults.serverErrors = [.init(.queryResults, status: 503, count: 2)]
/// try vendor.export(month: 1)    // the month's <Object>.csv bytes: what a full Bulk query or the zips hold
/// try vendor.dataverseRecords(entitySet: "accounts", month: 1)
/// vendor.servedRequests          // what was asked and answered
/// await vendor.stop()
/// ```
public final class VendorSimulator: Sendable {
    /// `https://127.0.0.1:PORT`: the Salesforce instance URL (`instance_url`), the Dataverse organization URL, and
    /// the host of both token endpoints.
    public let baseURL: URL
    /// The PEM file of the test CA's certificate.
    public let caCertificateFile: URL
    /// The test CA's certificate, PEM.
    public let caCertificatePEM: String
    /// The Salesforce connected app's consumer key.
    public var clientID: String { state.clientID }
    /// The client secret both token endpoints accept.
    public var clientSecret: String { state.clientSecret }
    /// The Salesforce org id (`00D…`, 18 characters).
    public var organizationID: String { state.org.organizationID }
    /// The Dataverse application (client) id, a GUID.
    public var dataverseClientID: String { state.dataverseClientID }
    /// The Microsoft Entra tenant id, a GUID.
    public var tenantID: String { state.tenantID }
    /// The Dataverse organization id `WhoAmI` reports.
    public var dataverseOrganizationID: String { state.dataverseOrganizationID }
    /// `POST` here for a Salesforce access token.
    public var salesforceTokenURL: URL { baseURL.appendingPathComponent("services/oauth2/token") }
    /// `POST` here for a Dataverse access token.
    public var dataverseTokenURL: URL { baseURL.appendingPathComponent("\(tenantID)/oauth2/v2.0/token") }
    /// The `scope` of a Dataverse token request: `<baseURL>/.default`.
    public var dataverseScope: String { baseURL.absoluteString + "/.default" }
    /// The Web API root, `<baseURL>/api/data/v9.2`.
    public var dataverseAPIURL: URL { baseURL.appendingPathComponent("api/data/v9.2") }
    /// The Data Export Setup page that lists the ready export zips.
    public var dataExportPageURL: URL {
        URL(string: baseURL.absoluteString + "/ui/setup/export/DataExportPage/d?setupid=DataManagementExport")!
    }

    /// The month every surface serves (0 = January 2026). Query jobs keep the month they were created in.
    public var currentMonth: Int {
        get { state.currentMonth }
        set { state.mutable.withLock { $0.currentMonth = max(0, newValue) } }
    }

    /// The faults in force; assigning restarts every counted fault.
    public var faults: Faults {
        get { state.faults }
        set {
            state.mutable.withLock {
                $0.faults = newValue
                $0.faultUses = [:]
            }
        }
    }

    /// A request the simulator answered.
    public struct ServedRequest: Sendable, Equatable {
        /// The endpoint family, `nil` for paths no vendor has.
        public let endpoint: Endpoint?
        public let method: String
        /// The path, without the query.
        public let path: String
        public let status: Int
    }

    /// The requests answered so far, in order (the latest 50 000 to 100 000 once more were served).
    public var servedRequests: [ServedRequest] { state.mutable.withLock { $0.served } }

    let state: SimulatorState
    private let services: ServiceGroup
    private let server: Task<Void, any Error>
    /// The simulator's own thread: its connections' I/O and, through ``EventLoopTaskExecutor``, its request handlers.
    private let thread: MultiThreadedEventLoopGroup
    private let temporaryFolder: URL?

    private init(
        baseURL: URL, caCertificateFile: URL, caCertificatePEM: String, state: SimulatorState, services: ServiceGroup,
        server: Task<Void, any Error>, thread: MultiThreadedEventLoopGroup, temporaryFolder: URL?
    ) {
        self.baseURL = baseURL
        self.caCertificateFile = caCertificateFile
        self.caCertificatePEM = caCertificatePEM
        self.state = state
        self.services = services
        self.server = server
        self.thread = thread
        self.temporaryFolder = temporaryFolder
    }

    /// Makes the test CA, writes its certificate, binds 127.0.0.1 and serves until ``stop()``, on a thread of its own
    /// (not Swift's global concurrency pool, which the callers' own work may keep busy).
    public static func start(_ options: Options) async throws -> VendorSimulator {
        let authority = try TestCertificateAuthority()
        var temporaryFolder: URL?
        let caFile: URL
        if let requested = options.caCertificateFile {
            caFile = requested
        } else {
            let folder = FileManager.default.temporaryDirectory
                .appendingPathComponent("crmvault-vendor-sim-\(UUID().uuidString)", isDirectory: true)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
            temporaryFolder = folder
            caFile = folder.appendingPathComponent("vendor-ca.pem")
        }
        // An atomic write replaces whatever is at the path (a link included) instead of writing through it.
        try Data(authority.caCertificatePEM.utf8).write(to: caFile, options: .atomic)

        let secret = options.clientSecret ?? StableID.base62("secret:\(UUID().uuidString)", count: 64)
        let state = SimulatorState(options: options, clientSecret: secret)
        let ports = AsyncStream<Int>.makeStream()
        let thread = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let executor = EventLoopTaskExecutor(thread.next())
        let application: Application<SimulatorResponder>
        do {
            application = Application(
                responder: SimulatorResponder(state: state, logger: options.logger),
                server: try .tls(.http1(), tlsConfiguration: authority.serverTLS),
                configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: options.port)),
                onServerRunning: { channel in
                    if let port = channel.localAddress?.port { ports.continuation.yield(port) }
                    ports.continuation.finish()
                },
                eventLoopGroupProvider: .shared(thread),
                logger: options.logger)
        } catch {
            try? await thread.shutdownGracefully()
            throw error
        }
        let services = ServiceGroup(
            configuration: .init(services: [application], gracefulShutdownSignals: [], logger: options.logger))
        // Every task the server starts (a connection's, a request's) inherits the executor preference.
        let server = Task(executorPreference: executor) {
            defer { ports.continuation.finish() }
            try await services.run()
        }
        var bound: Int?
        for await port in ports.stream {
            bound = port
            break
        }
        guard let port = bound else {
            let result = await server.result
            try? await thread.shutdownGracefully()
            try result.get()
            throw SimulatorSetupError("the simulated vendor stopped before it listened on 127.0.0.1:\(options.port)")
        }
        let baseURL = URL(string: "https://127.0.0.1:\(port)")!
        state.baseURL.withLock { $0 = baseURL }
        return VendorSimulator(
            baseURL: baseURL, caCertificateFile: caFile, caCertificatePEM: authority.caCertificatePEM, state: state,
            services: services, server: server, thread: thread, temporaryFolder: temporaryFolder)
    }

    /// Stops serving (answers in flight get two seconds to finish, then their connections are closed) and removes
    /// the temporary CA folder if the simulator made one.
    public func stop() async {
        await services.triggerGracefulShutdown()
        let server = self.server
        let deadline = Task {
            try await Task.sleep(for: .seconds(2))
            server.cancel()
        }
        _ = await server.result
        deadline.cancel()
        try? await thread.shutdownGracefully()
        if let temporaryFolder { try? FileManager.default.removeItem(at: temporaryFolder) }
    }

    // MARK: - What was served

    /// The org's export as of `month`: `<Object>.csv` files (name, bytes) in object order. A Bulk query of all of an
    /// object's non-compound fields in describe order returns exactly these bytes (pages joined, later headers
    /// dropped), and the Data Export zips hold exactly these files (unless a renamed-column fault applies).
    public func export(month: Int) throws -> [(name: String, contents: Data)] {
        try state.org.month(month).files
    }

    /// The Data Export zips of `month` as the servlet serves them (name, bytes).
    public func dataExportArchives(month: Int) throws -> [(name: String, contents: Data)] {
        try VendorHandlers(state: state).exportArchives(month: month).map { ($0.fileName, $0.contents) }
    }

    /// The records of a Dataverse entity set (`accounts`, …) as of `month`, in the order paging returns them: each
    /// a dictionary from Web API column (`name`, `_parentcustomerid_value`) to the value's text (numbers as
    /// written in JSON, booleans `true`/`false`); a null column is absent.
    public func dataverseRecords(entitySet: String, month: Int) throws -> [[String: String]] {
        guard let records = try state.dataverseRecords(month: month)[entitySet] else { return [] }
        return records.map { record in
            var values: [String: String] = [:]
            for cell in record.cells { values[cell.column] = cell.text }
            return values
        }
    }

    /// The Dataverse entity sets served, in export order.
    public static let dataverseEntitySets = DataverseEntity.all.map(\.entitySetName)
}
