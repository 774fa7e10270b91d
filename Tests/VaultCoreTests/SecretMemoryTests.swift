import Foundation
import Testing

@testable import VaultCore

/// Key material must not reach a core dump (issue 6, item 12).
struct SecretMemoryTests {
    /// The `VmFlags` of the mapping of this process that holds `address`, from /proc/self/smaps.
    static func mappingFlags(of address: UInt) throws -> [Substring] {
        // Read to the end with plain reads: Foundation stops /proc files after their first page.
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/self/smaps"))
        defer { try? handle.close() }
        var data = Data()
        while let piece = try handle.read(upToCount: 1 << 16), !piece.isEmpty { data += piece }
        let smaps = String(decoding: data, as: UTF8.self)
        var inMapping = false
        for line in smaps.split(separator: "\n") {
            if let dash = line.firstIndex(of: "-"), let space = line.firstIndex(of: " "), dash < space,
                let start = UInt(line[..<dash], radix: 16), let end = UInt(line[line.index(after: dash)..<space], radix: 16)
            {
                inMapping = start <= address && address < end
            } else if inMapping && line.hasPrefix("VmFlags:") {
                return line.split(separator: " ").dropFirst().map { $0 }
            }
        }
        return []
    }

    @Test func keyMaterialLivesInPagesExcludedFromCoreDumps() throws {
        let keys = VaultKeys.generateOwner()
        for secret in [keys.chunkIDKey, keys.signing.secret, keys.sealing.secret!, SecretBytes(randomCount: 32)] {
            let address = secret.withUnsafeBytes { UInt(bitPattern: $0.baseAddress!) }
            let flags = try Self.mappingFlags(of: address)
            #expect(flags.contains("dd"), "the page holding a key is not marked MADV_DONTDUMP: \(flags)")
        }
    }

    @Test func keyedCommandsMakeTheProcessNonDumpable() {
        ProcessHardening.protectSecrets()  // what every keyed command does before it reads a secret
        #expect(!ProcessHardening.isDumpable)
    }
}
