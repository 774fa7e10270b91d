import ArgumentParser
import Foundation
import Schedule

/// `--schedules DIR`, shared by the commands that read every schedule.
struct SchedulesOptions: ParsableArguments {
    @Option(
        help: "The schedules directory (default: $CRMVAULT_SCHEDULES, else Schedules/ in the current directory).",
        completion: .directory)
    var schedules: String?

    var directory: URL {
        (schedules.map { URL(fileURLWithPath: $0) } ?? PullCommand.schedulesDirectory).standardizedFileURL
    }

    func catalog() throws -> ScheduleCatalog { try ScheduleCatalog(directory: directory) }
}

/// The absolute path of this `crmvault` binary, for the cron lines and units that run it.
func currentExecutable() -> String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
}
