import Foundation
import Logging
import ServiceLifecycle
import UnixSignals
import VaultCore

/// `crmvault daemon`: a swift-service-lifecycle `ServiceGroup` with one ``ScheduleService`` per schedule, sharing one
/// ``VaultRunQueue`` and the state directory. SIGTERM and SIGINT shut it down gracefully.
public struct ScheduleDaemon: Sendable {
    public var schedules: [(entry: ScheduleEntry, job: any PullJob)]
    public var store: RunStateStore
    public var clock: any WallClock

    public init(
        schedules: [(entry: ScheduleEntry, job: any PullJob)], store: RunStateStore,
        clock: any WallClock = SystemWallClock()
    ) {
        self.schedules = schedules
        self.store = store
        self.clock = clock
    }

    /// The services, one per schedule, as a test runs them.
    public func services(logger: Logger) -> [ScheduleService] {
        let queue = VaultRunQueue()
        return schedules.map {
            ScheduleService(entry: $0.entry, job: $0.job, store: store, queue: queue, clock: clock, logger: logger)
        }
    }

    /// Runs until SIGTERM or SIGINT; returns once every running pull has stopped and its run is recorded.
    public func run(schedulesDirectory: URL, logger: Logger) async throws {
        try store.prepare()
        let lock = try DaemonLock.acquire(in: store, schedulesDirectory: schedulesDirectory)
        defer { withExtendedLifetime(lock) {} }
        logger.notice(
            "daemon.started",
            metadata: [
                "schedules": "\(schedules.map(\.entry.name).joined(separator: ","))",
                "state": "\(store.directory.path)",
                "pid": "\(ProcessInfo.processInfo.processIdentifier)",
            ])
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services(logger: logger).map {
                    .init(
                        service: $0, successTerminationBehavior: .gracefullyShutdownGroup,
                        failureTerminationBehavior: .gracefullyShutdownGroup)
                },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
        logger.notice("daemon.stopped")
    }
}
