import Definitions
import Foundation
import VaultCore
import VendorSimulator

/// The schedule definition the demo writes and pulls with, `Schedules/demo-salesforce.toml` in the demo folder: a
/// real one, as an admin would write it for Salesforce, pointing at the simulated vendor (its URL, consumer key, test
/// CA), with the client secret in a file only its owner can read. Paths in it are relative to the file, so the demo
/// folder can be moved.
enum DemoSchedule {
    static let name = "demo-salesforce"
    static var file: String { "Schedules/\(name).toml" }
    static let secretFile = "demo-salesforce.secret"

    /// Writes the secret (0600) and the definition, then reads the definition back as `crmvault pull` would.
    static func write(in root: DemoRoot, vendor: VendorSimulator) throws -> ScheduleDefinition {
        let secret = root.path(secretFile)
        guard
            FileManager.default.createFile(
                atPath: secret.path, contents: Data("\(vendor.clientSecret)\n".utf8),
                attributes: [.posixPermissions: 0o600])
        else {
            throw VaultError(.ioFailed, "Cannot write the demo's client secret \(TerminalText.escaped(secret.path)).")
        }
        let text = """
            # A real schedule definition, written by `crmvault demo`: it pulls the simulated vendor's Salesforce org
            # (Bulk API 2.0 over HTTPS) into the demo vault. Yours starts from Schedules/salesforce-prod.toml.sample;
            # README.md ("IT admin") explains every key. Relative paths are relative to this file.
            every = "0 2 1 * *"                       # 02:00 on the 1st of every month, in `timezone`
            timezone = "UTC"                          # an IANA zone name, e.g. "Europe/Berlin"
            vault = "../vault"
            writer_key = "../writer.key"              # put-only: this host can add snapshots, never read them
            work_dir = "../work"                      # private staging for the plaintext export (0700)
            description = "crmvault demo: the simulated vendor's Salesforce org"

            [source]
            vendor = "salesforce"
            instance_url = "\(vendor.baseURL.absoluteString)"    # yours: https://acme.my.salesforce.com
            client_id = "\(vendor.clientID)"
            client_secret_file = "../\(secretFile)"   # chmod 600, or it is refused
            objects = ["*"]                           # every queryable object
            api_version = "61.0"
            ca_file = "../vendor-ca.pem"              # the simulator's test CA, an extra trusted root
            retries = 3

            """
        let definition = root.path(file)
        try FileManager.default.createDirectory(
            at: definition.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: definition, options: .atomic)
        do {
            return try ScheduleDefinition.load(file: definition)
        } catch let error as DefinitionError {
            throw VaultError(.usage, "The demo wrote a schedule it cannot read: \(error.description)")
        }
    }
}
