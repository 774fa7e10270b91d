import ExportLayout
import Foundation

/// The parts of a Dataverse entity definition (`GET /api/data/v9.2/EntityDefinitions?$filter=EntitySetName eq '…'
/// &$expand=Attributes`) a pull needs; the response is kept whole as `metadata/<logical name>.describe.json`.
struct DataverseEntityDefinition: Decodable, Sendable {
    struct Attribute: Decodable, Sendable {
        var LogicalName: String
        var AttributeType: String?
        /// Set on attributes that only shadow another one (a lookup's `…name` companion); those are not columns.
        var AttributeOf: String?
        var IsValidForRead: Bool?
        /// Lookup, Customer and Owner attributes: the tables the value may point to.
        var Targets: [String]?
        /// DateTime attributes: `DateOnly` or `DateAndTime`.
        var Format: String?
    }

    var LogicalName: String
    var EntitySetName: String?
    var PrimaryIdAttribute: String?
    var Attributes: [Attribute]?

    /// Attribute types that are not values of a record (they have no column in Web API results).
    static let nonColumnTypes: Set<String> = ["Virtual", "ManagedProperty", "EntityName", "CalendarRules", "PartyList"]
    static let lookupTypes: Set<String> = ["Lookup", "Customer", "Owner"]

    /// The annotation Dataverse adds to a lookup's value naming the table it points to (with
    /// `Prefer: odata.include-annotations="*"`); kept as a column, since a Customer lookup may point to two tables.
    static let lookupTableAnnotation = "@Microsoft.Dynamics.CRM.lookuplogicalname"

    /// The CSV's columns, in metadata order: each readable attribute under its Web API property name (`_x_value` for
    /// lookups), each lookup followed by its table annotation.
    var columns: [ExportField] {
        var fields: [ExportField] = []
        for attribute in Attributes ?? [] {
            let type = attribute.AttributeType ?? "String"
            guard attribute.AttributeOf == nil, attribute.IsValidForRead != false, !Self.nonColumnTypes.contains(type),
                APIName.isValid(attribute.LogicalName)
            else { continue }
            if Self.lookupTypes.contains(type) {
                let property = "_\(attribute.LogicalName)_value"
                let targets = (attribute.Targets ?? []).filter(APIName.isValid)
                fields.append(
                    ExportField(
                        name: property, type: .reference, referenceTo: targets.isEmpty ? nil : targets, vendorType: type
                    ))
                fields.append(
                    ExportField(name: property + Self.lookupTableAnnotation, type: .string, vendorType: "EntityName"))
            } else {
                fields.append(ExportField(name: attribute.LogicalName, type: exportType(attribute), vendorType: type))
            }
        }
        return fields
    }

    private func exportType(_ attribute: Attribute) -> ExportFieldType {
        switch attribute.AttributeType ?? "" {
        case "Uniqueidentifier": return attribute.LogicalName == PrimaryIdAttribute ? .id : .string
        case "Boolean": return .boolean
        case "Integer", "BigInt": return .integer
        case "Decimal", "Double", "Money": return .double
        case "DateTime": return attribute.Format == "DateOnly" ? .date : .datetime
        case "File", "Image": return .binary
        default: return .string
        }
    }
}

/// An OData collection answer (metadata): its `value`.
struct ODataCollection<Element: Decodable & Sendable>: Decodable, Sendable {
    var value: [Element]
}

/// `GET /api/data/v9.2/WhoAmI`.
struct DataverseWhoAmI: Decodable, Sendable {
    var OrganizationId: String?
}
