import Foundation

/// Cuts a file's bytes into content-defined chunks and computes their ids, one window in the background, cut and then
/// hashed on every core, while the caller reads the next window and takes the chunks of the one before.
///
/// Bytes arrive in pieces of any size and are copied into one of two windows. A window is cut where the chunker says,
/// a cut being made only when at least the chunker's maximum lies ahead or the file has ended, so the cuts never
/// depend on how the input was read (docs/FORMAT.md §5). Cutting a window and hashing its chunks (HMAC-SHA-256, the
/// chunk id, on `threads` threads) run in the background while the caller fills the other window; once they are done,
/// the bytes after the window's last cut (fewer than the chunker's maximum) move into the room kept for them in front
/// of the next window's bytes. Chunks are handed back in file order, so what a backup stores does not depend on the
/// number of threads. Memory is the two windows, whatever the file's size.
final class FileChunker {
    private let chunker: ContentDefinedChunker
    private let keys: VaultKeys
    private let threads: Int
    private var current: ChunkWindow
    private var other: ChunkWindow
    /// The window being cut and hashed in the background, if any.
    private var working: (window: ChunkWindow, done: DispatchGroup)?

    init(chunker: ContentDefinedChunker, keys: VaultKeys, threads: Int, windowSize: Int = 2 << 20) {
        self.chunker = chunker
        self.keys = keys
        self.threads = max(1, threads)
        let capacity = max(windowSize, 4 * chunker.parameters.maximum)
        current = ChunkWindow(capacity: capacity, front: chunker.parameters.maximum)
        other = ChunkWindow(capacity: capacity, front: chunker.parameters.maximum)
    }

    deinit { working?.done.wait() }

    /// Takes the next bytes of the file; `chunk` receives every chunk completed so far, in order, with its id.
    func add(_ bytes: UnsafeRawBufferPointer, _ chunk: (UnsafeRawBufferPointer, Digest) throws -> Void) throws {
        var offset = 0
        while offset < bytes.count {
            offset += current.append(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
            if current.isFull { try cutAndHand(isFinal: false, chunk) }
        }
    }

    /// Cuts the rest of the file and hands over its last chunks; the chunker is then ready for the next file.
    func finish(_ chunk: (UnsafeRawBufferPointer, Digest) throws -> Void) throws {
        try cutAndHand(isFinal: true, chunk)
        guard let last = working else { return }
        last.done.wait()
        working = nil
        defer { last.window.clear() }
        try last.window.forEachChunk(chunk)
    }

    /// Drops a file part way (its backup failed): waits for the background work, forgets every byte.
    func reset() {
        working?.done.wait()
        working = nil
        current.clear()
        other.clear()
    }

    /// Completes the current window with the rest of the one in the background (once that one is cut), starts cutting
    /// and hashing it, and then hands over the chunks of the one before while it is worked on.
    private func cutAndHand(isFinal: Bool, _ chunk: (UnsafeRawBufferPointer, Digest) throws -> Void) throws {
        let previous = working
        if let previous {
            previous.done.wait()
            current.takeRest(of: previous.window)
        }
        let window = current
        let chunker = chunker
        let keys = keys
        let threads = threads
        let done = DispatchGroup()
        if threads == 1 || isFinal {
            // Nothing left to read, so nothing to overlap with: the calling thread cuts and hashes, and a small file
            // (most exports of many files) never waits for another thread to be scheduled.
            window.cut(with: chunker, isFinal: isFinal)
            window.hashChunks(keys: keys, threads: threads)
        } else {
            DispatchQueue.global().async(group: done) {
                window.cut(with: chunker, isFinal: false)
                window.hashChunks(keys: keys, threads: threads)
            }
        }
        working = (window, done)
        swap(&current, &other)
        guard let previous else { return }
        defer { previous.window.clear() }
        try previous.window.forEachChunk(chunk)
    }
}

/// One window of a file's bytes, its cuts and, once hashed, its chunk ids. Owned by one thread at a time: the
/// `FileChunker`'s, or the background work's until its group is done.
///
/// The bytes read go after `front` bytes kept free for the rest of the window before (the bytes after its last cut,
/// always fewer than the chunker's maximum), which are put in front of them once that window is cut.
private final class ChunkWindow: @unchecked Sendable {
    private let buffer: UnsafeMutableRawBufferPointer
    private let front: Int
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
    private var cutEnd: Int { ends.last ?? start }

    /// Copies as much of `bytes` as fits; returns how much.
    func append(_ bytes: UnsafeRawBufferPointer) -> Int {
        let count = min(bytes.count, buffer.count - filled)
        if count > 0 { (buffer.baseAddress! + filled).copyMemory(from: bytes.baseAddress!, byteCount: count) }
        filled += count
        return count
    }

    /// Cuts chunks while at least the chunker's maximum lies ahead (or, at the end of the file, until nothing does).
    func cut(with chunker: ContentDefinedChunker, isFinal: Bool) {
        let maximum = chunker.parameters.maximum
        var position = cutEnd
        let all = UnsafeRawBufferPointer(buffer)
        while filled - position >= maximum || (isFinal && position < filled) {
            position += chunker.nextChunkLength(in: UnsafeRawBufferPointer(rebasing: all[position..<filled]))
            ends.append(position)
        }
    }

    /// Puts the bytes of `previous` after its last cut in front of this window's bytes (none of it cut yet).
    func takeRest(of previous: ChunkWindow) {
        let count = previous.filled - previous.cutEnd
        precondition(ends.isEmpty && start == front && count <= front, "a window's rest is shorter than the chunker's maximum")
        start = front - count
        if count > 0 { (buffer.baseAddress! + start).copyMemory(from: previous.buffer.baseAddress! + previous.cutEnd, byteCount: count) }
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
