import Foundation

extension VendorSimulator {
    /// A family of endpoints that faults can be aimed at.
    public enum Endpoint: String, Sendable, CaseIterable, Codable {
        /// `POST /services/oauth2/token`.
        case salesforceToken = "salesforce-token"
        /// `GET /services/data/vNN.N/sobjects`.
        case sobjects
        /// `GET /services/data/vNN.N/sobjects/NAME/describe`.
        case describe
        /// `POST /services/data/vNN.N/jobs/query`.
        case createQueryJob = "create-job"
        /// `GET /services/data/vNN.N/jobs/query/{id}` (and abort, delete, list).
        case queryJob = "job"
        /// `GET /services/data/vNN.N/jobs/query/{id}/results`.
        case queryResults = "results"
        /// `GET /services/data/vNN.N/limits` and `GET /services/data`.
        case limits
        /// The Data Export page `GET /ui/setup/export/DataExportPage/d`.
        case exportListing = "export-listing"
        /// `GET /servlet/servlet.OrgExport?fileName=…`.
        case exportDownload = "export-download"
        /// `POST /{tenant}/oauth2/v2.0/token`.
        case dataverseToken = "dataverse-token"
        /// `GET /api/data/v9.2/<entityset>` (and `WhoAmI`).
        case dataverseQuery = "dataverse-query"
        /// `GET /api/data/v9.2/EntityDefinitions…`.
        case dataverseMetadata = "dataverse-metadata"

        /// Whether the endpoint is Dataverse's (its errors take Dataverse's shape).
        var isDataverse: Bool { [.dataverseToken, .dataverseQuery, .dataverseMetadata].contains(self) }
    }

    /// The faults in force. Each counted fault applies to the next `count` matching requests, then stops;
    /// assigning ``VendorSimulator/faults`` restarts every count.
    public struct Faults: Sendable, Equatable {
        /// A pause before every response.
        public var latency: Duration = .zero
        /// 500 or 503 answers.
        public var serverErrors: [ServerErrors] = []
        /// 429 Too Many Requests answers with a `Retry-After` header.
        public var throttles: [Throttle] = []
        /// The org's daily API allowance: once this many Salesforce REST requests were served, every further one
        /// gets `403` `REQUEST_LIMIT_EXCEEDED` (and `/limits` shows `Remaining` 0). `nil`: unlimited.
        public var dailyRequestLimit: Int?
        /// An access token stops working after this many authenticated requests: Salesforce answers `401`
        /// `INVALID_SESSION_ID`, Dataverse `401` with `WWW-Authenticate: Bearer error="invalid_token"`. A new
        /// token from the token endpoint works again for as many. `nil`: tokens never expire.
        public var tokenExpiresAfterRequests: Int?
        /// Bodies cut short: the full `Content-Length` is announced, about half the bytes are sent, then the
        /// connection is closed.
        public var truncations: [Truncation] = []
        /// Record counts that disagree with the records sent.
        public var recordCountLies: [RecordCountLie] = []
        /// Query jobs that end `Failed` with an `errorMessage` instead of `JobComplete`.
        public var failedJobs: [FailedJob] = []
        /// A column whose header is renamed in Bulk query results and Data Export CSVs (describe keeps the
        /// real name), as when an admin renames a field between the describe and the query.
        public var renamedColumns: [RenamedColumn] = []
        /// Bodies sent slowly, for client timeouts.
        public var slowBodies: [SlowBody] = []
        /// Answers redirected first (`302`), as a load balancer or file server may answer a download.
        public var redirects: [Redirect] = []
        /// Endpoints whose bodies go out with chunked transfer encoding and no `Content-Length`, as HTTP allows
        /// any server (or proxy) to send them.
        public var unsizedBodies: [Endpoint] = []
        /// Dataverse entity sets (`contacts`) whose table has an entity image, as many real tables do: the metadata
        /// adds `entityimage` (Virtual), `entityimageid`, and the image's companions `entityimage_timestamp` and
        /// `entityimage_url` (`AttributeOf` `entityimage`); every record carries `entityimageid`,
        /// `entityimage_timestamp` and `entityimage_url` (null), and never `entityimage` itself.
        public var entityImages: [String] = []
        /// The Data Export page and servlet answer a request without a valid `sid` session with `200` and an HTML
        /// page whose script sends the browser to the login page (as Salesforce does for many UI requests), instead
        /// of a `302` to it.
        public var sessionScriptRedirects = false
        /// Answers replaced by a `200` HTML page (a maintenance page, or a proxy's), whatever was asked for.
        public var htmlPages: [HTMLPage] = []

        public init() {}

        /// No faults.
        public static let none = Faults()

        /// `count` answers of `status` (500 or 503) on `endpoint`.
        public struct ServerErrors: Sendable, Equatable {
            public var endpoint: Endpoint
            public var status: Int
            public var count: Int
            public init(_ endpoint: Endpoint, status: Int = 503, count: Int = 1) {
                self.endpoint = endpoint
                self.status = status
                self.count = count
            }
        }

        /// `count` answers of 429 with `Retry-After: retryAfterSeconds` on `endpoint`.
        public struct Throttle: Sendable, Equatable {
            public var endpoint: Endpoint
            public var count: Int
            public var retryAfterSeconds: Int
            public init(_ endpoint: Endpoint, count: Int = 1, retryAfterSeconds: Int = 1) {
                self.endpoint = endpoint
                self.count = count
                self.retryAfterSeconds = retryAfterSeconds
            }
        }

        /// `count` bodies of `endpoint` cut short (results pages, export zips, Dataverse pages, …).
        public struct Truncation: Sendable, Equatable {
            public var endpoint: Endpoint
            public var count: Int
            public init(_ endpoint: Endpoint, count: Int = 1) {
                self.endpoint = endpoint
                self.count = count
            }
        }

        /// A record count off by `delta` where the vendor reports one.
        public struct RecordCountLie: Sendable, Equatable {
            /// Where the wrong count appears.
            public enum Place: String, Sendable, CaseIterable {
                /// The `Sforce-NumberOfRecords` header of every results page.
                case pageHeader = "page-header"
                /// `numberRecordsProcessed` of a completed query job.
                case jobInfo = "job-info"
                /// `@odata.count` of Dataverse pages.
                case odataCount = "odata-count"
            }

            public var place: Place
            /// The object (Salesforce name or Dataverse entity set) it applies to; `nil`: all.
            public var object: String?
            public var delta: Int
            public init(_ place: Place, object: String? = nil, delta: Int = 1) {
                self.place = place
                self.object = object
                self.delta = delta
            }
        }

        /// Query jobs on `object` end `Failed` with `message` as their `errorMessage`.
        public struct FailedJob: Sendable, Equatable {
            public var object: String
            public var message: String
            public init(object: String, message: String = "InternalServerError : Failed to process query: retry later")
            {
                self.object = object
                self.message = message
            }
        }

        /// The header of `column` of `object` reads `newName`.
        public struct RenamedColumn: Sendable, Equatable {
            public var object: String
            public var column: String
            public var newName: String
            public init(object: String, column: String, newName: String) {
                self.object = object
                self.column = column
                self.newName = newName
            }
        }

        /// Bodies of `endpoint` sent in pieces of `chunkBytes` with `pause` between them.
        public struct SlowBody: Sendable, Equatable {
            public var endpoint: Endpoint
            public var pause: Duration
            public var chunkBytes: Int
            public init(_ endpoint: Endpoint, pause: Duration, chunkBytes: Int = 1024) {
                self.endpoint = endpoint
                self.pause = pause
                self.chunkBytes = max(1, chunkBytes)
            }
        }

        /// `count` answers of `endpoint` replaced by `200` `text/html` "down for maintenance" pages.
        public struct HTMLPage: Sendable, Equatable {
            public var endpoint: Endpoint
            public var count: Int
            public init(_ endpoint: Endpoint, count: Int = 1) {
                self.endpoint = endpoint
                self.count = count
            }
        }

        /// `count` requests of `endpoint` answered `302` with a `Location` naming the same request (its query plus
        /// `redirected=1`): on the simulator's own origin, or with `toOtherHost` on `localhost` (another host name
        /// for the same server), where a client must not send its token.
        public struct Redirect: Sendable, Equatable {
            public var endpoint: Endpoint
            public var count: Int
            public var toOtherHost: Bool
            public init(_ endpoint: Endpoint, count: Int = 1, toOtherHost: Bool = false) {
                self.endpoint = endpoint
                self.count = count
                self.toOtherHost = toOtherHost
            }
        }
    }
}
