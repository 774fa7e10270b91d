import Foundation

/// Builds zip archives byte by byte with full control over names, types, CRCs and declared sizes, so tests
/// can produce the hostile archives a real zip library would refuse to write. Entries are stored
/// (method 0) unless deflated bytes are supplied.
public struct RawZipBuilder: Sendable {
    public struct Member: Sendable {
        public var name: String
        public var data: Data
        public var isSymlink = false
        public var crc: UInt32? = nil
        public var declaredSize: UInt32? = nil
        /// Extra fields (e.g. an extended timestamp), written in both the local and the central header.
        public var extraField = Data()

        public init(
            name: String, data: Data, isSymlink: Bool = false, crc: UInt32? = nil, declaredSize: UInt32? = nil, extraField: Data = Data()
        ) {
            self.name = name
            self.data = data
            self.isSymlink = isSymlink
            self.crc = crc
            self.declaredSize = declaredSize
            self.extraField = extraField
        }

        /// An Info-ZIP extended timestamp field (`UT`) holding a modification time.
        public static func extendedTimestamp(_ seconds: Int32) -> Data {
            var field = Data([0x55, 0x54, 5, 0, 1])
            withUnsafeBytes(of: seconds.littleEndian) { field.append(contentsOf: $0) }
            return field
        }
    }

    public var members: [Member] = []

    public init(_ members: [Member] = []) { self.members = members }

    public func build() -> Data {
        var output = Data()
        var central = Data()
        for member in members {
            let offset = UInt32(output.count)
            let name = Data(member.name.utf8)
            let crc = member.crc ?? CRC32.checksum(member.data)
            let size = UInt32(member.data.count)
            let declared = member.declaredSize ?? size
            output.append(le32(0x04034b50)); output.append(le16(20)); output.append(le16(0x0800)); output.append(le16(0))
            output.append(le16(0)); output.append(le16(0x21))
            output.append(le32(crc)); output.append(le32(size)); output.append(le32(declared))
            output.append(le16(UInt16(name.count))); output.append(le16(UInt16(member.extraField.count))); output.append(name)
            output.append(member.extraField); output.append(member.data)
            let mode: UInt32 = member.isSymlink ? 0o120777 : 0o100644
            central.append(le32(0x02014b50)); central.append(le16(0x0314)); central.append(le16(20)); central.append(le16(0x0800))
            central.append(le16(0)); central.append(le16(0)); central.append(le16(0x21))
            central.append(le32(crc)); central.append(le32(size)); central.append(le32(declared))
            central.append(le16(UInt16(name.count))); central.append(le16(UInt16(member.extraField.count))); central.append(le16(0))
            central.append(le16(0)); central.append(le16(0)); central.append(le32(mode << 16)); central.append(le32(offset))
            central.append(name); central.append(member.extraField)
        }
        let centralOffset = UInt32(output.count)
        output.append(central)
        // More than 65,535 members need the ZIP64 end records; the classic one then says 0xFFFF.
        let isZip64 = members.count > 0xffff
        if isZip64 {
            let recordOffset = UInt64(output.count)
            output.append(le32(0x06064b50)); output.append(le64(44)); output.append(le16(45)); output.append(le16(45))
            output.append(le32(0)); output.append(le32(0)); output.append(le64(UInt64(members.count))); output.append(le64(UInt64(members.count)))
            output.append(le64(UInt64(central.count))); output.append(le64(UInt64(centralOffset)))
            output.append(le32(0x07064b50)); output.append(le32(0)); output.append(le64(recordOffset)); output.append(le32(1))
        }
        let count = isZip64 ? 0xffff : UInt16(members.count)
        output.append(le32(0x06054b50)); output.append(le16(0)); output.append(le16(0))
        output.append(le16(count)); output.append(le16(count))
        output.append(le32(UInt32(central.count))); output.append(le32(centralOffset)); output.append(le16(0))
        return output
    }

    private func le16(_ value: UInt16) -> Data { withUnsafeBytes(of: value.littleEndian) { Data($0) } }
    private func le32(_ value: UInt32) -> Data { withUnsafeBytes(of: value.littleEndian) { Data($0) } }
    private func le64(_ value: UInt64) -> Data { withUnsafeBytes(of: value.littleEndian) { Data($0) } }
}

/// CRC-32 (IEEE), as zip uses it.
public enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    public static func checksum(_ data: Data) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data { crc = table[Int((crc ^ UInt32(byte)) & 0xff)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}
