/// RFC 6962 Merkle tree hash over SHA-256 (docs/FORMAT.md §9): the `root` of a snapshot entry.
enum MerkleTree {
    static func root(_ leaves: [Digest]) -> Digest {
        if leaves.isEmpty { return SHA256Hasher.hash([]) }
        return hash(leaves[...])
    }

    private static func hash(_ leaves: ArraySlice<Digest>) -> Digest {
        if leaves.count == 1 { return SHA256Hasher.hash([0x00] + leaves.first!.bytes) }
        var split = 1
        while split * 2 < leaves.count { split *= 2 }
        let left = hash(leaves.prefix(split))
        let right = hash(leaves.dropFirst(split))
        return SHA256Hasher.hash([0x01] + left.bytes + right.bytes)
    }
}
