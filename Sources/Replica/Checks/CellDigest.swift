/// The order-independent digest of an object's cells (docs/FORMAT.md §9.1): computed once from the CSV as parsed,
/// once from the values read back from SQLite, and compared, so a cell lost or altered by typing shows.
///
/// A cell's hash is XXH64 (seed 0) of its text, or 0 for NULL (an empty field or the empty-id placeholder). A row's
/// hash is XXH64 (seed 0) of its cells' hashes as 8-byte little-endian values, in column order. The digest is the
/// wrapping 64-bit sum of the row hashes; per column, the wrapping sum of its cells' hashes names the column that
/// differs. Sums make the digest independent of row order.
struct CellDigest: Equatable, Sendable {
    private(set) var rows = 0
    private(set) var rowSum: UInt64 = 0
    private(set) var columnSums: [UInt64]

    init(columns: Int) {
        columnSums = Array(repeating: 0, count: columns)
    }

    /// The digest as recorded: 16 lowercase hex digits of the row sum.
    var hex: String { Self.hex(rowSum) }

    /// Column `index`'s sum as 16 lowercase hex digits.
    func columnHex(_ index: Int) -> String { Self.hex(columnSums[index]) }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// Adds a row whose cells' hashes and row hash (``rowHash(_:)``) were computed elsewhere.
    mutating func addRow(_ cells: UnsafeBufferPointer<UInt64>, rowHash: UInt64) {
        rowSum &+= rowHash
        columnSums.withUnsafeMutableBufferPointer { sums in
            for index in cells.indices { sums[index] &+= cells[index] }
        }
        rows += 1
    }

    /// A row's hash: XXH64 of its cells' hashes as 8-byte little-endian values.
    static func rowHash(_ cells: UnsafeBufferPointer<UInt64>) -> UInt64 {
        XXH64.hash(UnsafeRawBufferPointer(cells).bindMemory(to: UInt8.self), seed: 0)
    }

    /// The first column whose sum differs from `other`'s, or nil when every column matches.
    func firstDifferingColumn(from other: CellDigest) -> Int? {
        zip(columnSums, other.columnSums).enumerated().first { $0.element.0 != $0.element.1 }?.offset
    }
}

/// XXH64 (xxHash, 64-bit), as specified in https://github.com/Cyan4973/xxHash/blob/dev/doc/xxhash_spec.md.
enum XXH64 {
    private static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let prime3: UInt64 = 0x1656_67B1_9E37_79F9
    private static let prime4: UInt64 = 0x85EB_CA77_C2B2_AE63
    private static let prime5: UInt64 = 0x27D4_EB2F_1656_67C5

    @inline(__always) private static func round(_ accumulator: UInt64, _ input: UInt64) -> UInt64 {
        rotate(accumulator &+ input &* prime2, 31) &* prime1
    }

    @inline(__always) private static func merge(_ accumulator: UInt64, _ value: UInt64) -> UInt64 {
        (accumulator ^ round(0, value)) &* prime1 &+ prime4
    }

    @inline(__always) private static func rotate(_ value: UInt64, _ bits: UInt64) -> UInt64 {
        (value << bits) | (value >> (64 - bits))
    }

    static func hash(_ bytes: UnsafeBufferPointer<UInt8>, seed: UInt64) -> UInt64 {
        let count = bytes.count
        guard let base = bytes.baseAddress.map(UnsafeRawPointer.init) else {
            return avalanche(seed &+ prime5)
        }
        var offset = 0
        var hash: UInt64
        if count >= 32 {
            var v1 = seed &+ prime1 &+ prime2
            var v2 = seed &+ prime2
            var v3 = seed
            var v4 = seed &- prime1
            while offset + 32 <= count {
                v1 = round(v1, UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
                v2 = round(v2, UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self)))
                v3 = round(v3, UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self)))
                v4 = round(v4, UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self)))
                offset += 32
            }
            hash = rotate(v1, 1) &+ rotate(v2, 7) &+ rotate(v3, 12) &+ rotate(v4, 18)
            hash = merge(hash, v1)
            hash = merge(hash, v2)
            hash = merge(hash, v3)
            hash = merge(hash, v4)
        } else {
            hash = seed &+ prime5
        }
        hash &+= UInt64(count)
        while offset + 8 <= count {
            let lane = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            hash = rotate(hash ^ round(0, lane), 27) &* prime1 &+ prime4
            offset += 8
        }
        if offset + 4 <= count {
            let lane = UInt64(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
            hash = rotate(hash ^ (lane &* prime1), 23) &* prime2 &+ prime3
            offset += 4
        }
        while offset < count {
            hash = rotate(hash ^ (UInt64(bytes[offset]) &* prime5), 11) &* prime1
            offset += 1
        }
        return avalanche(hash)
    }

    private static func avalanche(_ value: UInt64) -> UInt64 {
        var hash = value
        hash ^= hash >> 33
        hash &*= prime2
        hash ^= hash >> 29
        hash &*= prime3
        hash ^= hash >> 32
        return hash
    }
}
