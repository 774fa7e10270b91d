import Foundation

/// Cuts a file's bytes into content-defined chunks and computes their ids in a three-stage pipeline: while the caller
/// reads into one window, the window before is cut and the one before that is hashed on every core.
///
/// Bytes arrive in pieces of any size and are copied into a window. A window is cut where the chunker says, a cut being
/// made only when at least the chunker's maximum lies ahead or the file has ended, so the cuts never depend on how the
/// input was read (docs/FORMAT.md §5). Full windows are cut one after another, in file order, on a queue of their own:
/// the bytes after a window's last cut (fewer than the chunker's maximum) are kept aside (`ChunkCarry`) and put in
/// front of the next window's bytes when its cut starts. Once a window is cut its chunks are hashed (keyed BLAKE2b,
/// the chunk id, on `threads` threads) in the background while the next window is cut. Chunks are handed back in file
/// order, so what a backup stores does not depend on the number of threads or windows. Memory is `windows` windows,
/// whatever the file's size.
final class FileChunker {
    private let chunker: ContentDefinedChunker
    private let keys: VaultKeys
    private let threads: Int
    private let capacity: Int
    private let windows: Int
    /// Cuts windows one at a time, in the order they were filled; the only user of `carry` while windows are in flight.
    private let cutter = DispatchQueue(label: "crmvault.chunk-cutter")
    private let carry: ChunkCarry
    private var current: ChunkWindow
    /// Windows handed to the cutter, oldest first, not yet handed back; each is done once cut and hashed.
    private var inFlight: [ChunkWindow] = []
    private var spare: [ChunkWindow] = []
    private var allocated = 1

    /// `windows` (at least 2) bounds the windows in memory: the one being filled, one being cut, the rest being hashed
    /// or waiting to be handed back.
    init(chunker: ContentDefinedChunker, keys: VaultKeys, threads: Int, windowSize: Int = 2 << 20, windows: Int = 3) {
        self.chunker = chunker
        self.keys = keys
        self.threads = max(1, threads)
        self.windows = max(2, windows)
        capacity = max(windowSize, 4 * chunker.parameters.maximum)
        carry = ChunkCarry(capacity: chunker.parameters.maximum)
        current = ChunkWindow(capacity: capacity, front: chunker.parameters.maximum)
    }

    deinit { for window in inFlight { window.done.wait() } }

    /// Takes the next bytes of the file; `chunk` receives every chunk completed so far, in order, with its id.
    func add(_ bytes: UnsafeRawBufferPointer, _ chunk: (UnsafeRawBufferPointer, Digest) throws -> Void) throws {
        var offset = 0
        while offset < bytes.count {
            offset += current.append(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
            if current.isFull { try submit(isFinal: false, chunk) }
        }
    }

    /// Cuts the rest of the file and hands over its last chunks; the chunker is then ready for the next file.
    func finish(_ chunk: (UnsafeRawBufferPointer, Digest) throws -> Void) throws {
        try submit(isFinal: true, chunk)
        while !inFlight.isEmpty { try handBackOldest(chunk) }
    }

    /// Drops a file part way (its backup failed): waits for the background work, forgets every byte.
    func reset() {
        for window in inFlight { window.done.wait() }
        cutter.sync {}
        var all = spare + inFlight
        if !all.contains(where: { $0 === current }) { all.append(current) }
        for window in all { window.clear() }
        current = all.removeLast()
        spare = all
        inFlight = []
        carry.count = 0
    }

    /// Hands the current window to the cutter and takes an empty one.
    private func submit(isFinal: Bool, _ chunk: (UnsafeRawBufferPointer, Digest) throws -> Void) throws {
        let window = current
        let chunker = chunker
        let keys = keys
        let threads = threads
        let carry = carry
        window.done.enter()
        if threads == 1 || (isFinal && inFlight.isEmpty) {
            // Nothing to overlap with (one thread, or a file that fits one window, as most files of an export of many
            // do): the calling thread cuts and hashes, never waiting for another thread to be scheduled. The cutter is
            // idle, every window before having been handed back.
            window.cut(with: chunker, carry: carry, isFinal: isFinal)
            window.hashChunks(keys: keys, threads: threads)
            window.done.leave()
        } else {
            cutter.async {
                window.cut(with: chunker, carry: carry, isFinal: isFinal)
                // Hashed on other threads while the cutter goes on with the next window.
                DispatchQueue.global().async {
                    window.hashChunks(keys: keys, threads: threads)
                    window.done.leave()
                }
            }
        }
        inFlight.append(window)
        current = try emptyWindow(chunk)
    }

    /// A window to fill: a spare one, the oldest in flight if it is done (handed back first), a new one while fewer
    /// than `windows` exist, or else the oldest once it is done.
    private func emptyWindow(_ chunk: (UnsafeRawBufferPointer, Digest) throws -> Void) throws -> ChunkWindow {
        if let window = spare.popLast() { return window }
        if allocated < windows && threads > 1 && !(inFlight.first?.isDone ?? false) {
            allocated += 1
            return ChunkWindow(capacity: capacity, front: chunker.parameters.maximum)
        }
        try handBackOldest(chunk)
        return spare.removeLast()
    }

    private func handBackOldest(_ chunk: (UnsafeRawBufferPointer, Digest) throws -> Void) throws {
        let window = inFlight.removeFirst()
        window.done.wait()
        defer {
            window.clear()
            spare.append(window)
        }
        try window.forEachChunk(chunk)
    }
}

/// The bytes of a window after its last cut, moved in front of the next window's bytes when that one is cut.
private final class ChunkCarry: @unchecked Sendable {
    let buffer: UnsafeMutableRawBufferPointer
    var count = 0

    init(capacity: Int) { buffer = .allocate(byteCount: capacity, alignment: 64) }

    deinit { buffer.deallocate() }
}

/// One window of a file's bytes, its cuts and, once hashed, its chunk ids. Owned by one thread at a time: the
/// `FileChunker`'s, or the background work's until `done`.
///
/// The bytes read go after `front` bytes kept free for the rest of the window before (the bytes after its last cut,
/// always fewer than the chunker's maximum), which are put in front of them when this window is cut.
private final class ChunkWindow: @unchecked Sendable {
    private let buffer: UnsafeMutableRawBufferPointer
    private let front: Int
    /// Entered when the window is handed to be cut, left once its chunks are hashed.
    let done = DispatchGroup()
    /// Where this window's bytes start: `front`, less the rest of the window before once it is in place.
    private var start: Int
    private var filled: Int
    /// The end of each chunk cut, as an offset in the buffer; chunk `n` starts where chunk `n - 1` ends.
    private var ends: [Int] = []
    /// The ids of the chunks cut, once hashed (Digest is plain data: slots are overwritten, never deinitialized).
    private var ids = UnsafeMutableBufferPointer<Digest>(start: nil, count: 0)

    init(capacity: Int, front: Int) {
        buffer = .allocate(byteCount: front + capacity, alignment: 64)
        self.front = front
        start = front
        filled = front
    }

    deinit {
        buffer.deallocate()
        ids.deallocate()
    }

    /// Below this many bytes a window is hashed on the calling thread alone.
    static let parallelMinimum = 256 << 10

    var isFull: Bool { filled == buffer.count }
    var isDone: Bool { done.wait(timeout: .now()) == .success }
    private var cutEnd: Int { ends.last ?? start }

    /// Copies as much of `bytes` as fits; returns how much.
    func append(_ bytes: UnsafeRawBufferPointer) -> Int {
        let count = min(bytes.count, buffer.count - filled)
        if count > 0 { (buffer.baseAddress! + filled).copyMemory(from: bytes.baseAddress!, byteCount: count) }
        filled += count
        return count
    }

    /// Puts the rest of the window before (`carry`) in front of this window's bytes, cuts chunks while at least the
    /// chunker's maximum lies ahead (or, at the end of the file, until nothing does), and leaves the rest in `carry`.
    func cut(with chunker: ContentDefinedChunker, carry: ChunkCarry, isFinal: Bool) {
        precondition(ends.isEmpty && start == front && carry.count <= front, "a window's rest is shorter than the chunker's maximum")
        start = front - carry.count
        if carry.count > 0 { (buffer.baseAddress! + start).copyMemory(from: carry.buffer.baseAddress!, byteCount: carry.count) }
        let maximum = chunker.parameters.maximum
        var position = start
        let all = UnsafeRawBufferPointer(buffer)
        while filled - position >= maximum || (isFinal && position < filled) {
            position += chunker.nextChunkLength(in: UnsafeRawBufferPointer(rebasing: all[position..<filled]))
            ends.append(position)
        }
        carry.count = filled - position
        if carry.count > 0 { carry.buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + position, byteCount: carry.count) }
    }

    /// Computes the id of every chunk cut, in `threads` × 4 slices at once (so a slow slice does not hold the rest).
    func hashChunks(keys: VaultKeys, threads: Int) {
        let count = ends.count
        if ids.count < count {
            ids.deallocate()
            ids = .allocate(capacity: max(count, ids.count * 2))
        }
        let slices = threads == 1 || cutEnd - start < Self.parallelMinimum ? 1 : min(count, threads * 4)
        guard slices > 1 else { return hashChunks(0..<count, keys: keys) }
        DispatchQueue.concurrentPerform(iterations: slices) { slice in
            self.hashChunks((slice * count / slices)..<((slice + 1) * count / slices), keys: keys)
        }
    }

    private func hashChunks(_ range: Range<Int>, keys: VaultKeys) {
        for index in range { (ids.baseAddress! + index).initialize(to: keys.chunkID(of: chunk(index))) }
    }

    private func chunk(_ index: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[(index == 0 ? start : ends[index - 1])..<ends[index]])
    }

    func forEachChunk(_ body: (UnsafeRawBufferPointer, Digest) throws -> Void) throws {
        for index in ends.indices { try body(chunk(index), ids[index]) }
    }

    func clear() {
        start = front
        filled = front
        ends.removeAll(keepingCapacity: true)
    }
}
