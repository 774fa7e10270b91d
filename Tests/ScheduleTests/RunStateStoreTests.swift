import Foundation
import Schedule
import Testing
import VaultCore
import VaultTesting

#if canImport(Glibc)
import Glibc
#endif

/// The state directory: durable owner-only files, hostile files refused, one daemon at a time.
struct RunStateStoreTests {
    static func mode(_ path: String) -> mode_t {
        var status = stat()
        lstat(path, &status)
        return status.st_mode & 0o777
    }

    @Test func aStateIsSavedOwnerOnlyAndReadBack() throws {
        let directory = try TemporaryDirectory()
        let store = RunStateStore(directory: directory.path("state"))
        try store.prepare()
        var state = ScheduleState(schedule: "acme")
        state.watchedSince = Timestamp.parse("2026-01-01T00:00:00Z")
        var run = RunRecord(
            scheduledFor: Timestamp.parse("2026-02-01T02:00:00Z")!, trigger: .catchUp,
            started: Timestamp.parse("2026-02-03T08:00:00Z")!)
        run.outcome = .succeeded
        run.finished = Timestamp.parse("2026-02-03T08:04:00Z")
        run.snapshots = ["3f9a"]
        state.lastRun = run
        state.lastFinishedSlot = run.scheduledFor
        try store.save(state)

        #expect(try store.state(of: "acme") == state)
        #expect(Self.mode(directory.path("state").path) == 0o700)
        #expect(Self.mode(directory.path("state", "runs").path) == 0o700)
        #expect(Self.mode(directory.path("state", "runs", "acme.json").path) == 0o600)
        let text = try String(contentsOf: directory.path("state", "runs", "acme.json"), encoding: .utf8)
        #expect(text.contains("\"scheduledFor\" : \"2026-02-01T02:00:00Z\""))
        #expect(text.contains("\"trigger\" : \"catch-up\""))
        #expect(try store.state(of: "never-ran") == ScheduleState(schedule: "never-ran"))
    }

    @Test func aDamagedStateFileIsNamedWithWhatToDo() throws {
        let directory = try TemporaryDirectory()
        let store = RunStateStore(directory: directory.url)
        try store.prepare()
        try directory.write("runs/acme.json", Data("{\"schedule\": \"acme\", \"lastRun\": 7}".utf8))
        let error = #expect(throws: VaultError.self) { try store.state(of: "acme") }
        #expect(error?.message.contains(directory.path("runs", "acme.json").path) == true)
        #expect(error?.remedy?.contains("Remove it") == true)
        // Another schedule's state under this one's name is damage too.
        try store.save(ScheduleState(schedule: "globex"))
        try FileManager.default.removeItem(at: directory.path("runs", "acme.json"))
        try FileManager.default.copyItem(
            at: directory.path("runs", "globex.json"), to: directory.path("runs", "acme.json"))
        #expect(throws: VaultError.self) { try store.state(of: "acme") }
    }

    @Test func aStateFileThatIsALinkIsNotFollowed() throws {
        let directory = try TemporaryDirectory()
        let store = RunStateStore(directory: directory.path("state"))
        try store.prepare()
        try directory.write("elsewhere.json", Data("{\"schedule\":\"acme\"}".utf8))
        try FileManager.default.createSymbolicLink(
            at: directory.path("state", "runs", "acme.json"), withDestinationURL: directory.path("elsewhere.json"))
        #expect(throws: VaultError.self) { try store.state(of: "acme") }
    }

    @Test func aStateDirectoryOthersCanWriteIsRefusedNamingTheChmod() throws {
        let directory = try TemporaryDirectory()
        let state = directory.path("state")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        chmod(state.path, 0o777)
        let error = #expect(throws: VaultError.self) { try RunStateStore(directory: state).prepare() }
        #expect(error?.remedy?.contains("chmod 700 \(state.path)") == true)
    }

    @Test func theStateDirectoryFollowsTheEnvironmentAndTheUser() {
        #expect(
            RunStateStore.defaultDirectory(environment: ["CRMVAULT_STATE_DIR": "/srv/state"], isRoot: true).path
                == "/srv/state")
        #expect(RunStateStore.defaultDirectory(environment: [:], isRoot: true).path == "/var/lib/crmvault")
        #expect(
            RunStateStore.defaultDirectory(
                environment: ["XDG_STATE_HOME": "/home/a/.st", "HOME": "/home/a"], isRoot: false
            ).path
                == "/home/a/.st/crmvault")
        #expect(
            RunStateStore.defaultDirectory(environment: ["HOME": "/home/a"], isRoot: false).path
                == "/home/a/.local/state/crmvault")
    }

    @Test func aSecondDaemonOnTheSameStateDirectoryIsRefusedNamingTheFirst() throws {
        let directory = try TemporaryDirectory()
        let store = RunStateStore(directory: directory.url)
        try store.prepare()
        #expect(DaemonLock.holder(in: store) == nil)
        var first: DaemonLock? = try DaemonLock.acquire(
            in: store, schedulesDirectory: URL(fileURLWithPath: "/etc/crmvault/Schedules"))
        let error = #expect(throws: VaultError.self) {
            try DaemonLock.acquire(in: store, schedulesDirectory: URL(fileURLWithPath: "/etc/crmvault/Schedules"))
        }
        #expect(error?.code == .vaultLocked)
        #expect(error?.message.contains("pid \(getpid())") == true)
        #expect(DaemonLock.holder(in: store)?.contains("schedules /etc/crmvault/Schedules") == true)
        withExtendedLifetime(first) {}
        first = nil
        #expect(DaemonLock.holder(in: store) == nil)
    }
}
