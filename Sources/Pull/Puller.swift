import Definitions
import ExportLayout
import Foundation
import Logging
import VaultCore

/// Runs one pull: the vendor's full export staged privately on the pull host, checked complete, and backed up as one
/// snapshot (source: the schedule's name; label: the month). A pull that fails or is cancelled leaves no snapshot
/// and no partial data in the vault, removes its staged plaintext, and says why; vendor and network failures are
/// `VaultError`s with the codes `vendorFailed` and `networkFailed` (exit 3).
///
/// This is the API the CLI (`crmvault pull`) and the daemon call.
public struct Puller: Sendable {
    public var options: PullOptions
    /// The owner passphrase, asked for only when the schedule has no `writer_key`.
    public var passphrase: (@Sendable () throws -> Passphrase)?
    /// Progress lines for a person watching; the CLI shows them on a terminal only.
    public var progress: @Sendable (String) -> Void
    /// Where `client_secret_env` variables are looked up.
    public var environment: [String: String]

    public init(
        options: PullOptions = PullOptions(), passphrase: (@Sendable () throws -> Passphrase)? = nil,
        progress: @escaping @Sendable (String) -> Void = { _ in },
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.options = options
        self.passphrase = passphrase
        self.progress = progress
        self.environment = environment
    }

    /// Pulls the schedule's source into its vault. `now` names the month (`YYYY-MM`, in the schedule's `timezone`) the
    /// snapshot is labelled with. Cancelling the task stops the pull before anything is committed (a backup already committing finishes:
    /// the vault format commits a snapshot in one step). Throws `VaultError`, or `CancellationError`.
    public func run(_ definition: ScheduleDefinition, now: Date, logger: Logger) async throws -> PullResult {
        let vault = try Vault.open(at: definition.vault)
        return try await run(
            definition, vault: vault, keys: try keys(of: vault, for: definition), now: now, logger: logger)
    }

    /// `run` with the vault and keys already open (the CLI opens them itself to sign its audit record).
    public func run(
        _ definition: ScheduleDefinition, vault: Vault, keys: VaultKeys, now: Date, logger: Logger
    ) async throws
        -> PullResult
    {
        let started = Date()
        var logger = logger
        logger[metadataKey: "schedule"] = "\(definition.name)"
        let label = Self.month(of: now, in: definition.timeZone)
        let staging = try StagingArea(workDirectory: definition.workDirectory, schedule: definition.name)
        let redactor = Redactor()
        let context = PullContext(
            schedule: definition, options: options, logger: logger, redactor: redactor, progress: progress)
        logger.info("pull started: \(definition.source.vendor.rawValue) into \(definition.vault.path), label \(label)")
        do {
            let exports: [PulledExport]
            if definition.source.vendor == .directory {
                exports = try await DirectoryIngest(context: context, staging: staging, vault: vault, keys: keys).run()
            } else {
                exports = [try await pullOverHTTP(context, staging: staging, vault: vault, keys: keys, label: label)]
            }
            logger.info("pull finished: \(exports.map(\.snapshot).joined(separator: ", "))")
            return PullResult(
                schedule: definition.name, vendor: definition.source.vendor.rawValue, started: started,
                finished: Date(), exports: exports)
        } catch let error as VaultError {
            logger.error("pull failed: \(redactor.redact(error.message))")
            throw error
        } catch let error as CancellationError {
            logger.notice("pull cancelled; nothing was committed")
            throw error
        } catch {
            let text = TerminalText.escaped(redactor.redact(String(describing: error)))
            logger.error("pull failed: \(text)")
            throw VaultError(.ioFailed, "The pull of \(definition.name) failed: \(text). Nothing was committed.")
        }
    }

    private func pullOverHTTP(
        _ context: PullContext, staging: StagingArea, vault: Vault, keys: VaultKeys, label: String
    )
        async throws -> PulledExport
    {
        let definition = context.schedule
        guard let secretSource = definition.source.clientSecret else {
            throw VaultError(.usage, "The schedule \(definition.name) names no client secret.")
        }
        let secret = try VendorSecret.read(from: secretSource, environment: environment)
        let export = try staging.makeExport(named: "\(definition.name)-\(label)")
        defer { staging.removeExport(export) }
        // From here on the connector's HTTP client is open: every path must shut it down.
        let connector: any VendorConnector
        switch definition.source.vendor {
        case .salesforce: connector = try SalesforceBulkConnector(context: context, secret: secret)
        case .salesforceExport: connector = try SalesforceExportConnector(context: context, secret: secret)
        case .dataverse: connector = try DataverseConnector(context: context, secret: secret)
        case .directory: throw VaultError(.usage, "internal error: directory is not an HTTP vendor")
        }
        let manifest: ExportManifest
        do {
            manifest = try await connector.pull(into: export, downloads: staging.downloads)
            await connector.shutdown()
        } catch {
            await connector.shutdown()
            throw error
        }
        let pulled = try await Self.commit(
            manifest, staged: export, vault: vault, keys: keys, label: label, context: context)
        // The archives are in the vault now; partial and finished downloads are no longer needed.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: staging.downloads.path)) ?? [] {
            try? FileManager.default.removeItem(at: staging.downloads.appendingPathComponent(name))
        }
        return pulled
    }

    /// Checks a staged export, writes its manifest, and backs it up; the snapshot exists once this returns.
    static func commit(
        _ manifest: ExportManifest, staged export: URL, vault: Vault, keys: VaultKeys, label: String,
        context: PullContext
    ) async throws -> PulledExport {
        try ExportCheck.verify(manifest, in: export)
        let manifestBytes = try manifest.encoded()
        try ExportWriting.write(
            manifestBytes, to: export.appendingPathComponent(ExportManifest.fileName), limit: 1 << 30)
        try Task.checkCancellation()
        context.progress("backing up \(manifest.objects.count) objects as \(label)")
        let name = context.schedule.name
        let result = try await Self.offThread { try vault.backup(export, keys: keys, label: label, origin: name) }
        context.logger.info(
            "committed snapshot \(result.snapshotID.hex) (\(result.files) files, \(result.bytesStored) bytes newly stored)"
        )
        return PulledExport(
            snapshot: result.snapshotID.hex, label: label,
            objects: manifest.objects.map {
                PulledObject(name: $0.name, records: $0.recordsWritten ?? $0.records ?? 0)
            },
            files: result.files, bytesIn: result.bytesIn, bytesStored: result.bytesStored,
            skipped: manifest.skipped ?? [])
    }

    /// The writer key when the schedule names one, else the owner's keys unlocked with the passphrase.
    public func keys(of vault: Vault, for definition: ScheduleDefinition) throws -> VaultKeys {
        if let writerKey = definition.writerKey { return try vault.loadWriterKey(from: writerKey) }
        guard let passphrase else {
            throw VaultError(
                .usage, "The schedule \(definition.name) has no writer_key, and no owner passphrase was given.",
                remedy:
                    "Add `writer_key = \"/etc/crmvault/writer.key\"` (from `crmvault key writer`) to \(definition.file.path), "
                    + "or give the passphrase (CRMVAULT_PASSPHRASE_COMMAND).")
        }
        return try vault.unlock(passphrase: try passphrase())
    }

    /// `YYYY-MM` of a date in a time zone.
    static func month(of date: Date, in timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month], from: date)
        return String(format: "%04d-%02d", parts.year ?? 1970, parts.month ?? 1)
    }

    /// Runs blocking work (a vault backup) on its own thread, so it does not hold up the concurrency pool.
    static func offThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result(catching: body)) }
        }
    }
}
