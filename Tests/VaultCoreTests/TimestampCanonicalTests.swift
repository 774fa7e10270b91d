import Foundation
import Testing

@testable import CRMExportGenerator
@testable import VaultCore

/// `Timestamp.isCanonical` checks dates by arithmetic (a date formatter a call made reading a chain slow); it must
/// accept exactly what the formatter's round trip accepted, in the proleptic Gregorian calendar RFC 3339 uses.
struct TimestampCanonicalTests {
    /// The earlier definition: parsed and formatted back to the same text.
    static func roundTrips(_ text: String) -> Bool {
        guard text.count == 20, !text.hasPrefix("0000"), let date = Timestamp.parse(text) else { return false }
        return Timestamp.format(date) == text
    }

    @Test func realTimesOnlyInTheOneSpelling() {
        for text in ["2026-11-29T20:42:00Z", "2024-02-29T00:00:00Z", "2000-02-29T23:59:59Z", "0001-01-01T00:00:00Z"] {
            #expect(Timestamp.isCanonical(text), "\(text)")
        }
        for text in [
            "2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z",
            "2026-04-31T00:00:00Z", "2026-01-00T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:60:00Z",
            "2026-12-31T23:59:60Z", "0000-01-01T00:00:00Z", "2026-01-01t00:00:00Z", "2026-01-01T00:00:00z",
            "2026-01-01T00:00:00.5Z", "2026-01-01T00:00:00+00:00", "2026-1-01T00:00:00Z", "+026-01-01T00:00:00Z",
        ] {
            #expect(!Timestamp.isCanonical(text), "\(text)")
        }
    }

    /// Seeded strings of the right shape, many of them impossible dates or times, judged as the round trip judged
    /// them (years from 1600 on: before the Gregorian reform Foundation's formatter switches to the Julian calendar).
    @Test func agreesWithTheFormattersRoundTrip() {
        var random = DeterministicRandom(seed: 2026)
        func pick(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(random.next() % UInt64(range.count)) }
        for _ in 0..<400 {
            let year = [1600, 1900, 2000, 2024, 2026, 2100, 9999][pick(0...6)] + (pick(0...3) == 0 ? pick(0...3) : 0)
            let text = String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", min(year, 9999), pick(0...13), pick(0...32),
                pick(0...25), pick(0...61), pick(0...61))
            #expect(Timestamp.isCanonical(text) == Self.roundTrips(text), "\(text)")
        }
    }
}
