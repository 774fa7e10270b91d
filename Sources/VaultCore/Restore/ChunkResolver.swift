/// The distinct chunk ids of a set of packs, by their first 8 bytes (`Digest.firstWord`): what a short chunk reference
/// (docs/FORMAT.md §8) is looked up in. A word that begins one id maps to it; a word that begins several keeps them all
/// (rare: about n² / 2^65 for n chunks, or an index a writer-key holder crafted). Its memory is one entry per id, as
/// the chunk map it is built beside; a lookup is one or two hash probes whatever a crafted index holds.
struct ChunkWords: Sendable {
    /// The words that begin exactly one id.
    private var single: [UInt64: Digest] = [:]
    /// The words that begin more than one id, with those ids.
    private var shared: [UInt64: [Digest]] = [:]

    /// What the ids begin with `word`.
    enum Candidates {
        case none
        case one(Digest)
        case several([Digest])
    }

    init() {}

    /// The words of `ids`, each id given once.
    init(distinct ids: some Sequence<Digest>) {
        single.reserveCapacity(ids.underestimatedCount)
        for id in ids { insert(distinct: id) }
    }

    /// Adds an id not added before (the caller keeps ids distinct: a chunk map's keys).
    mutating func insert(distinct id: Digest) {
        let word = id.firstWord
        if !shared.isEmpty, shared[word]?.append(id) != nil { return }
        if let other = single.updateValue(id, forKey: word) {
            single[word] = nil
            shared[word] = [other, id]
        }
    }

    func candidates(_ word: UInt64) -> Candidates {
        if let id = single[word] { return .one(id) }
        if let ids = shared[word] { return .several(ids) }
        return .none
    }
}

/// Resolves the references of one snapshot's chunk lists to chunk ids (docs/FORMAT.md §8): a full reference names its
/// id; a short one names the one id of the snapshot's packs it begins, or, where it begins several, the id of the
/// manifest's `resolve` that begins with it; anything else names nothing, and the file is refused.
///
/// `words` holds the ids of the snapshot's packs (restore), or of a larger set (deep verify: every pack in its scope)
/// with `holds` saying which are the snapshot's; a word shared in the larger set is then decided once among the
/// snapshot's own ids and remembered, so lookups stay O(1) however many ids a crafted index puts under one word. A
/// word that begins one id of the larger set names it, whether the snapshot holds it or not: reading it then fails.
struct ChunkResolver: Sendable {
    private let words: ChunkWords
    private let resolve: [UInt64: Digest]
    private let holds: (@Sendable (Digest) -> Bool)?
    /// For each shared word met (with `holds`): the one id of the snapshot it begins, or nil when it begins none or
    /// several of them (`isAmbiguous` says which).
    private var decided: [UInt64: (id: Digest?, isAmbiguous: Bool)] = [:]

    /// A resolver for `manifest`'s lists; `holds`, when given, says which ids of `words` are in the snapshot's packs.
    init(_ words: ChunkWords, of manifest: SnapshotManifest, holds: (@Sendable (Digest) -> Bool)? = nil) {
        self.init(words, resolve: manifest.resolve ?? [], holds: holds)
    }

    /// A resolver with the manifest's `resolve` (hex ids) given alone.
    init(_ words: ChunkWords, resolve: [String], holds: (@Sendable (Digest) -> Bool)? = nil) {
        self.words = words
        self.holds = holds
        var byWord: [UInt64: Digest] = [:]
        for id in resolve.compactMap(Digest.init(hex:)) { byWord[id.firstWord] = id }
        self.resolve = byWord
    }

    /// The chunk id `reference` of the chunk list of the file at `path` names; throws `manifestCorrupted` naming the
    /// file when it names none (unknown) or cannot tell which (ambiguous).
    mutating func id(for reference: ChunkReference, in path: String) throws -> Digest {
        let word: UInt64
        switch reference {
        case .full(let id): return id
        case .short(let short): word = short
        }
        let (id, isAmbiguous) = snapshotCandidate(word)
        if let id { return id }
        if isAmbiguous, let chosen = resolve[word] { return chosen }
        let hex = withUnsafeBytes(of: word.bigEndian) { Hex.encode($0) }
        throw VaultError(.manifestCorrupted,
            isAmbiguous
                ? "The chunk list of \(path) holds an ambiguous reference \(hex): several chunks of the snapshot's "
                    + "packs begin with it and the manifest's `resolve` names none of them."
                : "The chunk list of \(path) holds an unknown reference \(hex): no chunk of the snapshot's packs "
                    + "begins with it.",
            remedy: "Run `crmvault verify` for this snapshot (a pack may be missing, or the manifest was crafted); "
                + "the other files are not affected.")
    }

    /// The one id of the snapshot's packs that begins with `word`, or nil and whether several do.
    private mutating func snapshotCandidate(_ word: UInt64) -> (id: Digest?, isAmbiguous: Bool) {
        switch words.candidates(word) {
        case .none:
            return (nil, false)
        case .one(let id):
            // Not asked of `holds`: an id outside the snapshot's packs is then not found when it is read, and the file
            // is refused all the same, one lookup a chunk sooner (deep verify finds every chunk of its view anyway).
            return (id, false)
        case .several(let ids):
            guard let holds else { return (nil, true) }
            if let known = decided[word] { return known }
            var found: Digest?
            var outcome: (id: Digest?, isAmbiguous: Bool) = (nil, false)
            for id in ids where holds(id) {
                if found != nil {
                    outcome = (nil, true)
                    break
                }
                found = id
                outcome = (id, false)
            }
            decided[word] = outcome
            return outcome
        }
    }
}
