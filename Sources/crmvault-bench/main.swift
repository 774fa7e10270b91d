import CRMExportGenerator
import Foundation
import VaultCore

/// crmvault-bench: generates a multi-month Salesforce-style corpus and measures crmvault, restic and borg on it
/// in the same run (backup MB/s per month, restore MB/s, verify MB/s, stored/input, peak memory).
///
///     swift run -c release crmvault-bench [--scale 20000] [--months 12] [--tools crmvault,restic,borg,borg-8k]
///     swift run -c release crmvault-bench --sweep     # chunk-size sweep that chose the defaults
///     swift run -c release crmvault-bench --levels [--level-list 3,9,19] [--block-list 524288,1048576]   # zstd level
///     swift run -c release crmvault-bench --inputs directories,zips   # what each tool backs up (default: both)
///     crmvault-bench --work W --keep …, then --work W --reuse …   # keep the generated corpus and use it again
///     swift run -c release crmvault-bench --replica --scale 40000 --months 2   # replica build vs sqlite3, diff
///     crmvault-bench --vault-init|--vault-backup|--vault-restore|--vault-deep …   # one library-level command, timed from outside
///     crmvault-bench --dump-list-ids VAULT OUT   # chunk-listed files' ids per snapshot (scripts/list-storage.py)
///     crmvault-bench --vault-backup VAULT DIRECTORY --key WRITER.key                # a backup as users run it: writer key
///     crmvault-bench --vault-verify VAULT [--threads N]               # keyless verify, timed from outside
///     crmvault-bench --build-replica EXPORT DB [--threads 1|2]        # replica build, N writers (default 1)
struct BenchOptions {
    var scale = 20000
    var months = 12
    var work = FileManager.default.temporaryDirectory.appendingPathComponent("crmvault-bench").path
    var tools = ["crmvault", "restic", "borg", "borg-8k"]
    var sweep = false
    /// The zstd level and block-target sweep (LevelSweep.swift).
    var levels = false
    var levelList = [3, 6, 9, 12, 19]
    var blockList = [512 << 10, 1 << 20]
    /// Each month as its directory of CSVs, and as the same CSVs in a deflated zip as a vendor sends them.
    var inputs = ["directories", "zips"]
    var keep = false
    /// Keeps a corpus already generated in `work` with the same scale and months (`--keep` of an earlier run, or
    /// `--generate-only`) instead of generating it again.
    var reuse = false
    var generateOnly = false
    var replica = false
    /// Child-process modes of the replica benchmark.
    var buildReplica: (export: String, database: String)?
    var diffExports: (a: String, b: String, work: String)?
    /// Child modes timed as whole processes (VaultChildModes.swift).
    var vaultInit: String?
    var vaultBackup: (vault: String, directory: String)?
    /// A writer key file for `--vault-backup` (no passphrase, no Argon2id: what a scheduled backup uses).
    var key: String?
    var vaultRestore: (vault: String, target: String)?
    var vaultDeep: String?
    var dumpListIDs: (vault: String, output: String)?
    /// Keyless verify as a child (VerifyChildMode.swift), with its pack threads.
    var vaultVerify: String?
    var threads: Int?
    var interactiveKDF = false

    init(_ arguments: [String]) throws {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--scale": scale = Int(iterator.next() ?? "") ?? scale
            case "--months": months = Int(iterator.next() ?? "") ?? months
            case "--work": work = iterator.next() ?? work
            case "--tools": tools = (iterator.next() ?? "").split(separator: ",").map(String.init)
            case "--sweep": sweep = true
            case "--levels": levels = true
            case "--level-list": levelList = (iterator.next() ?? "").split(separator: ",").compactMap { Int($0) }
            case "--block-list": blockList = (iterator.next() ?? "").split(separator: ",").compactMap { Int($0) }
            case "--inputs": inputs = (iterator.next() ?? "").split(separator: ",").map(String.init)
            case "--keep": keep = true
            case "--reuse": reuse = true
            case "--generate-only": generateOnly = true
            case "--replica": replica = true
            case "--build-replica": buildReplica = (iterator.next() ?? "", iterator.next() ?? "")
            case "--diff-exports": diffExports = (iterator.next() ?? "", iterator.next() ?? "", iterator.next() ?? "")
            case "--vault-init": vaultInit = iterator.next() ?? ""
            case "--vault-backup": vaultBackup = (iterator.next() ?? "", iterator.next() ?? "")
            case "--vault-restore": vaultRestore = (iterator.next() ?? "", iterator.next() ?? "")
            case "--vault-deep": vaultDeep = iterator.next() ?? ""
            case "--dump-list-ids": dumpListIDs = (iterator.next() ?? "", iterator.next() ?? "")
            case "--vault-verify": vaultVerify = iterator.next() ?? ""
            case "--threads": threads = Int(iterator.next() ?? "")
            case "--key": key = iterator.next() ?? ""
            case "--interactive-kdf": interactiveKDF = true
            default: throw BenchError("unknown argument \(argument); see the comment at the top of main.swift")
            }
        }
    }
}

/// Unbuffered output, so progress shows while the benchmark runs into a file.
func print(_ text: String) { FileHandle.standardOutput.write(Data((text + "\n").utf8)) }

func megabytes(_ bytes: Int) -> String { String(format: "%.1f", Double(bytes) / 1e6) }
func rate(_ bytes: Int, _ seconds: Double) -> String { String(format: "%.1f", Double(bytes) / 1e6 / max(seconds, 1e-9)) }
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
}

func generateCorpus(_ options: BenchOptions) throws -> (directories: [String], sizes: [Int]) {
    let generator = CRMExportGenerator(seed: 2026, scale: options.scale)
    var directories: [String] = []
    var sizes: [Int] = []
    let started = Date()
    try generator.forEachMonth(0...(options.months - 1)) { month, files in
        let directory = options.work + "/corpus/" + String(format: "2026-%02d", month + 1)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for file in files { try file.contents.write(to: URL(fileURLWithPath: directory + "/" + file.name)) }
        directories.append(directory)
        sizes.append(files.reduce(0) { $0 + $1.contents.count })
    }
    print("corpus: \(options.months) months of \(generator.objectNames.joined(separator: ", ")), scale \(options.scale): "
        + "\(megabytes(sizes.first ?? 0)) MB → \(megabytes(sizes.last ?? 0)) MB per month, \(megabytes(sizes.reduce(0, +))) MB in all "
        + String(format: "(generated in %.1f s)", Date().timeIntervalSince(started)))
    return (directories, sizes)
}

func corpusOnDisk(_ options: BenchOptions) throws -> (directories: [String], sizes: [Int]) {
    let directories = (0..<options.months).map { options.work + "/corpus/" + String(format: "2026-%02d", $0 + 1) }
    return (directories, directories.map(diskUsage))
}

/// For crmvault, what a month stored in chunk lists (new list chunks, from the child's report) and the manifest's
/// bytes (the newest file in `snapshots/`): the storage breakdown docs/BENCHMARKS.md gives per month.
func storageDetail(_ output: String, repository: String) -> String {
    let prefix = "new list chunks: "
    guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else { return "" }
    let numbers = line.dropFirst(prefix.count).split(separator: ",").compactMap { Int($0.split(separator: " ").first ?? "") }
    let snapshots = repository + "/snapshots"
    let newest = (try? FileManager.default.contentsOfDirectory(atPath: snapshots))?
        .compactMap { name -> (Date, Int)? in
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: snapshots + "/" + name),
                let date = attributes[.modificationDate] as? Date, let size = attributes[.size] as? Int
            else { return nil }
            return (date, size)
        }.max { $0.0 < $1.0 }
    guard numbers.count == 2 else { return "" }
    return String(format: " (lists %.2f MB in %d chunks, manifest %.2f MB)", Double(numbers[1]) / 1e6, numbers[0],
        Double(newest?.1 ?? 0) / 1e6)
}

/// Backs up every month with `tool` (`corpus.directories` are the months' inputs: directories or zips; `sizes` the
/// bytes of their CSVs, so ratios compare to the same data either way), restores the latest and checks.
func measure(_ tool: BenchmarkTool, corpus: (directories: [String], sizes: [Int]), work: String) throws {
    try tool.prepare()
    var rates: [Double] = []
    var peak = 0
    var perMonth: [String] = []
    var previous = diskUsage(tool.repository)
    var afterFirstMonth = 0
    for (month, directory) in corpus.directories.enumerated() {
        let result = try tool.backup(month, directory)
        rates.append(Double(corpus.sizes[month]) / 1e6 / result.seconds)
        peak = max(peak, result.peakMemoryBytes)
        let stored = diskUsage(tool.repository)
        let added = Double(stored - previous) / 1e6
        perMonth.append(String(format: "m%d %.1f MB/s +%.2f MB", month + 1, rates.last!, added)
            + storageDetail(result.output, repository: tool.repository))
        previous = stored
        if month == 0 { afterFirstMonth = stored }
    }
    let input = corpus.sizes.reduce(0, +)
    let stored = diskUsage(tool.repository)
    // The stored figures first: a restore or check that fails (a build whose reader is behind its writer) is
    // reported, and the rest of the run goes on.
    print("\n\(tool.name)")
    print("  backup: month 1 \(String(format: "%.1f", rates[0])) MB/s, later months median \(String(format: "%.1f", median(Array(rates.dropFirst())))) MB/s, peak RSS \(megabytes(peak)) MB")
    print("  per month: " + perMonth.joined(separator: "; "))
    print("  stored: \(megabytes(stored)) MB for \(megabytes(input)) MB in = \(String(format: "%.4f", Double(stored) / Double(input))) "
        + "; months 2… added \(megabytes(stored - afterFirstMonth)) MB for \(megabytes(input - corpus.sizes[0])) MB in "
        + "= \(String(format: "%.4f", Double(stored - afterFirstMonth) / Double(max(input - corpus.sizes[0], 1))))")
    let target = work + "/restore-\(tool.name)"
    do {
        let restore = try tool.restoreLatest(target)
        let restoredBytes = diskUsage(target)
        print("  restore latest: \(rate(restoredBytes, restore.seconds)) MB/s (\(megabytes(restoredBytes)) MB, peak RSS \(megabytes(restore.peakMemoryBytes)) MB)")
    } catch {
        print("  restore latest: FAILED: \(error)")
    }
    try? FileManager.default.removeItem(atPath: target)
    for (label, run) in tool.verify {
        do {
            let result = try run()
            print("  \(label): \(rate(stored, result.seconds)) MB/s of repository, \(rate(input, result.seconds)) MB/s of backed-up data "
                + "(\(String(format: "%.2f", result.seconds)) s, peak RSS \(megabytes(result.peakMemoryBytes)) MB)")
        } catch {
            print("  \(label): FAILED: \(error)")
        }
    }
    // The floor for any keyless check: hashing the same bytes with coreutils.
    _ = try ChildProcess.run(["sh", "-c", "cat $(find '\(tool.repository)' -type f) > /dev/null"])
    let floor = try ChildProcess.check(["sh", "-c", "find '\(tool.repository)' -type f -print0 | xargs -0 sha256sum > /dev/null"])
    print("  sha256sum of the same repository files: \(rate(stored, floor.seconds)) MB/s (\(String(format: "%.2f", floor.seconds)) s)")
}

/// Stores every month in a fresh vault per chunk size, in-process, and prints what each size costs.
func sweep(corpus: (directories: [String], sizes: [Int]), work: String) throws {
    print("\nchunk-size sweep (crmvault, in-process; stored bytes for all months, and for months 2… alone)")
    for average in [512, 1024, 2048, 4096, 8192, 16384] {
        for alignment in ["newline"] {
            var settings = VaultSettings()
            settings.kdf = .interactive
            settings.chunker = ChunkerParameters(minimum: average / 4, average: average, maximum: average * 8, alignment: alignment)
            let url = URL(fileURLWithPath: work + "/sweep-\(average)-\(alignment)")
            try? FileManager.default.removeItem(at: url)
            let (vault, owner) = try Vault.create(at: url, passphrase: Passphrase("sweep"), settings: settings)
            let started = Date()
            var firstMonth = 0
            var laterNewChunkBytes = 0
            var laterManifestBytes = 0
            for (month, directory) in corpus.directories.enumerated() {
                let result = try vault.backup(URL(fileURLWithPath: directory), keys: owner)
                if month == 0 { firstMonth = diskUsage(url.path) } else { laterNewChunkBytes += result.newChunkBytes }
                if month > 0 { laterManifestBytes += diskUsage(url.path + "/snapshots") / month }
            }
            _ = laterManifestBytes
            let seconds = Date().timeIntervalSince(started)
            let total = diskUsage(url.path)
            let laterInput = corpus.sizes.dropFirst().reduce(0, +)
            print(String(format: "  average %5d %@: stored %.2f MB (%.4f of input); months 2… stored %.2f MB = %.4f of their input; new chunks %.4f of input; %.1f MB/s",
                average, alignment.padding(toLength: 7, withPad: " ", startingAt: 0), Double(total) / 1e6,
                Double(total) / Double(corpus.sizes.reduce(0, +)), Double(total - firstMonth) / 1e6,
                Double(total - firstMonth) / Double(laterInput), Double(laterNewChunkBytes) / Double(laterInput),
                Double(corpus.sizes.reduce(0, +)) / 1e6 / seconds))
            try? FileManager.default.removeItem(at: url)
        }
    }
}

do {
    let options = try BenchOptions(CommandLine.arguments)
    if options.generateOnly {
        _ = try generateCorpus(options)
        exit(0)
    }
    if let build = options.buildReplica {
        try ReplicaBenchmark.build(export: build.export, database: build.database, writers: options.threads ?? 1)
        exit(0)
    }
    if let vault = options.vaultInit {
        try VaultChildModes.initialize(vault, interactiveKDF: options.interactiveKDF)
        exit(0)
    }
    if let backup = options.vaultBackup {
        try VaultChildModes.backup(backup.vault, backup.directory, writerKey: options.key)
        exit(0)
    }
    if let restore = options.vaultRestore {
        try VaultChildModes.restore(restore.vault, restore.target)
        exit(0)
    }
    if let vault = options.vaultDeep {
        try VaultChildModes.deepVerify(vault)
        exit(0)
    }
    if let dump = options.dumpListIDs {
        try ListIDDump.write(vault: dump.vault, to: dump.output)
        exit(0)
    }
    if let vault = options.vaultVerify {
        try VerifyChildMode.verify(vault, threads: options.threads)
        exit(0)
    }
    if let diff = options.diffExports {
        try ReplicaBenchmark.diff(diff.a, diff.b, work: diff.work)
        exit(0)
    }
    let reused = options.reuse && FileManager.default.fileExists(atPath: options.work + "/corpus/" + String(format: "2026-%02d", options.months))
    if reused {
        for leftover in (try? FileManager.default.contentsOfDirectory(atPath: options.work)) ?? [] where leftover != "corpus" {
            try? FileManager.default.removeItem(atPath: options.work + "/" + leftover)
        }
    } else {
        try? FileManager.default.removeItem(atPath: options.work)
        try FileManager.default.createDirectory(atPath: options.work, withIntermediateDirectories: true)
    }
    defer { if !options.keep { try? FileManager.default.removeItem(atPath: options.work) } }
    if !reused {
        // A child process generates the corpus, so this process stays small: on Linux a spawned child's peak RSS
        // starts from its parent's (the memory is shared until exec), which would hide the tools' own figures.
        let generation = try ChildProcess.check(
            [CommandLine.arguments[0], "--generate-only", "--scale", String(options.scale), "--months", String(options.months),
             "--work", options.work])
        print(generation.output.trimmingCharacters(in: .whitespacesAndNewlines))
    }
    let corpus = try corpusOnDisk(options)
    if reused { print("corpus: reused \(options.work)/corpus, \(megabytes(corpus.sizes.reduce(0, +))) MB in all") }
    if options.sweep {
        try sweep(corpus: corpus, work: options.work)
    } else if options.levels {
        try LevelSweep.run(corpus: corpus, work: options.work,
            settings: LevelSweep.settings(levels: options.levelList, blockTargets: options.blockList))
    } else if options.replica {
        try ReplicaBenchmark.run(corpus: corpus, work: options.work)
    } else {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("crmvault").path
        for input in options.inputs {
            guard input == "directories" || input == "zips" else { throw BenchError("unknown input \(input): directories or zips") }
            let months = input == "zips" ? try ZipCorpus.make(corpus, work: options.work) : corpus
            print("\n=== each month as \(input == "zips" ? "a deflated zip of its CSVs (zip -6, as a vendor sends it)" : "a directory of CSVs") ===")
            let work = options.work + "/" + input
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            for name in options.tools {
                let tool: BenchmarkTool
                switch name {
                case "crmvault":
                    if FileManager.default.isExecutableFile(atPath: binary) {
                        tool = .crmvault(binary: binary, work: work)
                    } else {
                        print("\ncrmvault: \(binary) not built; timing this benchmark's child modes (the same library calls)")
                        tool = .crmvaultLibrary(bench: CommandLine.arguments[0], work: work)
                    }
                case "restic": tool = .restic(work: work)
                case "borg": tool = .borg(work: work)
                case "borg-8k": tool = .borg(work: work, chunkerParameters: "buzhash,10,23,13,4095", label: "borg-8k")
                default: throw BenchError("unknown tool \(name)")
                }
                if name != "crmvault" && !ChildProcess.isInstalled(String(name.prefix { $0 != "-" })) {
                    print("\n\(name): not installed (apt-get install \(name == "restic" ? "restic" : "borgbackup")), skipped")
                    continue
                }
                try measure(tool, corpus: months, work: work)
            }
        }
    }
} catch {
    FileHandle.standardError.write(Data("crmvault-bench: \(error)\n".utf8))
    exit(1)
}
