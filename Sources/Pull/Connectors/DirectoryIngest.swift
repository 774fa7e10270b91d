import Crypto
import Definitions
import ExportLayout
import Foundation
import VaultCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `vendor = "directory"`: exports a vendor drops into a folder (over SFTP). Each top-level folder or `.zip` there is
/// one **file set**; a set is ingested once nothing in it has changed for `quiet_seconds`, so a half-written upload is
/// never taken, and only once: `ingested.json` in the schedule's work directory remembers each set's name and
/// fingerprint (its files' paths, sizes and modification times), written only after its snapshot is committed.
///
/// A set is copied (folders: regular files only, links never followed) or unpacked (zips: `ArchiveUnpacker`) into
/// the staging area first, checked again to be unchanged, and then backed up as its own snapshot, labelled with the
/// month of its newest file. Hidden names and upload temporaries (`.part`, `.tmp`, `.filepart`, `.partial`) are ignored.
struct DirectoryIngest {
    let context: PullContext
    let staging: StagingArea
    let vault: Vault
    let keys: VaultKeys

    static let temporarySuffixes = [".part", ".tmp", ".filepart", ".partial", ".crdownload"]

    struct FileSet {
        var name: String
        var url: URL
        var isZip: Bool
        var fingerprint: String
        var newest: Date
    }

    struct LedgerEntry: Codable, Equatable {
        var name: String
        var fingerprint: String
        var snapshot: String
        var ingested: String
    }

    func run() async throws -> [PulledExport] {
        guard let drop = context.source.path else { throw VaultError(.usage, "The schedule's [source] has no path.") }
        var ledger = try loadLedger()
        var exports: [PulledExport] = []
        for set in try pendingSets(in: drop, ledger: ledger) {
            try Task.checkCancellation()
            guard let pulled = try await ingest(set) else { continue }
            ledger.append(
                LedgerEntry(
                    name: set.name, fingerprint: set.fingerprint, snapshot: pulled.snapshot,
                    ingested: ExportWriting.timestamp(Date())))
            try saveLedger(ledger)
            exports.append(pulled)
        }
        if exports.isEmpty { context.progress("no new complete file set in \(drop.path)") }
        return exports
    }

    /// The sets not yet ingested whose files have been quiet long enough, oldest first.
    private func pendingSets(in drop: URL, ledger: [LedgerEntry]) throws -> [FileSet] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: drop.path) } catch {
            throw VaultError(
                .mediumMissing, "Cannot read the drop folder \(drop.path).",
                remedy: "Check `path` in the schedule and that crmvault's user may read the folder.")
        }
        let quiet = TimeInterval(context.source.quietSeconds)
        var sets: [FileSet] = []
        for name in names.sorted()
        where !name.hasPrefix(".") && !Self.temporarySuffixes.contains(where: { name.lowercased().hasSuffix($0) }) {
            let url = drop.appendingPathComponent(name)
            var status = stat()
            guard lstat(url.path, &status) == 0 else { continue }
            let isDirectory = (status.st_mode & S_IFMT) == S_IFDIR
            let isZip = (status.st_mode & S_IFMT) == S_IFREG && name.lowercased().hasSuffix(".zip")
            guard isDirectory || isZip else {
                context.logger.debug(
                    "ignoring \(TerminalText.escaped(name)) in the drop folder: not a folder or a .zip")
                continue
            }
            let (fingerprint, newest) = try Self.fingerprint(of: url)
            if ledger.contains(where: { $0.name == name && $0.fingerprint == fingerprint }) { continue }
            guard Date().timeIntervalSince(newest) >= quiet else {
                context.logger.info(
                    "\(TerminalText.escaped(name)) changed less than \(Int(quiet)) s ago; it waits for the next run")
                continue
            }
            sets.append(FileSet(name: name, url: url, isZip: isZip, fingerprint: fingerprint, newest: newest))
        }
        return sets.sorted { ($0.newest, $0.name) < ($1.newest, $1.name) }
    }

    /// Stages, checks and commits one set; nil when it changed while being staged (it waits for the next run).
    private func ingest(_ set: FileSet) async throws -> PulledExport? {
        let label = Puller.month(of: set.newest, in: context.schedule.timeZone)
        let shownName = TerminalText.escaped(set.name)
        let export = try staging.makeExport(named: "\(context.schedule.name)-\(label)")
        defer { staging.removeExport(export) }
        var manifest = ExportManifest(
            vendor: SourceDefinition.Vendor.directory.rawValue, source: context.schedule.name,
            started: ExportWriting.timestamp(Date()), finished: "", objects: [])
        manifest.instance = context.source.path?.path
        if set.isZip {
            var unpacker = ArchiveUnpacker(export: export, fileLimit: context.options.maximumFileBytes)
            manifest.archives = [try unpacker.unpack(set.url, name: set.name)]
        } else {
            try copyFolder(set.url, to: export, relative: "")
        }
        guard try Self.fingerprint(of: set.url).fingerprint == set.fingerprint else {
            context.logger.notice("\(shownName) changed while it was staged; it waits for the next run")
            return nil
        }
        let vendorManifest = export.appendingPathComponent(ExportManifest.fileName)
        if FileManager.default.fileExists(atPath: vendorManifest.path) {
            // The set brought its own export manifest; keep it, but the one at the top is ours.
            let kept = try ExportWriting.metadataFolder(in: export).appendingPathComponent(
                "export-manifest.vendor.json")
            try FileManager.default.moveItem(at: vendorManifest, to: kept)
        }
        for file in try FileManager.default.contentsOfDirectory(atPath: export.path).filter(ExportPath.isObjectFile)
            .sorted()
        {
            let name = String(file.dropLast(4))
            guard APIName.isValid(name) else { continue }
            var object = ExportObject(name: name, file: file)
            let (_, records) = try ExportCheck.count(export.appendingPathComponent(file))
            object.recordsWritten = records
            object.checks = [
                "\(records) records counted; the file set was unchanged for \(context.source.quietSeconds) s and while staged"
            ]
            manifest.objects.append(object)
        }
        guard !manifest.objects.isEmpty else {
            throw VaultError(
                .vendorFailed, "The file set \(shownName) in the drop folder holds no object CSV file.",
                remedy: "Remove it from the drop folder, or add its CSV files; it is tried again on the next run.")
        }
        manifest.finished = ExportWriting.timestamp(Date())
        context.progress("\(shownName): \(manifest.objects.count) objects")
        return try await Puller.commit(
            manifest, staged: export, vault: vault, keys: keys, label: label, context: context)
    }

    /// Copies a dropped folder: regular files only (0600), folders (0700); links and other kinds are left out.
    private func copyFolder(_ source: URL, to target: URL, relative: String) throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path).sorted() {
            let path = relative.isEmpty ? name : relative + "/" + name
            guard ArchiveUnpacker.isSafe(path) else {
                throw VaultError(
                    .vendorFailed, "The drop folder holds a file with an unusable name: \(TerminalText.escaped(path)).")
            }
            let from = source.appendingPathComponent(name)
            let to = target.appendingPathComponent(name)
            var status = stat()
            guard lstat(from.path, &status) == 0 else { continue }
            switch status.st_mode & S_IFMT {
            case S_IFDIR:
                try StagingArea.makePrivateDirectory(to, intermediate: false)
                try copyFolder(from, to: to, relative: path)
            case S_IFREG:
                try copyFile(from, to: to)
            default:
                context.logger.warning(
                    "left out \(TerminalText.escaped(path)) from the drop folder: not a regular file (links are not followed)"
                )
            }
        }
    }

    private func copyFile(_ source: URL, to target: URL) throws {
        let fd = open(source.path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw VaultError(.inputUnreadable, "Cannot read \(source.path) in the drop folder.") }
        let input = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        let output = try StagedFile(creating: target, limit: context.options.maximumFileBytes)
        while let data = try input.read(upToCount: 1 << 20), !data.isEmpty { try output.append(data) }
        try output.finish()
    }

    /// A digest of the set's files (relative path, size, modification time to the nanosecond) and the newest time.
    static func fingerprint(of url: URL) throws -> (fingerprint: String, newest: Date) {
        var lines: [String] = []
        var newest = Date(timeIntervalSince1970: 0)
        func visit(_ url: URL, _ relative: String) {
            var status = stat()
            guard lstat(url.path, &status) == 0 else { return }
            let modified = Date(
                timeIntervalSince1970: Double(status.st_mtim.tv_sec) + Double(status.st_mtim.tv_nsec) / 1e9)
            newest = max(newest, modified)
            let kind = status.st_mode & S_IFMT
            lines.append("\(relative)\t\(kind)\t\(status.st_size)\t\(status.st_mtim.tv_sec).\(status.st_mtim.tv_nsec)")
            if kind == S_IFDIR {
                for name in ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).sorted() {
                    visit(url.appendingPathComponent(name), relative + "/" + name)
                }
            }
        }
        visit(url, "")
        let digest = SHA256.hash(data: Data(lines.joined(separator: "\n").utf8))
        return (digest.map { String(format: "%02x", $0) }.joined(), newest)
    }

    private func loadLedger() throws -> [LedgerEntry] {
        guard let handle = try? FileHandle(forReadingFrom: staging.ledger) else { return [] }
        defer { try? handle.close() }
        let data = try handle.read(upToCount: 16 << 20) ?? Data()
        do { return try JSONDecoder().decode([LedgerEntry].self, from: data) } catch {
            throw VaultError(
                .usage, "\(staging.ledger.path) is damaged; it lists the file sets already ingested.",
                remedy: "Restore it from a backup, or remove it to ingest every set in the drop folder again.")
        }
    }

    /// Replaces the ledger in one step (a temporary file renamed over it), so a crash never leaves half of it.
    private func saveLedger(_ ledger: [LedgerEntry]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let temporary = staging.root.appendingPathComponent(".ingested.json.new")
        try? FileManager.default.removeItem(at: temporary)
        try ExportWriting.write(try encoder.encode(ledger), to: temporary, limit: 64 << 20)
        guard rename(temporary.path, staging.ledger.path) == 0 else {
            throw VaultError(.ioFailed, "Cannot update \(staging.ledger.path).")
        }
    }
}
