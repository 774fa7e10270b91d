import Foundation
import VaultTesting

@testable import VaultCore

/// What a key holder can write into a vault by hand: a snapshot whose manifest says whatever they like, signed with
/// their key, as crmvault itself would commit it.
enum Forgery {
    /// Commits the latest snapshot's manifest, changed by `edit`, as a new snapshot signed by `keys`.
    static func commitSnapshot(in vault: Vault, signedBy keys: VaultKeys, edit: (inout SnapshotManifest) -> Void) throws {
        let chain = try vault.loadChain()
        var manifest = try vault.loadManifest(chain.snapshotEntries.last!).manifest
        edit(&manifest)
        manifest.tidyAfterEdit()  // totals and packs kept consistent: the forgery tests what the edit changed
        let bytes = try CanonicalJSON.encode(manifest) + [0x0a]
        let id = SHA256Hasher.hash(bytes)
        try vault.storage.writeDurably(SnapshotManifest.path(id), bytes)
        var entry = ChainEntry(vault: vault.id, sequence: chain.entries.count, previous: chain.headHash, time: Timestamp.now(),
            signer: keys.signingPublicKey, type: .snapshot)
        entry.snapshot = id.hex
        entry.packs = []
        entry.root = MerkleTree.root([id]).hex
        entry.files = manifest.fileCount
        entry.bytesIn = manifest.bytesIn
        entry.bytesStored = 0
        try vault.append(entry, signedBy: keys)
    }
}
