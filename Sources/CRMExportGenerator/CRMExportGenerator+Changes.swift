extension CRMExportGenerator {
    /// The records of one object that the simulation added, deleted and modified in one month, by Salesforce id.
    public struct ObjectChanges: Sendable, Equatable {
        public var added: Set<String> = []
        public var deleted: Set<String> = []
        public var modified: Set<String> = []
    }

    /// What the simulation of `month` (at least 1) did to month `month - 1`'s records, by object name: the generator's
    /// own record of the changes, for checking a record-level diff of the two exports.
    public func changes(inMonth month: Int) -> [String: ObjectChanges] {
        precondition(month >= 1, "changes start with month 1")
        var simulation = ExportSimulation(seed: seed, scale: scale)
        while simulation.month < month - 1 {
            simulation.advance()
        }
        let before = simulation.records
        simulation.advance()
        var changes: [String: ObjectChanges] = [:]
        for object in ExportObject.allCases {
            let prefix = String(decoding: object.keyPrefix, as: UTF8.self)
            let old = Dictionary(uniqueKeysWithValues: before[object.rawValue].map { ($0.number, $0) })
            var result = ObjectChanges()
            var seen = Set<UInt64>()
            for record in simulation.records[object.rawValue] {
                seen.insert(record.number)
                let id = SalesforceID.string(keyPrefix: prefix, number: record.number)
                guard let previous = old[record.number] else {
                    result.added.insert(id)
                    continue
                }
                // A row is a pure function of the state: it changed exactly when the state did.
                if previous.modifiedSecond != record.modifiedSecond || previous.revisions != record.revisions
                    || previous.modificationCount != record.modificationCount
                    || previous.accountNumber != record.accountNumber
                    || previous.what != record.what || previous.who != record.who
                {
                    result.modified.insert(id)
                }
            }
            for number in old.keys where !seen.contains(number) {
                result.deleted.insert(SalesforceID.string(keyPrefix: prefix, number: number))
            }
            changes[object.name] = result
        }
        return changes
    }
}
