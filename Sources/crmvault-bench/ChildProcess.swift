import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A command run to completion with its wall time and peak resident memory (from `wait4`'s rusage).
struct ChildProcess {
    struct Result {
        var status: Int32
        var seconds: Double
        var peakMemoryBytes: Int
        var output: String
    }

    /// Runs `arguments[0]` (searched in PATH) with `environment` added; output goes to a temp file.
    static func run(_ command: [String], environment: [String: String] = [:], directory: String? = nil) throws -> Result {
        let arguments = directory.map { ["sh", "-c", "cd \"$0\" && exec \"$@\"", $0] + command } ?? command
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID().uuidString).log").path
        defer { unlink(outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let environmentStrings = merged.map { "\($0)=\($1)" }
        var argv = arguments.map { strdup($0) } + [nil]
        var envp = environmentStrings.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let started = Date()
        let status = posix_spawnp(&pid, arguments[0], &actions, nil, &argv, &envp)
        guard status == 0 else { throw BenchError("cannot start \(command[0]): \(String(cString: strerror(status)))") }
        var waitStatus: Int32 = 0
        var usage = rusage()
        while wait4(pid, &waitStatus, 0, &usage) < 0 && errno == EINTR {}
        let seconds = Date().timeIntervalSince(started)
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let exitCode = (waitStatus & 0x7f) == 0 ? (waitStatus >> 8) & 0xff : 128 + (waitStatus & 0x7f)
        return Result(status: exitCode, seconds: seconds, peakMemoryBytes: Int(usage.ru_maxrss) * 1024, output: output)
    }

    /// Like `run`, but throws with the command's output when it fails.
    @discardableResult
    static func check(_ arguments: [String], environment: [String: String] = [:], directory: String? = nil) throws -> Result {
        let result = try run(arguments, environment: environment, directory: directory)
        guard result.status == 0 else {
            throw BenchError("\(arguments.joined(separator: " ")) failed with \(result.status):\n\(result.output.suffix(2000))")
        }
        return result
    }

    static func isInstalled(_ command: String) -> Bool {
        (try? run(["sh", "-c", "command -v \(command)"]).status) == 0
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Total bytes of the files under a directory (what a tool stored on the medium).
func diskUsage(_ path: String) -> Int {
    guard let enumerator = FileManager.default.enumerator(atPath: path) else { return 0 }
    var total = 0
    for case let relative as String in enumerator {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path + "/" + relative)
        if attributes?[.type] as? FileAttributeType == .typeRegular { total += (attributes?[.size] as? Int) ?? 0 }
    }
    return total
}
