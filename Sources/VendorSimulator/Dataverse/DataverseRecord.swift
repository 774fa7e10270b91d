import Crypto
import Foundation

/// One row of a simulated Dataverse table as the Web API returns it: its id, ETag and cells, each cell with the
/// annotations Dataverse adds when asked (`FormattedValue`, and for lookups the target table and navigation
/// property).
struct DataverseRecord: Sendable {
    struct Cell: Sendable {
        let column: String
        let value: JSONValue
        let formattedValue: String?
        let lookupLogicalName: String?
        let navigationProperty: String?
        /// The value as text, for tests comparing a pull with what was served (`nil` for null).
        var text: String? {
            switch value {
            case .null: nil
            case .string(let text), .number(let text): text
            case .int(let number): String(number)
            case .bool(let flag): flag ? "true" : "false"
            default: nil
            }
        }
    }

    let id: String
    let etag: String
    let cells: [Cell]

    /// Every table's records as of one month, sorted by id (the order Dataverse pages them in).
    static func build(from month: SimulatedOrg.Month) -> [String: [DataverseRecord]] {
        var names: [String: String] = [:]
        for (object, nameColumn) in [
            ("Account", "Name"), ("Contact", "Name"), ("Lead", "Name"), ("Opportunity", "Name"), ("Case", "Subject"),
            ("Task", "Subject"),
        ] {
            guard let table = month.tables[object], let id = table.column(named: "Id"),
                let name = table.column(named: nameColumn)
            else { continue }
            for row in table.rows { names[row[id]] = row[name] }
        }
        var result: [String: [DataverseRecord]] = [:]
        for entity in DataverseEntity.all {
            guard let table = month.tables[entity.sourceObject] else { continue }
            let columns = Dictionary(
                table.header.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
            result[entity.entitySetName] = table.rows.map { values in
                record(entity, SourceRow(columns: columns, values: values), names: names)
            }.sorted { $0.id < $1.id }
        }
        return result
    }

    private static func record(_ entity: DataverseEntity, _ row: SourceRow, names: [String: String]) -> DataverseRecord
    {
        let cells = entity.attributes.map { attribute -> Cell in
            let raw: String
            switch attribute.source {
            case .column(let name): raw = row[name]
            case .derived(let derive): raw = derive(row)
            }
            return cell(attribute, raw: raw, entity: entity, names: names)
        }
        let version = SHA256.hash(data: Data(row.values.joined(separator: "\u{1F}").utf8)).prefix(4)
            .reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return DataverseRecord(
            id: StableID.guid(row["Id"]), etag: "W/\"\(version % 90_000_000 + 10_000_000)\"", cells: cells)
    }

    /// `1234567` as `1,234,567`, as Dataverse formats whole numbers for an English user.
    static func grouped(_ number: Int) -> String {
        let digits = Array(String(number.magnitude))
        var text = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { text.append(",") }
            text.append(digit)
        }
        return number < 0 ? "-" + text : text
    }

    private static func cell(
        _ attribute: DataverseAttribute, raw: String, entity: DataverseEntity, names: [String: String]
    ) -> Cell {
        func plain(_ value: JSONValue, _ formatted: String? = nil) -> Cell {
            Cell(
                column: attribute.columnName, value: value, formattedValue: formatted, lookupLogicalName: nil,
                navigationProperty: nil)
        }
        guard !raw.isEmpty, raw != "000000000000000AAA" else { return plain(.null) }
        switch attribute.kind {
        case .uniqueidentifier: return plain(.string(StableID.guid(raw)))
        case .string, .memo: return plain(.string(raw))
        case .integer:
            guard let number = Int(raw) else { return plain(.null) }
            return plain(.int(number), grouped(number))
        case .money:
            guard let number = Double(raw) else { return plain(.null) }
            return plain(.number(String(format: "%.2f", number)), "$" + String(format: "%.2f", number))
        case .boolean: return plain(.bool(raw == "true"), raw == "true" ? "Yes" : "No")
        case .dateTime:
            let trimmed = raw.count >= 19 ? String(raw.prefix(19)) + "Z" : raw
            return plain(
                .string(trimmed),
                trimmed.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: ""))
        case .dateOnly: return plain(.string(String(raw.prefix(10))), String(raw.prefix(10)))
        case .picklist: return plain(.int(DataverseAttribute.optionValue(raw)), raw)
        case .state(let options), .status(let options):
            return plain(.int(options.first { $0.0 == raw }?.1 ?? DataverseAttribute.optionValue(raw)), raw)
        case .lookup, .customer, .owner:
            let target = DataverseEntity.logicalName(ofSalesforceID: raw)
            let navigation: String
            switch attribute.kind {
            case .customer: navigation = "\(attribute.logicalName)_\(target)"
            case .lookup(let targets) where targets.count > 1:
                navigation = "\(attribute.logicalName)_\(target)_\(entity.logicalName)"
            default: navigation = attribute.logicalName
            }
            let formatted =
                names[raw] ?? (target == "systemuser" ? "User \(raw.suffix(6))" : "\(target) \(raw.suffix(6))")
            return Cell(
                column: attribute.columnName, value: .string(StableID.guid(raw)), formattedValue: formatted,
                lookupLogicalName: target, navigationProperty: navigation)
        }
    }
}
