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
            The vault is --vault DIR, a name from Vaults/NAME.toml, or $CRMVAULT_VAULT. The owner passphrase comes \
            from --passphrase-file FILE, $CRMVAULT_PASSPHRASE, $CRMVAULT_PASSPHRASE_COMMAND, or a prompt on a terminal.

            Exit codes:
              0  success
              1  integrity problem (damaged or altered vault; hostile or empty input)
              2  usage or configuration error (bad flag, no vault, wrong passphrase)
              3  vendor or network failure
              4  vault busy (locked by another crmvault process)
              5  other runtime failure (disk full, medium missing, I/O error)
            """,
        version: VaultFormat.softwareVersion,
        subcommands: [
            InitCommand.self, KeyCommand.self, BackupCommand.self, SnapshotsCommand.self, RestoreCommand.self,
            VerifyCommand.self, CheckpointCommand.self, LogCommand.self, CleanupCommand.self, ReaderCommand.self,
            DemoCommand.self, PullCommand.self,
            ReplicaCommand.self, DrillCommand.self, DiffCommand.self, HistoryCommand.self,
            DaemonCommand.self, StatusCommand.self, ScheduleCommand.self,
        ]
    )

    /// Parses and runs the command; usage errors exit with 2 as the contract says (ArgumentParser's default is 64).
    static func main() async {
        if let typo = CommandSuggestion.unknownCommand(in: Array(CommandLine.arguments.dropFirst()), root: Self.self) {
            exitWithUsageError(typo)
        }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure { exitWithUsageError(fullMessage(for: error)) }
            exit(withError: error)
        }
    }

    /// Prints a usage error in the one style of every error (`error: ` in lower case, each line escaped, as every
    /// value printed on a terminal is), as JSON too under `--json`, and exits with 2.
    static func exitWithUsageError(_ message: String) -> Never {
        var lines = message.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while lines.last?.isEmpty == true { lines.removeLast() }
        if let first = lines.first, first.hasPrefix("Error: ") { lines[0] = "error: " + first.dropFirst("Error: ".count) }
        if let first = lines.first, !first.hasPrefix("error: ") { lines[0] = "error: " + first }
        if CommandLine.arguments.contains("--json") {
            printJSONError(code: "usage", message: String(lines.joined(separator: "\n").dropFirst("error: ".count)), exitCode: 2)
        }
        FileHandle.standardError.write(Data((lines.map(TerminalText.escaped).joined(separator: "\n") + "\n").utf8))
        Foundation.exit(2)
    }
}
