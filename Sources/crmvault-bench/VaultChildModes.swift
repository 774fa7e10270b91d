import Foundation
import VaultCore

/// Child-process modes that make exactly the library calls `crmvault init`, `backup` and `restore` make (open the
/// vault, derive the owner key from CRMVAULT_PASSPHRASE with the vault's Argon2id setting, back up or restore),
/// without the command line's audit log: timed as whole processes when the `crmvault` executable (which links the
/// network stack) has no release build at hand.
///
///     crmvault-bench --vault-init VAULT [--interactive-kdf]   # default settings (Argon2id MODERATE, or INTERACTIVE)
///     crmvault-bench --vault-backup VAULT DIRECTORY [--key WRITER.key]   # with the writer key, as scheduled backups run
///     crmvault-bench --vault-restore VAULT TARGET       # the latest snapshot, into an empty TARGET
///     crmvault-bench --vault-deep VAULT                 # `verify --deep`: every snapshot, exit 1 on a problem
///
/// Each prints, after its result, the wall and CPU seconds of the key unlock and of the work after it (`after
/// unlock`), so the share of the key derivation is visible in whole-process timings.
enum VaultChildModes {
    static func passphrase() throws -> Passphrase {
        guard let text = ProcessInfo.processInfo.environment["CRMVAULT_PASSPHRASE"], !text.isEmpty else {
            throw BenchError("set CRMVAULT_PASSPHRASE")
        }
        return Passphrase(text)
    }

    static func initialize(_ vault: String, interactiveKDF: Bool = false) throws {
        var settings = VaultSettings()
        if interactiveKDF { settings.kdf = .interactive }
        _ = try Vault.create(at: URL(fileURLWithPath: vault), passphrase: try passphrase(), settings: settings)
    }

    static func backup(_ vault: String, _ directory: String, writerKey: String?) throws {
        let opened = try Vault.open(at: URL(fileURLWithPath: vault))
        let (keys, unlock) = try PhaseClock.measure {
            // `crmvault backup --key FILE` loads the writer key file the same way (raw key material, FORMAT §4.4).
            if let writerKey { return try opened.loadWriterKey(from: URL(fileURLWithPath: writerKey)) }
            return try opened.unlock(passphrase: try passphrase())
        }
        let (result, work) = try PhaseClock.measure { try opened.backup(URL(fileURLWithPath: directory), keys: keys) }
        print("backed up \(result.files) files, \(result.bytesIn) bytes, \(result.bytesStored) stored")
        print("new list chunks: \(result.newListChunks), \(result.newListBytes) bytes")
        print("unlock: \(unlock); after unlock: \(work)")
    }

    /// As `crmvault restore` does it: the snapshot is resolved first, and the key is derived while the restore reads
    /// the manifest and indexes. The unlock phase's CPU includes that reading, done beside it on the other core.
    static func restore(_ vault: String, _ target: String) throws {
        let opened = try Vault.open(at: URL(fileURLWithPath: vault))
        let entry = try opened.resolveSnapshot("latest", in: try opened.loadChain())
        let started = PhaseClock.Mark()
        var unlocked = started
        let report = try opened.restore(entry, to: URL(fileURLWithPath: target), unlocking: {
            let keys = try opened.unlock(passphrase: try passphrase())
            unlocked = PhaseClock.Mark()
            return keys
        })
        let finished = PhaseClock.Mark()
        guard report.failures.isEmpty else { throw BenchError("restore failed: \(report.failures)") }
        print("restored \(report.filesRestored) files, \(report.bytesRestored) bytes")
        print("unlock: \(unlocked.since(started)); after unlock: \(finished.since(unlocked))")
    }

    static func deepVerify(_ vault: String) throws {
        let opened = try Vault.open(at: URL(fileURLWithPath: vault))
        // As `crmvault verify --deep` runs it: the key derived inside verify while the keyless part is read.
        let phrase = try passphrase()
        var options = VerifyOptions()
        options.unlock = { try opened.unlock(passphrase: phrase) }
        let (report, work) = try PhaseClock.measure { try opened.verify(options) }
        print("deep verify: \(report.snapshots) snapshots, \(report.filesChecked) files proven, \(report.packs) packs, "
            + "\(report.problems.count) problems")
        print("unlock and verify: \(work)")
        guard report.problems.isEmpty else { throw BenchError("verify found problems: \(report.problems.prefix(5))") }
    }
}

/// Wall and CPU (user + system, every thread) seconds of one phase of a child process.
enum PhaseClock {
    static func measure<T>(_ body: () throws -> T) rethrows -> (T, String) {
        let start = Mark()
        let result = try body()
        return (result, Mark().since(start))
    }

    /// The wall clock and the process's CPU seconds at one moment.
    struct Mark {
        let wall = Date()
        let cpu = cpuSeconds()

        /// "wall W s, cpu C s" from `start` to this mark.
        func since(_ start: Mark) -> String {
            String(format: "wall %.3f s, cpu %.3f s", wall.timeIntervalSince(start.wall), cpu - start.cpu)
        }
    }

    private static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}
