// `crmvault-vendor-sim`: runs the simulated vendor (Sources/VendorSimulator) as its own process. It only parses
// flags and wires them to `VendorSimulator`.
import ArgumentParser
import Dispatch
import Foundation
import VaultCore
import VendorSimulator

struct VendorSimulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crmvault-vendor-sim",
        abstract: "Serve a simulated CRM vendor (Salesforce Bulk API 2.0, Data Export, Dataverse Web API) over HTTPS.",
        discussion: """
            Binds 127.0.0.1 only, with a test CA made at start; clients trust it through the CA file (--ca-out). \
            Prints the base URL, the CA file and the client ids, then serves until SIGINT or SIGTERM. The client \
            secret is printed only with --print-secret; give your own with --client-secret-file.

            Endpoints for fault flags: \(VendorSimulator.Faults.endpointNames).
            """)

    @Option(help: "TCP port on 127.0.0.1 (0: any free port).") var port = 0
    @Option(help: "Seed of the generated org.") var seed: UInt64 = 2026
    @Option(help: "About the number of Accounts at month 0 (other objects proportional).") var scale = 200
    @Option(help: "The month served at start (0 = January 2026). Send SIGUSR1 to serve the next month.")
    var month = 0
    @Option(help: "Write the test CA certificate (PEM) to this file (default: a temporary file removed at exit).")
    var caOut: String?
    @Option(help: "The Salesforce consumer key to accept (default: derived from the seed).") var clientID: String?
    @Option(help: "Read the client secret from this file's first line (default: a random secret).")
    var clientSecretFile: String?
    @Flag(help: "Print the client secret (it is never printed otherwise).") var printSecret = false
    @Option(help: "Start every issued access token with this text, to look for it in outputs.") var tokenPrefix: String?
    @Option(help: "Status polls a query job takes to reach JobComplete.") var jobPolls = 2
    @Option(help: "Records per results page when the client sends no maxRecords.") var pageRecords = 50_000
    @Option(help: "Largest uncompressed size of one Data Export zip, in bytes.") var exportPartBytes = 512 * 1024 * 1024
    @Flag(help: "Print one line per request answered (method, path, status).") var logRequests = false
    @Flag(help: "Print the start-up facts as one JSON object instead of lines.") var json = false

    @Option(help: "Pause before every response, in milliseconds.") var latencyMs = 0
    @Option(help: "ENDPOINT[:STATUS[:COUNT]]: answer 500 or 503 (default 503) COUNT times (default 1). Repeatable.")
    var serverError: [String] = []
    @Option(help: "ENDPOINT[:COUNT[:RETRY_AFTER_SECONDS]]: answer 429 with Retry-After. Repeatable.")
    var throttle: [String] = []
    @Option(help: "After N Salesforce REST requests answer 403 REQUEST_LIMIT_EXCEEDED.") var dailyApiLimit: Int?
    @Option(help: "Access tokens stop working (401) after N authenticated requests each.") var tokenExpiresAfter: Int?
    @Option(help: "ENDPOINT[:COUNT]: announce the full Content-Length, send half, close. Repeatable.")
    var truncate: [String] = []
    @Option(help: "PLACE[:DELTA[:OBJECT]]: report record counts off by DELTA (page-header, job-info, odata-count).")
    var lieCount: [String] = []
    @Option(help: "OBJECT[:MESSAGE]: query jobs on OBJECT end Failed with MESSAGE. Repeatable.") var failJob: [String] =
        []
    @Option(help: "OBJECT.COLUMN=NEW_NAME: rename a column in query results and export CSVs. Repeatable.")
    var renameColumn: [String] = []
    @Option(help: "ENDPOINT:PAUSE_MS[:CHUNK_BYTES]: send bodies in chunks with a pause before each. Repeatable.")
    var slowBody: [String] = []
    @Option(help: "ENDPOINT[:COUNT[:other-host]]: answer 302 to the same request (on localhost). Repeatable.")
    var redirect: [String] = []
    @Option(help: "ENDPOINT: send bodies chunked, without Content-Length. Repeatable.") var unsizedBody: [String] = []
    @Option(help: "ENTITY_SET: give the Dataverse table an entity image (its companion columns). Repeatable.")
    var entityImage: [String] = []
    @Flag(help: "Answer a Data Export request without a session with 200 and a login-redirect script, not a 302.")
    var sessionScriptRedirect = false
    @Option(help: "ENDPOINT[:COUNT]: answer 200 with an HTML maintenance page. Repeatable.") var htmlPage: [String] = []

    func run() async throws {
        var options = VendorSimulator.Options()
        options.port = port
        options.seed = seed
        options.scale = scale
        options.month = month
        options.caCertificateFile = caOut.map { URL(fileURLWithPath: $0) }
        options.clientID = clientID
        options.clientSecret = try clientSecretFile.map(Self.readSecret)
        options.tokenPrefix = tokenPrefix
        options.jobPollsUntilComplete = jobPolls
        options.defaultResultsPageRecords = pageRecords
        options.exportPartBytes = exportPartBytes
        options.faults = try faults()
        options.logger.logLevel = .warning
        if logRequests {
            options.requestObserver = { request in
                say("\(request.status) \(request.method) \(TerminalText.escaped(request.path))")
            }
        }
        let vendor = try await VendorSimulator.start(options)
        printFacts(vendor)
        await Self.waitForStop {
            vendor.currentMonth += 1
            say("now serving month \(vendor.currentMonth)")
        }
        await vendor.stop()
    }

    private func faults() throws -> VendorSimulator.Faults {
        typealias Faults = VendorSimulator.Faults
        var faults = Faults()
        do {
            faults.latency = .milliseconds(latencyMs)
            faults.serverErrors = try serverError.map(Faults.serverErrors)
            faults.throttles = try throttle.map(Faults.throttle)
            faults.dailyRequestLimit = dailyApiLimit
            faults.tokenExpiresAfterRequests = tokenExpiresAfter
            faults.truncations = try truncate.map(Faults.truncation)
            faults.recordCountLies = try lieCount.map(Faults.recordCountLie)
            faults.failedJobs = try failJob.map(Faults.failedJob)
            faults.renamedColumns = try renameColumn.map(Faults.renamedColumn)
            faults.slowBodies = try slowBody.map(Faults.slowBody)
            faults.redirects = try redirect.map(Faults.redirect)
            faults.unsizedBodies = try unsizedBody.map(Faults.unsizedBody)
            faults.entityImages = entityImage
            faults.sessionScriptRedirects = sessionScriptRedirect
            faults.htmlPages = try htmlPage.map(Faults.htmlPage)
        } catch let error as Faults.SpecificationError {
            throw ValidationError(error.description)
        }
        return faults
    }

    private static func readSecret(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path), data.count <= 4096,
            let text = String(data: data, encoding: .utf8),
            let line = text.split(whereSeparator: \.isNewline).first, !line.isEmpty
        else {
            throw ValidationError(
                "Cannot read a client secret from \(TerminalText.escaped(path)): it must be a "
                    + "readable UTF-8 file of at most 4 KiB whose first line is the secret.")
        }
        return String(line)
    }

    private func printFacts(_ vendor: VendorSimulator) {
        let facts: [(String, String)] =
            [
                ("baseURL", vendor.baseURL.absoluteString), ("caFile", vendor.caCertificateFile.path),
                ("clientID", vendor.clientID), ("organizationID", vendor.organizationID),
                ("dataverseClientID", vendor.dataverseClientID), ("tenantID", vendor.tenantID),
                ("dataverseScope", vendor.dataverseScope), ("month", String(vendor.currentMonth)),
            ] + (printSecret ? [("clientSecret", vendor.clientSecret)] : [])
        if json {
            let object = Dictionary(facts, uniquingKeysWith: { first, _ in first })
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            if let data = try? encoder.encode(object) { say(String(decoding: data, as: UTF8.self)) }
        } else {
            for (name, value) in facts { say("\(name): \(TerminalText.escaped(value))") }
            say("Serving until SIGINT or SIGTERM (SIGUSR1: next month).")
        }
    }

    /// Waits for SIGINT or SIGTERM, calling `nextMonth` on each SIGUSR1.
    private static func waitForStop(nextMonth: @escaping @Sendable () -> Void) async {
        let queue = DispatchQueue(label: "crmvault-vendor-sim.signals")
        let (stops, continuation) = AsyncStream<Void>.makeStream()
        var sources: [any DispatchSourceSignal] = []
        for signalNumber in [SIGINT, SIGTERM, SIGUSR1] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
            source.setEventHandler {
                if signalNumber == SIGUSR1 { nextMonth() } else { continuation.yield() }
            }
            source.resume()
            sources.append(source)
        }
        for await _ in stops { break }
        sources.forEach { $0.cancel() }
    }
}

/// Writes a line to standard output at once (unbuffered), so a script reading the facts sees them while serving.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

// Exit codes as crmvault's contract has them: 2 for a usage error (ArgumentParser's default is 64), 5 when the
// simulator cannot start (port taken, CA file not writable).
let command: VendorSimulatorCommand
do {
    command = try VendorSimulatorCommand.parse()
} catch {
    if VendorSimulatorCommand.exitCode(for: error) == .validationFailure {
        FileHandle.standardError.write(Data((VendorSimulatorCommand.fullMessage(for: error) + "\n").utf8))
        VendorSimulatorCommand.exit(withError: ExitCode(2))
    }
    VendorSimulatorCommand.exit(withError: error)
}
do {
    try await command.run()
} catch let error as ValidationError {
    FileHandle.standardError.write(Data((VendorSimulatorCommand.fullMessage(for: error) + "\n").utf8))
    VendorSimulatorCommand.exit(withError: ExitCode(2))
} catch {
    FileHandle.standardError.write(Data("crmvault-vendor-sim: \(TerminalText.escaped(String(describing: error)))\n".utf8))
    VendorSimulatorCommand.exit(withError: ExitCode(5))
}
