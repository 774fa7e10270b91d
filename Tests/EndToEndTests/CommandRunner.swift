import Foundation
import VaultTesting

#if canImport(Glibc)
import Glibc
#endif

/// Runs the built `crmvault` binary as a user would, capturing its output and exit code.
///
/// Async tests use the `async` forms: they wait for the child process on a thread of their own, never on a thread of
/// Swift's cooperative pool, which an in-process vendor, the code under test and the other tests running in parallel
/// need (it has as many threads as cores: two on CI).
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

    /// Runs recorded by `crmvault pull` go here unless a test names its own state directory, never to the user's.
    static let stateDirectory = FileManager.default.temporaryDirectory.appendingPathComponent(
        "crmvault-e2e-state-\(UUID().uuidString)"
    ).path

    var environment: [String: String] = [:]
    var currentDirectory: URL?

    func run(_ arguments: [String], environment extra: [String: String] = [:]) throws -> Output {
        Self.output(of: try start(arguments, environment: extra))
    }

    /// `run`, waiting on a thread of its own.
    func run(_ arguments: [String], environment extra: [String: String] = [:]) async throws -> Output {
        try await BlockingWork.run { try self.run(arguments, environment: extra) }
    }

    /// Runs a command line with `/bin/bash -c`, in the same environment and directory as the binary's runs.
    func shell(_ line: String) async throws -> Output {
        try await BlockingWork.run { Self.output(of: try self.start(line: line)) }
    }

    /// Reads a started process's output to its end and waits for it to exit.
    static func output(of process: Process) -> Output {
        let (out, err) = (process.standardOutput as! Pipe, process.standardError as! Pipe)
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// Waits for a started process to exit, polling, without holding a thread of the cooperative pool.
    static func waitForExit(_ process: Process, within limit: Duration = .seconds(120)) async throws {
        let deadline = ContinuousClock.now + limit
        while process.isRunning && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        guard !process.isRunning else {
            process.terminate()
            throw ProcessTimedOut(seconds: limit.components.seconds)
        }
    }

    struct ProcessTimedOut: Error, CustomStringConvertible {
        let seconds: Int64
        var description: String { "the process did not exit within \(seconds) s" }
    }

    /// Starts a command line with `/bin/bash -c` (output in pipes).
    func start(line: String) throws -> Process {
        try start(["-c", line], executable: URL(fileURLWithPath: "/bin/bash"))
    }

    func start(
        _ arguments: [String], environment extra: [String: String] = [:], executable: URL = Self.binary
    ) throws -> Process {
        let process = makeProcess(arguments, environment: extra, executable: executable)
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
        base["CRMVAULT_STATE_DIR"] = Self.stateDirectory
        return base.merging(environment) { $1 }.merging(extra) { $1 }
    }

    private func makeProcess(
        _ arguments: [String], environment extra: [String: String], executable: URL = Self.binary
    ) -> Process {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = variables(extra)
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        process.standardInput = FileHandle.nullDevice
        return process
    }
}
