import Foundation
import Testing
import VaultTesting

@testable import VaultCore

/// Keyless verify hashes packs on several threads (``OrderedPackScans``); its report must not depend on how many.
struct ParallelVerifyTests {
    static let now = Timestamp.parse("2026-05-20T00:00:00Z")!

    /// The report as JSON, without the one field that differs from run to run (how long it took).
    static func verify(_ vault: TemporaryVault, threads: Int, progress: ProgressHandler? = nil) throws
        -> (VerifyReport, String)
    {
        var options = VerifyOptions()
        options.now = now
        options.packThreads = threads
        options.progress = progress
        var report = try vault.reopened().verify(options)
        report.seconds = 0
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return (report, String(decoding: try encoder.encode(report), as: UTF8.self))
    }

    @Test func aDamagedVaultGetsTheSameReportOnOneThreadAsOnFour() throws {
        let vault = try VerifyScopeTests.vaultWithMonths(3)
        let packs = try vault.files(under: "packs").sorted()
        #expect(packs.count >= 6)
        // A flipped bit, a truncated pack, a missing one, and a planted file with a pack's name: problems from the
        // scan threads (hash, structure), from the ordered walk (missing), and from the layout rules after it.
        try vault.flipBit(in: packs[0], at: 200)
        let truncated = vault.url.appendingPathComponent(packs[2])
        try Data(try Data(contentsOf: truncated).dropLast(300)).write(to: truncated)
        try FileManager.default.removeItem(at: vault.url.appendingPathComponent(packs[4]))
        let planted = "packs/ab/" + String(repeating: "ab", count: 32) + ".pack"
        try FileManager.default.createDirectory(
            at: vault.url.appendingPathComponent("packs/ab"), withIntermediateDirectories: true)
        try Data(repeating: 7, count: 5000).write(to: vault.url.appendingPathComponent(planted))

        let (single, singleJSON) = try Self.verify(vault, threads: 1)
        let (parallel, parallelJSON) = try Self.verify(vault, threads: 4)
        let (again, againJSON) = try Self.verify(vault, threads: 4)
        #expect(singleJSON == parallelJSON)
        #expect(parallelJSON == againJSON)
        #expect(again.status == "problems")
        for damaged in [packs[0], packs[2], packs[4], planted] {
            #expect(parallel.problems.contains { $0.file == damaged }, "no problem names \(damaged)")
        }
        #expect(single.packs == packs.count)  // the removed one is not read, the planted one is
    }

    @Test func anUntouchedVaultIsOkOnFourThreadsWithProgressInPackOrder() throws {
        let vault = try VerifyScopeTests.vaultWithMonths(2)
        let packCount = try vault.files(under: "packs").count
        let seen = ProgressLog()
        let (report, _) = try Self.verify(vault, threads: 4) { seen.add($0) }
        #expect(report.status == "ok")
        #expect(report.packs == packCount)
        let done = seen.updates.filter { $0.phase == "verify" }.map(\.itemsDone)
        #expect(done == Array(0..<packCount))
    }
}

/// Progress updates as the handler received them.
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var received: [OperationProgress] = []

    func add(_ update: OperationProgress) { lock.withLock { received.append(update) } }
    var updates: [OperationProgress] { lock.withLock { received } }
}
