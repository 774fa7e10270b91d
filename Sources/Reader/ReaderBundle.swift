import Crypto
import Foundation
import VaultCore

#if canImport(Glibc)
import Glibc
#endif

/// The reader kept beside a vault on its medium (README, "Operator"), for the worst case: the medium, the passphrase
/// and a bare machine.
///
/// Nouns: the **reader directory** `crmvault-reader/`, a sibling of the vault directory (outside it, so the vault's
/// layout rule holds); the **reader** `crmvault`, a binary that runs without the Swift toolchain (built by
/// `scripts/build-static.sh`); its checksum `crmvault.sha256` (the `sha256sum` format, so `sha256sum -c` checks it on
/// any machine); `FORMAT.md`, enough to write another reader; and `RESTORE.txt`, the one-page procedure.
public enum ReaderBundle {
    public static let directoryName = "crmvault-reader"
    public static let binaryName = "crmvault"
    public static let checksumName = "crmvault.sha256"
    public static let formatName = "FORMAT.md"
    public static let guideName = "RESTORE.txt"
    static let fileNames: Set<String> = [binaryName, checksumName, formatName, guideName]

    /// What was written.
    public struct Written: Sendable, Codable {
        public var directory: String
        public var sha256: String
        public var binaryBytes: Int
        public var files: [String]
    }

    /// What verify found beside a vault.
    public struct Check: Sendable, Codable {
        public var directory: String
        /// The SHA-256 the checksum file records, and the one the binary has.
        public var recorded: String
        public var actual: String
        public var matches: Bool { !recorded.isEmpty && recorded == actual }
        /// What is wrong, when something is (a missing binary, an unreadable checksum, a mismatch).
        public var problem: String?
    }

    /// `crmvault-reader/` beside the vault directory `vault`.
    public static func directory(besideVault vault: URL) -> URL {
        vault.standardizedFileURL.deletingLastPathComponent().appendingPathComponent(directoryName)
    }

    /// The binary this process runs from.
    public static var runningBinary: URL {
        let resolved = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: resolved)
    }

    /// Refuses a binary that needs more than a bare Debian or Ubuntu has (the Swift toolchain's libraries, libsodium,
    /// libzstd, libsqlite3, a search path into a toolchain), naming what it needs.
    public static func requireStandalone(_ binary: URL) throws {
        let dependencies: ELFDependencies
        do { dependencies = try ELFDependencies.read(binary.path) } catch let error as ReaderError {
            throw VaultError(.usage, error.message, remedy: "Give --binary the crmvault that scripts/build-static.sh built.")
        }
        guard dependencies.isStandalone else {
            throw VaultError(.usage,
                "\(binary.path) cannot be a reader: it needs \(dependencies.nonStandalone.prefix(6).joined(separator: ", ")), "
                    + "which a bare machine does not have.",
                remedy: "Build the standalone binary with `scripts/build-static.sh` and give it with --binary "
                    + ".build/static/crmvault (or run that binary's own `reader` command).")
        }
    }

    /// The FORMAT.md to copy: `given`, else one beside the binary (where scripts/build-static.sh puts it), else in the
    /// source tree the binary was built in.
    public static func formatDocument(given: URL?, binary: URL) throws -> URL {
        if let given { return given }
        var directory = binary.resolvingSymlinksInPath().deletingLastPathComponent()
        var candidates = [directory.appendingPathComponent(formatName)]
        for _ in 0..<5 {
            candidates.append(directory.appendingPathComponent("docs/\(formatName)"))
            directory.deleteLastPathComponent()
        }
        guard let found = candidates.first(where: { FileManager.default.isReadableFile(atPath: $0.path) }) else {
            throw VaultError(.usage, "No FORMAT.md was found beside \(binary.path) or in the source tree it was built in.",
                remedy: "Give it with --format-doc docs/FORMAT.md.")
        }
        return found
    }

    /// Writes the reader into `directory` (created if missing). Never replaces a file crmvault did not put there: the
    /// directory must be new, empty, or an earlier reader (only the reader's files, with a RESTORE.txt it wrote).
    public static func write(binary: URL, formatDocument: URL, guide: String, to directory: URL) throws -> Written {
        try requireStandalone(binary)
        try requireOwnDirectory(directory)
        let binaryBytes = try readWhole(binary, what: "the reader binary")
        let format = try readWhole(formatDocument, what: "the format document")
        let sha256 = SHA256.hash(data: binaryBytes).map { String(format: "%02x", $0) }.joined()
        let files: [(String, Data, mode_t)] = [
            (binaryName, binaryBytes, 0o755),
            (checksumName, Data("\(sha256)  \(binaryName)\n".utf8), 0o644),
            (formatName, format, 0o644),
            (guideName, Data(guide.replacingOccurrences(of: "{{SHA256}}", with: sha256).utf8), 0o644),
        ]
        for (name, data, mode) in files { try writeDurably(data, to: directory.appendingPathComponent(name), mode: mode) }
        return Written(directory: directory.path, sha256: sha256, binaryBytes: binaryBytes.count, files: files.map(\.0))
    }

    /// Checks the reader beside `vault`, if there is one: the binary must hash to what its checksum file records.
    public static func check(besideVault vault: URL) -> Check? {
        let directory = directory(besideVault: vault)
        let checksumFile = directory.appendingPathComponent(checksumName)
        guard FileManager.default.fileExists(atPath: checksumFile.path) else { return nil }
        var check = Check(directory: directory.path, recorded: "", actual: "")
        guard let text = try? String(contentsOf: checksumFile, encoding: .utf8), text.utf8.count < 4096,
            let recorded = text.split(separator: " ").first, recorded.count == 64
        else {
            check.problem = "\(checksumFile.path) is not a SHA-256 checksum line"
            return check
        }
        check.recorded = String(recorded)
        guard let handle = FileHandle(forReadingAtPath: directory.appendingPathComponent(binaryName).path) else {
            check.problem = "the reader binary \(directory.appendingPathComponent(binaryName).path) is missing"
            return check
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let data = try? handle.read(upToCount: 4 << 20), !data.isEmpty { hasher.update(data: data) }
        check.actual = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        if !check.matches {
            check.problem = "the reader binary \(directory.appendingPathComponent(binaryName).path) does not match the SHA-256 "
                + "in \(checksumName) (it is damaged or was replaced): do not run it"
        }
        return check
    }

    /// Refuses a directory that holds anything but an earlier reader's files.
    private static func requireOwnDirectory(_ directory: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) else {
            guard FileManager.default.fileExists(atPath: directory.deletingLastPathComponent().path) else {
                throw VaultError(.mediumMissing, "\(directory.deletingLastPathComponent().path) does not exist: is the medium mounted?",
                    remedy: "Mount the medium (or correct --to) and run the command again.")
            }
            do { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false) } catch {
                throw VaultError(.ioFailed, "Cannot create \(directory.path): \(error.localizedDescription)")
            }
            return
        }
        guard isDirectory.boolValue else { throw VaultError(.usage, "\(directory.path) exists and is not a directory.") }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        let foreign = names.filter { !fileNames.contains($0) }
        let guide = (try? String(contentsOf: directory.appendingPathComponent(guideName), encoding: .utf8)) ?? ""
        guard foreign.isEmpty, names.isEmpty || guide.hasPrefix(RestoreGuide.firstLine) else {
            throw VaultError(.targetNotEmpty,
                "\(directory.path) holds files crmvault did not put there (\((foreign.isEmpty ? names : foreign).prefix(5).joined(separator: ", "))); "
                    + "a reader replaces only an earlier reader. Nothing was written.",
                remedy: "Give --to a new or empty directory, or move those files away.")
        }
    }

    private static func readWhole(_ url: URL, what: String) throws -> Data {
        do { return try Data(contentsOf: url) } catch {
            throw VaultError(.usage, "Cannot read \(what) \(url.path): \(error.localizedDescription)")
        }
    }

    /// Temp file beside the target, fsync, rename, fsync the directory: a power cut leaves the old file or the new one.
    private static func writeDurably(_ data: Data, to url: URL, mode: mode_t) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { throw writeError(url) }
        var isRenamed = false
        defer {
            close(fd)
            if !isRenamed { unlink(temporary.path) }
        }
        let written = data.withUnsafeBytes { bytes -> Bool in
            var done = 0
            while done < bytes.count {
                let count = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return false }
                done += count
            }
            return true
        }
        guard written, fchmod(fd, mode) == 0 || errno == EPERM, fsync(fd) == 0, rename(temporary.path, url.path) == 0 else {
            throw writeError(url)
        }
        isRenamed = true
        let directory = open(url.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            _ = fsync(directory)
            close(directory)
        }
    }

    private static func writeError(_ url: URL) -> VaultError {
        let reason = String(cString: strerror(errno))
        return VaultError(errno == ENOSPC ? .diskFull : .ioFailed, "Cannot write \(url.path): \(reason).",
            remedy: errno == ENOSPC ? "Free space on the medium; the reader needs room for its binary." : nil)
    }
}

/// An ELF file that cannot be read as an executable.
public struct ReaderError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
