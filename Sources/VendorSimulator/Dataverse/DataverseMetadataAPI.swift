import Foundation

/// `EntityDefinitions`: the table and column metadata a replica needs (names, primary columns, types, lookup
/// targets), in the Web API's metadata shape.
extension VendorHandlers {
    /// `GET EntityDefinitions`, `GET EntityDefinitions(LogicalName='x')` (with `$expand=Attributes`) and
    /// `GET EntityDefinitions(LogicalName='x')/Attributes`; `$select` is honoured on both levels.
    func entityDefinitions(_ request: VendorRequest, logicalName: String?, attributesOnly: Bool) throws -> VendorReply {
        try require(request, "GET")
        let base = "\(state.baseURL.current.absoluteString)\(Self.dataversePath)/$metadata"
        let select = request.query["$select"].map(Self.names)
        let expand = request.query["$expand"]
        let expandsAttributes = expand?.hasPrefix("Attributes") == true
        let attributeSelect = expand.flatMap(Self.nestedSelect)
        guard let logicalName else {
            var chosen = DataverseEntity.all
            if let filter = request.query["$filter"] {
                guard let condition = Self.equalityFilter(filter),
                    ["LogicalName", "EntitySetName", "SchemaName"].contains(condition.property)
                else {
                    return .dataverseError(
                        400, "0x80060888",
                        "The simulated vendor filters EntityDefinitions only by LogicalName, EntitySetName or "
                            + "SchemaName "
                            + "eq 'value', not by \(filter).")
                }
                chosen = chosen.filter { entity in
                    switch condition.property {
                    case "LogicalName": entity.logicalName == condition.value
                    case "EntitySetName": entity.entitySetName == condition.value
                    default: entity.schemaName == condition.value
                    }
                }
            }
            let entities = chosen.map {
                entityJSON($0, select: select, attributes: expandsAttributes, attributeSelect: attributeSelect)
            }
            return dataverseJSON(
                .object([("@odata.context", .string("\(base)#EntityDefinitions")), ("value", .array(entities))]))
        }
        guard let entity = DataverseEntity.logicalName(logicalName) else {
            return .dataverseError(404, "0x80040217", "Could not find an entity with LogicalName '\(logicalName)'.")
        }
        if attributesOnly {
            let attributes = entity.attributes.map { attributeJSON($0, of: entity, select: select) }
            return dataverseJSON(
                .object([
                    ("@odata.context", .string("\(base)#EntityDefinitions('\(entity.logicalName)')/Attributes")),
                    ("value", .array(attributes)),
                ]))
        }
        guard
            case .object(let members) = entityJSON(
                entity, select: select, attributes: expandsAttributes, attributeSelect: attributeSelect)
        else { throw SimulatorSetupError("entity metadata is not an object") }
        return dataverseJSON(.object([("@odata.context", .string("\(base)#EntityDefinitions/$entity"))] + members))
    }

    private func entityJSON(
        _ entity: DataverseEntity, select: [String]?, attributes: Bool, attributeSelect: [String]?
    ) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("MetadataId", .string(StableID.guid("entity:\(entity.logicalName)"))),
            ("LogicalName", .string(entity.logicalName)), ("SchemaName", .string(entity.schemaName)),
            ("EntitySetName", .string(entity.entitySetName)), ("LogicalCollectionName", .string(entity.entitySetName)),
            ("ObjectTypeCode", .int(entity.objectTypeCode)),
            ("PrimaryIdAttribute", .string(entity.primaryIDAttribute)),
            ("PrimaryNameAttribute", .string(entity.primaryNameAttribute)),
            ("IsCustomEntity", .bool(false)), ("IsActivity", .bool(entity.logicalName == "task")),
            ("DisplayName", Self.label(entity.schemaName == "Incident" ? "Case" : entity.schemaName)),
        ]
        if let select { members = members.filter { $0.0 == "MetadataId" || select.contains($0.0) } }
        if attributes {
            var attributes = entity.attributes.map { attributeJSON($0, of: entity, select: attributeSelect) }
            if state.faults.entityImages.contains(entity.entitySetName) {
                attributes += Self.entityImageAttributes(of: entity, select: attributeSelect)
            }
            members.append(("Attributes", .array(attributes)))
        }
        return .object(members)
    }

    private func attributeJSON(_ attribute: DataverseAttribute, of entity: DataverseEntity, select: [String]?)
        -> JSONValue
    {
        let typeName: String
        var extra: [(String, JSONValue)] = []
        switch attribute.kind {
        case .uniqueidentifier: typeName = "UniqueIdentifier"
        case .string(let maxLength):
            typeName = "String"
            extra = [("MaxLength", .int(maxLength)), ("Format", .string("Text"))]
        case .memo:
            typeName = "Memo"
            extra = [("MaxLength", .int(2000))]
        case .integer:
            typeName = "Integer"
            extra = [("MinValue", .int(-2_147_483_648)), ("MaxValue", .int(2_147_483_647))]
        case .money:
            typeName = "Money"
            extra = [("Precision", .int(2)), ("PrecisionSource", .int(2))]
        case .boolean: typeName = "Boolean"
        case .dateTime:
            typeName = "DateTime"
            extra = [
                ("Format", .string("DateAndTime")), ("DateTimeBehavior", .object([("Value", .string("UserLocal"))])),
            ]
        case .dateOnly:
            typeName = "DateTime"
            extra = [("Format", .string("DateOnly")), ("DateTimeBehavior", .object([("Value", .string("DateOnly"))]))]
        case .picklist: typeName = "Picklist"
        case .state: typeName = "State"
        case .status: typeName = "Status"
        case .lookup: typeName = "Lookup"
        case .customer: typeName = "Lookup"
        case .owner: typeName = "Lookup"
        }
        if attribute.isLookup { extra = [("Targets", .array(attribute.targets.map(JSONValue.string)))] }
        var members: [(String, JSONValue)] =
            [
                ("@odata.type", .string("#Microsoft.Dynamics.CRM.\(typeName)AttributeMetadata")),
                ("MetadataId", .string(StableID.guid("attribute:\(entity.logicalName).\(attribute.logicalName)"))),
                ("LogicalName", .string(attribute.logicalName)),
                ("SchemaName", .string(Self.schemaName(attribute.logicalName))),
                ("EntityLogicalName", .string(entity.logicalName)), ("AttributeType", .string(attribute.attributeType)),
                ("AttributeTypeName", .object([("Value", .string(Self.typeName(attribute.attributeType)))])),
                ("IsPrimaryId", .bool(attribute.logicalName == entity.primaryIDAttribute)),
                ("IsPrimaryName", .bool(attribute.logicalName == entity.primaryNameAttribute)),
                ("IsValidForRead", .bool(true)), ("IsCustomAttribute", .bool(false)), ("AttributeOf", .null),
                ("DisplayName", Self.label(Self.schemaName(attribute.logicalName))),
            ] + extra
        if let select {
            members = members.filter { $0.0 == "@odata.type" || $0.0 == "MetadataId" || select.contains($0.0) }
        }
        return .object(members)
    }

    /// The attributes an entity image adds to a table (Faults.entityImages).
    private static func entityImageAttributes(of entity: DataverseEntity, select: [String]?) -> [JSONValue] {
        let image: [(String, String, String, String?)] = [
            ("entityimage", "Virtual", "Image", nil), ("entityimageid", "Uniqueidentifier", "UniqueIdentifier", nil),
            ("entityimage_timestamp", "BigInt", "BigInt", "entityimage"),
            ("entityimage_url", "String", "String", "entityimage"),
        ]
        return image.map { name, type, metadataType, attributeOf in
            var members: [(String, JSONValue)] = [
                ("@odata.type", .string("#Microsoft.Dynamics.CRM.\(metadataType)AttributeMetadata")),
                ("MetadataId", .string(StableID.guid("attribute:\(entity.logicalName).\(name)"))),
                ("LogicalName", .string(name)), ("SchemaName", .string(schemaName(name))),
                ("EntityLogicalName", .string(entity.logicalName)), ("AttributeType", .string(type)),
                ("AttributeTypeName", .object([("Value", .string(metadataType + "Type"))])),
                ("IsValidForRead", .bool(true)), ("IsCustomAttribute", .bool(false)),
                ("AttributeOf", attributeOf.map(JSONValue.string) ?? .null),
            ]
            if let select {
                members = members.filter { $0.0 == "@odata.type" || $0.0 == "MetadataId" || select.contains($0.0) }
            }
            return .object(members)
        }
    }

    private static func label(_ text: String) -> JSONValue {
        let label = JSONValue.object([("Label", .string(text)), ("LanguageCode", .int(1033))])
        return .object([("LocalizedLabels", .array([label])), ("UserLocalizedLabel", label)])
    }

    private static func schemaName(_ logicalName: String) -> String {
        logicalName.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: "_")
    }

    private static func typeName(_ attributeType: String) -> String {
        switch attributeType {
        case "Uniqueidentifier": "UniqueidentifierType"
        case "Customer": "CustomerType"
        case "Owner": "OwnerType"
        default: attributeType + "Type"
        }
    }

    private static func names(_ list: String) -> [String] {
        list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// `Property eq 'value'`.
    private static func equalityFilter(_ filter: String) -> (property: String, value: String)? {
        let parts = filter.split(separator: " ", maxSplits: 2).map(String.init)
        guard parts.count == 3, parts[1] == "eq", parts[2].count >= 2, parts[2].hasPrefix("'"), parts[2].hasSuffix("'")
        else { return nil }
        return (parts[0], String(parts[2].dropFirst().dropLast()))
    }

    /// The `$select` inside `Attributes($select=a,b)`.
    private static func nestedSelect(_ expand: String) -> [String]? {
        guard let open = expand.range(of: "($select="), let close = expand.lastIndex(of: ")") else { return nil }
        return names(String(expand[open.upperBound..<close]))
    }
}
