import Definitions
import Foundation
import VaultCore

/// What the demo prints at its end: where everything is, and the commands to try next, written so that each runs as
/// printed from the directory the demo ran in (paths relative to it, the vault by its name in `Vaults/demo.toml` when
/// that names the demo vault, `crmvault` put on the PATH first when it is not there).
///
/// Command lines start with `  $ `; the simulator's line serves until Ctrl-C, and the pull after it runs in a second
/// terminal.
public struct DemoGuide: Sendable {
    /// Where the demo ran; printed paths are relative to it when they are under it.
    public var currentDirectory: URL
    /// The running `crmvault` binary.
    public var executable: URL
    /// `$PATH`, to tell whether `crmvault` is found without help.
    public var searchPath: String
    /// Where `--vault NAME` looks for `NAME.toml` (`$CRMVAULT_VAULTS`, else `Vaults/`).
    public var vaultsDirectory: URL
    /// Whether the vault has the demo's passphrase (else the user's `CRMVAULT_PASSPHRASE`, not printed).
    public var passphraseIsDefault: Bool

    public init(
        currentDirectory: URL, executable: URL, searchPath: String, vaultsDirectory: URL, passphraseIsDefault: Bool
    ) {
        self.currentDirectory = currentDirectory.standardizedFileURL
        self.executable = executable.standardizedFileURL
        self.searchPath = searchPath
        self.vaultsDirectory = vaultsDirectory
        self.passphraseIsDefault = passphraseIsDefault
    }

    /// The closing lines for a finished demo.
    public func lines(for summary: DemoSummary) -> [String] {
        let root = DemoRoot(url: summary.root.standardizedFileURL)
        func at(_ relative: String) -> String { shown(root.path(relative)) }
        let vaultName = vaultName(of: root.path("vault"))
        var lines = [
            "Done: \(summary.totals).", "",
            "Where everything is (\(shown(root.url))/):",
            "  vault/                          the vault"
                + (vaultName == nil ? "" : " (Vaults/demo.toml names it `demo`)"),
            "  writer.key                      the pull host's put-only writer key",
            "  \(DemoSchedule.file)  the schedule the pulls ran (a real one: copy it)",
            "  \(DemoSchedule.secretFile)          its client secret (0600); vendor-ca.pem: the simulator's test CA",
            "  replica.sqlite                  the latest month as a SQLite database (sqlite3 opens it)",
            "  state/, work/                   the schedule's run state (`crmvault status`) and the pull's staging",
            "  \(DemoRoot.markerName)                  marks the folder as the demo's: a rerun replaces only the "
                + "entries above",
            "                                  and leaves anything else you put here alone",
            "",
            "Next, from \(TerminalText.escaped(currentDirectory.path)):",
        ]
        let vault = vaultName ?? at("vault")
        let owner = passphraseIsDefault ? "CRMVAULT_PASSPHRASE='\(DemoScenario.defaultPassphrase)' " : ""
        let state = "CRMVAULT_STATE_DIR=\(at("state")) "
        if let directory = pathEntry {
            lines.append("  $ export PATH=\"\(directory):$PATH\"        # crmvault and crmvault-vendor-sim")
        }
        if !passphraseIsDefault {
            lines.append("  (the owner commands below need your CRMVAULT_PASSPHRASE exported, as for the demo)")
        }
        lines += [
            "  $ crmvault snapshots --vault \(vault)",
            "  $ crmvault verify --vault \(vault)"
                + (summary.pulls.count > 2 ? "   # warns that the pull host filled in old months: the demo pulls them at once" : ""),
            "  $ \(owner)crmvault replica --vault \(vault) latest --db \(at("replica.sqlite")) --force",
        ]
        if summary.pulls.count >= 2 {
            let older = summary.pulls[summary.pulls.count - 2].snapshot.prefix(12)
            lines.append("  $ \(owner)crmvault diff --vault \(vault) \(older) latest")
        }
        lines += [
            "  $ \(owner)crmvault drill --vault \(vault)",
            "  $ \(state)crmvault status --schedules \(at("Schedules"))",
            "  $ crmvault schedule crontab --schedules \(at("Schedules"))",
            "Pull the next month yourself: start the simulated vendor (it serves until Ctrl-C) ...",
        ]
        if !simulatorIsBuilt {
            lines.append("  $ swift build --product crmvault-vendor-sim   # `swift run crmvault` built crmvault only")
        }
        lines += [
            "  $ crmvault-vendor-sim --port \(summary.vendorPort) --scale \(summary.scale) "
                + "--month \(summary.pulls.count) "
                + "--ca-out \(at("vendor-ca.pem")) --client-secret-file \(at(DemoSchedule.secretFile))",
            "... and, in a second terminal, pull as cron would (quiet when all is well; the run shows in status):",
            "  $ \(state)crmvault pull --config \(at(DemoSchedule.file))",
        ]
        return lines
    }

    /// Whether `crmvault-vendor-sim` sits beside the running `crmvault` (`swift run crmvault` builds only the latter).
    private var simulatorIsBuilt: Bool {
        let simulator = executable.deletingLastPathComponent().appendingPathComponent("crmvault-vendor-sim")
        return FileManager.default.isExecutableFile(atPath: simulator.path)
    }

    /// `demo` when `--vault demo` resolves to the demo's vault from the current directory.
    private func vaultName(of vault: URL) -> String? {
        guard let resolved = try? VaultDefinition.resolve("demo", vaultsDirectory: vaultsDirectory) else { return nil }
        let named = resolved.standardizedFileURL.resolvingSymlinksInPath()
        return named.path == vault.standardizedFileURL.resolvingSymlinksInPath().path ? "demo" : nil
    }

    /// The directory to put on the PATH, or nil when `crmvault` is found there already.
    private var pathEntry: String? {
        let directory = executable.deletingLastPathComponent()
        let found = searchPath.split(separator: ":").contains { entry in
            let candidate = URL(fileURLWithPath: String(entry)).appendingPathComponent("crmvault")
            return candidate.resolvingSymlinksInPath().path == executable.resolvingSymlinksInPath().path
        }
        if found { return nil }
        if let relative = relative(directory) { return "$PWD/\(relative)" }
        return directory.path
    }

    /// A path as the commands print it: relative to the current directory when under it, shell-quoted when needed.
    func shown(_ url: URL) -> String {
        ShellWord.quoted(relative(url) ?? url.standardizedFileURL.path)
    }

    private func relative(_ url: URL) -> String? {
        let path = url.standardizedFileURL.path
        let base = currentDirectory.path.hasSuffix("/") ? currentDirectory.path : currentDirectory.path + "/"
        return path.hasPrefix(base) ? String(path.dropFirst(base.count)) : nil
    }
}

/// A word as `/bin/sh` reads it back unchanged: as is when it holds only safe characters, else in single quotes.
enum ShellWord {
    static func quoted(_ word: String) -> String {
        let safe = CharacterSet(
            charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./-+=:@%,")
        if !word.isEmpty && word.unicodeScalars.allSatisfy(safe.contains) { return word }
        return "'" + TerminalText.escaped(word).replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
