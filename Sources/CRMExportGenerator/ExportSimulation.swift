/// The simulated state of a CRM org, month by month: which records exist and how often each field changed.
///
/// Month 0 is built from the seed with records created between January 2019 and the end of January 2026,
/// growing denser toward the present. ``advance()`` then simulates one more month: a few deletions (with
/// Salesforce's cascades to child records), 2–4 % of records modified with a strong bias toward recent ones,
/// and 1–2 % new records per object. Every random draw comes from a stream keyed by seed, month and object, so
/// the state at month `m` is a pure function of the seed, the scale and `m`.
struct ExportSimulation: Sendable {
    /// The seed every random stream derives from.
    let seed: UInt64

    /// The number of Accounts at month 0.
    let scale: Int

    /// The month whose state ``records`` holds.
    private(set) var month = 0

    /// The live records of each object, indexed by ``ExportObject/rawValue``, in creation (and id) order.
    private(set) var records: [[RecordState]]

    /// The next record number to hand out per object; numbers of deleted records are never reused.
    private var nextNumbers: [UInt64]

    /// The next creation ordinal per object.
    private var nextOrdinals: [UInt32]

    /// Share of modifications that fall on the newest records.
    private static let recentModificationShare = 0.7

    /// The newest fraction of records that receives ``recentModificationShare`` of modifications.
    private static let recentFraction = 0.2

    /// Distinguishes the random streams that build month 0.
    private static let initialStreamKey: UInt64 = 0x1_0000_0000

    /// Distinguishes the random streams of later months (plus the month).
    private static let monthlyStreamKey: UInt64 = 0x2_0000_0000

    /// The first month of the org's history (January 2019), relative to export month 0.
    private static let historyStartMonth = -84

    /// Builds the state of month 0.
    init(seed: UInt64, scale: Int) {
        self.seed = seed
        self.scale = max(1, scale)
        records = Array(repeating: [], count: ExportObject.allCases.count)
        nextNumbers = ExportObject.allCases.map(\.firstRecordNumber)
        nextOrdinals = Array(repeating: 0, count: ExportObject.allCases.count)
        let historyStart = CivilCalendar.startOfExportMonth(ExportSimulation.historyStartMonth)
        let exportEnd = CivilCalendar.startOfExportMonth(1)
        for object in ExportObject.allCases {
            var random = DeterministicRandom(seed, UInt64(object.rawValue), ExportSimulation.initialStreamKey)
            let count = max(1, Int((Double(self.scale) * object.recordsPerAccount).rounded()))
            let span = Double(exportEnd - historyStart - 3_600)
            records[object.rawValue].reserveCapacity(count + count / 4)
            for index in 0..<count {
                // (u + √u) / 2 is increasing, with density rising toward the present: the org grows.
                let position = (Double(index) + random.unit()) / Double(count)
                let createdSecond = historyStart + Int64(span * (position + position.squareRoot()) / 2)
                var record = makeRecord(object, createdSecond: createdSecond, random: &random)
                ageInitialRecord(&record, object: object, exportEnd: exportEnd, random: &random)
                records[object.rawValue].append(record)
            }
        }
    }

    /// Simulates one more month.
    mutating func advance() {
        month += 1
        let monthStart = CivilCalendar.startOfExportMonth(month)
        let monthEnd = CivilCalendar.startOfExportMonth(month + 1)
        var deletedKeys = Set<UInt64>()
        for object in ExportObject.allCases {
            let streamKey = ExportSimulation.monthlyStreamKey + UInt64(month)
            var random = DeterministicRandom(seed, UInt64(object.rawValue), streamKey)
            deleteRecords(of: object, deletedKeys: &deletedKeys, window: monthStart..<monthEnd, random: &random)
            modifyRecords(of: object, window: monthStart..<monthEnd, random: &random)
            let existing = records[object.rawValue].count
            let additions = random.count(expected: Double(existing) * (0.01 + 0.01 * random.unit()))
            let span = Double(monthEnd - monthStart - 60)
            for index in 0..<additions {
                let position = (Double(index) + random.unit()) / Double(additions)
                var record = makeRecord(object, createdSecond: monthStart + Int64(span * position), random: &random)
                if random.chance(0.25) {
                    record.modifiedSecond += Int64(Double(monthEnd - 1 - record.createdSecond) * random.unit())
                    record.modificationCount = 1
                }
                records[object.rawValue].append(record)
            }
        }
    }

    /// Creates a record with the next number of `object`, linked to existing parents created before it.
    private mutating func makeRecord(
        _ object: ExportObject,
        createdSecond: Int64,
        random: inout DeterministicRandom
    ) -> RecordState {
        let number = nextNumbers[object.rawValue]
        nextNumbers[object.rawValue] += 1 + UInt64(random.below(24))
        let ordinal = nextOrdinals[object.rawValue]
        nextOrdinals[object.rawValue] += 1
        var record = RecordState(
            number: number,
            seed: DeterministicRandom.mix(seed, RecordReference.key(object: object, number: number)),
            createdSecond: createdSecond,
            modifiedSecond: createdSecond,
            ordinal: ordinal
        )
        switch object {
        case .account:
            if random.chance(0.08), let parent = pickParent(.account, before: createdSecond, random: &random) {
                record.accountNumber = parent.number
            }
        case .contact, .opportunity:
            record.accountNumber = pickParent(.account, before: createdSecond, random: &random)?.number ?? 0
        case .lead:
            break
        case .supportCase:
            if let contact = pickParent(.contact, before: createdSecond, random: &random) {
                record.what = RecordReference(
                    object: .contact,
                    number: contact.number,
                    accountNumber: contact.accountNumber
                )
                record.accountNumber = contact.accountNumber
            }
        case .task:
            linkTask(&record, random: &random)
        }
        return record
    }

    /// Chooses what a new Task is about (`WhatId`), whom it concerns (`WhoId`) and hence its Account.
    private func linkTask(_ task: inout RecordState, random: inout DeterministicRandom) {
        if random.chance(0.2) {
            if let lead = pickParent(.lead, before: task.createdSecond, random: &random) {
                task.who = RecordReference(object: .lead, number: lead.number)
            }
            return
        }
        let draw = random.below(100)
        let whatObject: ExportObject = draw < 25 ? .account : draw < 70 ? .opportunity : .supportCase
        if let what = pickParent(whatObject, before: task.createdSecond, random: &random) {
            task.what = RecordReference(object: whatObject, number: what.number)
            task.accountNumber = whatObject == .account ? what.number : what.accountNumber
        }
        if random.chance(0.7), let contact = pickParent(.contact, before: task.createdSecond, random: &random) {
            task.who = RecordReference(
                object: .contact,
                number: contact.number,
                accountNumber: contact.accountNumber
            )
        }
    }

    /// Picks a live record of `object` created no later than `second`, favouring the most recent ones.
    private func pickParent(
        _ object: ExportObject,
        before second: Int64,
        random: inout DeterministicRandom
    ) -> RecordState? {
        let candidates = records[object.rawValue]
        guard !candidates.isEmpty else { return nil }
        var low = 0
        var high = candidates.count
        while low < high {
            let middle = (low + high) / 2
            if candidates[middle].createdSecond <= second { low = middle + 1 } else { high = middle }
        }
        let available = max(1, low)
        if random.chance(0.55) {
            return candidates[available - 1 - random.below(min(available, max(1, available / 40)))]
        }
        return candidates[random.below(available)]
    }

    /// Gives a month-0 record a plausible history: life-cycle progress by age and some earlier edits.
    private func ageInitialRecord(
        _ record: inout RecordState,
        object: ExportObject,
        exportEnd: Int64,
        random: inout DeterministicRandom
    ) {
        let ageDays = Int((exportEnd - record.createdSecond) / CivilCalendar.secondsPerDay)
        let editProbability = min(0.5, Double(ageDays) / 1_500)
        var edited = false
        for slot in object.modificationWeights.indices {
            if slot == object.progressSlot {
                let steps = min(15, ageDays / object.daysPerProgressStep + random.below(2))
                record.setRevision(slot, to: steps)
                edited = edited || steps > 0
            } else if random.chance(editProbability) {
                record.setRevision(slot, to: 1 + random.below(2))
                edited = true
            }
        }
        if edited || random.chance(0.2) {
            let untilEnd = Double(exportEnd - 60 - record.createdSecond)
            record.modifiedSecond += Int64(untilEnd * random.unit().squareRoot())
            record.modificationCount = UInt32(1 + random.below(4))
        }
    }

    /// Deletes a few random records of `object` plus every record whose parent was deleted this month.
    private mutating func deleteRecords(
        of object: ExportObject,
        deletedKeys: inout Set<UInt64>,
        window: Range<Int64>,
        random: inout DeterministicRandom
    ) {
        var current = records[object.rawValue]
        guard !current.isEmpty else { return }
        var doomed = [Bool](repeating: false, count: current.count)
        for _ in 0..<random.count(expected: Double(current.count) * object.monthlyDeletionRate) {
            doomed[random.below(current.count)] = true
        }
        if !deletedKeys.isEmpty {
            for index in current.indices {
                let record = current[index]
                let accountDeleted = record.accountNumber != 0
                    && deletedKeys.contains(RecordReference.key(object: .account, number: record.accountNumber))
                if object == .account {
                    // Deleting a parent account clears the child's ParentId, which counts as an edit.
                    if accountDeleted {
                        current[index].accountNumber = 0
                        touch(&current[index], window: window, random: &random)
                    }
                    continue
                }
                if accountDeleted
                    || record.what.map({ deletedKeys.contains($0.key) }) == true
                    || record.who.map({ deletedKeys.contains($0.key) }) == true {
                    doomed[index] = true
                }
            }
        }
        var survivors: [RecordState] = []
        survivors.reserveCapacity(current.count + current.count / 16)
        for index in current.indices {
            if doomed[index] {
                deletedKeys.insert(RecordReference.key(object: object, number: current[index].number))
            } else {
                survivors.append(current[index])
            }
        }
        records[object.rawValue] = survivors
    }

    /// Modifies 2–4 % of the records of `object`, 70 % of the edits landing on the newest 20 %.
    private mutating func modifyRecords(
        of object: ExportObject,
        window: Range<Int64>,
        random: inout DeterministicRandom
    ) {
        let count = records[object.rawValue].count
        guard count > 0 else { return }
        let weights = object.modificationWeights
        let totalWeight = weights.reduce(0, +)
        let recentStart = count - max(1, Int(Double(count) * ExportSimulation.recentFraction))
        let modifications = random.count(expected: Double(count) * (0.02 + 0.02 * random.unit()))
        for _ in 0..<modifications {
            let index = random.chance(ExportSimulation.recentModificationShare) || recentStart == 0
                ? recentStart + random.below(count - recentStart)
                : random.below(recentStart)
            let slotCount = random.chance(0.7) ? 1 : 2
            for _ in 0..<slotCount {
                var draw = random.below(totalWeight)
                var slot = 0
                while draw >= weights[slot] {
                    draw -= weights[slot]
                    slot += 1
                }
                records[object.rawValue][index].bumpRevision(slot)
            }
            touch(&records[object.rawValue][index], window: window, random: &random)
        }
    }

    /// Records an edit at a random time of the month, never before creation or an earlier edit.
    private func touch(_ record: inout RecordState, window: Range<Int64>, random: inout DeterministicRandom) {
        let second = window.lowerBound + Int64(random.below(Int(window.upperBound - window.lowerBound)))
        record.modifiedSecond = max(record.modifiedSecond, record.createdSecond, second)
        record.modificationCount &+= 1
    }
}
