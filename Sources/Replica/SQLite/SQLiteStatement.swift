internal import CSQLite

/// One prepared statement; finalized in deinit. Bindings and columns are 0-based here.
final class SQLiteStatement {
    private let database: SQLiteDatabase
    private let handle: OpaquePointer
    private let sql: String

    init(database: SQLiteDatabase, sql: String) throws {
        var statement: OpaquePointer?
        let result = sqlite3_prepare_v2(database.handle, sql, -1, &statement, nil)
        guard result == SQLITE_OK, let statement else {
            throw database.error(result, "prepare \(SQLiteDatabase.summary(sql))")
        }
        self.database = database
        handle = statement
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    /// Binds UTF-8 bytes as TEXT without copying: they must stay valid until the statement is stepped.
    func bindText(_ index: Int, _ bytes: UnsafeBufferPointer<UInt8>) throws {
        let pointer = UnsafeRawPointer(bytes.baseAddress ?? UnsafePointer(bitPattern: 1)!)
        try check(
            sqlite3_bind_text(
                handle, Int32(index + 1), pointer.assumingMemoryBound(to: CChar.self), Int32(bytes.count), nil), "bind")
    }

    func bindText(_ index: Int, _ text: String) throws {
        try check(sqlite3_bind_text(handle, Int32(index + 1), text, -1, SQLITE_TRANSIENT), "bind")
    }

    func bindInteger(_ index: Int, _ value: Int64) throws {
        try check(sqlite3_bind_int64(handle, Int32(index + 1), value), "bind")
    }

    func bindDouble(_ index: Int, _ value: Double) throws {
        try check(sqlite3_bind_double(handle, Int32(index + 1), value), "bind")
    }

    func bindNull(_ index: Int) throws {
        try check(sqlite3_bind_null(handle, Int32(index + 1)), "bind")
    }

    /// Binds a BLOB of `count` zero bytes, to be filled through ``SQLiteDatabase`` blob I/O.
    func bindZeroBlob(_ index: Int, count: Int64) throws {
        try check(sqlite3_bind_zeroblob64(handle, Int32(index + 1), sqlite3_uint64(count)), "bind")
    }

    /// Runs the statement to its next row: true when a row is available, false when done.
    @discardableResult
    func step() throws -> Bool {
        let result = sqlite3_step(handle)
        if result == SQLITE_ROW { return true }
        if result == SQLITE_DONE { return false }
        throw database.error(result, "run \(SQLiteDatabase.summary(sql))")
    }

    /// Resets the statement for another run; bindings are kept until rebound.
    func reset() {
        // The error of a failed step is reported by step itself; reset repeats it, so it is not checked again here.
        _ = sqlite3_reset(handle)
    }

    var columnCount: Int { Int(sqlite3_column_count(handle)) }

    func columnName(_ index: Int) -> String { String(cString: sqlite3_column_name(handle, Int32(index))) }

    /// The storage class of a column of the current row.
    func type(_ index: Int) -> SQLiteValueType {
        switch sqlite3_column_type(handle, Int32(index)) {
        case SQLITE_INTEGER: .integer
        case SQLITE_FLOAT: .real
        case SQLITE_TEXT: .text
        case SQLITE_BLOB: .blob
        default: .null
        }
    }

    func isNull(_ index: Int) -> Bool { sqlite3_column_type(handle, Int32(index)) == SQLITE_NULL }

    /// Column `index` of the current row as a value (see ``SQLiteValue``).
    func value(_ index: Int) -> SQLiteValue { SQLiteValue(sqlite3_column_value(handle, Int32(index))) }

    func integer(_ index: Int) -> Int64 { sqlite3_column_int64(handle, Int32(index)) }

    func double(_ index: Int) -> Double { sqlite3_column_double(handle, Int32(index)) }

    /// The column's bytes as TEXT (or BLOB), valid until the next step or reset; empty for NULL.
    func withBytes<Result>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        let pointer = sqlite3_column_text(handle, Int32(index))
        let count = Int(sqlite3_column_bytes(handle, Int32(index)))
        return try body(UnsafeBufferPointer(start: pointer, count: pointer == nil ? 0 : count))
    }

    func text(_ index: Int) -> String { withBytes(index) { String(decoding: $0, as: UTF8.self) } }

    private func check(_ result: Int32, _ action: String) throws {
        guard result == SQLITE_OK else {
            throw database.error(result, "\(action) a value for \(SQLiteDatabase.summary(sql))")
        }
    }
}

/// SQLite's storage classes.
enum SQLiteValueType: Sendable {
    case null, integer, real, text, blob
}

/// SQLite's "copy the value now" destructor, which the C macro expresses as -1.
private let SQLITE_TRANSIENT = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
