import Foundation
import Logging

/// The work a schedule does when its time comes: one pull from the vendor, backed up as one snapshot.
///
/// A job must honour task cancellation (the daemon cancels it on SIGTERM) and, cancelled or failed, leave no
/// snapshot and nothing half-written in the vault.
public protocol PullJob: Sendable {
    /// Runs once for the run due at `scheduledFor`.
    func run(scheduledFor: Date, logger: Logger) async throws -> PullJobResult
}

/// What a finished job reports.
public struct PullJobResult: Sendable, Equatable {
    /// The snapshots committed, oldest first: one for a vendor's export; none, one or more for a `directory` source.
    public var snapshotIDs: [String]
    /// Figures for the log line, e.g. `["objects": "4", "records": "12840"]`.
    public var details: [String: String]

    public init(snapshotIDs: [String], details: [String: String] = [:]) {
        self.snapshotIDs = snapshotIDs
        self.details = details
    }
}
