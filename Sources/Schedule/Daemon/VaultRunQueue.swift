import Foundation

/// One run at a time per vault: a run waits here, first come first served, until no other run uses its vault.
///
/// Inside one daemon this keeps schedules that share a vault from running into its writer lock (exit 4); the
/// vault's own lock still guards against other processes.
public final class VaultRunQueue: @unchecked Sendable {
    private struct Waiter {
        var id: Int
        var continuation: CheckedContinuation<Bool, Never>
    }

    private let lock = NSLock()
    private var busy: Set<String> = []
    private var waiting: [String: [Waiter]] = [:]
    private var cancelledBeforeWaiting: Set<Int> = []
    private var nextID = 0

    public init() {}

    /// Waits until `vault` is free and takes it. Returns false, holding nothing, if the task is cancelled first.
    func acquire(_ vault: String) async -> Bool {
        let id: Int? = lock.withLock {
            if !busy.contains(vault) {
                busy.insert(vault)
                return nil
            }
            nextID += 1
            return nextID
        }
        guard let id else { return true }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let isCancelled = lock.withLock {
                    if cancelledBeforeWaiting.remove(id) != nil { return true }
                    waiting[vault, default: []].append(Waiter(id: id, continuation: continuation))
                    return false
                }
                if isCancelled { continuation.resume(returning: false) }
            }
        } onCancel: {
            let waiter: Waiter? = lock.withLock {
                guard let index = waiting[vault]?.firstIndex(where: { $0.id == id }) else {
                    cancelledBeforeWaiting.insert(id)
                    return nil
                }
                return waiting[vault]!.remove(at: index)
            }
            waiter?.continuation.resume(returning: false)
        }
    }

    /// Frees `vault`, handing it to the next waiting run.
    func release(_ vault: String) {
        let next: Waiter? = lock.withLock {
            guard var queue = waiting[vault], !queue.isEmpty else {
                busy.remove(vault)
                return nil
            }
            let next = queue.removeFirst()
            waiting[vault] = queue
            return next
        }
        next?.continuation.resume(returning: true)
    }
}
