import Foundation
import VaultCore

/// `--levels`: what the zstd level and the block target cost and save. Every month goes into a fresh vault per
/// setting, in-process (the same library calls as `crmvault backup`, Argon2id INTERACTIVE so the unlock does not
/// weigh), and each setting prints month 1's stored bytes and speed, the later months' median speed and their
/// stored bytes, and the total.
///
///     crmvault-bench --levels --scale 20000 --months 3 [--level-list 3,6,9,12,19] [--block-list 524288,1048576]
enum LevelSweep {
    struct Setting {
        var level: Int
        var blockTarget: Int
    }

    static func settings(levels: [Int], blockTargets: [Int]) -> [Setting] {
        let defaults = VaultSettings()
        var list = levels.map { Setting(level: $0, blockTarget: defaults.blockTarget) }
        for target in blockTargets where target != defaults.blockTarget {
            list.append(Setting(level: defaults.compressionLevel, blockTarget: target))
        }
        return list
    }

    static func run(corpus: (directories: [String], sizes: [Int]), work: String, settings: [Setting]) throws {
        print("\nzstd level and block target (crmvault, in-process, a fresh vault each)")
        for setting in settings {
            var vaultSettings = VaultSettings()
            vaultSettings.kdf = .interactive
            vaultSettings.compressionLevel = setting.level
            vaultSettings.blockTarget = setting.blockTarget
            let url = URL(fileURLWithPath: work + "/levels-\(setting.level)-\(setting.blockTarget)")
            try? FileManager.default.removeItem(at: url)
            let (vault, owner) = try Vault.create(at: url, passphrase: Passphrase("levels"), settings: vaultSettings)
            var stored: [Int] = []
            var speeds: [Double] = []
            var previous = diskUsage(url.path)
            for (month, directory) in corpus.directories.enumerated() {
                let started = Date()
                _ = try vault.backup(URL(fileURLWithPath: directory), keys: owner, label: "m\(month)")
                speeds.append(Double(corpus.sizes[month]) / 1e6 / Date().timeIntervalSince(started))
                let now = diskUsage(url.path)
                stored.append(now - previous)
                previous = now
            }
            let later = stored.dropFirst()
            let laterInput = corpus.sizes.dropFirst().reduce(0, +)
            print(String(
                format: "  level %2d, blocks %4d KiB: month 1 %.2f MB (%.4f) at %.1f MB/s; later months %.3f MB each "
                    + "(%.4f of input) at %.1f MB/s (median); total %.2f MB",
                setting.level, setting.blockTarget >> 10, Double(stored[0]) / 1e6,
                Double(stored[0]) / Double(corpus.sizes[0]),
                speeds[0], Double(later.reduce(0, +)) / 1e6 / Double(max(later.count, 1)),
                Double(later.reduce(0, +)) / Double(max(laterInput, 1)), median(Array(speeds.dropFirst())),
                Double(stored.reduce(0, +)) / 1e6))
            try? FileManager.default.removeItem(at: url)
        }
    }
}
