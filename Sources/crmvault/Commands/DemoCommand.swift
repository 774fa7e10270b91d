import ArgumentParser
import DemoScenario
import Foundation
import VaultCore

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the whole job end to end on generated CRM exports and a vault under Vaults/demo.")

    @Option(help: "Where the demo keeps its exports, vault and restore.")
    var root: String = "Vaults/demo"

    @Option(help: "Number of monthly exports.") var months = 3
    @Option(help: "Accounts in the generated CRM (other objects scale with it).") var scale = 2000

    func run() throws {
        try reportingVaultErrors {
            let environment = ProcessInfo.processInfo.environment
            let phrase = environment["CRMVAULT_PASSPHRASE"].flatMap { $0.isEmpty ? nil : $0 } ?? "crmvault demo passphrase"
            if environment["CRMVAULT_PASSPHRASE"] == nil {
                print("Using the demo passphrase \"crmvault demo passphrase\" (set CRMVAULT_PASSPHRASE to choose one).")
            }
            var scenario = DemoScenario(root: URL(fileURLWithPath: root), passphrase: Passphrase(phrase))
            scenario.months = months
            scenario.scale = scale
            scenario.settings.kdf = .interactive
            try scenario.run { print($0) }
            let name = root == "Vaults/demo" ? "demo" : "\(root)/vault"
            print("Demo complete. Try: crmvault snapshots --vault \(name)   and   crmvault verify --vault \(name)")
        }
    }
}
