import Foundation
import VaultCore

#if canImport(Glibc)
import Glibc
#endif

/// The daemon's state directory: one `runs/NAME.json` per schedule (a ``ScheduleState``) and `daemon.lock`.
///
/// The directory is `$CRMVAULT_STATE_DIR`, else `/var/lib/crmvault` for root, else `$XDG_STATE_HOME/crmvault`
/// (`~/.local/state/crmvault`). It is created owner-only (0700) and refused if others may write to it; files are
/// written 0600 through a temporary file, fsync and rename, so a power cut leaves the old state or the new one.
/// Files hold times, outcomes, snapshot ids and error messages: never a secret.
public struct RunStateStore: Sendable {
    public let directory: URL

    /// The largest state file read; a larger one is damaged.
    static let readLimit = 64 << 10

    public init(directory: URL) { self.directory = directory.standardizedFileURL }

    /// The state directory for this process's environment and user.
    public static func defaultDirectory(
        environment: [String: String] = ProcessInfo.processInfo.environment, isRoot: Bool = geteuid() == 0
    ) -> URL {
        if let directory = environment["CRMVAULT_STATE_DIR"], !directory.isEmpty {
            return URL(fileURLWithPath: directory)
        }
        if isRoot { return URL(fileURLWithPath: "/var/lib/crmvault") }
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
            return URL(fileURLWithPath: state).appendingPathComponent("crmvault")
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return URL(fileURLWithPath: home).appendingPathComponent(".local/state/crmvault")
    }

    var runsDirectory: URL { directory.appendingPathComponent("runs") }

    func file(of schedule: String) -> URL { runsDirectory.appendingPathComponent("\(schedule).json") }

    /// Creates the directory (0700) if needed and checks that only its owner can write to it.
    public func prepare() throws {
        for path in [directory.path, runsDirectory.path] {
            do {
                try FileManager.default.createDirectory(
                    atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw VaultError(
                    .ioFailed, "Cannot create the state directory \(path): \(error.localizedDescription)",
                    remedy: "Create it (mode 0700) or set CRMVAULT_STATE_DIR to a directory this user can write.")
            }
            var status = stat()
            guard lstat(path, &status) == 0 else { throw Self.failure("inspect the state directory", path) }
            guard status.st_mode & S_IFMT == S_IFDIR else {
                throw VaultError(
                    .usage, "The state directory \(path) is not a directory (a link or a file is refused).",
                    remedy: "Remove it, or set CRMVAULT_STATE_DIR to a directory of its own.")
            }
            guard status.st_uid == geteuid(), status.st_mode & 0o022 == 0 else {
                throw VaultError(
                    .keyFileInsecure,
                    "The state directory \(path) can be written by other users or belongs to another user.",
                    remedy:
                        "Run `chmod 700 \(path)` as its owner, or set CRMVAULT_STATE_DIR to a directory of your own.")
            }
        }
    }

    /// The state of a schedule; a schedule never run has an empty one.
    public func state(of schedule: String) throws -> ScheduleState {
        let path = file(of: schedule).path
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0 && errno == ENOENT { return ScheduleState(schedule: schedule) }
        guard fd >= 0 else { throw Self.failure("open the run state", path) }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: Self.readLimit + 1)
        var count = 0
        while count < bytes.count {
            let read = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + count, $0.count - count) }
            if read < 0 { throw Self.failure("read the run state", path) }
            if read == 0 { break }
            count += read
        }
        guard count <= Self.readLimit,
            let state = try? Self.decoder.decode(ScheduleState.self, from: Data(bytes[0..<count])),
            state.schedule == schedule
        else {
            throw VaultError(
                .ioFailed, "The run state \(path) is damaged (it is not the state of schedule \(schedule)).",
                remedy: "Remove it; the schedule's next run writes it anew (only its run history is lost).")
        }
        return state
    }

    /// Writes a schedule's state durably.
    public func save(_ state: ScheduleState) throws {
        let bytes = Array(try Self.encoder.encode(state)) + [0x0a]
        try LocalDirectoryStorage(root: directory).writeDurably("runs/\(state.schedule).json", bytes)
    }

    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        return encoder
    }

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = Timestamp.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an RFC 3339 time")
            }
            return date
        }
        return decoder
    }

    static func failure(_ operation: String, _ path: String) -> VaultError {
        VaultError(
            .ioFailed, "Cannot \(operation) \(path): \(String(cString: strerror(errno))).",
            remedy: "Check the state directory (CRMVAULT_STATE_DIR) exists and is writable by this user.")
    }
}
