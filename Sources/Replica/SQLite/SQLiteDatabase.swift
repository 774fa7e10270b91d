internal import CSQLite

#if canImport(Glibc)
    import Glibc
#endif

/// A SQLite failure: the statement or operation, SQLite's own message and result code.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    public var code: Int32
    public var message: String
    public var context: String

    public var description: String { "SQLite failed to \(context): \(message) (code \(code))" }

    /// Whether the failure is a UNIQUE or PRIMARY KEY constraint (a duplicate id).
    public var isUniqueViolation: Bool {
        // SQLITE_CONSTRAINT_PRIMARYKEY and SQLITE_CONSTRAINT_UNIQUE: C macros Swift does not import.
        code == SQLITE_CONSTRAINT | (6 << 8) || code == SQLITE_CONSTRAINT | (8 << 8)
    }

    /// Whether the disk (or the file system's quota) is full.
    public var isDiskFull: Bool { code & 0xFF == SQLITE_FULL }

    /// Whether another connection held the file locked for longer than this one waits (SQLITE_BUSY).
    public var isBusy: Bool { code & 0xFF == SQLITE_BUSY }
}

/// One open SQLite database connection; closed in deinit. Every result code is checked where the call is made.
/// A connection is used by one thread at a time: it may be handed to another thread (a replica's second writer), never
/// shared between two at once.
final class SQLiteDatabase: @unchecked Sendable {
    let handle: OpaquePointer
    let path: String

    /// Opens (or creates, with `create`) the database at `path`, without following a final symbolic link.
    init(path: String, create: Bool = false, readOnly: Bool = false) throws {
        var connection: OpaquePointer?
        let flags =
            (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | (create ? SQLITE_OPEN_CREATE : 0)
            | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        let result = sqlite3_open_v2(path, &connection, flags, nil)
        guard result == SQLITE_OK, let connection else {
            let message = connection.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(connection)
            throw SQLiteError(code: result, message: message, context: "open \(path)")
        }
        handle = connection
        self.path = path
    }

    deinit { sqlite3_close_v2(handle) }

    /// Makes a statement that finds the file locked by another connection wait for it instead of failing: the
    /// replica's writer and its check readers take turns on the file while it is built. It polls every millisecond
    /// for the first tenth of a second (SQLite's own busy wait sleeps up to 100 ms at a time, which the writer would
    /// lose on every turn), then every 10 ms, for at most about `seconds` (while a replica is built, a reader waits for
    /// a whole table's load: an hour; a check of a finished replica that another process holds locked gives up within
    /// seconds, see ``ReplicaChecker/lockWait``).
    func waitWhenBusy(atMost seconds: Double = 3600) {
        // The attempts SQLite may wait before: 100 polls of 1 ms, then 10 ms each.
        let milliseconds = Int(max(0, seconds) * 1000)
        let limit = Int32(clamping: milliseconds <= 100 ? milliseconds : 100 + (milliseconds - 100) / 10)
        sqlite3_busy_handler(
            handle,
            { limit, attempts in
                guard attempts < Int32(Int(bitPattern: limit)) else { return 0 }
                usleep(attempts < 100 ? 1000 : 10_000)
                return 1
            }, UnsafeMutableRawPointer(bitPattern: Int(limit)))
    }

    /// Runs one or more statements without results.
    func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let result = sqlite3_exec(handle, sql, nil, nil, &message)
        guard result == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(message)
            throw SQLiteError(
                code: sqlite3_extended_errcode(handle), message: text, context: "run \(Self.summary(sql))")
        }
    }

    func prepare(_ sql: String) throws -> SQLiteStatement {
        try SQLiteStatement(database: self, sql: sql)
    }

    /// The single value of a query that returns one row of one integer (a count, a pragma).
    func integer(_ sql: String) throws -> Int64 {
        let statement = try prepare(sql)
        guard try statement.step() else {
            throw SQLiteError(code: SQLITE_ERROR, message: "no row", context: "run \(Self.summary(sql))")
        }
        return statement.integer(0)
    }

    /// Every row of a query, each column as text (NULL as nil).
    func rows(_ sql: String) throws -> [[String?]] {
        let statement = try prepare(sql)
        var rows: [[String?]] = []
        while try statement.step() {
            rows.append((0..<statement.columnCount).map { statement.isNull($0) ? nil : statement.text($0) })
        }
        return rows
    }

    func error(_ result: Int32, _ context: String) -> SQLiteError {
        SQLiteError(
            code: sqlite3_extended_errcode(handle), message: String(cString: sqlite3_errmsg(handle)), context: context)
    }

    static func summary(_ sql: String) -> String {
        let line = sql.split(separator: "\n").first.map(String.init) ?? sql
        return line.count > 80 ? String(line.prefix(80)) + "…" : line
    }
}

extension SQLiteDatabase {
    /// The largest string or BLOB this connection stores.
    var maximumLength: Int64 { Int64(sqlite3_limit(handle, SQLITE_LIMIT_LENGTH, -1)) }

    var lastInsertedRow: Int64 { sqlite3_last_insert_rowid(handle) }

    /// The most `?` parameters one statement may have.
    var maximumParameters: Int { Int(sqlite3_limit(handle, SQLITE_LIMIT_VARIABLE_NUMBER, -1)) }

    /// Fills the BLOB in `column` of row `row` of `table` (created with a zero BLOB of the right size) by calling
    /// `read` for blocks of at most `buffer.count` bytes until it returns 0. Memory stays bounded by the buffer.
    func writeBlob(
        table: String, column: String, row: Int64, buffer: UnsafeMutableRawBufferPointer,
        read: (UnsafeMutableRawBufferPointer) throws -> Int
    ) throws {
        var blob: OpaquePointer?
        let opened = sqlite3_blob_open(handle, "main", table, column, row, 1, &blob)
        guard opened == SQLITE_OK, let blob else { throw error(opened, "open the BLOB of \(table) row \(row)") }
        defer { sqlite3_blob_close(blob) }
        let size = Int(sqlite3_blob_bytes(blob))
        var offset = 0
        while offset < size {
            let count = try read(UnsafeMutableRawBufferPointer(rebasing: buffer[0..<min(buffer.count, size - offset)]))
            guard count > 0 else { break }
            let written = sqlite3_blob_write(blob, buffer.baseAddress, Int32(count), Int32(offset))
            guard written == SQLITE_OK else { throw error(written, "write the BLOB of \(table) row \(row)") }
            offset += count
        }
        guard offset == size else {
            throw SQLiteError(
                code: SQLITE_ERROR, message: "the file changed size while it was read",
                context: "fill \(table) row \(row)")
        }
    }
}
