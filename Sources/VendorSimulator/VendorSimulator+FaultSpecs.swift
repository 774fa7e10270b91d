import Foundation

/// Faults written as short command-line specifications (`results:503:2`), for `crmvault-vendor-sim`.
extension VendorSimulator.Faults {
    /// A fault specification that cannot be read; says what is wrong and the form expected.
    public struct SpecificationError: Error, CustomStringConvertible {
        public let description: String
    }

    /// `ENDPOINT[:STATUS[:COUNT]]`, status 500 or 503 (default 503), count default 1.
    public static func serverErrors(_ spec: String) throws -> ServerErrors {
        let parts = try fields(spec, "ENDPOINT[:STATUS[:COUNT]]", 1...3)
        let status = try parts.count > 1 ? number(parts[1], spec, "STATUS") : 503
        guard [500, 503].contains(status) else {
            throw SpecificationError(description: "\(spec): STATUS must be 500 or 503.")
        }
        return ServerErrors(
            try endpoint(parts[0], spec), status: status,
            count: try parts.count > 2 ? number(parts[2], spec, "COUNT") : 1)
    }

    /// `ENDPOINT[:COUNT[:RETRY_AFTER_SECONDS]]`.
    public static func throttle(_ spec: String) throws -> Throttle {
        let parts = try fields(spec, "ENDPOINT[:COUNT[:RETRY_AFTER_SECONDS]]", 1...3)
        return Throttle(
            try endpoint(parts[0], spec), count: try parts.count > 1 ? number(parts[1], spec, "COUNT") : 1,
            retryAfterSeconds: try parts.count > 2 ? number(parts[2], spec, "RETRY_AFTER_SECONDS") : 1)
    }

    /// `ENDPOINT[:COUNT]`.
    public static func truncation(_ spec: String) throws -> Truncation {
        let parts = try fields(spec, "ENDPOINT[:COUNT]", 1...2)
        return Truncation(
            try endpoint(parts[0], spec), count: try parts.count > 1 ? number(parts[1], spec, "COUNT") : 1)
    }

    /// `PLACE[:DELTA[:OBJECT]]`, place `page-header`, `job-info` or `odata-count`, delta default 1 (may be negative).
    public static func recordCountLie(_ spec: String) throws -> RecordCountLie {
        let parts = try fields(spec, "PLACE[:DELTA[:OBJECT]]", 1...3)
        guard let place = RecordCountLie.Place(rawValue: parts[0]) else {
            let places = RecordCountLie.Place.allCases.map(\.rawValue).joined(separator: ", ")
            throw SpecificationError(description: "\(spec): PLACE must be one of \(places).")
        }
        guard parts.count < 2 || Int(parts[1]) != nil else {
            throw SpecificationError(description: "\(spec): DELTA must be a whole number.")
        }
        return RecordCountLie(
            place, object: parts.count > 2 ? parts[2] : nil, delta: parts.count > 1 ? Int(parts[1])! : 1)
    }

    /// `OBJECT[:MESSAGE]`.
    public static func failedJob(_ spec: String) throws -> FailedJob {
        let parts = spec.split(separator: ":", maxSplits: 1).map(String.init)
        guard let object = parts.first, !object.isEmpty else {
            throw SpecificationError(description: "\(spec): expected OBJECT[:MESSAGE].")
        }
        return parts.count > 1 ? FailedJob(object: object, message: parts[1]) : FailedJob(object: object)
    }

    /// `OBJECT.COLUMN=NEW_NAME`.
    public static func renamedColumn(_ spec: String) throws -> RenamedColumn {
        let sides = spec.split(separator: "=", maxSplits: 1).map(String.init)
        let target = sides.first?.split(separator: ".", maxSplits: 1).map(String.init) ?? []
        guard sides.count == 2, target.count == 2, !target[0].isEmpty, !target[1].isEmpty, !sides[1].isEmpty else {
            throw SpecificationError(
                description: "\(spec): expected OBJECT.COLUMN=NEW_NAME, e.g. Account.Name=AccountName.")
        }
        return RenamedColumn(object: target[0], column: target[1], newName: sides[1])
    }

    /// `ENDPOINT:PAUSE_MILLISECONDS[:CHUNK_BYTES]`.
    public static func slowBody(_ spec: String) throws -> SlowBody {
        let parts = try fields(spec, "ENDPOINT:PAUSE_MILLISECONDS[:CHUNK_BYTES]", 2...3)
        return SlowBody(
            try endpoint(parts[0], spec), pause: .milliseconds(try number(parts[1], spec, "PAUSE_MILLISECONDS")),
            chunkBytes: try parts.count > 2 ? number(parts[2], spec, "CHUNK_BYTES") : 1024)
    }

    /// `ENDPOINT[:COUNT]`.
    public static func htmlPage(_ spec: String) throws -> HTMLPage {
        let truncation = try truncation(spec)
        return HTMLPage(truncation.endpoint, count: truncation.count)
    }

    /// `ENDPOINT[:COUNT[:other-host]]`.
    public static func redirect(_ spec: String) throws -> Redirect {
        let parts = try fields(spec, "ENDPOINT[:COUNT[:other-host]]", 1...3)
        guard parts.count < 3 || parts[2] == "other-host" else {
            throw SpecificationError(description: "\(spec): the third field can only be other-host.")
        }
        return Redirect(
            try endpoint(parts[0], spec), count: try parts.count > 1 ? number(parts[1], spec, "COUNT") : 1,
            toOtherHost: parts.count > 2)
    }

    /// `ENDPOINT`.
    public static func unsizedBody(_ spec: String) throws -> VendorSimulator.Endpoint {
        try endpoint(try fields(spec, "ENDPOINT", 1...1)[0], spec)
    }

    /// The endpoint names the specifications take.
    public static var endpointNames: String {
        VendorSimulator.Endpoint.allCases.map(\.rawValue).joined(separator: ", ")
    }

    private static func fields(_ spec: String, _ form: String, _ counts: ClosedRange<Int>) throws -> [String] {
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard counts.contains(parts.count), !parts[0].isEmpty else {
            throw SpecificationError(description: "\(spec): expected \(form).")
        }
        return parts
    }

    private static func endpoint(_ name: String, _ spec: String) throws -> VendorSimulator.Endpoint {
        guard let endpoint = VendorSimulator.Endpoint(rawValue: name) else {
            throw SpecificationError(description: "\(spec): unknown endpoint '\(name)'; use one of \(endpointNames).")
        }
        return endpoint
    }

    private static func number(_ text: String, _ spec: String, _ name: String) throws -> Int {
        guard let value = Int(text), value >= 0 else {
            throw SpecificationError(
                description: "\(spec): \(name) must be a whole number of 0 or more, not '\(text)'.")
        }
        return value
    }
}
