import Foundation

/// A schedule definition, `Schedules/NAME.toml`: when to pull, from which vendor, into which vault.
///
/// ```toml
/// every = "0 2 1 * *"                       # cron expression, 5 fields (minute hour day-of-month month day-of-week)
/// timezone = "Europe/Berlin"                # optional; the zone `every` and the snapshot's month are read in (UTC)
/// vault = "/media/offsite-a/crm"            # a vault directory, or the name of a file in Vaults/
/// writer_key = "/etc/crmvault/writer.key"   # optional; without it the owner passphrase is used
/// work_dir = "/var/lib/crmvault"            # optional; private staging and download directory on the pull host
/// description = "Acme production org"       # optional
/// [source]
/// vendor = "salesforce"                     # the other keys of [source]: see SourceDefinition
/// ```
///
/// - The schedule's **name** is the file's base name (`salesforce-prod`); it becomes the snapshot's source, so
///   `verify` shows month-by-month coverage per schedule. Names use letters, digits, `.`, `_` and `-`.
/// - `every` is kept as written; the Schedule target parses it.
/// - `timezone` is an IANA zone name (`Europe/Berlin`, `America/New_York`, `UTC`), default `UTC`: the daemon, `status`,
///   the crontab (`CRON_TZ`) and the systemd timers read `every` in it, and a pull names its snapshot's month in it.
/// - `vault`: a bare name with a `Vaults/NAME.toml` definition is that vault; anything else is a path, relative
///   paths being relative to the schedule file's directory. `Vaults/` is `$CRMVAULT_VAULTS` when set, else the
///   `Vaults` folder beside the schedules folder.
/// - `writer_key` and `work_dir`, when relative, are relative to the schedule file's directory. `work_dir`
///   defaults to `$XDG_STATE_HOME/crmvault`, else `~/.local/state/crmvault`.
/// - Unknown keys are an error naming the key and the file.
public struct ScheduleDefinition: Sendable, Equatable {
    public var name: String
    /// The definition file it was read from.
    public var file: URL
    /// The cron expression, as written.
    public var every: String
    /// The zone of `every`'s wall-clock times and of the snapshot's month label (`timezone`, default UTC).
    public var timeZone: TimeZone
    public var vault: URL
    public var writerKey: URL?
    public var workDirectory: URL
    public var description: String?
    public var source: SourceDefinition

    /// The file name suffix of schedule definitions.
    public static let fileExtension = "toml"

    /// Reads `NAME.toml` in the schedules directory.
    public static func load(
        named name: String, in directory: URL, vaultsDirectory: URL? = nil
    ) throws -> ScheduleDefinition {
        guard isScheduleName(name) else {
            throw DefinitionError(
                "\"\(name)\" is not a schedule name (letters, digits, `.`, `_` and `-`, not starting with `.`).")
        }
        let file = directory.appendingPathComponent("\(name).\(fileExtension)")
        guard FileManager.default.fileExists(atPath: file.path) else {
            let available = (try? names(in: directory)) ?? []
            throw DefinitionError(
                "There is no schedule \(name): \(file.path) does not exist."
                    + (available.isEmpty ? "" : " Schedules there: \(available.joined(separator: ", ")).")
            )
        }
        return try load(file: file, vaultsDirectory: vaultsDirectory)
    }

    /// Reads a schedule definition file; its base name is the schedule's name.
    public static func load(file: URL, vaultsDirectory: URL? = nil) throws -> ScheduleDefinition {
        let name = file.deletingPathExtension().lastPathComponent
        guard isScheduleName(name) else {
            throw DefinitionError(
                "\(file.path): the file's base name is the schedule's name and may hold only letters, digits, `.`, `_` "
                    + "and `-`, not starting with `.`.")
        }
        var table = try DefinitionTable.read(file)
        try table.refuseKeys(
            otherThan: ["every", "timezone", "vault", "writer_key", "work_dir", "description", "source"])
        let every = try table.requiredString("every", example: "\"0 2 1 * *\"")
        let timeZone = try table.string("timezone").map { try Self.timeZone(named: $0, table: table) } ?? Self.utc
        let vaultValue = try table.requiredString("vault", example: "\"/media/offsite-a/crm\"")
        let vaults = vaultsDirectory ?? defaultVaultsDirectory(beside: file.deletingLastPathComponent())
        let vault = try resolveVault(vaultValue, vaultsDirectory: vaults, table: table)
        let writerKey = try table.string("writer_key").map { table.path($0) }
        let workDirectory = try table.string("work_dir").map { table.path($0) } ?? defaultWorkDirectory
        let description = try table.string("description")
        guard var sourceTable = try table.subtable("source") else {
            throw DefinitionError("\(file.path) has no [source] table naming the vendor; see Schedules/*.sample.")
        }
        try table.refuseUnknownKeys()
        let source = try SourceDefinition.read(&sourceTable)
        return ScheduleDefinition(
            name: name, file: file, every: every, timeZone: timeZone, vault: vault, writerKey: writerKey,
            workDirectory: workDirectory,
            description: description, source: source)
    }

    /// The names of the schedules in a directory (`*.toml`, sorted); samples (`*.sample`) are not schedules.
    public static func names(in directory: URL) throws -> [String] {
        let entries: [String]
        do { entries = try FileManager.default.contentsOfDirectory(atPath: directory.path) } catch {
            throw DefinitionError("Cannot read the schedules directory \(directory.path).")
        }
        return entries.filter { $0.hasSuffix(".\(fileExtension)") }
            .map { String($0.dropLast(fileExtension.count + 1)) }
            .filter(isScheduleName).sorted()
    }

    /// Coordinated Universal Time, the zone of a schedule without `timezone`.
    public static let utc = TimeZone(identifier: "UTC")!

    /// The zone an IANA name stands for; abbreviations (`CET`, `EST`) and offsets are refused, as they hide DST rules.
    static func timeZone(named name: String, table: DefinitionTable) throws -> TimeZone {
        if ["UTC", "Etc/UTC"].contains(name) { return utc }
        guard TimeZone.knownTimeZoneIdentifiers.contains(name), let zone = TimeZone(identifier: name) else {
            throw table.failure(
                "timezone",
                "is \"\(name)\", which is not an IANA time zone name; write one like \"Europe/Berlin\", "
                    + "\"America/New_York\" or \"UTC\" (`timedatectl list-timezones` lists them)")
        }
        return zone
    }

    static func isScheduleName(_ name: String) -> Bool {
        guard !name.isEmpty, !name.hasPrefix("."), name.utf8.count <= 100 else { return false }
        return name.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || "0123456789._-".unicodeScalars.contains($0))
        }
    }

    private static func resolveVault(_ value: String, vaultsDirectory: URL, table: DefinitionTable) throws -> URL {
        let isBareName = !value.contains("/") && value != "." && value != ".."
        if isBareName
            && FileManager.default.fileExists(atPath: vaultsDirectory.appendingPathComponent("\(value).toml").path)
        {
            return try VaultDefinition.load(named: value, in: vaultsDirectory).path
        }
        return table.path(value)
    }

    private static func defaultVaultsDirectory(beside schedules: URL) -> URL {
        if let directory = ProcessInfo.processInfo.environment["CRMVAULT_VAULTS"], !directory.isEmpty {
            return URL(fileURLWithPath: directory)
        }
        return schedules.deletingLastPathComponent().appendingPathComponent("Vaults")
    }

    private static var defaultWorkDirectory: URL {
        let environment = ProcessInfo.processInfo.environment
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
            return URL(fileURLWithPath: state).appendingPathComponent("crmvault")
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return URL(fileURLWithPath: home).appendingPathComponent(".local/state/crmvault")
    }
}
