/// Little-endian writing of the binary structures in docs/FORMAT.md (packs, indexes).
struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func append(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func append(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func append(_ other: some Sequence<UInt8>) { bytes.append(contentsOf: other) }
    mutating func append(_ digest: Digest) { digest.withUnsafeBytes { bytes.append(contentsOf: $0) } }
}

/// Bounds-checked little-endian reading; every read past the end is an error, never a crash.
struct ByteReader {
    let bytes: [UInt8]
    var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var remaining: Int { bytes.count - position }

    struct Truncated: Error {}

    mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count >= 0, remaining >= count else { throw Truncated() }
        defer { position += count }
        return bytes[position..<position + count]
    }

    mutating func readUInt32() throws -> UInt32 {
        let slice = try take(4)
        return slice.reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func readUInt64() throws -> UInt64 {
        let slice = try take(8)
        return slice.reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }
}

extension Array where Element == UInt8 {
    func readUInt16(at offset: Int) -> UInt16 { UInt16(self[offset]) | UInt16(self[offset + 1]) << 8 }

    func readUInt32(at offset: Int) -> UInt32 {
        UInt32(self[offset]) | UInt32(self[offset + 1]) << 8 | UInt32(self[offset + 2]) << 16 | UInt32(self[offset + 3]) << 24
    }

    func readUInt64(at offset: Int) -> UInt64 { UInt64(readUInt32(at: offset)) | UInt64(readUInt32(at: offset + 4)) << 32 }
}
