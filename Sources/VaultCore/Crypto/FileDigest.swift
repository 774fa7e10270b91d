/// A file's keyed digest, computed from its size and chunk ids (docs/FORMAT.md §4.3), never from its bytes: the bytes
/// are hashed once, into the chunk ids, and every reader checks each chunk's plaintext against its id. Ids are added
/// in file order as they are read, so a file of millions of chunks is digested without holding its id list.
struct FileDigest {
    /// The domain that starts the digest's input: no other keyed hash of the format starts with it.
    static let domain = Array("crmvault file digest v1\n".utf8)

    private let hasher: KeyedHasher

    /// Starts the digest of a file of `size` bytes.
    init(key: SecretBytes, size: Int) {
        hasher = KeyedHasher(key: key)
        Self.domain.withUnsafeBytes { hasher.update($0) }
        withUnsafeBytes(of: UInt64(size).littleEndian) { hasher.update($0) }
    }

    /// The file's next chunk id.
    func add(_ id: Digest) { id.withUnsafeBytes { hasher.update($0) } }

    func finalize() -> Digest { hasher.finalize() }

    /// The digest of a file of `size` bytes made of `ids`, in order.
    static func of(size: Int, ids: some Sequence<Digest>, key: SecretBytes) -> Digest {
        let digest = FileDigest(key: key, size: size)
        for id in ids { digest.add(id) }
        return digest.finalize()
    }
}
