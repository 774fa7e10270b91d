internal import CSQLite

/// Rebuilds a table of a replica being built when what it was created from turns out wrong: a column whose first
/// values chose a type that a later value breaks (re-typed before that value is inserted), or a reference planned from
/// the first part of the files that the whole export contradicts (its foreign key added or dropped).
///
/// The new table is created beside the old one, every row copied (values of re-typed columns converted through the
/// exported text, which both formats give back exactly), the old one dropped and the new one renamed to its name. It
/// runs inside the writer's transaction, with foreign keys off; the table's indexes are the caller's to create.
enum TableRebuild {
    /// The name the new table has until it replaces the old one (`crmvault_` names never clash with an object's).
    static let temporaryName = "crmvault_rebuilt"

    /// Replaces `old`'s table (as created) with `new` (the same table and columns, other formats or references).
    static func run(from old: TableSchema, to new: TableSchema, in database: SQLiteDatabase) throws {
        precondition(old.table == new.table && old.columns.count == new.columns.count)
        try register(on: database)
        var created = new
        created.table = temporaryName
        let values = zip(old.columns, new.columns).map { was, now in
            was.format == now.format
                ? SQL.quoted(was.name)
                : "crmvault_retype(\(SQL.quoted(was.name)), \(SQL.literal(was.format.name)), "
                    + "\(SQL.literal(now.format.name)))"
        }
        try database.execute(
            """
            \(created.createStatement);
            INSERT INTO \(temporaryName) SELECT \(values.joined(separator: ", ")) FROM \(SQL.quoted(old.table));
            DROP TABLE \(SQL.quoted(old.table));
            ALTER TABLE \(temporaryName) RENAME TO \(SQL.quoted(new.table))
            """)
    }

    /// Adds `crmvault_retype(value, was, now)` to the connection: the stored `value` of a column of format `was`,
    /// written as the export had it, then stored as format `now` stores it (formats by ``ColumnFormat/name``).
    private static func register(on database: SQLiteDatabase) throws {
        let result = sqlite3_create_function_v2(
            database.handle, "crmvault_retype", 3, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nil,
            { context, _, arguments in
                guard let context, let arguments, let value = arguments[0] else { return }
                let names = [arguments[1], arguments[2]].map {
                    TableRebuild.text($0).map { String(decoding: $0, as: UTF8.self) } ?? ""
                }
                let was = ColumnFormat(name: names[0])
                let now = ColumnFormat(name: names[1])
                guard let was, let now else {
                    sqlite3_result_error(context, "crmvault_retype: unknown format", -1)
                    return
                }
                TableRebuild.retype(value, from: was, to: now, into: context)
            }, nil, nil, nil)
        guard result == SQLITE_OK else { throw database.error(result, "add the function crmvault_retype") }
    }

    private static func retype(
        _ value: OpaquePointer, from was: ColumnFormat, to now: ColumnFormat, into context: OpaquePointer
    ) {
        func store(_ text: UnsafeBufferPointer<UInt8>) {
            switch ColumnFormat.Stored(text, as: now) {
            case .integer(let integer): sqlite3_result_int64(context, integer)
            case .real(let real): sqlite3_result_double(context, real)
            case .text:
                let pointer = UnsafeRawPointer(text.baseAddress ?? UnsafePointer(bitPattern: 1)!)
                sqlite3_result_text(context, pointer.assumingMemoryBound(to: CChar.self), Int32(text.count), transient)
            }
        }
        switch sqlite3_value_type(value) {
        case SQLITE_NULL:
            sqlite3_result_null(context)
        case SQLITE_INTEGER:
            let integer = sqlite3_value_int64(value)
            if case .boolean(let yes, let no) = was, integer == 0 || integer == 1 {
                var spelling = integer == 1 ? yes : no
                spelling.withUTF8 { store($0) }
            } else {
                ValueText.withText(integer: integer) { store($0) }
            }
        case SQLITE_FLOAT:
            ValueText.withText(real: sqlite3_value_double(value), ValueText.RealStyle(was)) { store($0) }
        default:
            store(text(value) ?? UnsafeBufferPointer(start: nil, count: 0))
        }
    }

    private static func text(_ value: OpaquePointer?) -> UnsafeBufferPointer<UInt8>? {
        guard let value, let pointer = sqlite3_value_text(value) else { return nil }
        return UnsafeBufferPointer(start: pointer, count: Int(sqlite3_value_bytes(value)))
    }
}

private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

extension ColumnFormat {
    /// How a column of a format stores a non-null exported value: a value it does not read (a file changed since its
    /// values were looked at) is stored as text, and the cell digest check reports it.
    enum Stored {
        case integer(Int64), real(Double), text

        init(_ value: UnsafeBufferPointer<UInt8>, as format: ColumnFormat) {
            self.init(value, as: format, booleans: nil)
        }

        /// With a boolean column's spellings as bytes (`booleans`), which the load passes to spare a conversion per
        /// value.
        init(_ value: UnsafeBufferPointer<UInt8>, as format: ColumnFormat, booleans: (yes: [UInt8], no: [UInt8])?) {
            switch format {
            case .text:
                self = .text
            case .integer:
                self = ValueText.integer(value).map { .integer($0) } ?? .text
            case .real, .fixed, .integral:
                self = ValueText.double(value).map { .real($0) } ?? .text
            case .boolean(let yes, let no):
                let spellings = booleans ?? (Array(yes.utf8), Array(no.utf8))
                self =
                    value.elementsEqual(spellings.yes)
                    ? .integer(1) : value.elementsEqual(spellings.no) ? .integer(0) : .text
            }
        }
    }
}
