import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A writer (put-only) key, kept outside the vault on the pull host (docs/FORMAT.md §4.4).
struct WriterKeyFile: Codable {
    var version: Int
    var type: String
    var vault: String
    var name: String
    var signingKey: String
    var ownerSealingKey: String
    var chunkIDKey: String
    var fileDigestKey: String
    var chunkerKey: String

    /// Derives a writer key from the owner's keys: a new signing key, the shared dedup keys, the public sealing key.
    static func make(owner: VaultKeys, vault: String, name: String) -> (file: WriterKeyFile, signing: SigningKey) {
        let signing = SigningKey()
        let file = WriterKeyFile(
            version: 1, type: "writer", vault: vault, name: name, signingKey: String(decoding: signing.secret.hexBytes(), as: UTF8.self),
            ownerSealingKey: Hex.encode(owner.sealing.publicKey),
            chunkIDKey: String(decoding: owner.chunkIDKey.hexBytes(), as: UTF8.self),
            fileDigestKey: String(decoding: owner.fileDigestKey.hexBytes(), as: UTF8.self),
            chunkerKey: String(decoding: owner.chunkerKey.hexBytes(), as: UTF8.self))
        return (file, signing)
    }

    /// Writes the key file with mode 0600, refusing to overwrite an existing file.
    func write(to url: URL) throws {
        var bytes = try CanonicalJSON.encode(self) + [0x0a]
        defer { Sodium.wipe(&bytes) }
        let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            if errno == EEXIST {
                throw VaultError(.usage, "\(url.path) already exists; a key file is never overwritten.",
                    remedy: "Choose another --out path, or remove the old key file first.")
            }
            if errno == ENOENT || errno == ENOTDIR {
                let directory = url.deletingLastPathComponent().path
                throw VaultError(.usage, "The directory \(directory) for the key file \(url.lastPathComponent) does not exist. "
                    + "Nothing was written and no key was authorized.",
                    remedy: "Create it first (`mkdir -m 700 -p \(directory)`), or give --out a path in an existing directory.")
            }
            throw LocalDirectoryStorage.errnoError("create", url.path)
        }
        defer { close(fd) }
        _ = fchmod(fd, 0o600)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else { throw LocalDirectoryStorage.errnoError("write", url.path) }
    }

    /// Reads a writer key, refusing a file that anyone but its owner can read.
    static func read(from url: URL) throws -> (keys: VaultKeys, vault: String) {
        var status = stat()
        guard stat(url.path, &status) == 0 else {
            throw VaultError(.usage, "Cannot read the key file \(url.path): \(String(cString: strerror(errno))).")
        }
        guard status.st_mode & 0o077 == 0 else {
            throw VaultError(.keyFileInsecure,
                "The key file \(url.path) can be read by other users (mode \(String(status.st_mode & 0o777, radix: 8))); it is refused.",
                remedy: "Run `chmod 600 \(url.path)`, and consider the key exposed if others could read it.")
        }
        guard var bytes = try? Array(Data(contentsOf: url)) else {
            throw VaultError(.usage, "Cannot read the key file \(url.path).")
        }
        defer { Sodium.wipe(&bytes) }
        guard let file = try? CanonicalJSON.decode(WriterKeyFile.self, from: bytes), file.type == "writer", file.version == 1,
            var signing = Hex.decode(file.signingKey), signing.count == 64,
            let sealing = Hex.decode(file.ownerSealingKey), sealing.count == 32,
            var chunkID = Hex.decode(file.chunkIDKey), chunkID.count == 32,
            var fileDigest = Hex.decode(file.fileDigestKey), fileDigest.count == 32,
            var chunker = Hex.decode(file.chunkerKey), chunker.count == 32
        else {
            throw VaultError(.usage, "\(url.path) is not a crmvault writer key file.",
                remedy: "Create one with `crmvault key writer --vault DIR --out FILE`.")
        }
        let keys = VaultKeys(
            role: .writer(name: file.name), signing: SigningKey(secret: SecretBytes(consuming: &signing)),
            sealing: SealingKey(publicKey: sealing), chunkIDKey: SecretBytes(consuming: &chunkID),
            fileDigestKey: SecretBytes(consuming: &fileDigest), chunkerKey: SecretBytes(consuming: &chunker))
        return (keys, file.vault)
    }
}
