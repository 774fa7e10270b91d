import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A run of the `crmvault` binary under a deadline, as a child of this process's own (`posix_spawn`), watching its
/// peak memory: for commands on hostile vaults, which must neither hang nor grow.
///
/// The peak is the child's `VmHWM`, sampled from `/proc` while it runs: `wait4`'s `ru_maxrss` cannot be used, since a
/// child spawned with a shared address space starts from the parent's high-water mark (the test process's).
struct BoundedRun {
    /// The exit status; nil when the child was killed at the deadline or by a signal.
    var status: Int32?
    var timedOut: Bool
    var maximumResidentKilobytes: Int

    /// With `fileSizeLimit` (bytes), the child is killed (SIGXFSZ) as soon as it writes any file past that size.
    static func run(_ runner: CommandRunner, _ arguments: [String], timeout: TimeInterval = 20, fileSizeLimit: Int? = nil) throws
        -> BoundedRun
    {
        let command = fileSizeLimit.map { ["/bin/sh", "-c", "ulimit -f \($0 / 512) && exec \"$0\" \"$@\""] } ?? []
        let argv = (command + [CommandRunner.binary.path] + arguments).map { strdup($0) }
        let envp = runner.variables([:]).map { strdup("\($0.key)=\($0.value)") }
        defer { (argv + envp).forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0]!, &actions, nil, argv + [nil], envp + [nil])
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EINVAL) }
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        var usage = rusage()
        var timedOut = false
        var peak = 0
        while wait4(pid, &status, WNOHANG, &usage) == 0 {
            peak = max(peak, Self.value("VmHWM:", in: "/proc/\(pid)/status"))
            if Date() > deadline {
                kill(pid, SIGKILL)
                _ = wait4(pid, &status, 0, &usage)
                timedOut = true
                break
            }
            usleep(5000)
        }
        let exited = status & 0x7f == 0
        return BoundedRun(status: exited ? (status >> 8) & 0xff : nil, timedOut: timedOut, maximumResidentKilobytes: peak)
    }

    /// The number after `key` in a `/proc` file of a running process (0 once it has ended).
    static func value(_ key: String, in path: String) -> Int {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix(key) })
        else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
}
