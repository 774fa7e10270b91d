import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// An opened vault: its storage and its owner-signed config. Operations live in `Vault+*.swift`.
public final class Vault: @unchecked Sendable {
    public let storage: any VaultStorage
    public let config: VaultConfig
    let configDocument: SignedDocument

    public var location: String { storage.location }
    public var id: String { config.vault }
    public var ownerFingerprint: String { config.ownerFingerprint }

    init(storage: any VaultStorage, config: VaultConfig, configDocument: SignedDocument) {
        self.storage = storage
        self.config = config
        self.configDocument = configDocument
    }

    /// Opens the vault at `url`, checking the config's owner signature.
    ///
    /// A directory with vault data but no readable config is a damaged vault, not a missing one.
    public static func open(at url: URL) throws -> Vault {
        let storage = LocalDirectoryStorage(root: url)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            let parent = url.deletingLastPathComponent().path
            // A vault directory that is not there is, on offline media, most often a medium that is not mounted.
            throw VaultError(.mediumMissing,
                "There is no vault at \(url.path): "
                    + (FileManager.default.fileExists(atPath: parent)
                        ? "the directory does not exist." : "neither it nor its parent directory \(parent) exists."),
                remedy: "If the vault is on a removable medium, mount it; otherwise correct --vault. (`crmvault init` creates "
                    + "a new vault.)")
        }
        guard storage.exists(VaultConfig.path) else {
            let vaultParts = ["chain", "packs", "snapshots", "keys", "index"].filter { storage.exists($0) }
            if !vaultParts.isEmpty {
                throw VaultError(.vaultDamaged,
                    "\(url.path) holds vault data (\(vaultParts.joined(separator: ", "))) but its config file is missing.",
                    remedy: "Restore the config from another copy of this vault (`crmvault copy`), or run `crmvault verify`.")
            }
            throw VaultError(.vaultNotFound, "There is no vault at \(url.path) (no config file).",
                remedy: "Check the path, or create a vault with `crmvault init --vault \(url.path)`.")
        }
        let bytes = try storage.read(VaultConfig.path, limit: ReadLimit.config)
        guard let document = SignedDocument(parsing: bytes),
            let config = try? CanonicalJSON.decode(VaultConfig.self, from: document.body)
        else {
            throw VaultError(.vaultDamaged, "The config of the vault at \(url.path) is damaged (it does not parse).",
                remedy: "Restore it from another copy of this vault, or run `crmvault verify` for details.")
        }
        guard config.version == 1 else {
            throw VaultError(.unsupportedVersion, "The vault at \(url.path) has format version \(config.version); this crmvault reads 1.",
                remedy: "Use a newer crmvault.")
        }
        guard let owner = config.ownerKey, document.isSigned(by: owner, domain: SignedDocument.configDomain) else {
            throw VaultError(.vaultDamaged, "The config of the vault at \(url.path) is not signed by its owner key: it was altered.",
                remedy: "Do not use this copy; run `crmvault verify` and restore the config from another copy.")
        }
        if let violation = CanonicalJSONReader.violation(of: document.body, shape: VaultConfig.shape, section: "§4.1") {
            throw VaultError(.vaultDamaged, "The config of the vault at \(url.path) \(violation) (signed by the owner).",
                remedy: "Do not use this copy: crmvault never writes such a config. Run `crmvault verify` and compare with another copy.")
        }
        try config.validate()
        return Vault(storage: storage, config: config, configDocument: document)
    }

    /// Creates a vault in an empty or new directory; returns it with the owner's keys. Unless `creatingParents`, the
    /// directory's parent must exist: a medium that failed to mount must not put the vault on the system disk.
    public static func create(
        at url: URL, passphrase: Passphrase, settings: VaultSettings = VaultSettings(), creatingParents: Bool = true
    ) throws -> (Vault, VaultKeys) {
        guard !passphrase.isEmpty else {
            throw VaultError(.usage, "The owner passphrase is empty.", remedy: "Set CRMVAULT_PASSPHRASE or use --passphrase-file.")
        }
        let parent = url.standardizedFileURL.deletingLastPathComponent().path
        if !creatingParents && !FileManager.default.fileExists(atPath: parent) {
            throw VaultError(.mediumMissing,
                "The directory \(parent), where the new vault would go, does not exist: is the medium mounted? Nothing was "
                    + "created (a medium that failed to mount must not put the vault on the system disk).",
                remedy: "Mount the medium and run init again, or pass --parents to create the missing directories on purpose.")
        }
        if let contents = try? FileManager.default.contentsOfDirectory(atPath: url.path), !contents.isEmpty {
            let isVault = contents.contains("config") || contents.contains("chain")
            throw VaultError(isVault ? .vaultExists : .usage,
                isVault ? "There is already a vault at \(url.path)." : "\(url.path) is not empty; a vault needs a directory of its own.",
                remedy: isVault ? nil : "Choose an empty or new directory.")
        }
        try LocalDirectoryStorage.makeDirectory(url.path)
        let storage = LocalDirectoryStorage(root: url)
        close(try storage.openDirectory("locks", creating: true)!)
        let keys = VaultKeys.generateOwner()
        let vaultID = Hex.encode(Sodium.randomBytes(16))
        let keyFile = try OwnerKeyFile.create(keys: keys, vault: vaultID, passphrase: passphrase, kdf: settings.kdf)
        let keyFileBytes = try CanonicalJSON.encode(keyFile) + [0x0a]
        let config = VaultConfig(
            version: 1, vault: vaultID, created: Timestamp.now(), ownerSigningKey: keys.signing.publicKey.hex,
            ownerSealingKey: Hex.encode(keys.sealing.publicKey), ownerKeyFile: SHA256Hasher.hash(keyFileBytes).hex,
            chunker: settings.chunker, compression: .init(algorithm: "zstd", level: settings.compressionLevel),
            blockTarget: settings.blockTarget, packTarget: settings.packTarget)
        try config.validate()
        let document = SignedDocument(body: try CanonicalJSON.encode(config), signedBy: keys.signing, domain: SignedDocument.configDomain)
        try storage.writeDurably(OwnerKeyFile.path, keyFileBytes)
        try storage.writeDurably(VaultConfig.path, document.bytes)
        let vault = Vault(storage: storage, config: config, configDocument: document)
        var entry = ChainEntry(
            vault: vaultID, sequence: 0, previous: .zero, time: config.created, signer: keys.signing.publicKey, type: .initialize)
        entry.config = document.hash.hex
        try vault.append(entry, signedBy: keys)
        return (vault, keys)
    }

    /// Opens the owner's keys with the passphrase.
    public func unlock(passphrase: Passphrase) throws -> VaultKeys {
        let bytes: [UInt8]
        do {
            bytes = try storage.read(OwnerKeyFile.path, limit: ReadLimit.ownerKey)
        } catch let error as VaultError where storage.exists(OwnerKeyFile.path) {
            throw error  // it is there but not a regular file, or not readable: the error says which
        } catch {
            throw VaultError(.vaultDamaged, "The owner key file \(location)/\(OwnerKeyFile.path) is missing or unreadable.",
                remedy: "Restore it from another copy of this vault.")
        }
        guard SHA256Hasher.hash(bytes).hex == config.ownerKeyFile, OwnerKeyFile.violation(of: bytes, config: config) == nil,
            let file = try? CanonicalJSON.decode(OwnerKeyFile.self, from: bytes), file.vault == id
        else {
            throw VaultError(.vaultDamaged, "The owner key file \(location)/\(OwnerKeyFile.path) does not match the signed config: it was altered.",
                remedy: "Restore it from another copy of this vault.")
        }
        return try file.open(passphrase: passphrase, vaultLocation: location)
    }

    /// Loads a writer key file and checks that it belongs to this vault and was authorized by the owner.
    public func loadWriterKey(from url: URL) throws -> VaultKeys {
        let (keys, vaultID) = try WriterKeyFile.read(from: url)
        guard vaultID == id else {
            throw VaultError(.keyRefused, "The key \(url.path) belongs to vault \(vaultID), not to \(id) at \(location).",
                remedy: "Use the writer key made for this vault.")
        }
        let chain = try loadChain()
        guard chain.authorizedWriters.contains(keys.signing.publicKey) else {
            throw VaultError(.notAuthorized, "The writer key \(url.path) is not authorized in the chain of the vault at \(location).",
                remedy: "Create a writer key with `crmvault key writer --vault \(location) --out FILE`.")
        }
        return keys
    }

    /// Creates a writer key, records its authorization in the chain, and writes the key file (mode 0600).
    public func authorizeWriter(owner: VaultKeys, name: String, keyFile url: URL) throws -> PublicSigningKey {
        guard owner.role == .owner else { throw VaultError(.readOnlyKey, "Only the owner can authorize writer keys.") }
        try TerminalText.requirePrintable(name, naming: "writer name", maximumLength: 100, example: "--name pull-host-1")
        let lock = try VaultLock.acquire(vaultPath: location, operation: "key writer")
        defer { withExtendedLifetime(lock) {} }
        let (file, signing) = WriterKeyFile.make(owner: owner, vault: id, name: name)
        try file.write(to: url)
        let chain = try loadChain()
        var entry = ChainEntry(
            vault: id, sequence: chain.entries.count, previous: chain.headHash, time: Timestamp.now(),
            signer: owner.signing.publicKey, type: .authorizeWriter)
        entry.writer = signing.publicKey.hex
        entry.name = name
        try append(entry, signedBy: owner)
        return signing.publicKey
    }

    /// Signs `entry` and writes it as the next chain file. The write is durable before this returns.
    func append(_ entry: ChainEntry, signedBy keys: VaultKeys) throws {
        var entry = entry
        let audit = try auditHead()
        entry.auditCount = audit.count
        entry.auditHead = audit.head.hex
        let path = ChainEntry.path(sequence: entry.sequence)
        let document = SignedDocument(body: try CanonicalJSON.encode(entry), signedBy: keys.signing, domain: SignedDocument.chainDomain)
        guard try storage.createDurably(path, document.bytes) else {
            throw VaultError(.vaultLocked, "Chain entry \(entry.sequence) appeared in \(location) while this backup ran: another writer "
                + "committed first (the lock does not work on this file system?). This snapshot was not committed.",
                remedy: "Run the backup again; what it stored is reused.")
        }
    }
}
