import Definitions
import Foundation
import Logging
import Pull

/// The daemon's job for one schedule: the real pull (``Puller``) of its definition, labelled with the month the run
/// was due (a run caught up on the 3rd of April for 1 April is April's).
public struct SchedulePullJob: PullJob {
    public var definition: ScheduleDefinition
    public var puller: Puller

    public init(definition: ScheduleDefinition, puller: Puller) {
        self.definition = definition
        self.puller = puller
    }

    public func run(scheduledFor: Date, logger: Logger) async throws -> PullJobResult {
        let result = try await puller.run(definition, now: scheduledFor, logger: logger)
        let records = result.exports.flatMap(\.objects).reduce(0) { $0 + $1.records }
        return PullJobResult(
            snapshotIDs: result.exports.map(\.snapshot),
            details: [
                "vendor": result.vendor, "objects": "\(result.exports.flatMap(\.objects).count)",
                "records": "\(records)",
                "bytes_stored": "\(result.exports.reduce(0) { $0 + $1.bytesStored })",
            ])
    }
}
