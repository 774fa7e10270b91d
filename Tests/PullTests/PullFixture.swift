import Definitions
import Foundation
import Logging
import VaultCore
import VaultTesting
import VendorSimulator

@testable import Pull

/// A simulated vendor over HTTPS, a vault with an authorized writer key, the client secret in an owner-only file, and
/// schedules that point at them; waits kept short.
final class PullFixture: @unchecked Sendable {
    /// Every access token the simulator issues starts with this.
    static let tokenCanary = "CANARY-TOKEN-5e1f"
    /// The client secret planted in the schedule's secret file.
    static let plantedSecret = "planted-client-secret-9Qx2-never-print-me"

    let vendor: VendorSimulator
    let vault: TemporaryVault
    let directory: TemporaryDirectory
    let writerKey: URL
    let secretFile: URL
    let logs = LogCapture()
    var progress: [String] { progressLines.lines }
    private let progressLines = LogCapture()

    private init(
        vendor: VendorSimulator, vault: TemporaryVault, directory: TemporaryDirectory, writerKey: URL, secretFile: URL
    ) {
        self.vendor = vendor
        self.vault = vault
        self.directory = directory
        self.writerKey = writerKey
        self.secretFile = secretFile
    }

    static func start(
        scale: Int = 3, configure: (inout VendorSimulator.Options) -> Void = { _ in }
    ) async throws -> PullFixture {
        var options = VendorSimulator.Options()
        options.scale = scale
        options.tokenPrefix = tokenCanary
        options.clientSecret = plantedSecret
        options.jobPollsUntilComplete = 1
        configure(&options)
        let vendor = try await VendorSimulator.start(options)
        let vault = try TemporaryVault()
        let directory = try TemporaryDirectory("crmvault-pull")
        let writer = try vault.writerKey(name: "pull-host")
        let secretFile = try directory.write("acme.secret", Data((plantedSecret + "\n").utf8))
        chmod(secretFile.path, 0o600)
        return PullFixture(
            vendor: vendor, vault: vault, directory: directory, writerKey: writer.file, secretFile: secretFile)
    }

    func stop() async { await vendor.stop() }

    var workDirectory: URL { directory.path("work") }

    /// The TOML of a schedule for `vendor` against the simulator; `extra` lines go into `[source]`.
    func scheduleText(vendor kind: String = "salesforce", objects: [String]? = nil, extra: String = "") -> String {
        var source: String
        switch kind {
        case "dataverse":
            source = """
                vendor = "dataverse"
                instance_url = "\(vendor.baseURL.absoluteString)"
                token_url = "\(vendor.dataverseTokenURL.absoluteString)"
                client_id = "\(vendor.dataverseClientID)"
                objects = [\((objects ?? ["accounts", "contacts"]).map { "\"\($0)\"" }.joined(separator: ", "))]

                """
        default:
            source = """
                vendor = "\(kind)"
                instance_url = "\(vendor.baseURL.absoluteString)"
                client_id = "\(vendor.clientID)"
                api_version = "61.0"

                """
            if let objects { source += "objects = [\(objects.map { "\"\($0)\"" }.joined(separator: ", "))]\n" }
        }
        source += """
            client_secret_file = "\(secretFile.path)"
            ca_file = "\(vendor.caCertificateFile.path)"
            retries = 3
            timeout_seconds = 10

            """
        return """
            every = "0 2 1 * *"
            vault = "\(vault.url.path)"
            writer_key = "\(writerKey.path)"
            work_dir = "\(workDirectory.path)"
            [source]
            \(source)\(extra)
            """
    }

    func schedule(_ text: String, name: String = "acme-prod") throws -> ScheduleDefinition {
        let file = try directory.write("\(name).toml", Data(text.utf8), under: "Schedules")
        return try ScheduleDefinition.load(file: file)
    }

    /// 1 January + `month` months, mid-month, UTC: the pull's clock.
    static func date(month: Int) -> Date {
        var components = DateComponents(year: 2026, month: 1 + month, day: 15, hour: 2)
        components.timeZone = TimeZone(identifier: "UTC")
        return Calendar(identifier: .gregorian).date(from: components)!
    }

    func pull(
        _ schedule: ScheduleDefinition, month: Int = 0, options: PullOptions = PullTestSupport.fastOptions
    ) async throws -> PullResult {
        let capture = progressLines
        let puller = Puller(options: options, progress: { capture.append($0) })
        return try await puller.run(schedule, now: Self.date(month: month), logger: logs.logger)
    }

    /// Restores a snapshot with the owner key into a fresh folder.
    func restore(_ snapshot: String) throws -> URL {
        let target = directory.path("restored-\(snapshot.prefix(12))")
        let opened = try vault.reopened()
        let entry = try opened.resolveSnapshot(snapshot, in: try opened.loadChain())
        let report = try opened.restore(entry, to: target, keys: vault.owner)
        precondition(report.failures.isEmpty)
        return target
    }

    var snapshotCount: Int { (try? vault.reopened().snapshots().count) ?? -1 }

    /// Every file under the work directory (relative paths), to show what a failed pull left behind.
    func workFiles() -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: workDirectory.path) else { return [] }
        return enumerator.compactMap { $0 as? String }.sorted()
    }

    /// Every byte crmvault wrote that a thief of the pull host or the medium could read, as one blob per file.
    func everythingWritten() throws -> [(String, Data)] {
        var blobs: [(String, Data)] = []
        for root in [vault.url, workDirectory] {
            guard
                let enumerator = FileManager.default.enumerator(
                    at: root, includingPropertiesForKeys: [.isRegularFileKey])
            else { continue }
            for case let url as URL in enumerator
            where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                blobs.append((url.path, try Data(contentsOf: url)))
            }
        }
        return blobs
    }
}

#if canImport(Glibc)
    import Glibc
#endif
