import Foundation
import VaultCore

#if canImport(Glibc)
import Glibc
#endif

/// A snapshot's export restored into a private temporary directory (mode 0700) through `Vault.restore`, every file's
/// digest checked; the directory is removed when the value is released. The plaintext CRM data lives only there.
public final class RestoredExport {
    /// The export's top directory.
    public let url: URL
    public let snapshot: StoredChainEntry
    public let manifest: SnapshotManifest
    public let restore: RestoreReport
    public let seconds: Double
    private let container: URL

    /// Restores `snapshot` under `parent` (a new directory is made there). Files that fail their digest are listed in
    /// ``restore`` and missing from the export; callers decide whether that is fatal.
    public init(_ snapshot: StoredChainEntry, of vault: Vault, keys: VaultKeys, under parent: URL) throws {
        let started = Date()
        var template = Array(parent.appendingPathComponent(".crmvault-restore-XXXXXX").path.utf8CString)
        guard let made = mkdtemp(&template) else {
            throw VaultError(
                errno == ENOSPC ? .diskFull : .ioFailed,
                "Cannot create a private directory under \(parent.path) to restore the snapshot into: "
                    + "\(String(cString: strerror(errno))).",
                remedy: "Give a writable directory with enough space (--work-dir).")
        }
        container = URL(fileURLWithPath: String(cString: made))
        url = container.appendingPathComponent("export")
        self.snapshot = snapshot
        do {
            manifest = try vault.loadManifest(snapshot).manifest
            restore = try vault.restore(snapshot, to: url, keys: keys)
        } catch {
            try? FileManager.default.removeItem(at: container)
            throw error
        }
        seconds = Date().timeIntervalSince(started)
    }

    deinit { try? FileManager.default.removeItem(at: container) }

    /// What `crmvault_restore` records about the snapshot.
    public var origin: ReplicaOrigin {
        ReplicaOrigin(
            snapshot: snapshot.entry.snapshot ?? "", chainEntry: snapshot.hash.hex,
            source: manifest.source.origin ?? "default",
            label: manifest.label, time: manifest.time)
    }

    /// The restore failures as sentences.
    public var failures: [String] { restore.failures.map { "\($0.path) could not be restored: \($0.reason)" } }
}
