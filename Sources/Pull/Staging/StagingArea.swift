import Foundation
import VaultCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The private working directory of one schedule on the pull host, `<work_dir>/staging/<schedule>/` (mode 0700, as are
/// `<work_dir>` and `<work_dir>/staging`; every file in it 0600, because it holds the export in plaintext). Staging
/// lives under `staging/` so that a work directory shared with the daemon's state directory (both default to
/// `~/.local/state/crmvault`) never mixes a schedule's folder with the state's `runs/`, whatever the schedule's name.
///
/// - `<schedule>-<YYYY-MM>/` (or one folder per file set of the `directory` connector): the export being staged;
///   removed after the snapshot is committed, and when the pull fails.
/// - `downloads/`: vendor archives being downloaded, kept across runs only while provably intact (`ResumableDownload`).
/// - `ingested.json`: the file sets the `directory` connector has already ingested.
/// - `lock`: held while a pull of this schedule runs, so two runs never share the staging area.
final class StagingArea {
    let root: URL
    let downloads: URL
    private let lockDescriptor: Int32

    init(workDirectory: URL, schedule: String) throws {
        let staging = workDirectory.appendingPathComponent("staging")
        root = staging.appendingPathComponent(schedule)
        downloads = root.appendingPathComponent("downloads")
        try Self.makePrivateDirectory(workDirectory, intermediate: true)
        try Self.makePrivateDirectory(staging, intermediate: false)
        try Self.makePrivateDirectory(root, intermediate: false)
        let lockPath = root.appendingPathComponent("lock").path
        lockDescriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard lockDescriptor >= 0 else {
            throw VaultError(.ioFailed, "Cannot open the lock file \(lockPath): \(String(cString: strerror(errno))).")
        }
        guard flock(lockDescriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(lockDescriptor)
            throw VaultError(
                .vaultLocked, "Another pull of the schedule \(schedule) is running (it holds \(lockPath)).",
                remedy: "Wait for it to finish; the daemon and cron must not both run the same schedule.")
        }
        // Start clean: whatever an earlier run left staged is unproven and plaintext.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        where name != "lock" && name != "downloads" && name != Self.ledgerName {
            try? FileManager.default.removeItem(at: root.appendingPathComponent(name))
        }
        try Self.makePrivateDirectory(downloads, intermediate: false)
    }

    deinit {
        flock(lockDescriptor, LOCK_UN)
        close(lockDescriptor)
    }

    static let ledgerName = "ingested.json"
    var ledger: URL { root.appendingPathComponent(Self.ledgerName) }

    /// A new, empty, private folder for one export; its name becomes the snapshot's source name.
    func makeExport(named name: String) throws -> URL {
        let export = root.appendingPathComponent(name)
        try? FileManager.default.removeItem(at: export)
        try Self.makePrivateDirectory(export, intermediate: false)
        return export
    }

    /// Removes a staged export (plaintext) once it is in the vault or the pull has failed.
    func removeExport(_ export: URL) {
        try? FileManager.default.removeItem(at: export)
    }

    /// A directory only crmvault's user can enter: created 0700 if missing; an existing one must be a real
    /// directory owned by this user, and is set to 0700.
    static func makePrivateDirectory(_ url: URL, intermediate: Bool) throws {
        var status = stat()
        if lstat(url.path, &status) != 0 {
            do {
                try FileManager.default.createDirectory(
                    at: url, withIntermediateDirectories: intermediate, attributes: [.posixPermissions: 0o700])
            } catch {
                throw VaultError(
                    .ioFailed, "Cannot create the private directory \(url.path) on the pull host.",
                    remedy: "Check work_dir in the schedule: crmvault's user must be able to create it.", cause: error)
            }
            guard lstat(url.path, &status) == 0 else { throw VaultError(.ioFailed, "Cannot create \(url.path).") }
        }
        guard (status.st_mode & S_IFMT) == S_IFDIR else {
            throw VaultError(
                .usage, "\(url.path) is not a directory (links are not followed); crmvault stages exports there.",
                remedy: "Remove it or choose another work_dir in the schedule.")
        }
        guard status.st_uid == geteuid() else {
            throw VaultError(
                .usage, "\(url.path) belongs to another user; the plaintext export must not be staged there.",
                remedy: "Choose a work_dir that crmvault's user owns.")
        }
        guard chmod(url.path, 0o700) == 0 else {
            throw VaultError(.ioFailed, "Cannot make \(url.path) private (chmod 700).")
        }
    }
}
