import Foundation

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
        try prepareTarget(target, force: force)
        let reader = ChunkReader(storage: storage, keys: keys, locations: try loadChunkLocations(
            of: manifest.packs.compactMap(Digest.init(hex:)), signers: try loadChain().authorizedWriters.union([config.ownerKey!])))
        var report = RestoreReport()
        var directories: [(URL, SnapshotManifest.Entry)] = []
        // Links are created last, and every parent is checked to be a real directory, so nothing is ever
        // written through a link: not one from the snapshot, not one already in a --force target.
        let ordered = manifest.files.filter { $0.type != "symlink" } + manifest.files.filter { $0.type == "symlink" }
        for file in ordered {
            guard ExportPath.isSafe(file.path) else {
                report.failures.append((file.path, "unsafe path in manifest, skipped"))
                continue
            }
            let url = target.appendingPathComponent(file.path)
            let parent = String(file.path.split(separator: "/").dropLast().joined(separator: "/"))
            do {
                switch file.type {
                case "directory":
                    try Self.makeRealDirectories(file.path, under: target)
                    directories.append((url, file))
                case "symlink":
                    try Self.makeRealDirectories(parent, under: target)
                    try restoreSymlink(file, at: url, root: target)
                case "file":
                    try Self.makeRealDirectories(parent, under: target)
                    try restoreFile(file, at: url, reader: reader, keys: keys)
                    report.filesRestored += 1
                    report.bytesRestored += file.size ?? 0
                default:
                    report.failures.append((file.path, "unknown entry type \(file.type)"))
                }
            } catch let error as VaultError {
                report.failures.append((file.path, error.message))
                if [.diskFull, .ioFailed].contains(error.code) { report.hasTargetFailure = true }
            } catch {
                report.failures.append((file.path, "\(error)"))
            }
        }
        for (url, entry) in directories.reversed() { Self.applyMetadata(entry, to: url) }
        // Each link's own text stays inside the tree, but links can chain (`up -> ..`, `x -> up/..`): resolve
        // every link now that all exist, and remove any that leads outside.
        for file in manifest.files where file.type == "symlink" && ExportPath.isSafe(file.path) {
            let url = target.appendingPathComponent(file.path)
            guard !Self.resolvesInside(url, root: target) else { continue }
            unlink(url.path)
            report.failures.removeAll { $0.path == file.path }
            report.failures.append((file.path, "the link leads outside the restored tree through other links; it was removed"))
        }
        return report
    }

    /// True when the link at `link` resolves (through any chain of links) to a place under `root`; a dangling
    /// link is judged by its text from its resolved directory.
    static func resolvesInside(_ link: URL, root: URL) -> Bool {
        func real(_ path: String) -> String? {
            guard let resolved = realpath(path, nil) else { return nil }
            defer { free(resolved) }
            return String(cString: resolved)
        }
        guard let rootPath = real(root.path) else { return false }
        let inside = { (path: String) in path == rootPath || path.hasPrefix(rootPath + "/") }
        if let resolved = real(link.path) { return inside(resolved) }
        guard let parent = real(link.deletingLastPathComponent().path),
            let text = try? FileManager.default.destinationOfSymbolicLink(atPath: link.path)
        else { return false }
        var components: [Substring] = text.hasPrefix("/") ? [] : parent.split(separator: "/")
        for component in text.split(separator: "/") {
            if component == ".." { _ = components.popLast() } else if component != "." { components.append(component) }
        }
        return inside("/" + components.joined(separator: "/"))
    }

    /// Creates `relative` under `root` one component at a time, refusing any component that exists as a link or
    /// a file: the restored tree can never lead a write outside `root`.
    static func makeRealDirectories(_ relative: String, under root: URL) throws {
        var current = root.path
        for component in relative.split(separator: "/") {
            current += "/" + component
            var status = stat()
            if lstat(current, &status) == 0 {
                guard status.st_mode & S_IFMT == S_IFDIR else {
                    throw VaultError(.hostileInput, "\(current) is a link or a file where the snapshot has a directory; nothing was written through it")
                }
            } else {
                guard mkdir(current, 0o755) == 0 || errno == EEXIST else { throw LocalDirectoryStorage.errnoError("create directory", current) }
            }
        }
    }

    private func prepareTarget(_ target: URL, force: Bool) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: target.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw VaultError(.usage, "\(target.path) is a file, not a directory to restore into.",
                remedy: "Give --to a new or empty directory.")
        }
        if let contents = try? FileManager.default.contentsOfDirectory(atPath: target.path), !contents.isEmpty, !force {
            throw VaultError(.targetNotEmpty, "\(target.path) is not empty; restore will not mix a snapshot with other files.",
                remedy: "Restore into an empty directory, or add --force to overwrite files of the same name.")
        }
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
    }

    func chunkIDs(of file: SnapshotManifest.Entry, reader: ChunkReader) throws -> [Digest] {
        guard let content = file.content else { return [] }
        if let chunks = content.chunks { return try chunks.map { try Self.digest($0) } }
        var list: [UInt8] = []
        for id in content.list ?? [] { try reader.withChunk(try Self.digest(id)) { list.append(contentsOf: $0) } }
        guard let count = content.count, count >= 0, count <= list.count / 32, list.count == count * 32 else {
            throw VaultError(.manifestCorrupted, "The chunk list of \(file.path) has the wrong length.")
        }
        return stride(from: 0, to: list.count, by: 32).map { Digest(bytes: list[$0..<($0 + 32)])! }
    }

    private static func digest(_ hex: String) throws -> Digest {
        guard let digest = Digest(hex: hex) else { throw VaultError(.manifestCorrupted, "A chunk id in the manifest is malformed.") }
        return digest
    }

    private func restoreFile(_ file: SnapshotManifest.Entry, at url: URL, reader: ChunkReader, keys: VaultKeys) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).crmvault-partial")
        unlink(temporary.path)
        let fd = Glibc.open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw LocalDirectoryStorage.errnoError("create", temporary.path) }
        var isComplete = false
        defer {
            close(fd)
            if !isComplete { unlink(temporary.path) }
        }
        let checker = ChunkChecker(keys: keys)
        let batchSize = 4 << 20
        var batch: [UInt8] = []
        var spans: [(id: Digest, range: Range<Int>)] = []
        var size = 0
        func flush() throws {
            try batch.withUnsafeBytes { bytes in
                var done = 0
                while done < bytes.count {
                    let written = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw LocalDirectoryStorage.errnoError("write", temporary.path)
                    }
                    done += written
                }
            }
            checker.submit(batch, chunks: spans)
            batch = []
            batch.reserveCapacity(batchSize)
            spans = []
        }
        batch.reserveCapacity(batchSize)
        for id in try chunkIDs(of: file, reader: reader) {
            try reader.withChunk(id, verifyingID: false) { chunk in
                let start = batch.count
                batch.append(contentsOf: chunk)
                spans.append((id, start..<batch.count))
                size += chunk.count
            }
            if batch.count >= batchSize { try flush() }
        }
        try flush()
        let (digest, mismatch) = checker.finish()
        if let mismatch {
            throw VaultError(.chunkCorrupted, "chunk \(mismatch.shortForm) does not match its id (damaged data).")
        }
        guard size == file.size, digest.hex == file.digest else {
            throw VaultError(.chunkCorrupted, "\(file.path) does not match its recorded size and digest after restore.")
        }
        guard fsync(fd) == 0 else { throw LocalDirectoryStorage.errnoError("fsync", temporary.path) }
        var existing = stat()
        if lstat(url.path, &existing) == 0 && existing.st_mode & S_IFMT == S_IFDIR {
            throw VaultError(.targetNotEmpty, "\(url.path) is a directory in the target; the file was not restored over it")
        }
        guard rename(temporary.path, url.path) == 0 else { throw LocalDirectoryStorage.errnoError("rename", url.path) }
        LocalDirectoryStorage.syncDirectory(url.deletingLastPathComponent().path)
        isComplete = true
        Self.applyMetadata(file, to: url)
    }

    private func restoreSymlink(_ file: SnapshotManifest.Entry, at url: URL, root: URL) throws {
        let target = file.target ?? ""
        let parentDepth = file.path.split(separator: "/").count - 1
        var depth = parentDepth
        var escapes = target.hasPrefix("/") || target.isEmpty
        for component in target.split(separator: "/") {
            if component == ".." { depth -= 1 } else if component != "." { depth += 1 }
            if depth < 0 { escapes = true }
        }
        guard !escapes else {
            throw VaultError(.hostileInput, "the link points outside the restored tree (\(target)); it was not created")
        }
        var existing = stat()
        if lstat(url.path, &existing) == 0 {
            // Replace a file or link of that name (--force), never a directory tree.
            guard existing.st_mode & S_IFMT != S_IFDIR, unlink(url.path) == 0 else {
                throw VaultError(.targetNotEmpty, "\(url.path) exists in the target and is a directory; the link was not created")
            }
        }
        guard symlink(target, url.path) == 0 else { throw LocalDirectoryStorage.errnoError("create link", url.path) }
        Self.applyLinkTime(file, to: url)
    }

    /// Permission bits (never setuid, setgid or sticky: a snapshot must not create privileged files) and mtimes.
    static func applyMetadata(_ entry: SnapshotManifest.Entry, to url: URL) {
        _ = chmod(url.path, mode_t(entry.mode & 0o777))
        var times = [
            timespec(tv_sec: entry.mtime, tv_nsec: entry.mtimeNanoseconds),
            timespec(tv_sec: entry.mtime, tv_nsec: entry.mtimeNanoseconds),
        ]
        _ = utimensat(AT_FDCWD, url.path, &times, 0)
    }

    /// A link's own mtime (never its target's).
    static func applyLinkTime(_ entry: SnapshotManifest.Entry, to url: URL) {
        var times = [
            timespec(tv_sec: entry.mtime, tv_nsec: entry.mtimeNanoseconds),
            timespec(tv_sec: entry.mtime, tv_nsec: entry.mtimeNanoseconds),
        ]
        _ = utimensat(AT_FDCWD, url.path, &times, AT_SYMLINK_NOFOLLOW)
    }
}
