import Foundation
import Testing
import VaultTesting

@testable import VaultCore

/// `Fixtures/vault-v1` was written by the first version of crmvault (two snapshots of `Fixtures/vault-v1-export`,
/// the second by a writer key). Every later version must still verify and restore it byte for byte.
struct GoldenVaultTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let passphrase = "vault-v1 fixture passphrase"
    static let ownerFingerprint = try! String(contentsOf: fixtures.appendingPathComponent("vault-v1.fingerprint"), encoding: .utf8)
        .trimmingCharacters(in: .whitespacesAndNewlines)

    /// A private copy, so no test can change the committed fixture.
    static func copyOfFixture() throws -> (TemporaryDirectory, URL) {
        let directory = try TemporaryDirectory("golden")
        let copy = directory.path("vault-v1")
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent("vault-v1"), to: copy)
        return (directory, copy)
    }

    @Test func theVersionOneVaultVerifiesKeylessAgainstItsPinnedFingerprint() throws {
        let (directory, copy) = try Self.copyOfFixture()
        defer { withExtendedLifetime(directory) {} }
        let report = try Vault.open(at: copy).verify(trustedFingerprint: Self.ownerFingerprint)
        #expect(report.problems.isEmpty, "\(report.problems)")
        #expect(report.snapshots == 2)
    }

    @Test func theVersionOneVaultRestoresByteForByte() throws {
        let (directory, copy) = try Self.copyOfFixture()
        let vault = try Vault.open(at: copy)
        let owner = try vault.unlock(passphrase: Passphrase(Self.passphrase))
        #expect(try vault.verify(ownerKeys: owner).problems.isEmpty)
        let target = directory.path("restored")
        let report = try vault.restore(try vault.resolveSnapshot("latest", in: try vault.loadChain()), to: target, keys: owner)
        #expect(report.failures.isEmpty)
        #expect(try DirectoryComparison.differences(
            between: Self.fixtures.appendingPathComponent("vault-v1-export"), and: target, checkMetadata: false) == [])
    }
}
