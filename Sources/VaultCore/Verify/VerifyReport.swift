import Foundation

/// What `verify` is asked to do.
public struct VerifyOptions: Sendable {
    /// The owner fingerprint pinned at `init`; a different owner key is a problem.
    public var trustedFingerprint: String?
    /// The owner's keys: decrypt every chunk and check every file's digest (`--deep`).
    public var ownerKeys: VaultKeys?
    /// Checkpoints the chain must extend (`--checkpoint`, repeatable), with where each came from.
    public var checkpoints: [(checkpoint: Checkpoint, source: String)] = []
    /// Check only what was added after this checkpoint (`--since`); the chain is always checked whole.
    public var since: (checkpoint: Checkpoint, source: String)?
    /// Read only this share of the packs in scope, chosen at random (`--sample`); the rest are checked only for presence.
    public var samplePercent: Double?
    /// Warn when a source's newest snapshot is older than this many days.
    public var maximumAgeDays = 35
    /// Warn when a source has no passing restore drill newer than this many days.
    public var maximumDrillAgeDays = 35
    public var now = Date()

    public init(trustedFingerprint: String? = nil, ownerKeys: VaultKeys? = nil) {
        self.trustedFingerprint = trustedFingerprint
        self.ownerKeys = ownerKeys
    }
}

/// The result of `verify`: what was checked, what is wrong and what it affects, what is left over,
/// and the month-by-month coverage of each source.
public struct VerifyReport: Sendable, Codable {
    /// `ok` or `problems`: the one field a script needs.
    public var status = "problems"
    public var vault: String
    public var location: String
    public var ownerFingerprint: String
    public var isFingerprintTrusted = false
    public var isDeep: Bool
    public var scope = "whole vault"
    public var chainEntries = 0
    public var snapshots = 0
    public var packs = 0
    public var packsSkipped = 0
    public var packBytes: UInt64 = 0
    public var chunks = 0
    public var filesChecked = 0
    public var checkpointsChecked = 0
    public var seconds = 0.0
    public var problems: [VerifyProblem] = []
    /// Files of interrupted backups: not referenced by the chain, harmless, reused or ignored later.
    public var leftovers: [String] = []
    public var coverage: [SourceCoverage] = []
    /// The last restore drill per source (FORMAT.md §9.1).
    public var drills: [SourceDrill] = []
    public var warnings: [String] = []
    /// What the process holding the writer lock says of itself, when one held it during verify (a running backup).
    public var activeWriter: String?

    public var isIntact: Bool { problems.isEmpty }

    public init(vault: String, location: String, ownerFingerprint: String, isDeep: Bool) {
        self.vault = vault
        self.location = location
        self.ownerFingerprint = ownerFingerprint
        self.isDeep = isDeep
    }
}

/// The snapshots of one source, month by month, with the months that have none.
public struct SourceCoverage: Sendable, Codable {
    public struct Month: Sendable, Codable {
        public var month: String
        public var snapshots: [String]
    }

    public var source: String
    public var months: [Month]
    public var missingMonths: [String]
    public var newest: String
}

/// One thing verify found wrong, naming the vault file and what depends on it.
public struct VerifyProblem: Sendable, Codable {
    public var file: String
    public var message: String
    public var affects: [String] = []

    public init(file: String, message: String, affects: [String] = []) {
        self.file = file
        self.message = message
        self.affects = affects
    }
}
