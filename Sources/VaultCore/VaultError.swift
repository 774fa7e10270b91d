/// An error a user can act on: what failed, naming the vault file, snapshot or input, and what to do next.
public struct VaultError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is; each maps to one process exit code.
    public enum Code: String, Sendable {
        case vaultNotFound, vaultExists, vaultLocked, vaultDamaged
        case wrongPassphrase, keyRefused, keyFileInsecure, notAuthorized, readOnlyKey
        case chainBroken, chunkCorrupted, packCorrupted, manifestCorrupted, snapshotNotFound
        /// A restored export that does not read as the export layout says (malformed CSV, duplicate ids).
        case exportMalformed
        /// A replica or drill check failed (counts, cell digests, SQLite integrity).
        case checkFailed
        case hostileInput, inputUnreadable, targetNotEmpty, usage
        /// An input to `backup` that is not what it claims or is expected to be: an HTML page named `.zip`, an export of
        /// nothing, a "CRM export" without a CSV header row.
        case exportRejected
        case unsupportedVersion, compressionFailed, cryptoFailed, ioFailed, diskFull, mediumMissing
        /// The vendor refused, failed or sent something incomplete or wrong (a failed job, counts that do not add up).
        case vendorFailed
        /// The vendor could not be reached, or the connection failed (DNS, TLS, timeouts, resets).
        case networkFailed
    }

    public var code: Code
    /// One sentence: what failed.
    public var message: String
    /// The items the sentence refers to, one per line (malformed records, files that failed), as they came: the
    /// terminal shows each on its own line, escaped; `--json` and ``fullMessage`` keep them exact.
    public var details: [String]
    public var remedy: String?
    public var cause: String?

    public init(_ code: Code, _ message: String, details: [String] = [], remedy: String? = nil, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.details = details
        self.remedy = remedy
        self.cause = cause.map { String(describing: $0) }
    }

    /// The sentence and its details, each detail on its own line indented by two spaces.
    public var fullMessage: String { ([message] + details.map { "  " + $0 }).joined(separator: "\n") }

    public var description: String { [fullMessage, remedy].compactMap { $0 }.joined(separator: "\n") }
}
