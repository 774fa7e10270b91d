import Foundation
import Reader
import VaultCore

/// The human summary of a verify report: when and by what it was made, what was checked, each snapshot, what is wrong
/// and what it affects. Every value that came from the vault (file names, labels, sources, messages quoting them) is
/// escaped, so nothing in a vault can rewrite what the terminal shows (a name that erases the PROBLEMS lines and
/// prints "OK").
enum VerifyReportPrinter {
    static func print(_ report: VerifyReport, reader: ReaderBundle.Check?) {
        func shown(_ value: String) -> String { TerminalText.escaped(value) }
        Swift.print("crmvault \(shown(report.crmvaultVersion)) \(report.isDeep ? "deep verify" : "verify"), checked "
            + "\(shown(report.checked))")
        Swift.print("Vault \(shown(report.vault)) at \(shown(report.location))")
        let trust = report.isFingerprintTrusted
            ? "matches the fingerprint you trust"
            : report.trustedFingerprint.map { "DOES NOT MATCH the trusted \(shown($0))" } ?? "not checked: pass --trust"
        Swift.print("Owner fingerprint \(shown(report.ownerFingerprint)) (\(trust))")
        Swift.print("Scope: \(shown(report.scope)). Checked \(counted(report.chainEntries, "chain entry", plural: "chain entries")), "
            + "\(counted(report.checkpointsChecked, "checkpoint")), \(counted(report.snapshots, "snapshot")), "
            + "\(counted(report.packs, "pack")) (\(formatBytes(report.packBytes)), \(counted(report.chunks, "chunk")))"
            + (report.packsSkipped > 0 ? ", \(counted(report.packsSkipped, "pack")) not sampled" : "")
            + (report.isDeep ? ", every chunk decrypted and \(counted(report.filesChecked, "file")) checked intact" : ", keyless")
            + " in \(String(format: "%.1f", report.seconds)) s.")
        if !report.snapshotList.isEmpty {
            Swift.print("Snapshots (sequence, label, source, month, time, files, id, signed by):")
            for snapshot in report.snapshotList {
                Swift.print("  " + [String(snapshot.sequence), snapshot.label.isEmpty ? "-" : snapshot.label, snapshot.source, snapshot.month,
                    snapshot.time, String(snapshot.files), String(snapshot.id.prefix(12)), snapshot.signedBy].map(shown).joined(separator: "  "))
            }
        }
        for source in report.coverage {
            let months = source.months.map { month in
                month.month + (month.snapshots.count == 1 ? "" : month.snapshots.isEmpty ? ": none" : ": \(month.snapshots.count) snapshots")
            }
            Swift.print("Coverage of \(shown(source.source)): \(shown(months.joined(separator: ", "))); newest \(shown(source.newest))")
        }
        for drill in report.drills {
            Swift.print("Restore drills of \(shown(drill.source)): \(drill.drills); last \(drill.lastTime) \(drill.lastResult.uppercased()) "
                + "(snapshot \(drill.lastSnapshot.prefix(12)), chain entry \(drill.lastSequence))"
                + (drill.lastResult == "pass" ? "" : drill.lastPassed.map { "; last passed \($0)" } ?? "; none passed"))
        }
        if let reader {
            Swift.print("Reader \(shown(reader.directory)): "
                + (reader.matches ? "its binary matches crmvault.sha256 (\(shown(reader.actual)))" : "DOES NOT CHECK OUT"))
        }
        // With files of the running backup to list, the header of that list says a backup is running: the warning
        // VaultCore put first for it (also in --json) would say it twice.
        let saysWriterBelow = report.activeWriter != nil && !report.leftovers.isEmpty
        for warning in report.warnings where !(saysWriterBelow && warning.hasPrefix(Vault.activeWriterWarningPrefix)) {
            Swift.print("WARNING: \(shown(warning))")
        }
        if !report.leftovers.isEmpty {
            if let writer = report.activeWriter {
                Swift.print("A backup is running (\(shown(writer))): \(counted(report.leftovers.count, "file")) it is writing "
                    + (report.leftovers.count == 1 ? "is" : "are") + " not committed yet:")
            } else {
                Swift.print("\(counted(report.leftovers.count, "leftover file")) of interrupted backups, which no chain entry vouches "
                    + "for (not trusted; the next backup reuses what it can verify and removes the rest, `crmvault cleanup` "
                    + "removes them now):")
            }
            for file in report.leftovers.prefix(10) { Swift.print("  \(shown(file))") }
            if report.leftovers.count > 10 { Swift.print("  … and \(report.leftovers.count - 10) more (--json lists all)") }
        }
        for lost in report.damage {
            Swift.print("Snapshot \(lost.snapshot.prefix(12)): \(counted(lost.damagedFiles.count, "file")) DAMAGED, "
                + "\(lost.intactFiles) intact:")
            for file in lost.damagedFiles.prefix(20) { Swift.print("  \(shown(file))") }
            if lost.damagedFiles.count > 20 { Swift.print("  … and \(lost.damagedFiles.count - 20) more (--json lists all)") }
        }
        if report.isIntact {
            Swift.print("OK: no problems found.")
        } else {
            Swift.print("\(report.problems.count == 1 ? "1 PROBLEM" : "\(report.problems.count) PROBLEMS"):")
            for problem in report.problems {
                Swift.print("  \(shown(problem.file)) \(shown(problem.message))")
                if !problem.affects.isEmpty { Swift.print("    affects: \(shown(problem.affects.joined(separator: "; ")))") }
            }
        }
    }
}
