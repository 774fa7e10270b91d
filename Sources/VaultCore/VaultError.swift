/// An error a user can act on: what failed, naming the vault file, snapshot or input, and what to do next.
public struct VaultError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is; each maps to one process exit code.
    public enum Code: String, Sendable {
        case vaultNotFound, vaultExists, vaultLocked, vaultDamaged
        case wrongPassphrase, keyRefused, keyFileInsecure, notAuthorized, readOnlyKey
        case chainBroken, chunkCorrupted, packCorrupted, manifestCorrupted, snapshotNotFound
        case hostileInput, inputUnreadable, targetNotEmpty, usage
        /// An input to `backup` that is not what it claims or is expected to be: an HTML page named `.zip`, an export of
        /// nothing, a "CRM export" without a CSV header row.
        case exportRejected
        case unsupportedVersion, compressionFailed, cryptoFailed, ioFailed, diskFull, mediumMissing
    }

    public var code: Code
    public var message: String
    public var remedy: String?
    public var cause: String?

    public init(_ code: Code, _ message: String, remedy: String? = nil, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.remedy = remedy
        self.cause = cause.map { String(describing: $0) }
    }

    public var description: String { [message, remedy].compactMap { $0 }.joined(separator: "\n") }
}
