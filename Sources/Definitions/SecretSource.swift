import Foundation

/// Where a vendor's client secret comes from. Only the place is kept here; the secret itself is read when a pull
/// needs it (`ClientSecret` in Pull), checked, wiped after use, and never logged.
///
/// - `client_secret_file = "/etc/crmvault/acme.secret"`: the first line of a file readable by its owner only.
/// - `client_secret_env = "ACME_SF_SECRET"`: an environment variable of the pulling process.
/// - `client_secret_command = "pass show crm/acme"` or `["pass", "show", "crm/acme"]`: a command whose standard
///   output is the secret. It runs **without a shell**: a string is split on spaces and tabs (no quoting, no `$VAR`,
///   no pipes); write an array, or a small script, for anything else. The secret never appears in any process's
///   arguments: it travels only through the command's standard output.
public enum SecretSource: Sendable, Equatable {
    case file(URL)
    case environment(String)
    case command([String])

    static let keys: Set<String> = ["client_secret_file", "client_secret_env", "client_secret_command"]

    static func read(_ table: inout DefinitionTable) throws -> SecretSource {
        var found: [SecretSource] = []
        if let file = try table.string("client_secret_file") { found.append(.file(table.path(file))) }
        if let name = try table.string("client_secret_env") {
            guard !name.isEmpty, !name.contains("=") else {
                throw table.failure(
                    "client_secret_env", "must be the name of an environment variable, e.g. \"ACME_SF_SECRET\"")
            }
            found.append(.environment(name))
        }
        if let command = try table.stringOrStrings("client_secret_command") {
            let argv =
                command.count == 1
                ? command[0].split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init) : command
            guard let program = argv.first, !program.isEmpty else {
                throw table.failure("client_secret_command", "is empty; give the command that prints the secret")
            }
            found.append(.command(argv))
        }
        guard found.count == 1 else {
            let problem = found.isEmpty ? "none is given" : "more than one is given"
            throw DefinitionError(
                "\(table.file.path): [source] needs exactly one of `client_secret_file`, `client_secret_env` or "
                    + "`client_secret_command`, and \(problem).")
        }
        return found[0]
    }

    /// A description for messages: where the secret comes from, never the secret.
    public var summary: String {
        switch self {
        case .file(let url): return "the secret file \(url.path)"
        case .environment(let name): return "the environment variable \(name)"
        case .command(let argv): return "the command `\(argv.joined(separator: " "))`"
        }
    }
}
