import Foundation

/// One audited operation (docs/FORMAT.md §12): who did what to which vault, with what outcome.
public struct AuditEvent: Codable, Sendable {
    public var operation: String
    /// The command line with secrets removed (crmvault never takes a secret as an argument; anything that
    /// looks like one is redacted anyway).
    public var arguments: [String]
    public var outcome: String
    public var user: String
    public var host: String
    public var time: String

    /// Records `arguments` without secrets and, unless `recordsPaths`, without paths outside the vault at `vaultPath`
    /// (in the arguments and in `outcome`): see ``PathRedaction``.
    public init(operation: String, arguments: [String], outcome: String, time: Date = Date(), vaultPath: String? = nil,
                recordsPaths: Bool = false) {
        self.operation = operation
        let withoutSecrets = Self.redacted(arguments)
        let (withoutPaths, removed) = PathRedaction.arguments(withoutSecrets, vaultPath: vaultPath)
        self.arguments = recordsPaths ? withoutSecrets : withoutPaths
        self.outcome = recordsPaths ? outcome : PathRedaction.scrub(outcome, removing: removed)
        user = ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.environment["LOGNAME"] ?? String(getuid())
        host = ProcessInfo.processInfo.hostName
        self.time = Timestamp.format(time)
    }

    static func redacted(_ arguments: [String]) -> [String] {
        var result: [String] = []
        var hideNext = false
        for argument in arguments {
            let lowered = argument.lowercased()
            if hideNext {
                result.append("<redacted>")
                hideNext = false
            } else if ["passphrase", "password", "token", "secret"].contains(where: lowered.contains) && !lowered.hasPrefix("--passphrase-file") {
                result.append(lowered.contains("=") ? String(argument.prefix { $0 != "=" }) + "=<redacted>" : argument)
                hideNext = !lowered.contains("=") && lowered.hasPrefix("--")
            } else {
                result.append(argument)
            }
        }
        return result
    }
}

/// An audit entry stored in the vault: a signed document in `audit/`, hash-linked like the chain.
public struct AuditEntry: Codable, Sendable {
    public var version: Int
    public var vault: String
    public var sequence: Int
    public var previous: String
    public var signer: String
    public var event: AuditEvent

    static let domain = "crmvault audit v1"
    static func path(sequence: Int) -> String {
        let digits = String(sequence)
        return "audit/" + String(repeating: "0", count: max(0, 16 - digits.count)) + digits + ".entry"
    }
}
