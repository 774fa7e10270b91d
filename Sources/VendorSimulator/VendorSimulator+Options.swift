import Foundation
import Logging

extension VendorSimulator {
    /// How to start a simulator: the org it serves, its credentials, where its CA certificate goes, and its faults.
    public struct Options: Sendable {
        /// The seed of the generated org (``CRMExportGenerator``); equal seeds and scales serve equal data.
        public var seed: UInt64 = 2026
        /// About the number of Accounts at month 0; the other objects are proportional (3 Contacts, 1 Lead,
        /// 2 Opportunities, 2 Cases and 4 Tasks per Account).
        public var scale: Int = 40
        /// The month served first (0 = January 2026); change it later with ``VendorSimulator/currentMonth``.
        public var month: Int = 0
        /// The TCP port on 127.0.0.1; 0 takes any free port (read it from ``VendorSimulator/baseURL``).
        public var port: Int = 0
        /// Where to write the test CA's certificate (PEM). `nil`: a file in a new temporary folder that
        /// ``VendorSimulator/stop()`` removes.
        public var caCertificateFile: URL?
        /// The Salesforce connected app's consumer key; `nil` derives one from the seed.
        public var clientID: String?
        /// The client secret accepted by both token endpoints; `nil` makes a random one.
        public var clientSecret: String?
        /// The start of every access token issued (Salesforce and Dataverse), so that a test can look for it in
        /// every output; `nil` issues Salesforce-style `00D…!AQ…` tokens and JWT-shaped Dataverse tokens.
        public var tokenPrefix: String?
        /// The faults in force from the start; change them later with ``VendorSimulator/faults``.
        public var faults = Faults()
        /// How many `GET …/jobs/query/{id}` polls a query job takes to finish: the first poll after creation
        /// shows `UploadComplete` or `InProgress`, the `n`th shows `JobComplete`. 0 completes at creation.
        public var jobPollsUntilComplete = 2
        /// The records per results page when the client sends no `maxRecords`.
        public var defaultResultsPageRecords = 50_000
        /// The largest uncompressed size of one Data Export zip; objects go into `WE_<org>_1.ZIP`, `_2.ZIP`, …
        /// in order, a new zip starting when the next object would pass this size (one object per zip at least).
        public var exportPartBytes = 512 * 1024 * 1024
        /// Called with every request answered (for `--log-requests`); the path is the client's, unescaped.
        public var requestObserver: (@Sendable (ServedRequest) -> Void)?
        /// The logger for server events; nothing from a request's headers or body is logged.
        public var logger = Logger(label: "crmvault.vendor-sim")

        public init() {}
    }
}
