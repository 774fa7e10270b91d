import Foundation

/// Everything the simulator's handlers share: the org, the credentials, and the state that requests change
/// (tokens, query jobs, fault counts, the request log), behind one lock.
final class SimulatorState: Sendable {
    let org: SimulatedOrg
    let clientID: String
    let clientSecret: String
    let dataverseClientID: String
    let tenantID: String
    let dataverseOrganizationID: String
    let tokenPrefix: String?
    let jobPollsUntilComplete: Int
    let defaultResultsPageRecords: Int
    let exportPartBytes: Int
    let requestObserver: (@Sendable (VendorSimulator.ServedRequest) -> Void)?

    /// The base URL (`https://127.0.0.1:PORT`), known once the server is bound.
    let baseURL = Locked<URL>(URL(string: "https://127.0.0.1")!)

    struct Mutable {
        var currentMonth: Int
        var faults: VendorSimulator.Faults
        /// How often each counted fault was used, by its key (`serverErrors.0`, …).
        var faultUses: [String: Int] = [:]
        var tokens: [String: IssuedToken] = [:]
        var jobs: [String: BulkQueryJob] = [:]
        var jobsCreated = 0
        /// Salesforce REST requests served today, for the daily allowance.
        var apiRequests = 0
        var served: [VendorSimulator.ServedRequest] = []
    }

    /// An access token the simulator issued.
    struct IssuedToken {
        enum Audience { case salesforce, dataverse }
        let audience: Audience
        var uses = 0
    }

    let mutable: Locked<Mutable>
    /// Data Export zips by month and renamed columns.
    let archiveCache = Locked<[String: [DataExportArchive]]>([:])
    /// Dataverse tables by month.
    let dataverseCache = Locked<[Int: [String: [DataverseRecord]]]>([:])

    init(options: VendorSimulator.Options, clientSecret: String) {
        org = SimulatedOrg(seed: options.seed, scale: options.scale)
        clientID = options.clientID ?? "3MVG9" + StableID.base62("client:\(options.seed)", count: 80)
        self.clientSecret = clientSecret
        dataverseClientID = StableID.guid("dataverse-client:\(options.seed)")
        tenantID = StableID.guid("tenant:\(options.seed)")
        dataverseOrganizationID = StableID.guid("dataverse-org:\(options.seed)")
        tokenPrefix = options.tokenPrefix
        jobPollsUntilComplete = max(0, options.jobPollsUntilComplete)
        defaultResultsPageRecords = max(1, options.defaultResultsPageRecords)
        exportPartBytes = max(1, options.exportPartBytes)
        requestObserver = options.requestObserver
        mutable = Locked(Mutable(currentMonth: max(0, options.month), faults: options.faults))
    }

    var currentMonth: Int { mutable.withLock { $0.currentMonth } }

    // MARK: - Tokens

    /// Issues a new access token for `audience`.
    func issueToken(for audience: IssuedToken.Audience, value: String) {
        mutable.withLock { $0.tokens[value] = IssuedToken(audience: audience) }
    }

    /// The outcome of presenting a bearer token.
    enum TokenCheck { case valid, missingOrUnknown, expired }

    /// Checks a bearer token and counts its use; past the expiry fault's count it is expired for good.
    func checkToken(_ token: String?, for audience: IssuedToken.Audience) -> TokenCheck {
        mutable.withLock { state in
            guard let token, var issued = state.tokens[token], issued.audience == audience else {
                return .missingOrUnknown
            }
            if let limit = state.faults.tokenExpiresAfterRequests, issued.uses >= limit { return .expired }
            issued.uses += 1
            state.tokens[token] = issued
            return .valid
        }
    }

    // MARK: - Faults

    /// Uses one count of the first counted fault in `list` aimed at `endpoint`, if any is left.
    func takeCounted<Fault>(
        _ list: KeyPath<VendorSimulator.Faults, [Fault]>, key: String, endpoint: VendorSimulator.Endpoint,
        endpointOf: (Fault) -> VendorSimulator.Endpoint, countOf: (Fault) -> Int
    ) -> Fault? {
        mutable.withLock { state in
            for (index, fault) in state.faults[keyPath: list].enumerated() where endpointOf(fault) == endpoint {
                let useKey = "\(key).\(index)"
                let used = state.faultUses[useKey, default: 0]
                if used < countOf(fault) {
                    state.faultUses[useKey] = used + 1
                    return fault
                }
            }
            return nil
        }
    }

    var faults: VendorSimulator.Faults { mutable.withLock { $0.faults } }

    /// How many served requests the log keeps; past it the older half is dropped, so a long-running simulator's
    /// memory stays bounded.
    static let servedRequestsKept = 100_000

    /// Records a served request.
    func record(_ request: VendorSimulator.ServedRequest) {
        mutable.withLock { state in
            if state.served.count >= SimulatorState.servedRequestsKept {
                state.served.removeFirst(state.served.count / 2)
            }
            state.served.append(request)
        }
        requestObserver?(request)
    }
}

extension SimulatorState {
    /// The Data Export zips of `month` under `renames`, built once and kept (the last eight kept).
    func exportArchives(
        month: Int, renames: [VendorSimulator.Faults.RenamedColumn], build: () throws -> [DataExportArchive]
    ) rethrows -> [DataExportArchive] {
        let key = "\(month)|\(renames.map { "\($0.object).\($0.column)>\($0.newName)" }.joined(separator: ","))"
        if let cached = archiveCache.withLock({ $0[key] }) { return cached }
        let built = try build()
        archiveCache.withLock { cache in
            if cache.count >= 8 { cache.removeAll() }
            cache[key] = built
        }
        return built
    }
}

extension SimulatorState {
    /// The Dataverse tables of `month`, mapped once and kept (the last four kept).
    func dataverseRecords(month: Int) throws -> [String: [DataverseRecord]] {
        if let cached = dataverseCache.withLock({ $0[month] }) { return cached }
        let built = DataverseRecord.build(from: try org.month(month))
        dataverseCache.withLock { cache in
            if cache.count >= 4 { cache.removeAll() }
            cache[month] = built
        }
        return built
    }
}
