import Definitions
import Foundation
import VaultCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A vendor secret in memory (a client secret, or an access token the vendor issued): never printed, wiped when
/// released. Client secrets are read from their `SecretSource`.
public final class VendorSecret: @unchecked Sendable, CustomStringConvertible {
    private let buffer: UnsafeMutableRawBufferPointer
    let count: Int

    /// The longest secret accepted; client secrets are tens of bytes.
    static let maximumLength = 16 << 10

    /// Takes the bytes, wiping the caller's array.
    init(consuming bytes: inout [UInt8]) {
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        storage.initializeMemory(as: UInt8.self, repeating: 0)
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress { storage.baseAddress!.copyMemory(from: base, byteCount: source.count) }
        }
        buffer = storage
        count = bytes.count
        Self.wipe(&bytes)
    }

    deinit {
        Self.wipe(buffer)
        buffer.deallocate()
    }

    public var description: String { "<secret redacted>" }

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
    }

    static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { wipe($0) }
        bytes.removeAll()
    }

    static func wipe(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        #if canImport(Glibc)
            explicit_bzero(base, buffer.count)
        #else
            _ = memset_s(base, buffer.count, 0, buffer.count)
        #endif
    }

    /// Reads the secret from where the schedule says. Errors name the place, never the secret.
    static func read(
        from source: SecretSource, environment: [String: String] = ProcessInfo.processInfo.environment
    )
        throws -> VendorSecret
    {
        var bytes: [UInt8]
        switch source {
        case .file(let url): bytes = try readFile(url)
        case .environment(let name):
            guard let value = environment[name], !value.isEmpty else {
                throw VaultError(
                    .usage, "The environment variable \(name), named by client_secret_env, is not set or empty.",
                    remedy: "Set it in the environment of crmvault (e.g. the systemd unit's EnvironmentFile=).")
            }
            bytes = Array(value.utf8)
        case .command(let argv): bytes = try runCommand(argv)
        }
        while let last = bytes.last, last == 0x0a || last == 0x0d {
            bytes[bytes.count - 1] = 0
            bytes.removeLast()
        }
        guard !bytes.isEmpty else {
            throw VaultError(.usage, "The client secret from \(source.summary) is empty.")
        }
        guard bytes.count <= maximumLength, !bytes.contains(0x0a), !bytes.contains(0x0d), !bytes.contains(0) else {
            wipe(&bytes)
            throw VaultError(.usage, "The client secret from \(source.summary) is not one line of at most 16 KiB.")
        }
        return VendorSecret(consuming: &bytes)
    }

    /// A regular file, not a link, readable by its owner only; its first line.
    private static func readFile(_ url: URL) throws -> [UInt8] {
        let path = url.path
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else {
            let reason =
                errno == ELOOP ? "it is a symbolic link, which is not followed" : String(cString: strerror(errno))
            throw VaultError(
                .usage, "Cannot read the client secret file \(path): \(reason).",
                remedy:
                    "Check client_secret_file in the schedule; the file must exist and be readable by crmvault's user.")
        }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            throw VaultError(.usage, "The client secret file \(path) is not a regular file.")
        }
        guard status.st_mode & 0o077 == 0 else {
            throw VaultError(
                .keyFileInsecure, "The client secret file \(path) can be read by other users; it is refused.",
                remedy: "Run `chmod 600 \(path)`, and rotate the secret at the vendor if others may have read it.")
        }
        var bytes = [UInt8](repeating: 0, count: maximumLength + 2)
        var total = 0
        while total < bytes.count {
            let got = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + total, $0.count - total) }
            if got < 0 && errno == EINTR { continue }
            guard got >= 0 else {
                wipe(&bytes)
                throw VaultError(.usage, "Cannot read the client secret file \(path).")
            }
            if got == 0 { break }
            total += got
        }
        let lineEnd = bytes[0..<total].firstIndex(of: 0x0a) ?? total
        guard lineEnd <= maximumLength else {
            wipe(&bytes)
            throw VaultError(.usage, "The client secret file \(path) holds more than 16 KiB on its first line.")
        }
        var line = Array(bytes[0..<lineEnd])
        wipe(&bytes)
        if line.last == 0x0d { line.removeLast() }
        return line
    }

    /// Runs the command without a shell; its standard output is the secret. Its standard error is passed through
    /// to ours (a helper's own error message), and its standard input is closed.
    private static func runCommand(_ argv: [String]) throws -> [UInt8] {
        let process = Process()
        let program = argv[0]
        process.executableURL =
            program.contains("/")
            ? URL(fileURLWithPath: program) : findInPath(program).map { URL(fileURLWithPath: $0) }
        guard process.executableURL != nil else {
            throw VaultError(
                .usage, "client_secret_command: the program \(program) is not on the PATH.",
                remedy: "Give its full path in the schedule.")
        }
        process.arguments = Array(argv.dropFirst())
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw VaultError(
                .usage, "client_secret_command: \(program) could not be started (\(error.localizedDescription)).")
        }
        var data = (try? output.fileHandleForReading.read(upToCount: maximumLength + 2)) ?? Data()
        // Drain the rest so the command is not blocked on a full pipe; it is not kept.
        while let more = try? output.fileHandleForReading.read(upToCount: 64 << 10), !more.isEmpty {}
        process.waitUntilExit()
        var bytes = Array(data)
        data.resetBytes(in: 0..<data.count)
        guard process.terminationStatus == 0 else {
            wipe(&bytes)
            throw VaultError(
                .usage,
                "client_secret_command `\(argv.joined(separator: " "))` failed (exit \(process.terminationStatus)).",
                remedy: "Run it by hand to see why; its output is not shown here because it is a secret.")
        }
        let lineEnd = bytes.firstIndex(of: 0x0a) ?? bytes.count
        var line = Array(bytes[0..<lineEnd])
        wipe(&bytes)
        if line.last == 0x0d { line.removeLast() }
        return line
    }

    private static func findInPath(_ program: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") where directory.hasPrefix("/") {
            let candidate = "\(directory)/\(program)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }
}
