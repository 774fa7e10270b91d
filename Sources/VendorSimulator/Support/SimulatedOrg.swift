import CRMExportGenerator
import Foundation

/// The generated org behind every vendor surface: the Salesforce-style export of each month (``CRMExportGenerator``),
/// parsed once per month and cached, plus the ids that name the org.
final class SimulatedOrg: Sendable {
    /// The generator of the org's months.
    let generator: CRMExportGenerator
    /// The Salesforce org id (`00D…`, 18 characters).
    let organizationID: String
    /// The integration user the client-credentials flow runs as (`005…`).
    let integrationUserID: String

    /// One month of the org.
    struct Month: Sendable {
        /// The generator's files, `<Object>.csv`, in object order.
        let files: [(name: String, contents: Data)]
        /// Each object's parsed CSV, by object name.
        let tables: [String: CSVTable]
    }

    private let months = Locked<[Int: Month]>([:])
    private let generating = NSLock()

    init(seed: UInt64, scale: Int) {
        generator = CRMExportGenerator(seed: seed, scale: scale)
        organizationID = StableID.salesforce(keyPrefix: "00D", number: 62 * 62 * 62 * 62 * 40 + seed % 1_000_000)
        integrationUserID = StableID.salesforce(keyPrefix: "005", number: 62 * 62 * 62 * 62 * 41 + seed % 1_000)
    }

    /// The object names, in export order.
    var objectNames: [String] { generator.objectNames }

    /// The org as of `month`, generated and parsed on first use; up to four months stay cached (the earliest month
    /// is dropped first).
    func month(_ month: Int) throws -> Month {
        if let cached = months.withLock({ $0[month] }) { return cached }
        // One generation at a time: requests arriving together for a new month wait for it instead of each
        // generating it again.
        generating.lock()
        defer { generating.unlock() }
        if let cached = months.withLock({ $0[month] }) { return cached }
        let files = generator.month(month)
        var tables: [String: CSVTable] = [:]
        for file in files {
            let object = String(file.name.dropLast(4))
            tables[object] = try CSVTable.parse(file.contents, name: file.name)
        }
        let parsed = Month(files: files, tables: tables)
        months.withLock { cache in
            if cache.count >= 4, let oldest = cache.keys.min() { cache[oldest] = nil }
            cache[month] = parsed
        }
        return parsed
    }
}
