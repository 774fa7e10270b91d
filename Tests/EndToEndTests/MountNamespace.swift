import Foundation

/// Runs a shell script in a private mount namespace (`unshare --mount`, with `--map-root-user` when not root), so a
/// test can give crmvault a really full disk (a small tmpfs) without touching the machine's mounts. Nothing mounted
/// there is seen outside, and it all goes when the script ends.
enum MountNamespace {
    /// True when this machine lets a test make a mount namespace and mount a tmpfs in it.
    static let isAvailable: Bool = {
        guard let directory = try? FileManager.default.url(
            for: .itemReplacementDirectory, in: .userDomainMask, appropriateFor: URL(fileURLWithPath: NSTemporaryDirectory()), create: true)
        else { return false }
        defer { try? FileManager.default.removeItem(at: directory) }
        return (try? run("mount -t tmpfs -o size=1m tmpfs '\(directory.path)'"))?.status == 0
    }()

    static func run(_ script: String, environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        process.arguments = (getuid() == 0 ? ["--mount"] : ["--mount", "--map-root-user"]) + ["sh", "-c", script]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}
