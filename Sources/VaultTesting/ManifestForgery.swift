import VaultCore

extension SnapshotManifest {
    /// Makes a hand-edited manifest consistent again where the edit did not mean to change it, as a key holder forging
    /// one would: `bytesIn` is the sum of its files' sizes, and `packs` exactly the sorted packs its files use, with each
    /// file's pack numbers renumbered to match (FORMAT.md §8). What the edit meant to break stays broken.
    public mutating func tidyAfterEdit() {
        bytesIn = files.reduce(0) { $0 + ($1.type == "file" ? ($1.size ?? 0) : 0) }
        let used = Set(files.flatMap { $0.packs ?? [] }.filter { packs.indices.contains($0) }.map { packs[$0] })
            .sorted()
        let position = Dictionary(uniqueKeysWithValues: used.enumerated().map { ($1, $0) })
        let old = packs
        for index in files.indices {
            guard let numbers = files[index].packs else { continue }
            files[index].packs = Set(numbers.compactMap { old.indices.contains($0) ? position[old[$0]] : nil }).sorted()
        }
        packs = used
    }

    /// The number of regular files, as a snapshot entry's `files` counts them (FORMAT.md §9).
    public var fileCount: Int { files.count { $0.type == "file" } }
}
