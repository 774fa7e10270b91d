import Foundation
import VaultCore

/// What `crmvault status` reports: whether a daemon runs, and per schedule its last run and its next.
public struct ScheduleStatus: Sendable, Encodable {
    /// One schedule's line.
    public struct Entry: Sendable, Encodable {
        public var name: String
        public var every: String?
        public var timeZone: String?
        public var vault: String?
        public var lastRun: RunRecord?
        public var nextRun: Date?
        /// Why the schedule cannot run (its definition is wrong) or its state cannot be read.
        public var problem: String?
    }

    public var stateDirectory: String
    /// Who runs the daemon (`pid 4121, schedules /etc/crmvault/Schedules, since …`), or nil when none runs.
    public var daemon: String?
    public var schedules: [Entry]

    /// The status of each schedule: an entry, or the problem that kept its definition from loading.
    public init(schedules: [(name: String, entry: Result<ScheduleEntry, any Error>)], store: RunStateStore, now: Date) {
        stateDirectory = store.directory.path
        daemon = DaemonLock.holder(in: store)
        self.schedules = schedules.map { name, loaded in
            var status = Entry(name: name)
            switch loaded {
            case .failure(let error):
                status.problem = "\(error)"
            case .success(let entry):
                status.every = entry.every.text
                status.timeZone = entry.timeZone.name
                status.vault = entry.vault.path
                status.nextRun = entry.every.nextRun(after: now, in: entry.timeZone)
            }
            do { status.lastRun = try store.state(of: name).lastRun } catch {
                status.problem = status.problem ?? "\(error)"
            }
            return status
        }
    }

    /// The status as JSON: sorted keys, RFC 3339 UTC times.
    public func json() throws -> String {
        String(decoding: try RunStateStore.encoder.encode(self), as: UTF8.self)
    }
}
