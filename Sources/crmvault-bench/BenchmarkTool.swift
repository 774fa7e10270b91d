import Foundation

/// One backup tool driven by the benchmark: crmvault itself, restic or borg, on the same corpus.
struct BenchmarkTool {
    var name: String
    var prepare: () throws -> Void
    /// Backs up one month's input: its directory, or its zip.
    var backup: (_ month: Int, _ input: String) throws -> ChildProcess.Result
    var restoreLatest: (_ target: String) throws -> ChildProcess.Result
    var verify: [(label: String, run: () throws -> ChildProcess.Result)]
    var repository: String

    static func crmvault(binary: String, work: String) -> BenchmarkTool {
        let vault = work + "/crmvault-vault"
        let environment = ["CRMVAULT_PASSPHRASE": "bench passphrase"]
        return BenchmarkTool(
            name: "crmvault",
            prepare: { try ChildProcess.check([binary, "init", "--vault", vault, "--kdf", "interactive"], environment: environment) },
            backup: { month, input in
                try ChildProcess.check([binary, "backup", "--vault", vault, "--label", "m\(month)", input], environment: environment)
            },
            restoreLatest: { target in
                try ChildProcess.check([binary, "restore", "--vault", vault, "latest", "--to", target], environment: environment)
            },
            verify: [
                ("verify (keyless)", { try ChildProcess.check([binary, "verify", "--vault", vault]) }),
                ("verify --deep", { try ChildProcess.check([binary, "verify", "--vault", vault, "--deep"], environment: environment) }),
            ],
            repository: vault)
    }

    /// crmvault through this benchmark's child modes (VaultChildModes.swift: the library calls the commands make,
    /// Argon2id INTERACTIVE as `init --kdf interactive`), for when the `crmvault` executable has no release build.
    static func crmvaultLibrary(bench: String, work: String) -> BenchmarkTool {
        let vault = work + "/crmvault-vault"
        let environment = ["CRMVAULT_PASSPHRASE": "bench passphrase"]
        return BenchmarkTool(
            name: "crmvault",
            prepare: { try ChildProcess.check([bench, "--vault-init", vault, "--interactive-kdf"], environment: environment) },
            backup: { _, input in try ChildProcess.check([bench, "--vault-backup", vault, input], environment: environment) },
            restoreLatest: { target in try ChildProcess.check([bench, "--vault-restore", vault, target], environment: environment) },
            verify: [
                ("verify (keyless)", { try ChildProcess.check([bench, "--vault-verify", vault]) }),
                ("verify --deep", { try ChildProcess.check([bench, "--vault-deep", vault], environment: environment) }),
            ],
            repository: vault)
    }

    static func restic(work: String) -> BenchmarkTool {
        let repository = work + "/restic-repo"
        let environment = ["RESTIC_PASSWORD": "bench passphrase", "RESTIC_REPOSITORY": repository, "RESTIC_CACHE_DIR": work + "/restic-cache"]
        return BenchmarkTool(
            name: "restic",
            prepare: { try ChildProcess.check(["restic", "init"], environment: environment) },
            backup: { _, input in
                let place = ZipCorpus.place(input)
                return try ChildProcess.check(["restic", "backup", "--quiet", place.argument], environment: environment, directory: place.directory)
            },
            restoreLatest: { target in try ChildProcess.check(["restic", "restore", "latest", "--target", target], environment: environment) },
            verify: [
                ("check --read-data", { try ChildProcess.check(["restic", "check", "--read-data"], environment: environment) })
            ],
            repository: repository)
    }

    static func borg(work: String, chunkerParameters: String? = nil, label: String = "borg") -> BenchmarkTool {
        let repository = work + "/\(label)-repo"
        let environment = ["BORG_PASSPHRASE": "bench passphrase", "BORG_REPO": repository, "BORG_BASE_DIR": work + "/\(label)-base"]
        let chunker = chunkerParameters.map { ["--chunker-params", $0] } ?? []
        return BenchmarkTool(
            name: label,
            prepare: { try ChildProcess.check(["borg", "init", "--encryption=repokey-blake2"], environment: environment) },
            backup: { month, input in
                let place = ZipCorpus.place(input)
                return try ChildProcess.check(
                    ["borg", "create", "--compression", "zstd,3"] + chunker + ["::m\(month)", place.argument], environment: environment,
                    directory: place.directory)
            },
            restoreLatest: { target in
                try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
                let list = try ChildProcess.check(["borg", "list", "--short"], environment: environment)
                let last = list.output.split(separator: "\n").last.map(String.init) ?? "m0"
                return try ChildProcess.check(["borg", "extract", "::\(last)"], environment: environment, directory: target)
            },
            verify: [("check --verify-data", { try ChildProcess.check(["borg", "check", "--verify-data"], environment: environment) })],
            repository: repository)
    }
}
