import Foundation

#if canImport(Glibc)
import Glibc
#endif

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
        let process = makeProcess(arguments, environment: extra)
        process.standardOutput = Pipe()
        process.standardError = Pipe()
        try process.run()
        return process
    }

    /// Runs the binary with standard output and error on a pseudo-terminal, as a user at a terminal sees it, and
    /// returns the bytes the terminal received (the pty turns each `\n` into `\r\n`).
    func runInTerminal(_ arguments: [String], environment extra: [String: String] = [:]) throws -> (status: Int32, output: [UInt8]) {
        var terminal: Int32 = -1
        var device: Int32 = -1
        guard openpty(&terminal, &device, nil, nil, nil) == 0 else { throw CocoaError(.fileWriteUnknown) }
        defer { close(terminal) }
        let process = makeProcess(arguments, environment: extra)
        let handle = FileHandle(fileDescriptor: device, closeOnDealloc: false)
        process.standardOutput = handle
        process.standardError = handle
        do { try process.run() } catch {
            close(device)
            throw error
        }
        close(device)
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {  // until every copy of the device side is closed (the child ended): read fails with EIO
            let count = read(terminal, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            output += buffer[0..<count]
        }
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    /// The child's environment: this process's, without passphrases, with the test audit log, `environment`, `extra`.
    func variables(_ extra: [String: String]) -> [String: String] {
        var base = ProcessInfo.processInfo.environment
        base.removeValue(forKey: "CRMVAULT_PASSPHRASE")
        base.removeValue(forKey: "CRMVAULT_PASSPHRASE_COMMAND")
        base["CRMVAULT_AUDIT_LOG"] = Self.auditLog
        base["CRMVAULT_ALLOW_INSECURE_KDF"] = "1"
        return base.merging(environment) { $1 }.merging(extra) { $1 }
    }

    private func makeProcess(_ arguments: [String], environment extra: [String: String]) -> Process {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.environment = variables(extra)
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        process.standardInput = FileHandle.nullDevice
        return process
    }
}
