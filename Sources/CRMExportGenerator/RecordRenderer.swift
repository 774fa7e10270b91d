/// Renders simulated records as Salesforce Bulk API CSV rows.
///
/// Each object's fields and mutable slots are defined in `RecordRenderer+<Object>.swift`. Field values are drawn
/// from random streams keyed by the record's seed and either a fixed aspect (for values that never change) or a
/// mutable slot and its revision, so a record renders byte-identically until one of its slots is bumped.
struct RecordRenderer: Sendable {
    /// Keys for the random streams of values that never change once a record exists.
    enum Aspect: UInt64 {
        case identity = 0x1_0000
        case region
        case creator
        case classification
        case origin
        case size
        case shipping
        case extras
        case subject
        case body
    }

    /// A person's name and home region.
    struct Person: Sendable {
        /// Where the person lives and works.
        let region: Region

        /// The first name.
        let first: Word

        /// The family name.
        let last: Word

        /// The salutation, e.g. `Ms.`.
        let salutation: [UInt8]
    }

    /// A company's name parts and home region.
    struct Company: Sendable {
        /// Where the company is based.
        let region: Region

        /// The distinctive part of the name.
        let core: Word

        /// The generic part of the name, if any.
        let noun: Word?

        /// The legal form, including its separator.
        let legalSuffix: [UInt8]
    }

    /// The seed shared with the simulation, used to derive the seeds of referenced records.
    let seed: UInt64

    /// Record numbers of the org's users (key prefix `005`).
    private let userNumbers: [UInt64]

    /// Record numbers of the org's marketing campaigns (key prefix `701`).
    let campaignNumbers: [UInt64]

    /// Key prefix of users.
    static let userKeyPrefix: [UInt8] = Array("005".utf8)

    /// Key prefix of campaigns.
    static let campaignKeyPrefix: [UInt8] = Array("701".utf8)

    /// Key prefix of price books.
    static let pricebookKeyPrefix: [UInt8] = Array("01s".utf8)

    /// The record number of the standard price book.
    static let standardPricebookNumber: UInt64 = 62 * 62 * 62 * 62 * 62 + 4_000

    /// Creates a renderer for an org of `scale` accounts.
    init(seed: UInt64, scale: Int) {
        self.seed = seed
        let userCount = min(300, max(5, 3 + scale / 120))
        let base = UInt64(62 * 62 * 62 * 62 * 62) + 1_200
        userNumbers = (0..<userCount).map { base + UInt64($0) * 17 + UInt64($0 % 5) }
        campaignNumbers = (0..<max(4, min(60, scale / 400))).map { base * 3 + UInt64($0) * 29 }
    }

    /// Renders the CSV file of one object: its header and one row per record.
    func render(_ records: [RecordState], of object: ExportObject) -> [UInt8] {
        var writer = CSVRowWriter(capacity: 4_096 + records.count * RecordRenderer.estimatedRowBytes(object))
        writer.row(object.fieldNames)
        for record in records {
            switch object {
            case .account: writeAccount(record, to: &writer)
            case .contact: writeContact(record, to: &writer)
            case .lead: writeLead(record, to: &writer)
            case .opportunity: writeOpportunity(record, to: &writer)
            case .supportCase: writeCase(record, to: &writer)
            case .task: writeTask(record, to: &writer)
            }
            writer.endRow()
        }
        return writer.bytes
    }

    /// A generous estimate of an object's average row length, for buffer reservation.
    private static func estimatedRowBytes(_ object: ExportObject) -> Int {
        switch object {
        case .account: 700
        case .contact, .lead: 600
        case .opportunity: 550
        case .supportCase: 900
        case .task: 700
        }
    }

    // MARK: - Random streams

    /// The stream of a value that never changes.
    func fixed(_ record: RecordState, _ aspect: Aspect) -> DeterministicRandom {
        DeterministicRandom(record.seed, aspect.rawValue)
    }

    /// The stream of a mutable slot at its current revision.
    func slot(_ record: RecordState, _ slot: Int) -> DeterministicRandom {
        DeterministicRandom(record.seed, UInt64(slot) << 8 | UInt64(record.revision(slot)))
    }

    /// The seed of another record, as the simulation assigned it.
    func seed(of object: ExportObject, number: UInt64) -> UInt64 {
        DeterministicRandom.mix(seed, RecordReference.key(object: object, number: number))
    }

    // MARK: - People and companies

    /// The person a record with this seed names (a contact, a lead, a user).
    func person(seed personSeed: UInt64, preferredRegion: Region? = nil) -> Person {
        var random = DeterministicRandom(personSeed, Aspect.identity.rawValue)
        let region = preferredRegion.flatMap { random.chance(0.85) ? $0 : nil } ?? Region.pick(&random)
        let first = random.element(of: region.firstNames)
        let last = random.element(of: region.lastNames)
        return Person(region: region, first: first, last: last, salutation: random.element(of: Vocabulary.salutations))
    }

    /// The company a record with this seed names (an account, a lead's company).
    func company(seed companySeed: UInt64) -> Company {
        var random = DeterministicRandom(companySeed, Aspect.region.rawValue)
        let region = Region.pick(&random)
        let core = random.element(of: region.companyCores)
        let noun = random.chance(0.75) ? random.element(of: region.companyNouns) : nil
        return Company(region: region, core: core, noun: noun, legalSuffix: random.element(of: region.legalSuffixes))
    }

    /// The company of an account, or `nil` for no account.
    func company(ofAccount number: UInt64) -> Company? {
        number == 0 ? nil : company(seed: seed(of: .account, number: number))
    }

    /// Appends a company's display name.
    func appendName(of company: Company, to writer: inout CSVRowWriter) {
        writer.append(company.core.text)
        if let noun = company.noun {
            writer.append(company.region.nameJoiner)
            writer.append(noun.text)
        }
        writer.append(company.legalSuffix)
    }

    /// Appends a company's internet domain, e.g. `acme-systems.com`.
    func appendDomain(of company: Company, to writer: inout CSVRowWriter) {
        writer.append(company.core.ascii)
        if let noun = company.noun {
            writer.append(byte: 0x2D)
            writer.append(noun.ascii)
        }
        writer.append(company.region.domainSuffix)
    }

    /// Appends an e-mail address for a person at a company (or a free-mail domain without one).
    func appendEmail(
        of person: Person,
        at company: Company?,
        random: inout DeterministicRandom,
        to writer: inout CSVRowWriter
    ) {
        switch random.below(6) {
        case 0:
            writer.append(byte: person.first.ascii.first ?? 0x78)
            writer.append(person.last.ascii)
        case 1:
            writer.append(person.first.ascii)
        case 2:
            writer.append(person.first.ascii)
            writer.append(byte: 0x5F)
            writer.append(person.last.ascii)
        default:
            writer.append(person.first.ascii)
            writer.append(byte: 0x2E)
            writer.append(person.last.ascii)
        }
        if random.chance(0.08) {
            writer.appendInteger(random.within(1...99))
        }
        writer.append(byte: 0x40)
        if let company, random.chance(0.9) {
            appendDomain(of: company, to: &writer)
        } else {
            writer.append(random.element(of: RecordRenderer.freeMailDomains))
        }
    }

    /// Domains of free e-mail providers.
    private static let freeMailDomains = Word.texts([
        "gmail.com", "outlook.com", "yahoo.com", "icloud.com", "web.de", "orange.fr", "qq.com", "proton.me",
    ])

    // MARK: - Addresses and numbers

    /// Writes the five fields of a compound address (street, city, state, postal code, country).
    func writeAddress(in region: Region, random: inout DeterministicRandom, to writer: inout CSVRowWriter) {
        let city = random.element(of: region.cities)
        writer.openField()
        let houseNumber = random.element(of: region.houseNumberPatterns)
        if region.houseNumberFirst {
            appendPattern(houseNumber, areaCode: city.areaCode, random: &random, to: &writer)
            writer.append(byte: 0x20)
        }
        writer.append(random.element(of: region.streetNames))
        if !region.streetSuffixes.isEmpty {
            writer.append(byte: 0x20)
            writer.append(random.element(of: region.streetSuffixes))
        }
        if !region.houseNumberFirst {
            if !region.nameJoiner.isEmpty {
                writer.append(byte: 0x20)
            }
            appendPattern(houseNumber, areaCode: city.areaCode, random: &random, to: &writer)
        }
        if random.chance(0.3) {
            // Salesforce street fields are text areas: a second line is a real embedded newline.
            writer.append(byte: 0x0A)
            appendPattern(random.element(of: region.secondLines), areaCode: city.areaCode, random: &random, to: &writer)
        }
        writer.closeField()
        writer.field(city.name)
        writer.field(city.state)
        writer.openField()
        appendPattern(region.postalPattern, areaCode: city.areaCode, random: &random, to: &writer)
        writer.closeField()
        writer.field(random.chance(0.85) ? region.countrySpellings[0] : random.element(of: region.countrySpellings))
    }

    /// Writes five empty address fields.
    func writeEmptyAddress(to writer: inout CSVRowWriter) {
        for _ in 0..<5 {
            writer.emptyField()
        }
    }

    /// Writes a telephone number field in the region's format.
    func writePhone(in region: Region, random: inout DeterministicRandom, to writer: inout CSVRowWriter) {
        writer.openField()
        let city = random.element(of: region.cities)
        appendPattern(region.phonePattern, areaCode: city.areaCode, random: &random, to: &writer)
        if random.chance(0.05) {
            writer.append(RecordRenderer.extensionMarker)
            writer.appendInteger(random.within(100...999))
        }
        writer.closeField()
    }

    /// The text before a phone extension.
    private static let extensionMarker: [UInt8] = Array(" ext. ".utf8)

    /// Appends a pattern, replacing `#`, `*`, `@` and `%` (see ``Region``).
    func appendPattern(
        _ pattern: [UInt8],
        areaCode: [UInt8],
        random: inout DeterministicRandom,
        to writer: inout CSVRowWriter
    ) {
        for byte in pattern {
            switch byte {
            case 0x23: writer.append(byte: UInt8(0x30 + random.below(10)))
            case 0x2A: writer.append(byte: UInt8(0x31 + random.below(9)))
            case 0x40: writer.append(byte: UInt8(0x41 + random.below(26)))
            case 0x25: writer.append(areaCode)
            default: writer.append(byte: byte)
            }
        }
    }

    // MARK: - Free text

    /// Appends `count` generated sentences; sentences are separated by a space or, sometimes, line breaks.
    func appendSentences(_ count: Int, random: inout DeterministicRandom, to writer: inout CSVRowWriter) {
        for index in 0..<count {
            if index > 0 {
                switch random.below(10) {
                case 0, 1: writer.append(byte: 0x0A)
                case 2: writer.append(RecordRenderer.paragraphBreak)
                default: writer.append(byte: 0x20)
                }
            }
            writer.append(random.element(of: Vocabulary.sentenceSubjects))
            writer.append(byte: 0x20)
            writer.append(random.element(of: Vocabulary.sentenceVerbs))
            writer.append(byte: 0x20)
            writer.append(random.element(of: Vocabulary.sentenceObjects))
            writer.append(random.element(of: Vocabulary.sentenceEndings))
        }
    }

    /// Two line feeds.
    static let paragraphBreak: [UInt8] = [0x0A, 0x0A]

    /// Writes a field of `count` generated sentences, or an empty field when `count` is 0.
    func writeSentences(_ count: Int, random: inout DeterministicRandom, to writer: inout CSVRowWriter) {
        writer.openField()
        appendSentences(count, random: &random, to: &writer)
        writer.closeField()
    }

    // MARK: - Users and audit fields

    /// Picks a user index, a few users owning most records.
    func userIndex(_ random: inout DeterministicRandom) -> Int {
        min(random.below(userNumbers.count), random.below(userNumbers.count))
    }

    /// Writes a user id field.
    func writeUser(_ index: Int, to writer: inout CSVRowWriter) {
        writer.field(id: userNumbers[index], keyPrefix: RecordRenderer.userKeyPrefix)
    }

    /// Writes the `OwnerId` field from an owner slot.
    func writeOwner(_ record: RecordState, slot ownerSlot: Int, to writer: inout CSVRowWriter) {
        var random = slot(record, ownerSlot)
        writeUser(userIndex(&random), to: &writer)
    }

    /// The person behind a user, for signatures.
    func userPerson(_ index: Int) -> Person {
        person(seed: DeterministicRandom.mix(seed, userNumbers[index]), preferredRegion: Region.all[0])
    }

    /// The user who created a record (the API integration user for about a fifth of records).
    func creatorIndex(_ record: RecordState) -> Int {
        var random = fixed(record, .creator)
        return random.chance(0.2) ? 0 : userIndex(&random)
    }

    /// Writes `CreatedDate, CreatedById, LastModifiedDate, LastModifiedById, SystemModstamp`.
    func writeAudit(_ record: RecordState, to writer: inout CSVRowWriter) {
        let creator = creatorIndex(record)
        writer.field(dateTime: record.createdSecond)
        writeUser(creator, to: &writer)
        writer.field(dateTime: record.modifiedSecond)
        if record.modificationCount == 0 {
            writeUser(creator, to: &writer)
        } else {
            var random = DeterministicRandom(record.seed, 0x2_0000 + UInt64(record.modificationCount))
            writeUser(random.chance(0.25) ? 0 : userIndex(&random), to: &writer)
        }
        // A background job sometimes touches SystemModstamp a little after the last user edit.
        var stamp = DeterministicRandom(record.seed, 0x3_0000 + UInt64(record.modificationCount))
        writer.field(dateTime: record.modifiedSecond + (stamp.chance(0.1) ? Int64(stamp.below(3_600)) : 0))
    }

    /// Writes a date field from a day number, never later than the record's last modification.
    func writeDay(_ day: Int, notAfter record: RecordState, to writer: inout CSVRowWriter) {
        writer.field(day: min(day, CivilCalendar.day(ofSecond: record.modifiedSecond)))
    }

    /// The day a record was created.
    func createdDay(_ record: RecordState) -> Int {
        CivilCalendar.day(ofSecond: record.createdSecond)
    }
}
