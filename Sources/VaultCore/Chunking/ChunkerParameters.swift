/// The chunker's settings, recorded per vault in its config (docs/FORMAT.md §4.1, §5).
public struct ChunkerParameters: Codable, Sendable, Equatable {
    public var algorithm: String = "fastcdc-gear64-v1"
    public var minimum: Int
    public var average: Int
    public var maximum: Int
    /// `newline` moves each content-defined cut to the end of the record it falls in.
    public var alignment: String

    public init(minimum: Int, average: Int, maximum: Int, alignment: String = "newline") {
        self.minimum = minimum
        self.average = average
        self.maximum = maximum
        self.alignment = alignment
    }

    /// Defaults chosen by `crmvault-bench` on CSV exports (README, "Chunk size"): small enough that a month's
    /// changed records touch few chunks, large enough that index and manifest stay small.
    public static let `default` = ChunkerParameters(minimum: 512, average: 2048, maximum: 16384)

    func validate() throws {
        let isPowerOfTwo = average > 0 && average & (average - 1) == 0
        guard algorithm == "fastcdc-gear64-v1", isPowerOfTwo, minimum >= 64, minimum < average, average < maximum,
            maximum <= 16 << 20, alignment == "newline" || alignment == "none"
        else {
            throw VaultError(.vaultDamaged, "The vault config has chunker parameters this version cannot use: \(self).")
        }
    }
}
