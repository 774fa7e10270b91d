import Foundation

/// Runs the built `crmvault` binary as a user would, capturing its output and exit code.
struct CommandRunner {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
        var all: String { stdout + stderr }
    }

    static let binary: URL = {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("crmvault"),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent(".build/debug/crmvault"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[1]
    }()

    /// Keyless runs log here instead of the user's own local audit log.
    static let auditLog = FileManager.default.temporaryDirectory.appendingPathComponent("crmvault-e2e-audit-\(UUID().uuidString).log").path

    var environment: [String: String] = [:]
    var currentDirectory: URL?

    func run(_ arguments: [String], environment extra: [String: String] = [:]) throws -> Output {
        let process = try start(arguments, environment: extra)
        let (out, err) = (process.standardOutput as! Pipe, process.standardError as! Pipe)
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    func start(_ arguments: [String], environment extra: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        var base = ProcessInfo.processInfo.environment
        base.removeValue(forKey: "CRMVAULT_PASSPHRASE")
        base.removeValue(forKey: "CRMVAULT_PASSPHRASE_COMMAND")
        base["CRMVAULT_AUDIT_LOG"] = Self.auditLog
        base["CRMVAULT_ALLOW_INSECURE_KDF"] = "1"
        process.environment = base.merging(environment) { $1 }.merging(extra) { $1 }
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = Pipe()
        process.standardError = Pipe()
        try process.run()
        return process
    }
}
