import ArgumentParser
import Foundation
import Schedule
import VaultCore

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each schedule's last run, its outcome and its next run, and whether the daemon runs.",
        discussion: """
            Reads the state directory the daemon writes ($CRMVAULT_STATE_DIR, /var/lib/crmvault as root, else \
            $XDG_STATE_HOME/crmvault), where `crmvault pull` (from cron, a systemd timer or by hand) records its \
            runs too. Exits 2 when a schedule's definition is wrong, else 0; a failed last run shows as `failed` with \
            its error (in --json: lastRun.outcome and lastRun.error).
            """)

    @OptionGroup var schedules: SchedulesOptions
    @Flag(help: "Print the status as JSON.") var json = false

    func run() throws {
        try reportingVaultErrors {
            let catalog = try schedules.catalog()
            let store = RunStateStore(directory: RunStateStore.defaultDirectory())
            let status = ScheduleStatus(schedules: catalog.entries, store: store, now: Date())
            if json {
                print(try status.json())
            } else {
                printTable(status)
            }
            if status.schedules.contains(where: { $0.problem != nil }) { throw ExitCode(2) }
        }
    }

    private func printTable(_ status: ScheduleStatus) {
        print(
            "daemon: " + (status.daemon.map { "running (\(TerminalText.escaped($0)))" } ?? "not running")
                + "; state in \(TerminalText.escaped(status.stateDirectory))")
        if !FileManager.default.fileExists(atPath: status.stateDirectory) {
            print(
                "(no state there yet: no daemon has run as this user; a daemon running as root keeps it in /var/lib/crmvault, "
                    + "so run `sudo crmvault status` or set CRMVAULT_STATE_DIR)")
        }
        let header = ["SCHEDULE", "EVERY", "LAST RUN", "OUTCOME", "SNAPSHOT", "NEXT RUN"]
        let rows = status.schedules.map(Self.row)
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max()! }
        for row in [header] + rows {
            let padded = row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
            print(padded.joined(separator: "  ").trimmingCharacters(in: .whitespaces))
        }
        for schedule in status.schedules {
            if let problem = schedule.problem { print("\(schedule.name): \(TerminalText.escaped(problem))") }
            if let error = schedule.lastRun?.error {
                print("\(schedule.name): last run failed: \(TerminalText.escaped(error))")
            }
        }
    }

    private static func row(_ schedule: ScheduleStatus.Entry) -> [String] {
        let every = schedule.every.map { "\($0) \(schedule.timeZone ?? "")" } ?? "-"
        var last = "never"
        var outcome = "-"
        var snapshots = "-"
        if let run = schedule.lastRun {
            let triggers: [RunRecord.Trigger: String] = [.catchUp: " (catch-up)", .pullCommand: " (crmvault pull)"]
            last = Timestamp.format(run.started) + (triggers[run.trigger] ?? "")
            outcome = run.outcome.rawValue
            snapshots = run.snapshots.isEmpty ? "-" : run.snapshots.map { String($0.prefix(12)) }.joined(separator: ",")
        }
        let next = schedule.nextRun.map(Timestamp.format) ?? "-"
        return [schedule.name, every, last, outcome, snapshots, next].map(TerminalText.escaped)
    }
}
