/// The JSON of `GET /services/data/vNN.N/sobjects` and `…/sobjects/NAME/describe`, with the properties the REST
/// API documents for DescribeGlobal and DescribeSObject (a representative subset of each).
enum SalesforceDescribe {
    /// The `sobjects` list: every generated object (queryable) and a few that are not.
    static func global(objects: [String], version: String) -> JSONValue {
        var entries: [JSONValue] = []
        for name in objects {
            entries.append(
                summary(
                    name: name, label: name == "Case" ? "Case" : name,
                    plural: SalesforceSchema.pluralLabels[name] ?? name,
                    keyPrefix: SalesforceSchema.keyPrefixes[name], queryable: true, version: version))
        }
        for object in SalesforceSchema.filterRequiredObjects {
            entries.append(
                summary(
                    name: object.name, label: object.label, plural: object.label + "s", keyPrefix: nil,
                    queryable: true, version: version))
        }
        for (name, label) in SalesforceSchema.unqueryableObjects {
            entries.append(
                summary(
                    name: name, label: label, plural: label + "s", keyPrefix: nil, queryable: false, version: version))
        }
        return .object([("encoding", .string("UTF-8")), ("maxBatchSize", .int(200)), ("sobjects", .array(entries))])
    }

    /// A `describe` of a generated object.
    static func object(
        _ name: String, fields: [SalesforceField], picklistValues: [String: [String]], version: String
    ) -> JSONValue {
        let base = summary(
            name: name, label: name, plural: SalesforceSchema.pluralLabels[name] ?? name,
            keyPrefix: SalesforceSchema.keyPrefixes[name], queryable: true, version: version)
        guard case .object(var members) = base else { return base }
        members.append(("fields", .array(fields.map { field($0, picklistValues: picklistValues[$0.name] ?? []) })))
        members.append(("childRelationships", .array([])))
        members.append(("recordTypeInfos", .array([])))
        return .object(members)
    }

    /// A `describe` of a listed object that Bulk API 2.0 cannot query.
    static func unqueryable(_ name: String, label: String, queryable: Bool = false, version: String) -> JSONValue {
        let base = summary(
            name: name, label: label, plural: label + "s", keyPrefix: nil, queryable: queryable, version: version)
        guard case .object(var members) = base else { return base }
        let id = SalesforceField(
            name: "Id", type: "id", length: 18, referenceTo: [], relationshipName: nil, compoundFieldName: nil)
        members.append(("fields", .array([field(id, picklistValues: [])])))
        members.append(("childRelationships", .array([])))
        members.append(("recordTypeInfos", .array([])))
        return .object(members)
    }

    private static func summary(
        name: String, label: String, plural: String, keyPrefix: String?, queryable: Bool, version: String
    ) -> JSONValue {
        let base = "/services/data/v\(version)/sobjects/\(name)"
        return .object([
            ("activateable", .bool(false)), ("createable", .bool(queryable)), ("custom", .bool(false)),
            ("customSetting", .bool(false)), ("deletable", .bool(queryable)), ("deprecatedAndHidden", .bool(false)),
            ("feedEnabled", .bool(queryable)), ("keyPrefix", .optional(keyPrefix)), ("label", .string(label)),
            ("labelPlural", .string(plural)), ("layoutable", .bool(queryable)), ("mergeable", .bool(false)),
            ("mruEnabled", .bool(queryable)), ("name", .string(name)), ("queryable", .bool(queryable)),
            ("replicateable", .bool(queryable)), ("retrieveable", .bool(queryable)), ("searchable", .bool(queryable)),
            ("triggerable", .bool(queryable)), ("undeletable", .bool(queryable)), ("updateable", .bool(queryable)),
            (
                "urls",
                .object([
                    ("rowTemplate", .string(base + "/{ID}")), ("describe", .string(base + "/describe")),
                    ("sobject", .string(base)),
                ])
            ),
        ])
    }

    private static func field(_ field: SalesforceField, picklistValues: [String]) -> JSONValue {
        let isNumber = ["int", "double", "currency", "percent"].contains(field.type)
        let precision = field.type == "int" ? 0 : isNumber ? 18 : 0
        let scale = field.type == "currency" ? 2 : 0
        let digits = field.type == "int" ? 9 : 0
        let picklist: [JSONValue] = picklistValues.map { value in
            .object([
                ("active", .bool(true)), ("defaultValue", .bool(false)), ("label", .string(value)), ("validFor", .null),
                ("value", .string(value)),
            ])
        }
        return .object([
            ("aggregatable", .bool(!["textarea", "address"].contains(field.type))),
            ("autoNumber", .bool(field.name == "CaseNumber")),
            ("byteLength", .int(field.length * 3)),
            ("calculated", .bool(false)),
            ("compoundFieldName", .optional(field.compoundFieldName)),
            ("createable", .bool(field.type != "id" && !SalesforceField.auditFields.contains(field.name))),
            ("custom", .bool(field.isCustom)),
            ("defaultedOnCreate", .bool(field.type == "boolean" || SalesforceField.auditFields.contains(field.name))),
            ("digits", .int(digits)),
            ("externalId", .bool(false)),
            ("filterable", .bool(field.type != "textarea" && field.type != "address")),
            ("idLookup", .bool(field.type == "id")),
            ("label", .string(field.label)),
            ("length", .int(field.length)),
            ("name", .string(field.name)),
            ("nillable", .bool(field.isNillable)),
            ("picklistValues", .array(picklist)),
            ("polymorphicForeignKey", .bool(field.referenceTo.count > 1)),
            ("precision", .int(precision)),
            ("referenceTo", .array(field.referenceTo.map(JSONValue.string))),
            ("relationshipName", .optional(field.relationshipName)),
            ("scale", .int(scale)),
            ("soapType", .string(field.soapType)),
            ("sortable", .bool(field.type != "textarea" && field.type != "address")),
            ("type", .string(field.type)),
            ("unique", .bool(false)),
            ("updateable", .bool(field.type != "id" && !SalesforceField.auditFields.contains(field.name))),
        ])
    }
}
