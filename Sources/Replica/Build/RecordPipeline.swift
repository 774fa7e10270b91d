import ExportLayout
import Foundation

/// The records of one CSV, parsed on a thread of their own and handed over in batches: while the load inserts one
/// batch into SQLite, the next is parsed (quoting, encoding, limits), its values taken into the object's scan (what
/// each column allows) and its cells hashed for the cell digest on the other core. At most `depth` batches of about
/// `batchBytes` each wait, so memory stays bounded whatever the file's size.
///
/// A malformed record (or one without its id) is listed in the scan and not handed over; a record the reader cannot
/// step over stops the file there. Each batch carries the column formats that every value read so far allows, so the
/// load re-types a column before it inserts a value its table's format would not give back. An error opening the
/// file, and (when `detecting`) a byte that is not UTF-8, are thrown by ``next()`` after the batches before them.
final class RecordPipeline: @unchecked Sendable {
    /// Records copied out of the reader: their field bytes one after the other, the reader's field ends (from each
    /// record's first byte), the line each record starts on, and the cell digest's hashes of its cells and row.
    struct Batch {
        fileprivate var bytes: [UInt8] = [0]  // one byte ahead, so the storage is never empty
        fileprivate var ends: [Int] = []
        fileprivate var quoted: [Bool] = []
        fileprivate var cellHashes: [UInt64] = []
        fileprivate var records: [(byte: Int, field: Int, count: Int, line: Int, rowHash: UInt64)] = []
        /// The format of each column that the values of this batch and every one before allow.
        fileprivate(set) var formats: [ColumnFormat] = []

        /// An empty batch with room for `batchBytes` of fields and a record more, so its bytes are not copied as
        /// they grow.
        fileprivate init() {
            bytes.reserveCapacity(RecordPipeline.batchBytes + (64 << 10))
        }

        fileprivate mutating func append(_ fields: CSVFields, line: Int) {
            let first = ends.count
            let all = fields.allBytes
            bytes.append(contentsOf: all)
            // The reader's ends count from the record's first byte, as a batch keeps them: copied as they are.
            ends.append(contentsOf: fields.fieldEnds)
            quoted.append(contentsOf: fields.quotedFields)
            cellHashes.append(contentsOf: repeatElement(0, count: fields.count))
            let rowHash = cellHashes.withUnsafeMutableBufferPointer { hashes in
                let row = UnsafeMutableBufferPointer(rebasing: hashes[first...])
                for index in 0..<fields.count { row[index] = ObjectScan.cellHash(fields[index]) }
                return CellDigest.rowHash(UnsafeBufferPointer(row))
            }
            records.append((bytes.count - all.count, first, fields.count, line, rowHash))
        }

        /// One record of a batch, valid only inside ``forEach(_:)``.
        struct Record {
            var fields: CSVFields
            var line: Int
            /// The cell digest's hash of each field (0 for NULL), and of the row.
            var cellHashes: UnsafeBufferPointer<UInt64>
            var rowHash: UInt64
        }

        /// The number of records.
        var count: Int { records.count }

        /// Calls `body` with each record.
        func forEach(_ body: (Record) throws -> Void) rethrows {
            try bytes.withUnsafeBufferPointer { bytes in
                try ends.withUnsafeBufferPointer { ends in
                    try quoted.withUnsafeBufferPointer { quoted in
                        try cellHashes.withUnsafeBufferPointer { hashes in
                            for record in records {
                                let range = record.field..<(record.field + record.count)
                                let fields = CSVFields(
                                    bytes: bytes.baseAddress! + record.byte,
                                    ends: UnsafeBufferPointer(rebasing: ends[range]),
                                    quoted: UnsafeBufferPointer(rebasing: quoted[range]))
                                try body(
                                    Record(
                                        fields: fields, line: record.line,
                                        cellHashes: UnsafeBufferPointer(rebasing: hashes[range]), rowHash: record.rowHash))
                            }
                        }
                    }
                }
            }
        }
    }

    static let batchBytes = 1 << 20
    static let depth = 3

    private let condition = NSCondition()
    private var ready: [Batch] = []
    private var failure: (any Error)?
    private var isDone = false
    private var isCancelled = false
    private var isFinished = false
    private var finalScan: ObjectScan?

    /// Starts parsing `object`'s CSV in `encoding` on a new thread; `header` is the one the table was planned from.
    init(_ object: ExportDirectory.ObjectFile, encoding: CSVEncoding, detecting: Bool, header: [String]) {
        let fields = ReplicaSchemaPlanner.fields(of: header, metadata: object.metadata)
        Thread.detachNewThread { [self] in
            produce(object, encoding: encoding, detecting: detecting, header: header, fields: fields)
            condition.lock()
            isFinished = true
            condition.broadcast()
            condition.unlock()
        }
    }

    /// The next batch of records, or nil after the last.
    func next() throws -> Batch? {
        condition.lock()
        defer { condition.unlock() }
        while ready.isEmpty && !isDone { condition.wait() }
        if !ready.isEmpty {
            condition.broadcast()
            return ready.removeFirst()
        }
        if let failure { throw failure }
        return nil
    }

    /// The scan of the whole file, once ``next()`` returned nil.
    var scan: ObjectScan? {
        condition.lock()
        defer { condition.unlock() }
        return finalScan
    }

    /// Stops the parsing thread and waits for it to end (the file is closed when this returns).
    func close() {
        condition.lock()
        isCancelled = true
        condition.broadcast()
        while !isFinished { condition.wait() }
        condition.unlock()
    }

    private func produce(
        _ object: ExportDirectory.ObjectFile, encoding: CSVEncoding, detecting: Bool, header: [String],
        fields: [ExportField?]
    ) {
        do {
            let reader = try CSVReader(path: object.url.path, displayName: object.file, encoding: encoding)
            guard reader.header == header else {
                throw CSVError(file: object.file, line: 1, kind: .unreadable("its header changed while it was read"))
            }
            var scan = ObjectScan(object, reader: reader)
            var batch = Batch()
            func formats() -> [ColumnFormat] {
                header.indices.map { ReplicaSchemaPlanner.format($0, of: scan, field: fields[$0]) }
            }
            while try scan.advance(reader, detecting: detecting) {
                reader.withFields { fields in
                    if scan.take(fields, line: reader.line) { batch.append(fields, line: reader.line) }
                }
                if batch.bytes.count >= Self.batchBytes || batch.records.count >= 8192 {
                    batch.formats = formats()
                    guard hand(batch) else { return }
                    batch = Batch()
                }
            }
            scan.finish(reader)
            if !batch.records.isEmpty {
                batch.formats = formats()
                guard hand(batch) else { return }
            }
            condition.lock()
            finalScan = scan
            condition.unlock()
            end(nil)
        } catch {
            end(error)
        }
    }

    /// Queues `batch` once there is room; false when the load stopped reading.
    private func hand(_ batch: Batch) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while ready.count >= Self.depth && !isCancelled { condition.wait() }
        guard !isCancelled else { return false }
        ready.append(batch)
        condition.broadcast()
        return true
    }

    private func end(_ error: (any Error)?) {
        condition.lock()
        failure = error
        isDone = true
        condition.broadcast()
        condition.unlock()
    }
}
