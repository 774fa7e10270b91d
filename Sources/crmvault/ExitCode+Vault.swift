import ArgumentParser
import Foundation
import VaultCore

extension ExitCode {
    /// The one place where failures become process exit codes (listed in `crmvault --help`).
    init(_ error: VaultError) {
        switch error.code {
        case .vaultDamaged, .chainBroken, .chunkCorrupted, .packCorrupted, .manifestCorrupted, .hostileInput, .exportMalformed, .exportRejected,
            .checkFailed:
            self = ExitCode(1)
        case .vaultNotFound, .vaultExists, .wrongPassphrase, .keyRefused, .keyFileInsecure, .notAuthorized, .readOnlyKey,
            .inputUnreadable, .targetNotEmpty, .usage, .unsupportedVersion, .snapshotNotFound:
            self = ExitCode(2)
        case .vendorFailed, .networkFailed:
            self = ExitCode(3)
        case .vaultLocked:
            self = ExitCode(4)
        case .compressionFailed, .cryptoFailed, .ioFailed, .diskFull, .mediumMissing:
            self = ExitCode(5)
        }
    }
}

/// Runs a command body, printing a `VaultError` as a sentence and its remedy, and exiting with its code.
func reportingVaultErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as VaultError {
        report(error)
        throw ExitCode(error)
    }
}

/// Prints a failure as a sentence and its remedy on standard error, and, under `--json`, as JSON on standard output.
/// Messages quote names from exports, vault files and key holders: on the terminal they are escaped, in JSON exact.
func report(_ error: VaultError) {
    printError(error.message)
    for detail in error.details { FileHandle.standardError.write(Data(("  " + TerminalText.escaped(detail) + "\n").utf8)) }
    if let remedy = error.remedy { FileHandle.standardError.write(Data((TerminalText.escaped(remedy) + "\n").utf8)) }
    if CommandLine.arguments.contains("--json") {
        printJSONError(code: error.code.rawValue, message: error.fullMessage, remedy: error.remedy, exitCode: ExitCode(error).rawValue)
    }
}

/// Under `--json`, a failure is also written to standard output as `{"status": "error", "error": {...}}`, so scripts
/// always get JSON.
func printJSONError(code: String, message: String, remedy: String? = nil, exitCode: Int32) {
    struct Failure: Encodable {
        struct Detail: Encodable {
            var code: String
            var message: String
            var remedy: String?
            var exitCode: Int32
        }
        var error: Detail
    }
    try? printJSON(Failure(error: .init(code: code, message: message, remedy: remedy, exitCode: exitCode)), status: "error")
}
