/// What changed between two exports, object by object, and the alerts a monthly job should raise.
public struct DiffReport: Sendable, Codable {
    /// One side of the comparison.
    public struct Side: Sendable, Codable {
        public var snapshot: String?
        public var label: String?
        public var time: String?
        public var source: String?

        public init(snapshot: String? = nil, label: String? = nil, time: String? = nil, source: String? = nil) {
            self.snapshot = snapshot
            self.label = label
            self.time = time
            self.source = source
        }
    }

    public var a = Side()
    public var b = Side()
    public var objects: [ObjectDiff] = []
    public var alerts: [DiffAlert] = []
    public var warnings: [String] = []
    public var seconds = 0.0

    public init() {}
}

/// The changes of one object, by record id.
public struct ObjectDiff: Sendable, Codable {
    public var name: String
    /// `Id` (or the manifest's primary key), or `row` when the object has no id column and rows are compared whole.
    public var key: String
    public var recordsA = 0
    public var recordsB = 0
    public var added = 0
    public var deleted = 0
    public var modified = 0
    public var unchanged = 0
    /// Fields changed in modified records, most changed first.
    public var fields: [FieldChange] = []
    public var columnsAdded: [String] = []
    public var columnsRemoved: [String] = []
    /// Records that did not parse (left out of the comparison), per side.
    public var malformedA = 0
    public var malformedB = 0
    /// With `--ids`: the ids, sorted.
    public var addedIDs: [String]?
    public var deletedIDs: [String]?
    public var modifiedIDs: [String]?

    public init(name: String, key: String) {
        self.name = name
        self.key = key
    }
}

/// How often one field changed.
public struct FieldChange: Sendable, Codable, Equatable {
    public var name: String
    /// Modified records whose value of this field differs.
    public var changed: Int
    /// … of which the value was removed (non-empty before, empty after).
    public var blanked: Int
    /// … of which an empty value was filled.
    public var filled: Int

    public init(name: String, changed: Int, blanked: Int, filled: Int) {
        self.name = name
        self.changed = changed
        self.blanked = blanked
        self.filled = filled
    }
}

/// A change large enough to be a mass-deletion or ransomware signal.
public struct DiffAlert: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case deleted, blanked
    }

    public var kind: Kind
    public var object: String
    public var field: String?
    public var count: Int
    /// The object's records in A.
    public var of: Int
    /// Per mille, rounded down (integers keep JSON exact).
    public var perMille: Int
    public var message: String
}
