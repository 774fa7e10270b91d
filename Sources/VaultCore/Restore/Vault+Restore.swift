import Foundation
internal import CSystemCalls

#if canImport(Glibc)
import Glibc
#endif

/// What a restore did: files written and, for each file that could not be restored, why.
public struct RestoreReport: Sendable {
    public var filesRestored = 0
    public var bytesRestored = 0
    public var linksRestored = 0
    /// Links restored whose text leads outside the restored tree (`/etc/ssl/cert.pem`, `../shared`), with their text.
    public var linksOutside: [(path: String, target: String)] = []
    public var failures: [RestoreFailure] = []
    /// Files not even tried because the target filled up first.
    public var filesNotAttempted = 0
    /// True when a failure came from the target (disk full, I/O), not from damaged data.
    public var hasTargetFailure: Bool { failures.contains { $0.cause == .target } }
    /// True when a failure came from the vault's data (a damaged chunk, a missing pack, an unsafe manifest).
    public var hasDamagedData: Bool { failures.contains { $0.cause == .damagedData } }
}

/// One file, directory or link a restore could not write, and why.
public struct RestoreFailure: Sendable {
    public enum Cause: String, Sendable {
        /// The vault's data for it is damaged or missing: `verify` says more.
        case damagedData
        /// The target refused it (full, not writable, an existing directory in the way): the vault is not at fault.
        case target
        /// A link leading outside the restored tree, not created because such links were refused.
        case refusedLink
    }

    public var path: String
    public var reason: String
    public var cause: Cause
}

/// What a restore does with a link whose text leads outside the restored tree: an absolute link, or one that climbs
/// out with `..`. Such a link was backed up as a link, so by default it is restored as one (the restore itself never
/// writes through a link: links are created last, and every parent directory is checked to be real).
public enum OutsideLinks: Sendable {
    case create
    /// `--no-links-outside`: such links are not created and are listed.
    case refuse
}

extension Vault {
    /// Reads a snapshot's manifest and checks it against the id its chain entry names and the rules of docs/FORMAT.md
    /// (``usableManifest(_:)``).
    public func loadManifest(_ entry: StoredChainEntry) throws -> (id: Digest, manifest: SnapshotManifest) {
        try usableManifest(entry)
    }

    /// Writes a snapshot's files under `target`, byte-exact with modes and mtimes. A file whose chunks fail their
    /// check is reported and left out; the others are still restored. When the target fills up, the restore stops
    /// there and says so (the vault is not at fault).
    public func restore(
        _ entry: StoredChainEntry, to target: URL, keys: VaultKeys, force: Bool = false, outsideLinks: OutsideLinks = .create,
        progress: ProgressHandler? = nil
    ) throws -> RestoreReport {
        try restore(entry, to: target, unlocking: { keys }, force: force, outsideLinks: outsideLinks,
            progress: progress)
    }

    /// ``restore(_:to:keys:force:outsideLinks:progress:)`` with the keys derived by `unlock` on the calling thread
    /// while the keyless inputs (the manifest, the chunk locations from the sealed indexes) are read on another:
    /// the key derivation no longer delays them. Nothing is written before `unlock` returns; its error is thrown
    /// as it is.
    public func restore(
        _ entry: StoredChainEntry, to target: URL, unlocking unlock: () throws -> VaultKeys, force: Bool = false,
        outsideLinks: OutsideLinks = .create, progress: ProgressHandler? = nil
    ) throws -> RestoreReport {
        let inputs = KeylessRestoreInputs(self, entry)
        let keys: VaultKeys
        do { keys = try unlock() } catch {
            _ = try? inputs.waitForManifest()  // no thread of the restore reads on after it returned
            throw error
        }
        guard keys.canRead else {
            _ = try? inputs.waitForManifest()
            throw VaultError(.readOnlyKey, "A writer key cannot restore: it can add snapshots but never read them.",
                remedy: "Restore with the owner passphrase (CRMVAULT_PASSPHRASE or --passphrase-file), without --key.")
        }
        let manifest = try inputs.waitForManifest()
        try RestoreTarget.prepare(target, force: force)
        let root = target.standardizedFileURL.path
        let locations = try inputs.chunkLocations()
        let resolver = ChunkResolver(try inputs.chunkWords(), of: manifest)
        var report = RestoreReport()
        // Failures with their place in `ordered`: the files are written on several threads, largest first, and the
        // failures are put back in the manifest's order at the end.
        var failures: [(order: Int, failure: RestoreFailure)] = []
        var directories: [(String, SnapshotManifest.Entry)] = []
        var files: [FileRestoreJob] = []
        var targetIsFull = false
        // A few files are each synced as written; many are flushed at the end with one syncfs (70,000 fsyncs of
        // small files take minutes, while one syncfs of a busy shared file system takes a second).
        let syncsEachFile = manifest.files.count <= RestoreTarget.filesSyncedOneByOne
        var touchedDirectories: Set<String> = []
        let sharedProgress = RestoreProgress(OperationProgress(phase: "restore", bytesTotal: Int64(manifest.bytesIn),
            itemsTotal: manifest.files.count { $0.type == "file" }, unit: "files"), handler: progress)
        // Links are created last, once every file is written, and every parent is checked to be a real directory,
        // so nothing is ever written through a link: not one from the snapshot, not one already in a --force target.
        // Parents are made here, on one thread; the files themselves are written by `restoreFiles` on every core.
        let ordered = manifest.files.filter { $0.type != "symlink" } + manifest.files.filter { $0.type == "symlink" }
        // A file entry that breaks a rule of FORMAT.md §8 (a path outside the tree, a crafted size) is refused, not used.
        let refused = Dictionary(manifest.fileViolations(maximumChunk: config.chunker.maximum).map { (manifest.files[$0.key].path, $0.value) },
            uniquingKeysWith: { first, _ in first })
        // Writes the queued files; when one finds the target full, the others not yet started are counted, not tried.
        func restoreQueuedFiles() {
            for outcome in restoreFiles(files, locations: locations, resolver: resolver, keys: keys,
                syncing: syncsEachFile, progress: sharedProgress)
            {
                switch outcome.result {
                case .success(let bytes)?:
                    report.filesRestored += 1
                    report.bytesRestored += bytes
                case .failure(let failure)?:
                    failures.append((outcome.job.order, RestoreFailure(path: outcome.job.file.path, reason: failure.reason,
                        cause: failure.cause)))
                    if failure.isDiskFull { targetIsFull = true }
                case nil:
                    report.filesNotAttempted += 1
                }
            }
            files = []
        }
        entries: for (position, file) in ordered.enumerated() {
            if let violation = refused[file.path] {
                failures.append((position, RestoreFailure(path: file.path,
                    reason: "refused: the manifest \(violation); run `crmvault verify`", cause: .damagedData)))
                continue
            }
            let path = root + "/" + file.path
            let parent = LocalDirectoryStorage.split(file.path).directory
            do {
                switch file.type {
                case "directory":
                    try RestoreTarget.makeRealDirectories(file.path, under: root)
                    directories.append((path, file))
                case "symlink":
                    if !files.isEmpty {
                        restoreQueuedFiles()
                        // The target filled up: like the files after it, no link is tried.
                        if targetIsFull {
                            report.filesNotAttempted += ordered[position...].count { $0.type == "file" }
                            break entries
                        }
                    }
                    try RestoreTarget.makeRealDirectories(parent, under: root)
                    if try RestoreTarget.createLink(file, at: path, outsideLinks: outsideLinks) {
                        report.linksOutside.append((file.path, file.target ?? ""))
                    }
                    report.linksRestored += 1
                case "file":
                    try RestoreTarget.makeRealDirectories(parent, under: root)
                    files.append(FileRestoreJob(order: position, file: file, path: path))
                    if syncsEachFile { touchedDirectories.insert(root + (parent.isEmpty ? "" : "/" + parent)) }
                default:
                    failures.append((position, RestoreFailure(path: file.path, reason: "unknown entry type \(file.type)",
                        cause: .damagedData)))
                }
            } catch let failure as RestoreTarget.Failure {
                failures.append((position, RestoreFailure(path: file.path, reason: failure.error.message, cause: failure.cause)))
                if failure.error.code == .diskFull {
                    // The files queued before this one are still tried below (the sequential restore had written
                    // them by now); none after it is.
                    report.filesNotAttempted += ordered[(position + 1)...].count { $0.type == "file" }
                    break entries
                }
            } catch let error as VaultError {
                failures.append((position, RestoreFailure(path: file.path, reason: error.message, cause: .damagedData)))
            } catch {
                failures.append((position, RestoreFailure(path: file.path, reason: "\(error)", cause: .damagedData)))
            }
        }
        if !files.isEmpty { restoreQueuedFiles() }
        report.failures = failures.sorted { $0.order < $1.order }.map(\.failure)
        for (path, entry) in directories.reversed() { RestoreTarget.applyMetadata(entry, to: path) }
        // Each link's own text stays inside the tree, but links can chain (`up -> ..`, `x -> up/..`): when links outside
        // are refused, resolve every link now that all exist, and remove any that leads outside.
        if outsideLinks == .refuse {
            for file in manifest.files where file.type == "symlink" && ExportPath.isSafe(file.path) {
                let path = root + "/" + file.path
                guard !RestoreTarget.resolvesInside(path, root: root), report.failures.allSatisfy({ $0.path != file.path }) else {
                    continue
                }
                unlink(path)
                report.linksRestored -= 1
                report.failures.append(RestoreFailure(path: file.path,
                    reason: "leads outside the restored tree through other links; removed (--no-links-outside)", cause: .refusedLink))
            }
        }
        if syncsEachFile {
            for directory in touchedDirectories.union(directories.map(\.0)) { LocalDirectoryStorage.syncDirectory(directory) }
        } else {
            do { try RestoreTarget.flush(root) } catch let failure as RestoreTarget.Failure { throw failure.error }
        }
        return report
    }

    /// Whose seal makes a pack's index trusted by a reader: the key whose chain entry claimed the pack (the chain says
    /// which), or the owner, who can read everything. Any other seal, even a valid one by another authorized writer,
    /// could cover an index altered to break a restore, so the pack itself is read instead.
    func indexSealers(_ chain: ChainState) -> (Digest) -> Set<PublicSigningKey> {
        let owner = config.ownerKey!
        return { pack in chain.packClaimers[pack].map { [$0, owner] } ?? [owner] }
    }
}
