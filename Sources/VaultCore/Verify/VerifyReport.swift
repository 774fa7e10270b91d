import Foundation

/// What `verify` is asked to do.
public struct VerifyOptions: Sendable {
    /// The owner fingerprint pinned at `init`; a different owner key is a problem.
    public var trustedFingerprint: String?
    /// The owner's keys: decrypt every chunk and check every file's digest (`--deep`).
    public var ownerKeys: VaultKeys?
    /// Deep, the keys not yet derived: verify calls this on a thread of its own (Argon2id takes most of a second on one
    /// core) while it reads the chain, the manifests and the chunk map, and reads the packs once it returns; its error
    /// (a wrong passphrase) is verify's. Used when `ownerKeys` is nil.
    public var unlock: (@Sendable () throws -> VaultKeys)?
    /// Checkpoints the chain must extend (`--checkpoint`, repeatable), with where each came from.
    public var checkpoints: [(checkpoint: Checkpoint, source: String)] = []
    /// Check only what was added after this checkpoint (`--since`); the chain is always checked whole.
    public var since: (checkpoint: Checkpoint, source: String)?
    /// Checkpoint files given that break docs/FORMAT.md §11: each is a problem of the report.
    public var checkpointProblems: [VerifyProblem] = []
    /// Read only this share of the packs in scope, chosen at random (`--sample`); the rest are checked only for presence.
    public var samplePercent: Double?
    /// Warn when a source's newest snapshot is older than this many days.
    public var maximumAgeDays = 35
    /// Warn when a source has no passing restore drill newer than this many days.
    public var maximumDrillAgeDays = 35
    public var now = Date()
    /// Receives progress while packs are read (and, deep, while files are reassembled).
    public var progress: ProgressHandler?
    /// Threads that read and hash packs in a keyless verify: one per core, at most 4. The report is the same with any
    /// number; 1 reads the packs one after another on the calling thread.
    public var packThreads = min(ProcessInfo.processInfo.activeProcessorCount, 4)

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
    /// When the check ran (RFC 3339, UTC) and which crmvault ran it: what makes a report something to file.
    public var checked = ""
    public var crmvaultVersion = VaultFormat.softwareVersion
    /// The owner fingerprint the auditor pinned (`--trust`), when given.
    public var trustedFingerprint: String?
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
    /// Deep verify only: for each snapshot with a file that cannot be read back intact, which files are damaged and
    /// how many are intact.
    public var damage: [SnapshotDamage] = []
    /// Every snapshot of the chain whose manifest could be read, in chain order, with its label and source.
    public var snapshotList: [VerifiedSnapshot] = []
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

/// What deep verify found really lost in one snapshot: the files it could not read back intact, and how many it could.
public struct SnapshotDamage: Sendable, Codable {
    public var snapshot: String
    /// Paths of the damaged files, each with the reason.
    public var damagedFiles: [String]
    public var intactFiles: Int
}

/// One snapshot as the auditor's report lists it.
public struct VerifiedSnapshot: Sendable, Codable {
    public var id: String
    public var sequence: Int
    public var label: String
    /// The exported system (`backup --source`), `default` for none.
    public var source: String
    /// The month it counts for in the coverage (its label when that is a month, else the month of its time).
    public var month: String
    public var time: String
    public var files: Int
    /// Who signed its chain entry: `owner`, `writer NAME`, or `unknown key …`.
    public var signedBy: String
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
    /// The section of docs/FORMAT.md whose rule the file breaks, when the problem is a broken rule (`§8`).
    public var rule: String?
    /// Who signed the document that breaks the rule: `owner` or `writer NAME`.
    public var signedBy: String?

    public init(file: String, message: String, affects: [String] = []) {
        self.file = file
        self.message = message
        self.affects = affects
    }

    /// A broken rule of the format, in a document signed (directly, or through the chain entry naming it) by `signedBy`.
    public init(file: String, violation: FormatViolation, signedBy: String?, affects: [String] = []) {
        self.file = file
        message = violation.description + (signedBy.map { " (signed by \($0))" } ?? "")
        self.affects = affects
        rule = violation.section
        self.signedBy = signedBy
    }
}
