import CRMExportGenerator
import Foundation
import Testing
import VaultTesting

#if canImport(Glibc)
import Glibc
#endif

struct CrashSafetyTests {
    /// Kills a real backup process with SIGKILL once it has written packs, then checks that the vault still
    /// verifies, that the leftovers are reported as such, and that a rerun completes and reuses them.
    @Test func aBackupKilledMidwayLeavesAVaultThatVerifiesAndARerunCompletes() throws {
        let directory = try TemporaryDirectory()
        // Small packs, so the backup has committed several and is still writing when it is killed.
        let runner = CommandRunner(environment: ["CRMVAULT_PASSPHRASE": CommandLineTests.passphrase])
        let vault = directory.path("vault").path
        #expect(try runner.run(["init", "--vault", vault, "--kdf", "insecure-test-only", "--pack-target", "262144"]).status == 0)
        let export = directory.path("2026-01")
        try CRMExportGenerator(seed: 5, scale: 8000).writeMonth(0, to: export)

        let child = try runner.start(["backup", "--vault", vault, export.path])
        let deadline = Date().addingTimeInterval(120)
        var sawPack = false
        while Date() < deadline && child.isRunning {
            let packs = FileManager.default.enumerator(atPath: vault + "/packs")?.compactMap { $0 as? String }.filter { $0.hasSuffix(".pack") }
            if let packs, !packs.isEmpty {
                sawPack = true
                break
            }
            usleep(2000)
        }
        #expect(child.isRunning, "the backup finished before it could be killed; make the export larger")
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        #expect(sawPack)
        #expect(child.terminationReason == .uncaughtSignal)

        let afterCrash = try CommandRunner().run(["verify", "--vault", vault, "--json"])
        #expect(afterCrash.status == 0, "\(afterCrash.all)")
        #expect(afterCrash.stdout.contains("leftovers"))
        let listing = try runner.run(["snapshots", "--vault", vault, "--json"])
        #expect(listing.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[\n\n]" || listing.stdout.contains("[]"))

        let rerun = try runner.run(["backup", "--vault", vault, "--json", export.path])
        #expect(rerun.status == 0, "\(rerun.all)")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(rerun.stdout.utf8)) as? [String: Any])
        let bytesIn = try #require(result["bytesIn"] as? Int)
        let newChunkBytes = try #require(result["newChunkBytes"] as? Int)
        #expect(bytesIn > 0)
        #expect(newChunkBytes < bytesIn, "the rerun reused the chunks the killed backup had committed")

        let verified = try runner.run(["verify", "--vault", vault, "--deep", "--json"])
        #expect(verified.status == 0, "\(verified.all)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(verified.stdout.utf8)) as? [String: Any])
        #expect((report["leftovers"] as? [String])?.filter { $0.hasPrefix("packs/") }.isEmpty == true, "the rerun claimed the packs")

        let restored = directory.path("restored")
        #expect(try runner.run(["restore", "--vault", vault, "latest", "--to", restored.path]).status == 0)
        #expect(try DirectoryComparison.differences(between: export, and: restored) == [])
    }
}
