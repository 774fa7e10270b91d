import Foundation
import VaultCore

/// The child mode that makes exactly the library call `crmvault verify` makes keyless (open the vault, verify it with
/// the default options), timed as a whole process against `restic check --read-data` and `sha256sum`:
///
///     crmvault-bench --vault-verify VAULT [--threads N]    # N pack-hashing threads (default: one per core, at most 4)
///
/// Prints one line with the verdict and what was read; exits 1 when the vault has problems, as `crmvault verify` does.
enum VerifyChildMode {
    static func verify(_ vault: String, threads: Int?) throws {
        let opened = try Vault.open(at: URL(fileURLWithPath: vault))
        var options = VerifyOptions()
        if let threads { options.packThreads = threads }
        let report = try opened.verify(options)
        print("\(report.status): \(report.packs) packs, \(report.packBytes) bytes, \(report.chunks) chunks, "
            + "\(report.snapshots) snapshots, \(report.problems.count) problems, \(options.packThreads) threads, "
            + String(format: "%.3f s", report.seconds))
        if report.status != "ok" { exit(1) }
    }
}
