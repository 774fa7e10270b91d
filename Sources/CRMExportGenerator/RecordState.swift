/// The compact, render-ready state of one simulated CRM record.
///
/// A record does not store its field values: they are derived on rendering from the record's ``seed`` and the
/// revision counter of each mutable field slot, so a modification only bumps a 4-bit counter and the timestamps.
/// Slots are object-specific (see ``RecordRenderer``); a slot whose counter is unchanged renders identically.
struct RecordState: Sendable {
    /// The base-62 record number encoded in the record's Salesforce id.
    var number: UInt64

    /// The seed all field values derive from.
    var seed: UInt64

    /// Creation time, seconds since 1970.
    var createdSecond: Int64

    /// Last modification time, seconds since 1970 (equal to ``createdSecond`` if never modified).
    var modifiedSecond: Int64

    /// Sixteen 4-bit revision counters, one per mutable field slot; slot `s` occupies bits `4s ..< 4s + 4`.
    var revisions: UInt64 = 0

    /// How many times the record was modified, which picks the last modifying user.
    var modificationCount: UInt32 = 0

    /// The 0-based creation ordinal of the record within its object (drives e.g. `CaseNumber`).
    var ordinal: UInt32

    /// The number of the related Account (the account itself for an Account's `ParentId`), or 0 for none.
    var accountNumber: UInt64 = 0

    /// The related record a Task is about (`WhatId`), or the Contact of a Case.
    var what: RecordReference?

    /// The person a Task concerns (`WhoId`): a Contact or a Lead.
    var who: RecordReference?

    /// Returns the revision counter of a mutable field slot.
    func revision(_ slot: Int) -> Int {
        Int((revisions >> UInt64(slot * 4)) & 0xF)
    }

    /// Sets the revision counter of a mutable field slot (values are taken modulo 16).
    mutating func setRevision(_ slot: Int, to value: Int) {
        let shift = UInt64(slot * 4)
        revisions = (revisions & ~(0xF << shift)) | (UInt64(value & 0xF) << shift)
    }

    /// Advances the revision counter of a mutable field slot, saturating at 15.
    mutating func bumpRevision(_ slot: Int) {
        setRevision(slot, to: min(15, revision(slot) + 1))
    }
}

/// A reference from one simulated record to another, by object and record number.
struct RecordReference: Sendable, Equatable {
    /// The referenced record's object.
    var object: ExportObject

    /// The referenced record's number.
    var number: UInt64

    /// The Account of the referenced record when it is a Contact (0 otherwise), so that renderers can derive
    /// the contact's name exactly as the Contact row shows it.
    var accountNumber: UInt64 = 0

    /// A key unique across objects, for sets of deleted records.
    var key: UInt64 {
        RecordReference.key(object: object, number: number)
    }

    /// Returns a key unique across objects.
    static func key(object: ExportObject, number: UInt64) -> UInt64 {
        UInt64(object.rawValue) << 58 | number
    }
}
