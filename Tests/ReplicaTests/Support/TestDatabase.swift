import CSQLite
import Foundation

/// Reads a replica through the SQLite C API directly, independently of the Replica target's own wrapper.
final class TestDatabase {
    enum Value: Hashable, CustomStringConvertible {
        case null
        case integer(Int64)
        case real(Double)
        case text(String)
        case blob([UInt8])

        var description: String {
            switch self {
            case .null: "NULL"
            case .integer(let value): "INTEGER \(value)"
            case .real(let value): "REAL \(value)"
            case .text(let value): "TEXT \(value.debugDescription)"
            case .blob(let value): "BLOB \(value.count) bytes"
            }
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private var handle: OpaquePointer?

    init(_ url: URL, readOnly: Bool = true) throws {
        guard
            sqlite3_open_v2(url.path, &handle, readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE, nil)
                == SQLITE_OK
        else {
            throw Failure(description: "cannot open \(url.path)")
        }
    }

    deinit { sqlite3_close_v2(handle) }

    func rows(_ sql: String) throws -> [[Value]] {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK else {
            throw Failure(description: "\(sql): \(String(cString: sqlite3_errmsg(handle)))")
        }
        defer { sqlite3_finalize(statement) }
        var rows: [[Value]] = []
        while true {
            let result = sqlite3_step(statement)
            if result == SQLITE_DONE { return rows }
            guard result == SQLITE_ROW else {
                throw Failure(description: "\(sql): \(String(cString: sqlite3_errmsg(handle)))")
            }
            rows.append(
                (0..<sqlite3_column_count(statement)).map { column in
                    switch sqlite3_column_type(statement, column) {
                    case SQLITE_INTEGER: .integer(sqlite3_column_int64(statement, column))
                    case SQLITE_FLOAT: .real(sqlite3_column_double(statement, column))
                    case SQLITE_TEXT: .text(String(cString: sqlite3_column_text(statement, column)))
                    case SQLITE_BLOB:
                        .blob(
                            Array(
                                UnsafeRawBufferPointer(
                                    start: sqlite3_column_blob(statement, column),
                                    count: Int(sqlite3_column_bytes(statement, column)))))
                    default: .null
                    }
                })
        }
    }

    func execute(_ sql: String) throws {
        guard sqlite3_exec(handle, sql, nil, nil, nil) == SQLITE_OK else {
            throw Failure(description: "\(sql): \(String(cString: sqlite3_errmsg(handle)))")
        }
    }

    /// The first column of every row, as text.
    func strings(_ sql: String) throws -> [String] {
        try rows(sql).map { row in
            switch row[0] {
            case .text(let text): text
            case .integer(let value): String(value)
            default: ""
            }
        }
    }
}
