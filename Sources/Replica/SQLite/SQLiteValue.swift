internal import CSQLite

/// A value of the current row of a ``SQLiteStatement`` (`sqlite3_column_value`), read with SQLite's value accessors:
/// one column call per value, where each of the statement's column accessors (storage class, bytes, length, number)
/// is one call of its own with its own checks. Valid until the statement's next step or reset. SQLite calls such a
/// value "unprotected": its accessors may read it only where no connection mutex is needed, which holds for every
/// ``SQLiteDatabase`` (opened `SQLITE_OPEN_NOMUTEX`, used by one thread at a time).
struct SQLiteValue {
    private let handle: OpaquePointer

    init(_ handle: OpaquePointer) { self.handle = handle }

    /// The storage class.
    var type: SQLiteValueType {
        switch sqlite3_value_type(handle) {
        case SQLITE_INTEGER: .integer
        case SQLITE_FLOAT: .real
        case SQLITE_TEXT: .text
        case SQLITE_BLOB: .blob
        default: .null
        }
    }

    var isNull: Bool { sqlite3_value_type(handle) == SQLITE_NULL }

    var integer: Int64 { sqlite3_value_int64(handle) }

    var double: Double { sqlite3_value_double(handle) }

    /// The value's bytes as TEXT (or BLOB); empty for NULL.
    func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        let pointer = sqlite3_value_text(handle)
        let count = Int(sqlite3_value_bytes(handle))
        return try body(UnsafeBufferPointer(start: pointer, count: pointer == nil ? 0 : count))
    }

    /// The value's bytes as stored (TEXT or BLOB; a number as SQLite writes it), or nil for NULL, without asking its
    /// storage class first. (A TEXT value gets its bytes pointer, as a BLOB, without a conversion.)
    func withStoredBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>?) throws -> Result) rethrows -> Result {
        guard let pointer = sqlite3_value_blob(handle) else {
            // NULL, or a value of no bytes (SQLite gives no pointer for an empty TEXT or BLOB).
            return try body(isNull ? nil : UnsafeBufferPointer(start: nil, count: 0))
        }
        let count = Int(sqlite3_value_bytes(handle))
        return try body(UnsafeBufferPointer(start: pointer.assumingMemoryBound(to: UInt8.self), count: count))
    }
}
