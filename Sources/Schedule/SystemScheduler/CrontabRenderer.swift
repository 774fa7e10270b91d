import Foundation
import VaultCore

/// Cron lines for the schedules, for admins who prefer the system's cron to `crmvault daemon`.
///
/// Each schedule becomes `MIN HOUR DOM MON DOW '/path/crmvault' pull --config '/path/NAME.toml' || logger ...`:
/// paths are single-quoted for the shell, `%` is escaped (cron turns a bare `%` into a newline), and a non-zero exit
/// is logged to syslog and printed, so cron mails it to `MAILTO`. `crmvault pull` prints nothing else when it is not
/// on a terminal, so cron stays quiet when all is well.
public struct CrontabRenderer: Sendable {
    /// The absolute path of the `crmvault` binary the lines run.
    public var executable: String
    /// The host's time zone: cron without `CRON_TZ` support (Debian's) runs lines in it.
    public var hostTimeZone: TimeZone
    /// Settings to carry into cron's environment (`CRMVAULT_VAULTS`, `CRMVAULT_STATE_DIR`), when set.
    public var environment: [String: String]

    public init(executable: String, hostTimeZone: TimeZone, environment: [String: String] = [:]) {
        self.executable = executable
        self.hostTimeZone = hostTimeZone
        self.environment = environment
    }

    static let carriedVariables = ["CRMVAULT_VAULTS", "CRMVAULT_STATE_DIR"]

    public func render(_ entries: [ScheduleEntry], schedulesDirectory: URL) throws -> String {
        var lines = [
            "# crmvault schedules from \(TerminalText.escaped(schedulesDirectory.path)), made by `crmvault schedule crontab`.",
            "# Install with `crontab -e` as the user that owns the vault and the writer key (or save as",
            "# /etc/cron.d/crmvault with a user name after the five time fields). A failed pull is logged to syslog",
            "# and printed, so cron mails it to MAILTO; a good one prints nothing.",
            "# MAILTO=it-alerts@example.com",
        ]
        for name in Self.carriedVariables {
            if let value = environment[name], !value.isEmpty {
                lines.append("\(name)=\(try Self.cronSafe(value, what: name))")
            }
        }
        var zone: String?
        for entry in entries {
            lines.append("")
            lines.append(
                "# \(entry.name): \(TerminalText.escaped(entry.every.text)) (\(entry.timeZone.name)) into "
                    + TerminalText.escaped(entry.vault.path))
            let sharing = entries.filter { $0.name != entry.name && $0.vaultKey == entry.vaultKey }.map(\.name)
            if !sharing.isEmpty {
                lines.append(
                    "# The vault is shared with \(sharing.joined(separator: ", ")): if their times meet, one exits 4 (vault busy)."
                )
                lines.append("# Space them apart, or use `crmvault daemon`, which runs them one after another.")
            }
            if entry.writerKey == nil {
                lines.append(
                    "# \(entry.name) has no writer_key: the pull needs the owner passphrase. Prefer a writer key")
                lines.append("# (`crmvault key writer`), or set CRMVAULT_PASSPHRASE_COMMAND in this crontab.")
            }
            if !TimeZones.agree(entry.timeZone, hostTimeZone) {
                lines.append(
                    "# This host's zone is \(hostTimeZone.name): a cron without CRON_TZ support (Debian's) runs "
                        + "this line in it, not in \(entry.timeZone.name).")
            }
            if zone != entry.timeZone.name {
                zone = entry.timeZone.name
                lines.append("CRON_TZ=\(entry.timeZone.name)")
            }
            let command = try [executable, "pull", "--config", entry.definitionFile.path].enumerated().map {
                index, word in
                index == 1 || index == 2 ? word : try Self.shellQuoted(word)
            }.joined(separator: " ")
            let alert =
                "logger -s -t crmvault -p user.err \"schedule \(entry.name): crmvault pull failed with exit code $?;"
                + " see crmvault status\""
            lines.append("\(entry.every.fields) \(Self.escapingPercent(command)) || \(Self.escapingPercent(alert))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `value` in single quotes for `/bin/sh`; a control character is refused (a crontab line cannot hold a newline).
    static func shellQuoted(_ value: String) throws -> String {
        "'" + (try cronSafe(value, what: "the path")).replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    static func escapingPercent(_ text: String) -> String { text.replacingOccurrences(of: "%", with: "\\%") }

    static func cronSafe(_ value: String, what: String) throws -> String {
        guard !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
            throw VaultError(
                .usage,
                "\(what) `\(TerminalText.escaped(value))` holds a control character; a crontab line cannot carry it.",
                remedy: "Rename it, or use `crmvault daemon`.")
        }
        return value
    }
}

/// Comparing time zones by what they do rather than by name (`UTC` and `Etc/UTC` agree).
enum TimeZones {
    /// Mid-January and mid-July 2026: zones with different DST rules differ in at least one of them.
    private static let samples = [
        Date(timeIntervalSince1970: 1_768_478_400), Date(timeIntervalSince1970: 1_784_116_800),
    ]

    static func agree(_ first: TimeZone, _ second: TimeZone) -> Bool {
        first.identifier == second.identifier
            || samples.allSatisfy { first.secondsFromGMT(for: $0) == second.secondsFromGMT(for: $0) }
    }
}
