import Foundation

/// Small exports for tests: reproducible bytes that do not compress, and CSV files shaped like a CRM object's.
public enum TestExports {
    /// `count` bytes of xorshift64* output from `seed`: the same every run, and incompressible, so packs fill up.
    public static func seededBytes(_ count: Int, seed: UInt64) -> Data {
        var state = seed | 1
        var bytes = [UInt8](repeating: 0, count: count)
        for index in bytes.indices {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            bytes[index] = UInt8(truncatingIfNeeded: (state &* 0x2545_F491_4F6C_DD1D) >> 56)
        }
        return Data(bytes)
    }

    /// An Account CSV with a header row and `rows` records, ids from `firstID`.
    public static func accountsCSV(rows: Int, firstID: Int = 0) -> Data {
        Data(("Id,Name,BillingCity\n" + (0..<rows).map { "\"\($0 + firstID)\",\"Account \($0 + firstID)\",\"Oslo\"\n" }.joined()).utf8)
    }
}
