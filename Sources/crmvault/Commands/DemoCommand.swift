import ArgumentParser
import DemoScenario
import Foundation
import Logging
import VaultCore

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the whole monthly job end to end against the built-in simulated vendor (in Vaults/demo).",
        discussion: """
            Starts the simulated Salesforce vendor on 127.0.0.1 over HTTPS, creates a vault, a writer key and a \
            real schedule in the demo folder, pulls three monthly exports through `crmvault pull`'s code, verifies \
            the vault without a key, restores the latest month into a SQLite replica, runs a restore drill and \
            diffs the last two months; then prints where everything is and the commands to try next. The folder is \
            marked as the demo's (.crmvault-demo): a rerun replaces only what the demo made there, and a folder that \
            is not empty and not marked is refused (exit 2) and left untouched. The vault's passphrase is \
            CRMVAULT_PASSPHRASE, else "crmvault demo passphrase".
            """)

    @Option(help: "The demo folder: created and marked, or reused if the demo made it.")
    var root: String = "Vaults/demo"

    @Option(help: "Monthly exports to pull (2 to 12).") var months = 3
    @Option(help: "About the number of Accounts in the simulated org (other objects scale with it).") var scale = 600

    func validate() throws {
        guard (2...12).contains(months) else { throw ValidationError("--months takes 2 to 12.") }
        guard (1...200_000).contains(scale) else { throw ValidationError("--scale takes 1 to 200000.") }
    }

    func run() async throws {
        ProcessHardening.protectSecrets()  // the demo holds the owner's keys, as every keyed command does
        let environment = ProcessInfo.processInfo.environment
        let chosen = environment["CRMVAULT_PASSPHRASE"].flatMap { $0.isEmpty ? nil : $0 }
        var scenario = DemoScenario(
            root: URL(fileURLWithPath: root), passphrase: Passphrase(chosen ?? DemoScenario.defaultPassphrase))
        scenario.months = months
        scenario.scale = scale
        scenario.settings.kdf = .interactive
        scenario.crmvaultVersion = CRMVault.configuration.version
        if chosen == nil {
            print(
                "The demo vault's passphrase is \"\(DemoScenario.defaultPassphrase)\" "
                    + "(set CRMVAULT_PASSPHRASE for another).")
        }
        var logger = Logger(label: "crmvault.demo")
        // The pull's warnings that the demo's own lines report (objects left out) would only repeat them; a failure
        // still ends the demo with its error.
        logger.logLevel = .error
        do {
            let summary = try await scenario.run(logger: logger) { line in print(line) }
            let guide = DemoGuide(
                currentDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
                executable: URL(fileURLWithPath: currentExecutable()), searchPath: environment["PATH"] ?? "",
                vaultsDirectory: VaultOptions.vaultsDirectory, passphraseIsDefault: chosen == nil)
            print("")
            for line in guide.lines(for: summary) { print(line) }
        } catch let error as VaultError {
            report(error)
            throw ExitCode(error)
        } catch {
            let failure = VaultError(
                .ioFailed, "The demo stopped: \(TerminalText.escaped(String(describing: error))).",
                remedy: "Check that the demo folder (--root) is on a writable disk with room to spare.")
            report(failure)
            throw ExitCode(failure)
        }
    }
}
