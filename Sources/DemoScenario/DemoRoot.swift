import Foundation
import VaultCore

#if canImport(Glibc)
    import Glibc
#endif

/// The demo's own folder (`Vaults/demo` by default), marked as the demo's by the file `.crmvault-demo` written when the
/// demo creates it. The demo never removes anything it did not create:
///
/// - a missing or empty folder is created (0700) and marked;
/// - a marked folder is reused: the demo removes only its own entries (``ownEntries``), whose names are fixed, and
///   leaves everything else there (a notes file, another schedule in `Schedules/`) alone. Its `vault/` must still be
///   the vault the marker names: any other vault there is refused, not removed;
/// - any other folder (not empty and not marked), a link or a file is refused and left as it is.
///
/// Links are never followed: an entry of the demo's that has become a link is removed as a link, its target kept.
struct DemoRoot {
    /// The marker file's name.
    static let markerName = ".crmvault-demo"

    /// What the demo makes in its folder, and all that a rerun removes (paths relative to the folder). `vault/`,
    /// `work/` and `state/` are removed whole: they are the demo's vault, the pull's staging directory and the run
    /// state of the demo's schedule.
    static let ownEntries = [
        "vault", "writer.key", "demo-salesforce.secret", "vendor-ca.pem", "replica.sqlite", "work", "state",
        "Schedules/demo-salesforce.toml",
    ]

    let url: URL

    var marker: URL { url.appendingPathComponent(Self.markerName) }

    func path(_ relative: String) -> URL { url.appendingPathComponent(relative) }

    /// Takes the folder for a run of the demo: creates and marks it, or clears the demo's own entries from a marked
    /// one. Throws a usage error (exit 2), having touched nothing, for any other folder.
    static func claim(_ url: URL) throws -> DemoRoot {
        let root = DemoRoot(url: url.standardizedFileURL)
        let shown = TerminalText.escaped(root.url.path)
        var status = stat()
        guard lstat(root.url.path, &status) == 0 else {
            try root.create()
            return root
        }
        guard status.st_mode & S_IFMT == S_IFDIR else {
            throw VaultError(
                .usage,
                "\(shown) is not a folder (\(status.st_mode & S_IFMT == S_IFLNK ? "a symbolic link" : "a file")); "
                    + "the demo "
                    + "does not follow links and touches nothing there.",
                remedy: "Give the demo a new or empty folder with --root DIR.")
        }
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: root.url.path) else {
            throw VaultError(
                .ioFailed, "Cannot list the demo folder \(shown).",
                remedy: "Give a folder you can read with --root DIR.")
        }
        if entries.isEmpty {
            try root.writeMarker(vaultID: nil)
            return root
        }
        guard entries.contains(markerName), root.isRegularFile(root.marker) else {
            throw VaultError(
                .usage,
                "\(shown) is not empty and was not made by `crmvault demo` (it has no \(markerName) file); nothing "
                    + "there was touched.",
                remedy: "Give the demo a new or empty folder with --root DIR, or move what is in \(shown) elsewhere.")
        }
        try root.removeOwnEntries()
        return root
    }

    /// Records the demo's vault id in the marker, so that a rerun removes that vault and no other.
    func writeMarker(vaultID: String?) throws {
        let text = """
            # This folder was made by `crmvault demo`. Running the demo again here removes only what the demo makes:
            # \(Self.ownEntries.joined(separator: ", ")); anything else in this folder is left alone.
            # Remove this file and the demo will refuse the folder instead.

            """ + (vaultID.map { "vault_id = \"\($0)\"\n" } ?? "")
        try Data(text.utf8).write(to: marker, options: .atomic)
    }

    private func create() throws {
        do {
            try FileManager.default.createDirectory(
                at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw VaultError(
                .ioFailed, "Cannot create the demo folder \(TerminalText.escaped(url.path)).",
                remedy: "Give a folder you can write to with --root DIR.", cause: error)
        }
        try writeMarker(vaultID: nil)
    }

    /// The vault id the marker records, if any (the marker is read up to 4 KiB).
    private func recordedVaultID() -> String? {
        guard let handle = FileHandle(forReadingAtPath: marker.path) else { return nil }
        defer { try? handle.close() }
        let text = String(decoding: (try? handle.read(upToCount: 4096)) ?? Data(), as: UTF8.self)
        for line in text.split(separator: "\n") where line.hasPrefix("vault_id = \"") && line.hasSuffix("\"") {
            return String(line.dropFirst("vault_id = \"".count).dropLast())
        }
        return nil
    }

    private func removeOwnEntries() throws {
        let vault = path("vault")
        if isDirectory(vault), let found = try? Vault.open(at: vault), found.id != recordedVaultID() {
            throw VaultError(
                .usage,
                "\(TerminalText.escaped(vault.path)) holds the vault \(found.id), which the demo did not create; "
                    + "nothing was removed.",
                remedy: "Move that vault elsewhere, or give the demo another folder with --root DIR.")
        }
        for entry in Self.ownEntries {
            let item = path(entry)
            var status = stat()
            guard lstat(item.path, &status) == 0 else { continue }
            do { try FileManager.default.removeItem(at: item) } catch {
                throw VaultError(
                    .ioFailed, "Cannot remove the demo's \(TerminalText.escaped(item.path)) from its last run.",
                    remedy: "Remove it yourself, or give the demo another folder with --root DIR.", cause: error)
            }
        }
        try writeMarker(vaultID: nil)
    }

    private func isRegularFile(_ url: URL) -> Bool {
        var status = stat()
        return lstat(url.path, &status) == 0 && status.st_mode & S_IFMT == S_IFREG
    }

    private func isDirectory(_ url: URL) -> Bool {
        var status = stat()
        return lstat(url.path, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR
    }
}
