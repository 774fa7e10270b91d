import Foundation

/// CRMExportGenerator: deterministic, realistic Salesforce-style CRM exports for tests, demos and benchmarks.
///
/// The nouns:
/// - **Org**: the simulated Salesforce organisation, fully determined by a **seed** and a **scale** (the number of
///   Accounts at month 0; the other objects are proportional to it).
/// - **Object**: an exported sObject type (``ExportObject``): Account, Contact, Lead, Opportunity, Case, Task.
///   Each is one CSV file named `<Object>.csv`.
/// - **Record**: one row of an object, identified by an 18-character Salesforce **id** whose key prefix names the
///   object (`001`, `003`, `00Q`, `006`, `500`, `00T`) and whose number grows with creation order.
/// - **Month**: a monthly full export; month 0 is January 2026. Month `m` is month 0 after simulating months
///   1 through `m` (``ExportSimulation``): deletions with cascades, edits biased toward recent records, new records.
/// - **Slot** and **revision**: a record stores no field values, only a 4-bit revision per mutable field slot
///   (``RecordState``); field values are derived from the record's seed and the slot's revision
///   (``RecordRenderer``), so a record's row changes exactly when it is edited.
///
/// The CSV dialect is that of the Salesforce Bulk API: a header row of API field names, every field in double
/// quotes (a null is `""`), embedded quotes doubled, UTF-8 without byte order mark, and rows ending in LF. Text
/// fields may contain commas, quotes, LF line breaks, accents, CJK characters and emoji.
public struct CRMExportGenerator: Sendable {
    /// The seed every value derives from.
    public let seed: UInt64

    /// The number of Accounts at month 0.
    public let scale: Int

    /// The line ending of every row (fields may contain it too, inside quotes).
    public static let lineEnding = "\n"

    /// Creates a generator.
    ///
    /// - Parameters:
    ///   - seed: any value; equal seeds (and scales) give byte-identical exports on every platform.
    ///   - scale: about the number of Account records at month 0 (at least 1). Other objects are proportional:
    ///     about 3 Contacts, 1 Lead, 2 Opportunities, 2 Cases and 4 Tasks per Account.
    public init(seed: UInt64, scale: Int) {
        self.seed = seed
        self.scale = max(1, scale)
    }

    /// The object names written, in file order: `["Account", "Contact", "Lead", "Opportunity", "Case", "Task"]`.
    public var objectNames: [String] {
        ExportObject.allCases.map(\.name)
    }

    /// The CSV header fields of an object, or `nil` for an unknown object name.
    public func fieldNames(ofObject name: String) -> [String]? {
        ExportObject.allCases.first { $0.name == name }?.fieldNames
    }

    /// Writes the full export as of `month` (0 = January 2026) into `directory`, created if missing.
    ///
    /// - Returns: the files written, one `<Object>.csv` per object, in ``objectNames`` order.
    @discardableResult
    public func writeMonth(_ month: Int, to directory: URL) throws -> [URL] {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var written: [URL] = []
        for file in self.month(month) {
            let url = directory.appendingPathComponent(file.name)
            try file.contents.write(to: url)
            written.append(url)
        }
        return written
    }

    /// The export as of `month`, as (file name, bytes) pairs in ``objectNames`` order.
    ///
    /// The bytes are exactly those ``writeMonth(_:to:)`` writes.
    public func month(_ month: Int) -> [(name: String, contents: Data)] {
        precondition(month >= 0, "export months start at 0")
        var simulation = ExportSimulation(seed: seed, scale: scale)
        while simulation.month < month {
            simulation.advance()
        }
        return render(simulation)
    }

    /// Calls `body` with the export of every month in `months`, simulating each month only once.
    ///
    /// This is equivalent to calling ``month(_:)`` for each month, but faster for long series.
    public func forEachMonth(
        _ months: ClosedRange<Int>,
        _ body: (_ month: Int, _ files: [(name: String, contents: Data)]) throws -> Void
    ) rethrows {
        precondition(months.lowerBound >= 0, "export months start at 0")
        var simulation = ExportSimulation(seed: seed, scale: scale)
        while simulation.month < months.lowerBound {
            simulation.advance()
        }
        while true {
            try body(simulation.month, render(simulation))
            if simulation.month >= months.upperBound { break }
            simulation.advance()
        }
    }

    /// Quotes one value as a Salesforce CSV field: wrapped in double quotes, embedded quotes doubled.
    public static func quoteCSVField(_ value: String) -> String {
        CSVRowWriter.quoted(value)
    }

    /// Renders every object of a simulated month.
    private func render(_ simulation: ExportSimulation) -> [(name: String, contents: Data)] {
        let renderer = RecordRenderer(seed: seed, scale: scale)
        return ExportObject.allCases.map { object in
            let bytes = renderer.render(simulation.records[object.rawValue], of: object)
            return (name: object.name + ".csv", contents: Data(bytes))
        }
    }
}
