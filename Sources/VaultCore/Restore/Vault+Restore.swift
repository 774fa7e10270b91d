import Foundation
internal import CSystemCalls

#if canImport(Glibc)
import Glibc
#endif

/// What a restore did: files written and, for each file that could not be restored, why.
public struct RestoreReport: Sendable {
    public var filesRestored = 0
    public var bytesRestored = 0
    public var failures: [(path: String, reason: String)] = []
    /// True when a failure came from the target (disk full, I/O), not from damaged data.
    public var hasTargetFailure = false
}

extension Vault {
    /// Finds a snapshot by `latest` or a unique prefix of its id.
    public func resolveSnapshot(_ specifier: String, in chain: ChainState) throws -> StoredChainEntry {
        let snapshots = chain.snapshotEntries
        if specifier == "latest" {
            guard let last = snapshots.last else {
                throw VaultError(.snapshotNotFound, "The vault at \(location) has no snapshots yet.",
                    remedy: "Run `crmvault backup --vault \(location) PATH` first.")
            }
            return last
        }
        let matches = snapshots.filter { $0.entry.snapshot?.hasPrefix(specifier.lowercased()) == true }
        guard matches.count == 1, !specifier.isEmpty else {
            throw VaultError(.snapshotNotFound,
                matches.isEmpty ? "No snapshot in the vault at \(location) has an id starting with \"\(specifier)\"."
                    : "\"\(specifier)\" matches \(matches.count) snapshots; give more digits.",
                remedy: "List them with `crmvault snapshots --vault \(location)`.")
        }
        return matches[0]
    }

    /// Reads a snapshot's manifest and checks it against the id its chain entry names.
    public func loadManifest(_ entry: StoredChainEntry) throws -> (id: Digest, manifest: SnapshotManifest) {
        guard let id = entry.entry.snapshot.flatMap(Digest.init(hex:)) else {
            throw VaultError(.chainBroken, "Chain entry \(entry.entry.sequence) names no snapshot.")
        }
        let path = SnapshotManifest.path(id)
        guard storage.exists(path) else {
            throw VaultError(.manifestCorrupted, "The manifest of snapshot \(id.shortForm) (\(path)) is missing.",
                remedy: "Copy it from another medium with `crmvault copy`, then run `crmvault verify`.")
        }
        let bytes = try storage.read(path, limit: ReadLimit.manifest)
        guard SHA256Hasher.hash(bytes) == id, let manifest = try? CanonicalJSON.decode(SnapshotManifest.self, from: bytes),
            manifest.vault == self.id
        else {
            throw VaultError(.manifestCorrupted, "The manifest of snapshot \(id.shortForm) (\(path)) was altered: its hash does not match.",
                remedy: "Run `crmvault verify` and restore the file from another medium.")
        }
        return (id, manifest)
    }

    /// Writes a snapshot's files under `target`, byte-exact with modes and mtimes. A file whose chunks fail their
    /// check is reported and left out; the others are still restored.
    public func restore(_ entry: StoredChainEntry, to target: URL, keys: VaultKeys, force: Bool = false) throws -> RestoreReport {
        guard keys.canRead else {
            throw VaultError(.readOnlyKey, "A writer key cannot restore: it can add snapshots but never read them.",
                remedy: "Restore with the owner passphrase (CRMVAULT_PASSPHRASE or --passphrase-file), without --key.")
        }
        let (_, manifest) = try loadManifest(entry)
        try RestoreTarget.prepare(target, force: force)
        let root = target.standardizedFileURL.path
        let locations = try loadChunkLocations(
            of: manifest.packs.compactMap(Digest.init(hex:)), sealers: indexSealers(try loadChain()))
        var report = RestoreReport()
        var failures: [(order: Int, path: String, reason: String)] = []
        var directories: [(String, SnapshotManifest.Entry)] = []
        var files: [FileRestoreJob] = []
        // A few files are each synced as written; many are flushed at the end with one syncfs (70,000 fsyncs of
        // small files take minutes, while one syncfs of a busy shared file system takes a second).
        let syncsEachFile = manifest.files.count <= RestoreTarget.filesSyncedOneByOne
        var touchedDirectories: Set<String> = []
        // Links are created last, once every file is written, and every parent is checked to be a real directory,
        // so nothing is ever written through a link: not one from the snapshot, not one already in a --force target.
        // Parents are made here, on one thread; the files themselves are written by `restoreFiles` on every core.
        let ordered = manifest.files.filter { $0.type != "symlink" } + manifest.files.filter { $0.type == "symlink" }
        func restoreQueuedFiles() {
            for outcome in restoreFiles(files, locations: locations, keys: keys, syncing: syncsEachFile) {
                switch outcome.result {
                case .success(let bytes):
                    report.filesRestored += 1
                    report.bytesRestored += bytes
                case .failure(let failure):
                    failures.append((outcome.job.order, outcome.job.file.path, failure.reason))
                    if failure.isTargetFailure { report.hasTargetFailure = true }
                }
            }
            files = []
        }
        for (order, file) in ordered.enumerated() {
            guard ExportPath.isSafe(file.path) else {
                failures.append((order, file.path, "unsafe path in manifest, skipped"))
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
                    if !files.isEmpty { restoreQueuedFiles() }
                    try RestoreTarget.makeRealDirectories(parent, under: root)
                    try RestoreTarget.createLink(file, at: path)
                case "file":
                    try RestoreTarget.makeRealDirectories(parent, under: root)
                    files.append(FileRestoreJob(order: order, file: file, path: path))
                    if syncsEachFile { touchedDirectories.insert(root + (parent.isEmpty ? "" : "/" + parent)) }
                default:
                    failures.append((order, file.path, "unknown entry type \(file.type)"))
                }
            } catch let error as VaultError {
                failures.append((order, file.path, error.message))
                if [.diskFull, .ioFailed].contains(error.code) { report.hasTargetFailure = true }
            } catch {
                failures.append((order, file.path, "\(error)"))
            }
        }
        if !files.isEmpty { restoreQueuedFiles() }
        report.failures = failures.sorted { $0.order < $1.order }.map { ($0.path, $0.reason) }
        for (path, entry) in directories.reversed() { RestoreTarget.applyMetadata(entry, to: path) }
        // Each link's own text stays inside the tree, but links can chain (`up -> ..`, `x -> up/..`): resolve
        // every link now that all exist, and remove any that leads outside.
        for file in manifest.files where file.type == "symlink" && ExportPath.isSafe(file.path) {
            let path = root + "/" + file.path
            guard !RestoreTarget.resolvesInside(path, root: root) else { continue }
            unlink(path)
            report.failures.removeAll { $0.path == file.path }
            report.failures.append((file.path, "the link leads outside the restored tree through other links; it was removed"))
        }
        if syncsEachFile {
            for directory in touchedDirectories.union(directories.map(\.0)) { LocalDirectoryStorage.syncDirectory(directory) }
        } else {
            try RestoreTarget.flush(root)
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
