import ArgumentParser
import Foundation
import VaultCore

extension ExitCode {
    /// The one place where failures become process exit codes (listed in `crmvault --help`).
    init(_ error: VaultError) {
        switch error.code {
        case .vaultDamaged, .chainBroken, .chunkCorrupted, .packCorrupted, .manifestCorrupted, .hostileInput, .exportMalformed,
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
    if let remedy = error.remedy { FileHandle.standardError.write(Data((TerminalText.escaped(remedy) + "\n").utf8)) }
    if CommandLine.arguments.contains("--json") {
        printJSONError(code: error.code.rawValue, message: error.description, exitCode: ExitCode(error).rawValue)
    }
}

/// Under `--json`, a failure is also written to standard output as `{"error": {...}}`, so scripts always get JSON.
func printJSONError(code: String, message: String, exitCode: Int32) {
    struct Failure: Encodable {
        struct Detail: Encodable {
            var code: String
            var message: String
            var exitCode: Int32
        }
        var error: Detail
    }
    try? printJSON(Failure(error: .init(code: code, message: message, exitCode: exitCode)))
}

/// Prints one line on standard error, escaped (it may quote a file name, label or vault path).
func printError(_ message: String) {
    FileHandle.standardError.write(Data(("error: " + TerminalText.escaped(message) + "\n").utf8))
}

/// Prints one line on standard error, escaped (it may quote a file name, label or vault path).
func printWarning(_ message: String) {
    FileHandle.standardError.write(Data(("warning: " + TerminalText.escaped(message) + "\n").utf8))
}

/// Writes a value as pretty JSON on standard output, keys in declaration order.
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes, .sortedKeys]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// Human-readable byte counts (1 kB = 1000 B, as `df -H` and restic show them).
func formatBytes(_ count: some BinaryInteger) -> String {
    let value = Double(count)
    let units = ["B", "kB", "MB", "GB", "TB"]
    var scaled = value
    var unit = 0
    while scaled >= 1000 && unit < units.count - 1 {
        scaled /= 1000
        unit += 1
    }
    return unit == 0 ? "\(count) B" : String(format: "%.1f %@", scaled, units[unit])
}
