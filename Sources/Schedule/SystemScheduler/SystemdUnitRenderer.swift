import Foundation
import VaultCore

/// systemd units for the schedules: per schedule a hardened oneshot service running `crmvault pull --config FILE`
/// and a timer with the schedule's `OnCalendar=` and `Persistent=true` (a run missed while the host was down runs at
/// the next boot); or one hardened service for `crmvault daemon`.
///
/// The sandbox: the whole file system read-only (`ProtectSystem=strict`, `ProtectHome=read-only`) except the vaults,
/// the pulls' work directories and the state directory; no new privileges, private /tmp and /dev, kernel and
/// control groups protected, only IP and Unix sockets, the `@system-service` system calls, and of root's
/// capabilities only those that let it write media owned by another user.
public struct SystemdUnitRenderer: Sendable {
    /// A unit file: its name (`crmvault-pull-NAME.timer`) and contents.
    public struct Unit: Sendable, Equatable {
        public var name: String
        public var contents: String
    }

    /// The absolute path of the `crmvault` binary the units run.
    public var executable: String
    /// The daemon's state directory in the units (`/var/lib/crmvault` is systemd's `StateDirectory=crmvault`).
    public var stateDirectory: URL
    /// The user the services run as; nil is root.
    public var user: String?

    public init(
        executable: String, stateDirectory: URL = URL(fileURLWithPath: "/var/lib/crmvault"), user: String? = nil
    ) {
        self.executable = executable
        self.stateDirectory = stateDirectory
        self.user = user
    }

    /// A service and a timer per schedule.
    public func timerUnits(for entries: [ScheduleEntry]) throws -> [Unit] {
        try entries.flatMap { entry in
            let unit = "crmvault-pull-\(entry.name)"
            let service =
                [
                    "[Unit]",
                    "Description=crmvault pull of schedule \(entry.name)",
                    "Wants=network-online.target",
                    "After=network-online.target",
                    "RequiresMountsFor=\(try Self.quoted(entry.vault.path))",
                    "# OnFailure=alert-admin@%n.service   (a unit of yours that alerts; `crmvault status` shows the last run)",
                    "",
                    "[Service]",
                    "Type=oneshot",
                    "ExecStart=\(try Self.quoted(executable, inCommand: true)) pull --config "
                        + (try Self.quoted(entry.definitionFile.path, inCommand: true)),
                    "TimeoutStartSec=1d",
                ] + Self.sharedVaultNote(for: entry, among: entries) + (try sandbox(for: [entry]))
            let timer =
                [
                    "[Unit]",
                    "Description=crmvault schedule \(entry.name) (\(TerminalText.escaped(entry.every.text)), \(entry.timeZone.name))",
                    "",
                    "[Timer]",
                ] + SystemdCalendar.onCalendar(entry.every, timeZone: entry.timeZone).map { "OnCalendar=\($0)" } + [
                    "Persistent=true",
                    "AccuracySec=1min",
                    "Unit=\(unit).service",
                    "",
                    "[Install]",
                    "WantedBy=timers.target",
                ]
            return [
                Unit(name: "\(unit).service", contents: Self.file(service)),
                Unit(name: "\(unit).timer", contents: Self.file(timer)),
            ]
        }
    }

    /// One service running `crmvault daemon` for all the schedules in `schedulesDirectory`.
    public func daemonUnit(for entries: [ScheduleEntry], schedulesDirectory: URL) throws -> Unit {
        let lines =
            [
                "[Unit]",
                "Description=crmvault daemon: the schedules in \(Self.withoutSpecifiers(TerminalText.escaped(schedulesDirectory.path)))",
                "Wants=network-online.target",
                "After=network-online.target",
                "",
                "[Service]",
                "Type=exec",
                "ExecStart=\(try Self.quoted(executable, inCommand: true)) daemon --schedules "
                    + (try Self.quoted(schedulesDirectory.path, inCommand: true)),
                "# SIGTERM cancels a running pull (nothing is committed) and it is caught up at the next start.",
                "KillSignal=SIGTERM",
                "TimeoutStopSec=5min",
                "Restart=on-failure",
                "RestartSec=1min",
                "# 2: a schedule or the command line is wrong; 4: another daemon runs. Restarting would not help.",
                "RestartPreventExitStatus=2 4",
            ] + (try sandbox(for: entries)) + ["", "[Install]", "WantedBy=multi-user.target"]
        return Unit(name: "crmvault-daemon.service", contents: Self.file(lines))
    }

    /// The user, state directory and sandbox lines of a service writing the vaults of `entries`.
    private func sandbox(for entries: [ScheduleEntry]) throws -> [String] {
        var writable: [String] = []
        for path in entries.flatMap({ [$0.vault] + $0.workDirectories }).map(\.path) where !writable.contains(path) {
            writable.append(path)
        }
        var lines: [String] = []
        if let user { lines.append("User=\(user)") }
        lines.append("Environment=\(try Self.quoted("CRMVAULT_STATE_DIR=\(stateDirectory.path)"))")
        if stateDirectory.path == "/var/lib/crmvault" {
            lines += ["StateDirectory=crmvault", "StateDirectoryMode=0700"]
        } else {
            writable.append(stateDirectory.path)
        }
        lines += [
            "UMask=0077",
            "NoNewPrivileges=yes",
            "ProtectSystem=strict",
            "ProtectHome=read-only",
            "# The vaults and work directories. `-`: a medium that is not mounted fails the pull (exit 5), not the unit;",
            "# a path missing at start stays read-only, so create work directories first (install -d -m 700 DIR).",
            "ReadWritePaths=\(try writable.map { "-" + (try Self.quoted($0)) }.joined(separator: " "))",
            "PrivateTmp=yes",
            "PrivateDevices=yes",
            "ProtectKernelTunables=yes",
            "ProtectKernelModules=yes",
            "ProtectKernelLogs=yes",
            "ProtectControlGroups=yes",
            "ProtectClock=yes",
            "ProtectHostname=yes",
            "ProtectProc=invisible",
            "RestrictSUIDSGID=yes",
            "RestrictRealtime=yes",
            "RestrictNamespaces=yes",
            "LockPersonality=yes",
            "MemoryDenyWriteExecute=yes",
            "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
            "SystemCallArchitectures=native",
            "SystemCallFilter=@system-service",
            "SystemCallErrorNumber=EPERM",
            "CapabilityBoundingSet=CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER",
        ]
        return lines
    }

    /// A comment naming the other schedules on the same vault: their timers must not fire together.
    private static func sharedVaultNote(for entry: ScheduleEntry, among entries: [ScheduleEntry]) -> [String] {
        let others = entries.filter { $0.name != entry.name && $0.vaultKey == entry.vaultKey }.map {
            "crmvault-pull-\($0.name)"
        }
        guard !others.isEmpty else { return [] }
        return [
            "# The vault is shared with \(others.joined(separator: ", ")): if their timers fire together, one exits 4 (vault "
                + "busy). Space them apart, or use `crmvault daemon`, which runs them one after another."
        ]
    }

    private static func file(_ lines: [String]) -> String {
        "# Made by `crmvault schedule systemd`.\n" + lines.joined(separator: "\n") + "\n"
    }

    /// A value for a unit file: double-quoted when it holds a space, quote or backslash, with `%` (specifiers) and,
    /// in a command line, `$` (variables) escaped; a control character is refused.
    static func quoted(_ value: String, inCommand: Bool = false) throws -> String {
        guard !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
            throw VaultError(
                .usage,
                "The path `\(TerminalText.escaped(value))` holds a control character; a unit file cannot carry it.",
                remedy: "Rename it.")
        }
        var escaped = withoutSpecifiers(value)
        if inCommand { escaped = escaped.replacingOccurrences(of: "$", with: "$$") }
        guard escaped.contains(where: { $0 == " " || $0 == "\"" || $0 == "'" || $0 == "\\" }) else { return escaped }
        return "\"" + escaped.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            + "\""
    }

    /// Text with `%` doubled, so systemd does not read it as a specifier.
    static func withoutSpecifiers(_ text: String) -> String { text.replacingOccurrences(of: "%", with: "%%") }
}
