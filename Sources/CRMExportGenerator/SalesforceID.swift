/// Encodes Salesforce-style 18-character record ids.
///
/// An id is a 3-character key prefix naming the object (`001` Account, `003` Contact, ...), a 2-character pod
/// code, a reserved `0`, a 9-digit base-62 record number, and the 3-character case-safety suffix Salesforce
/// computes from the capitalisation of the first 15 characters. Base-62 digits are ordered `0-9A-Za-z`, as in
/// ASCII, so ids of one object sort bytewise in record-number order.
enum SalesforceID {
    /// The base-62 digits in ASCII order.
    private static let digits: [UInt8] = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// The alphabet of the case-safety suffix.
    private static let suffixAlphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ012345".utf8)

    /// The pod code and reserved character shared by every id of the simulated org.
    private static let podCode: [UInt8] = Array("5g0".utf8)

    /// Appends the 18 bytes of an id to `buffer`.
    static func append(keyPrefix: [UInt8], number: UInt64, to buffer: inout [UInt8]) {
        let start = buffer.count
        buffer.append(contentsOf: keyPrefix)
        buffer.append(contentsOf: podCode)
        var remaining = number
        var recordNumber: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &recordNumber) { digitsBuffer in
            for position in stride(from: 8, through: 0, by: -1) {
                digitsBuffer[position] = digits[Int(remaining % 62)]
                remaining /= 62
            }
            buffer.append(contentsOf: digitsBuffer)
        }
        for chunk in 0..<3 {
            var flags = 0
            for offset in 0..<5 where (0x41...0x5A).contains(buffer[start + chunk * 5 + offset]) {
                flags |= 1 << offset
            }
            buffer.append(suffixAlphabet[flags])
        }
    }

    /// Returns an id as a string.
    static func string(keyPrefix: String, number: UInt64) -> String {
        var bytes: [UInt8] = []
        append(keyPrefix: Array(keyPrefix.utf8), number: number, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
