import AsyncHTTPClient
import Foundation
import NIOCore
import VaultCore

/// Joins the CSV result pages of one object into one file, keeping the vendor's bytes (docs/EXPORTS.md): the first
/// page is written whole; each later page's header row must equal the first's and is dropped. Each page's records
/// are counted as they stream by, so they can be checked against what the vendor said the page holds.
final class CSVPageJoiner {
    let file: StagedFile
    /// The first page's header row, without its line end.
    private(set) var header: [UInt8]?
    private(set) var pages = 0
    private(set) var records = 0
    private var endsWithLineEnd = true

    init(file: StagedFile) {
        self.file = file
    }

    /// The column names of the header row.
    private(set) var columns: [String] = []

    /// Appends one page read from `body` and returns its record count, which must equal `expected` (the vendor's
    /// count for the page). A page that fails is taken back out, so it can simply be fetched again.
    func append(page body: HTTPClientResponse.Body, object: String, expected: Int) async throws -> Int {
        let start = file.size
        let headerBefore = header
        let endedBefore = endsWithLineEnd
        var pageRecords = 0
        do {
            pageRecords = try await appendPage(body, object: object)
            guard pageRecords == expected else {
                throw RetryableFailure(
                    "a result page of \(object) holds \(pageRecords) records where the vendor said \(expected)")
            }
        } catch {
            try file.truncate(to: start)
            header = headerBefore
            endsWithLineEnd = endedBefore
            throw error
        }
        pages += 1
        records += pageRecords
        return pageRecords
    }

    private func appendPage(_ body: HTTPClientResponse.Body, object: String) async throws -> Int {
        var counter = CSVRecordCounter()
        var pending: [UInt8] = []
        var headerSeen = false
        var lastByte: UInt8?
        for try await buffer in body {
            try Task.checkCancellation()
            if headerSeen {
                try write(buffer.readableBytesView, counter: &counter, last: &lastByte)
                continue
            }
            pending.append(contentsOf: buffer.readableBytesView)
            guard let first = CSVHeader.firstRow(in: pending) else {
                guard pending.count <= 1 << 20 else {
                    throw RetryableFailure("the \(object) results start with no header row in their first MiB")
                }
                continue
            }
            try takeHeader(Array(first.row), rowWithEnd: pending[0..<first.end], object: object)
            headerSeen = true
            try write(pending[first.end...], counter: &counter, last: &lastByte)
            pending = []
        }
        if !headerSeen && !pending.isEmpty {
            // A page of a header row only, without a line end.
            try takeHeader(pending, rowWithEnd: pending[...], object: object)
            lastByte = nil
        }
        let (rows, isInsideQuotes) = counter.finished()
        guard !isInsideQuotes else {
            throw RetryableFailure("the \(object) results end inside a quoted field (cut short)")
        }
        if let lastByte { endsWithLineEnd = lastByte == 0x0a || lastByte == 0x0d }
        return rows
    }

    private func takeHeader(_ row: [UInt8], rowWithEnd: ArraySlice<UInt8>, object: String) throws {
        if let header {
            guard row == header else {
                throw RetryableFailure("a later \(object) result page has a different header row than the first")
            }
        } else {
            do { columns = try CSVHeader.fields(of: row, file: "\(object).csv") } catch {
                throw VaultError(
                    .vendorFailed, "The \(object) results start with a header row that is not CSV: \(error)")
            }
            header = row
            try file.append(rowWithEnd)
            endsWithLineEnd = rowWithEnd.last == 0x0a || rowWithEnd.last == 0x0d
        }
    }

    private func write(
        _ bytes: some BidirectionalCollection<UInt8>, counter: inout CSVRecordCounter, last: inout UInt8?
    ) throws {
        guard let tail = bytes.last else { return }
        if !endsWithLineEnd {
            // The previous page stopped without a line end; without one, its last record would run into this page's first.
            try file.append([0x0a])
            endsWithLineEnd = true
        }
        try file.append(bytes)
        counter.consume(bytes)
        last = tail
    }
}
