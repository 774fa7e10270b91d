import Foundation
import VaultCore

#if canImport(Glibc)
import Glibc
#endif

/// Reads the owner passphrase from the places DESIGN.md names, in order. The text never reaches a log or an error.
enum PassphraseSource {
    /// The fewest characters a new vault's passphrase may have: it is all that stands between a stolen medium and
    /// every export on it (Argon2id slows a guesser down; it cannot make "x" hard to guess).
    static let minimumCharactersForNewVaults = 8

    /// The passphrase from the first source that has one; `confirming` (a new vault) asks twice at a prompt and
    /// refuses one shorter than ``minimumCharactersForNewVaults``.
    static func read(file: String?, confirming: Bool) throws -> Passphrase {
        let passphrase = try read(file: file, prompting: confirming)
        if confirming && passphrase.characterCount < minimumCharactersForNewVaults {
            throw VaultError(.usage,
                "The passphrase for the new vault has \(passphrase.characterCount == 1 ? "1 character" : "\(passphrase.characterCount) characters"); "
                    + "a vault's passphrase needs at least \(minimumCharactersForNewVaults). Nothing was created.",
                remedy: "Choose a longer one: several unrelated words are easy to type and hard to guess.")
        }
        return passphrase
    }

    private static func read(file: String?, prompting confirming: Bool) throws -> Passphrase {
        if let file { return try fromFile(file) }
        let environment = ProcessInfo.processInfo.environment
        if let value = environment["CRMVAULT_PASSPHRASE"], !value.isEmpty { return Passphrase(value) }
        if let command = environment["CRMVAULT_PASSPHRASE_COMMAND"], !command.isEmpty { return try fromCommand(command) }
        if isatty(STDIN_FILENO) == 1 { return try prompt(confirming: confirming) }
        throw VaultError(.usage, "This command needs the owner passphrase, and none was given.",
            remedy: "Set CRMVAULT_PASSPHRASE or CRMVAULT_PASSPHRASE_COMMAND, pass --passphrase-file FILE, or run it on a terminal.")
    }

    private static func fromFile(_ path: String) throws -> Passphrase {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw VaultError(.usage, "Cannot read the passphrase file \(path): \(String(cString: strerror(errno))).")
        }
        guard status.st_mode & 0o077 == 0 else {
            throw VaultError(.keyFileInsecure, "The passphrase file \(path) can be read by other users; it is refused.",
                remedy: "Run `chmod 600 \(path)` and consider changing the passphrase.")
        }
        // Read with POSIX calls into a buffer we wipe, rather than through Data, which cannot be wiped.
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw VaultError(.usage, "Cannot read the passphrase file \(path).") }
        defer { close(fd) }
        let capacity = 64 << 10
        var buffer = [UInt8](repeating: 0, count: capacity + 1)
        defer { buffer.withUnsafeMutableBytes { _ = memset($0.baseAddress!, 0, $0.count) } }
        var count = 0
        while count <= capacity {
            let got = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + count, capacity + 1 - count) }
            if got < 0 && errno == EINTR { continue }
            guard got >= 0 else { throw VaultError(.usage, "Cannot read the passphrase file \(path).") }
            if got == 0 || buffer[count..<(count + got)].contains(0x0a) {
                count += got
                break
            }
            count += got
        }
        let line = buffer[0..<count].prefix { $0 != 0x0a }
        guard line.count <= capacity else {
            throw VaultError(.usage, "The passphrase in \(path) is longer than 64 KiB; it is refused rather than cut short.")
        }
        var bytes = Array(line)
        if bytes.last == 0x0d { bytes.removeLast() }
        return try nonEmpty(Passphrase(bytes: &bytes), source: "the passphrase file \(path)")
    }

    private static func fromCommand(_ command: String) throws -> Passphrase {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let output = Pipe()
        process.standardOutput = output
        do { try process.run() } catch {
            throw VaultError(.usage, "CRMVAULT_PASSPHRASE_COMMAND could not be started.")
        }
        var data = output.fileHandleForReading.readDataToEndOfFile()
        var bytes = Array(data)
        data.resetBytes(in: 0..<data.count)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw VaultError(.usage, "CRMVAULT_PASSPHRASE_COMMAND failed (exit \(process.terminationStatus)).",
                remedy: "Run the command by hand to see why; its output is not shown here because it is a secret.")
        }
        while bytes.last == 0x0a || bytes.last == 0x0d { bytes.removeLast() }
        return try nonEmpty(Passphrase(bytes: &bytes), source: "CRMVAULT_PASSPHRASE_COMMAND")
    }

    private static func prompt(confirming: Bool) throws -> Passphrase {
        guard let first = getpass("Owner passphrase: ") else { throw VaultError(.usage, "No passphrase was entered.") }
        var bytes = Array(UnsafeBufferPointer(start: UnsafeRawPointer(first).assumingMemoryBound(to: UInt8.self), count: strlen(first)))
        memset(first, 0, strlen(first))
        if confirming {
            guard let second = getpass("Repeat the passphrase: ") else { throw VaultError(.usage, "No passphrase was entered.") }
            let matches = strlen(second) == bytes.count && memcmp(second, bytes, bytes.count) == 0
            memset(second, 0, strlen(second))
            guard matches else { throw VaultError(.usage, "The two passphrases differ; nothing was created.") }
        }
        return try nonEmpty(Passphrase(bytes: &bytes), source: "the prompt")
    }

    private static func nonEmpty(_ passphrase: Passphrase, source: String) throws -> Passphrase {
        guard !passphrase.isEmpty else { throw VaultError(.usage, "The passphrase from \(source) is empty.") }
        return passphrase
    }
}
