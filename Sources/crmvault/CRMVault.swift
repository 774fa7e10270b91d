import ArgumentParser
import Foundation
import VaultCore

/// `crmvault`: keeps a company's cloud-CRM exports safe offline (README.md). This target only parses and wires;
/// the work is done in VaultCore.
@main
struct CRMVault: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crmvault",
        abstract: "Encrypted, deduplicated, provably intact offline backups of CRM exports.",
        discussion: """
            The owner passphrase comes from CRMVAULT_PASSPHRASE, --passphrase-file FILE, \
            CRMVAULT_PASSPHRASE_COMMAND, or a prompt on a terminal.

            Exit codes:
              0  success
              1  integrity problem found (damaged or altered vault, corrupt or hostile input)
              2  usage or configuration error (bad flags, no vault, wrong passphrase, refused key)
              3  vendor or network failure
              4  vault busy (locked by another crmvault process)
              5  other runtime failure (disk full, medium missing, I/O error)
            """,
        version: "0.1.0",
        subcommands: [
            InitCommand.self, KeyCommand.self, BackupCommand.self, SnapshotsCommand.self, RestoreCommand.self,
            VerifyCommand.self, CheckpointCommand.self, LogCommand.self, DemoCommand.self, PullCommand.self,
            ReplicaCommand.self, DrillCommand.self, DiffCommand.self, HistoryCommand.self,
            DaemonCommand.self, StatusCommand.self, ScheduleCommand.self,
        ]
    )

    /// Parses and runs the command; usage errors exit with 2 as the contract says (ArgumentParser's default is 64).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                if CommandLine.arguments.contains("--json") { printJSONError(code: "usage", message: fullMessage(for: error), exitCode: 2) }
                // The message may quote an argument: each line is escaped, as every value printed on a terminal is.
                let lines = fullMessage(for: error).split(separator: "\n", omittingEmptySubsequences: false).map(TerminalText.escaped)
                FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
                exit(withError: ExitCode(2))
            }
            exit(withError: error)
        }
    }
}
