import Definitions
import Foundation
import VaultCore

/// The schedules of a `Schedules/` directory, each loaded for the scheduler or with the reason it cannot run.
public struct ScheduleCatalog: Sendable {
    /// A schedule whose definition loaded and whose cron expression parsed.
    public struct Loaded: Sendable {
        public var definition: ScheduleDefinition
        public var entry: ScheduleEntry
    }

    public var directory: URL
    /// Every `NAME.toml` in the directory, in name order.
    public var schedules: [(name: String, loaded: Result<Loaded, any Error>)]

    /// Reads every schedule in `directory`; a directory that cannot be read, or holds no schedule, is an error.
    public init(directory: URL) throws {
        self.directory = directory
        let names: [String]
        do { names = try ScheduleDefinition.names(in: directory) } catch {
            throw VaultError(
                .usage, "Cannot read the schedules directory \(TerminalText.escaped(directory.path)).",
                remedy:
                    "Give it with --schedules DIR (or CRMVAULT_SCHEDULES), or create it with a NAME.toml per schedule "
                    + "(see Schedules/*.sample).")
        }
        guard !names.isEmpty else {
            throw VaultError(
                .usage, "There is no schedule in \(TerminalText.escaped(directory.path)) (no NAME.toml file).",
                remedy: "Copy a sample from Schedules/*.toml.sample to NAME.toml there and edit it.")
        }
        schedules = names.map { name in
            (name, Result { try Self.load(ScheduleDefinition.load(named: name, in: directory)) })
        }
    }

    /// The loaded schedules; throws a usage error listing every one that did not load.
    public func valid() throws -> [Loaded] {
        let problems = schedules.compactMap { name, loaded -> String? in
            guard case .failure(let error) = loaded else { return nil }
            return "\(name): \(error)"
        }
        guard problems.isEmpty else {
            throw VaultError(
                .usage,
                "Some schedules in \(directory.path) are wrong:",
                details: problems,
                remedy: "Correct them (or move them out of the directory) and run the command again.")
        }
        return schedules.compactMap { try? $0.loaded.get() }
    }

    /// The entries for `crmvault status`: each schedule's entry, or why it did not load.
    public var entries: [(name: String, entry: Result<ScheduleEntry, any Error>)] {
        schedules.map { name, loaded in (name, loaded.map(\.entry)) }
    }

    static func load(_ definition: ScheduleDefinition) throws -> Loaded {
        let every: CronExpression
        do { every = try CronExpression(definition.every) } catch {
            throw VaultError(
                .usage, "\(TerminalText.escaped(definition.file.path)): `every` is wrong: \(error).",
                remedy: "Write five fields, minute hour day-of-month month day-of-week, e.g. every = \"0 2 1 * *\".")
        }
        let entry = ScheduleEntry(
            name: definition.name, every: every, timeZone: definition.timeZone, vault: definition.vault,
            definitionFile: definition.file,
            writerKey: definition.writerKey, workDirectories: [definition.workDirectory])
        return Loaded(definition: definition, entry: entry)
    }
}
