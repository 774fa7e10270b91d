import Foundation

/// Scans the packs of a verify on several threads and hands the results back one at a time in the packs' order, so
/// the report (problems, leftovers, progress) comes out exactly as a scan on one thread would make it.
///
/// Each thread reads one pack at a time, sequentially, through its own ``PackScanner`` pass, so each pack is still read
/// once, front to back. At most `window` packs are scanned ahead of the one the caller is waiting for: memory stays
/// bounded by a few packs' scans (each bounded as ``PackScanner`` says), whatever the vault holds.
final class OrderedPackScans: @unchecked Sendable {
    /// One pack's scan: its outcome, and the chunks in it whose ids a manifest names in clear (with their lengths).
    struct Scan {
        var outcome: Result<PackScanner.Result, any Error>
        var named: [(id: Digest, length: UInt32)]
    }

    private let packs: [Digest]
    private let scanner: PackScanner
    private let namedChunks: Set<Digest>
    private let threads: Int
    private let window: Int
    private let condition = NSCondition()
    // Guarded by `condition`:
    private var claimed = 0
    private var delivered = 0
    private var ready: [Int: Scan] = [:]
    private var isStopped = false

    /// `threads` at most (and no more than there are packs); with one, the packs are scanned on the calling thread.
    init(_ packs: [Digest], scanner: PackScanner, namedChunks: Set<Digest>, threads: Int) {
        self.packs = packs
        self.scanner = scanner
        self.namedChunks = namedChunks
        self.threads = max(1, min(threads, packs.count))
        window = 2 * self.threads
    }

    /// Calls `body` with each pack and its scan, in the order the packs were given, on the calling thread. When `body`
    /// throws, the threads stop after the pack each is reading, and are gone before this returns.
    func forEach(_ body: (Digest, Scan) throws -> Void) throws {
        guard threads > 1 else {
            for pack in packs { try body(pack, scan(pack)) }
            return
        }
        let finished = DispatchGroup()
        for _ in 0..<threads {
            finished.enter()
            Thread { [self] in
                work()
                finished.leave()
            }.start()
        }
        defer {
            condition.withLock {
                isStopped = true
                condition.broadcast()
            }
            finished.wait()
        }
        for (index, pack) in packs.enumerated() {
            let scan = condition.withLock {
                while ready[index] == nil { condition.wait() }
                delivered += 1
                condition.broadcast()  // a thread waiting for room in the window may go on
                return ready.removeValue(forKey: index)!
            }
            try body(pack, scan)
        }
    }

    /// One thread's loop: take the next pack when the window has room, scan it, hand it over.
    private func work() {
        while true {
            let index: Int? = condition.withLock {
                while !isStopped && claimed < packs.count && claimed - delivered >= window { condition.wait() }
                guard !isStopped, claimed < packs.count else { return nil }
                claimed += 1
                return claimed - 1
            }
            guard let index else { return }
            let scan = scan(packs[index])
            condition.withLock {
                ready[index] = scan
                condition.broadcast()
            }
        }
    }

    private func scan(_ pack: Digest) -> Scan {
        var named: [(id: Digest, length: UInt32)] = []
        let outcome = Result {
            try scanner.scan(pack, comparingIndex: true) { id, location in
                if namedChunks.contains(id) { named.append((id, location.length)) }
            }
        }
        return Scan(outcome: outcome, named: named)
    }
}
