import Foundation
import Testing

@testable import Replica

#if canImport(Glibc)
    import Glibc
#endif

/// A fixed-decimals REAL column's values are written back (`%.Nf`) from the double's shortest text when that is
/// exact, else by the C library: both give the C library's bytes.
struct FixedDecimalsTests {
    /// `%.*f` by the C library.
    static func printf(_ value: Double, decimals: Int) -> String {
        var buffer = [CChar](repeating: 0, count: 400)
        let count = withVaList([Int32(decimals), value]) { vsnprintf(&buffer, 400, "%.*f", $0) }
        return String(decoding: buffer.prefix(Int(count)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func written(_ value: Double, decimals: Int) -> String {
        ValueText.withText(real: value, decimals == 0 ? .integral : .fixed(decimals)) {
            String(decoding: $0, as: UTF8.self)
        }
    }

    /// Seeded values of every size around the 15-digit bound, exported amounts (`1234.50`), halfway cases, negative
    /// zero, tiny and huge values: the written text is the C library's, and the shortest-text path is taken for the
    /// common exported amounts (nil only past the bound).
    @Test func fixedDecimalsAreWrittenAsTheCLibraryWritesThem() throws {
        var generator = SeededRandom(seed: 2026)
        var values: [Double] = [
            0, -0.0, 0.5, 1.5, 2.5, -2.5, 0.125, 0.005, 0.015, 1.005, 1500, 1500.5, 1e15, 1e16, 123_456_789_012.345,
            999_999_999_999.995, 0.1 + 0.2, 1e-5, 1e-7, 5e-324, 1.7976931348623157e308, -1e22, 9_007_199_254_740_993,
        ]
        for _ in 0..<2_000 {
            let cents = Int64(bitPattern: generator.next()) % 10_000_000_000_000
            values.append(Double(cents) / 100)
            let digits = Int(generator.next() % 16)
            let scale = pow(10.0, Double(Int(generator.next() % 31) - 15))
            values.append(Double(Int64(bitPattern: generator.next() >> UInt64(64 - 4 * digits - 1))) * scale)
            values.append(Double(bitPattern: generator.next()))
        }
        var shortestTaken = 0
        for value in values where value.isFinite {
            for decimals in 0...8 {
                #expect(Self.written(value, decimals: decimals) == Self.printf(value, decimals: decimals),
                    "\(value) with \(decimals) decimals")
                if ValueText.fixedFromShortest(value, decimals: decimals, { _ in true }) != nil { shortestTaken += 1 }
            }
        }
        #expect(shortestTaken > values.count)
        for amount in [1234.5, 0.25, -17.1, 99_999_999.99] {
            #expect(ValueText.fixedFromShortest(amount, decimals: 2) { String(decoding: $0, as: UTF8.self) }
                == Self.printf(amount, decimals: 2))
        }
    }
}
