import Foundation

/// One schedule as the scheduler sees it: its name, when it runs, and what it writes to.
public struct ScheduleEntry: Sendable {
    /// The schedule's name (its definition's base name), also the snapshots' source.
    public var name: String
    public var every: CronExpression
    /// The zone the cron expression's wall-clock times are in (UTC unless the definition names one).
    public var timeZone: TimeZone
    /// The vault directory the schedule backs up into; runs on one vault never overlap.
    public var vault: URL
    /// The definition file, which `crmvault pull --config` reads.
    public var definitionFile: URL
    /// The writer key, when the schedule has one (without it a pull needs the owner passphrase).
    public var writerKey: URL?
    /// Directories a run writes besides the vault and the state directory (the pull's staging directory).
    public var workDirectories: [URL]

    public init(
        name: String, every: CronExpression, timeZone: TimeZone = .utc, vault: URL, definitionFile: URL,
        writerKey: URL? = nil, workDirectories: [URL] = []
    ) {
        self.name = name
        self.every = every
        self.timeZone = timeZone
        self.vault = vault
        self.definitionFile = definitionFile
        self.writerKey = writerKey
        self.workDirectories = workDirectories
    }

    /// The key that tells two schedules write the same vault: its real path when it exists.
    var vaultKey: String {
        let standardized = vault.standardizedFileURL
        return standardized.resolvingSymlinksInPath().path
    }
}
