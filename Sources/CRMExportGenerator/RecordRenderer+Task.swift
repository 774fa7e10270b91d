extension RecordRenderer {
    /// The mutable field slots of a Task.
    enum TaskSlot: Int, CaseIterable {
        case owner, status, activityDate, description, priority, reminder, disposition

        /// The relative probability that a modification touches this slot.
        var modificationWeight: Int {
            switch self {
            case .owner: 5
            case .status: 35
            case .activityDate: 15
            case .description: 15
            case .priority: 10
            case .reminder: 10
            case .disposition: 10
            }
        }
    }

    /// What kind of activity a task logs (`TaskSubtype`).
    private enum TaskKind: Int {
        case email, call, task
    }

    /// The exported Task fields.
    static let taskFieldNames = [
        "Id", "WhoId", "WhatId", "Subject", "ActivityDate", "Status", "Priority", "IsHighPriority", "OwnerId",
        "Description", "IsDeleted", "AccountId", "IsClosed", "CreatedDate", "CreatedById", "LastModifiedDate",
        "LastModifiedById", "SystemModstamp", "IsArchived", "CallDurationInSeconds", "CallType", "CallDisposition",
        "CallObject", "ReminderDateTime", "IsReminderSet", "RecurrenceActivityId", "IsRecurrence", "TaskSubtype",
        "CompletedDateTime",
    ]

    /// `Task.Priority` values, weighted toward Normal.
    private static let taskPriorities = Word.texts(["Normal", "Normal", "Normal", "Normal", "High", "Low"])

    /// `TaskSubtype` values by ``TaskKind``.
    private static let taskSubtypes = Word.texts(["Email", "Call", "Task"])

    /// Writes one Task row.
    func writeTask(_ record: RecordState, to writer: inout CSVRowWriter) {
        var subject = fixed(record, .subject)
        var extras = fixed(record, .extras)
        let kindDraw = subject.below(100)
        let kind: TaskKind = kindDraw < 35 ? .email : kindDraw < 70 ? .call : .task
        writer.field(id: record.number, keyPrefix: ExportObject.task.keyPrefix)
        writer.field(reference: record.who)
        writer.field(reference: record.what)
        writer.openField()
        switch kind {
        case .email:
            writer.append(subject.element(of: Vocabulary.emailSubjects))
        case .call:
            writer.append(RecordRenderer.callSubject)
            if subject.chance(0.5) {
                writer.append(RecordRenderer.subjectSeparator)
                writer.append(subject.element(of: Vocabulary.taskSubjects))
            }
        case .task:
            writer.append(subject.element(of: Vocabulary.taskSubjects))
        }
        writer.closeField()

        var activity = slot(record, TaskSlot.activityDate.rawValue)
        let activityDay = createdDay(record) + extras.below(14) * (kind == .task ? 1 : 0)
            + record.revision(TaskSlot.activityDate.rawValue) * 7 + (kind == .task ? activity.below(5) : 0)
        writer.field(day: activityDay)
        let stalls = extras.chance(0.1)
        let step = kind == .task ? min(2, record.revision(TaskSlot.status.rawValue)) : 2
        let completed = step == 2
        if step == 1 && stalls {
            writer.field(Vocabulary.stalledTaskStatuses[Int(record.seed % 2)])
        } else {
            writer.field(Vocabulary.taskStatuses[step])
        }
        var priority = slot(record, TaskSlot.priority.rawValue)
        let priorityText = priority.element(of: RecordRenderer.taskPriorities)
        writer.field(priorityText)
        writer.field(priorityText == RecordRenderer.taskPriorities[4])
        writeOwner(record, slot: TaskSlot.owner.rawValue, to: &writer)
        writeTaskDescription(record, kind: kind, to: &writer)
        writer.field(false)
        if record.accountNumber != 0 {
            writer.field(id: record.accountNumber, keyPrefix: ExportObject.account.keyPrefix)
        } else {
            writer.emptyField()
        }
        writer.field(completed)
        writeAudit(record, to: &writer)
        writer.field(false)
        var disposition = slot(record, TaskSlot.disposition.rawValue)
        let callSeconds = extras.within(15...2_400)
        if kind == .call {
            writer.field(integer: callSeconds)
            writer.field(extras.element(of: Vocabulary.callTypes))
            writer.field(disposition.element(of: Vocabulary.callDispositions))
        } else {
            writer.emptyField()
            writer.emptyField()
            writer.emptyField()
        }
        writer.emptyField()
        var reminder = slot(record, TaskSlot.reminder.rawValue)
        let hasReminder = kind == .task && reminder.chance(0.3)
        if hasReminder {
            let reminderHour = Int64(reminder.within(7...16))
            writer.field(dateTime: Int64(activityDay) * CivilCalendar.secondsPerDay + reminderHour * 3_600)
        } else {
            writer.emptyField()
        }
        writer.field(hasReminder)
        writer.emptyField()
        writer.field(false)
        writer.field(RecordRenderer.taskSubtypes[kind.rawValue])
        let workDays = Int64(extras.within(0...9)) * CivilCalendar.secondsPerDay + Int64(extras.below(28_800))
        if completed {
            let completion = kind == .task
                ? min(record.modifiedSecond, record.createdSecond + workDays)
                : record.createdSecond
            writer.field(dateTime: completion)
        } else {
            writer.emptyField()
        }
    }

    /// Writes a task's `Description`: an e-mail body, call notes or to-do notes, plus later notes per revision.
    private func writeTaskDescription(_ record: RecordState, kind: TaskKind, to writer: inout CSVRowWriter) {
        var body = fixed(record, .body)
        writer.openField()
        switch kind {
        case .email:
            writer.append(body.element(of: Vocabulary.emailGreetings))
            if let who = record.who {
                writer.append(person(of: who).first.text)
            } else {
                writer.append(RecordRenderer.genericAddressee)
            }
            writer.append(RecordRenderer.greetingTail)
            let paragraphs = body.within(1...2)
            for paragraph in 0..<paragraphs {
                if paragraph > 0 {
                    writer.append(RecordRenderer.paragraphBreak)
                }
                appendSentences(body.within(1...3), random: &body, to: &writer)
            }
            writer.append(RecordRenderer.paragraphBreak)
            writer.append(body.element(of: Vocabulary.emailClosings))
            writer.append(byte: 0x0A)
            let sender = userPerson(creatorIndex(record))
            writer.append(sender.first.text)
            writer.append(byte: 0x20)
            writer.append(sender.last.text)
        case .call:
            appendSentences(body.within(1...2), random: &body, to: &writer)
        case .task:
            if body.chance(0.5) {
                appendSentences(body.within(1...2), random: &body, to: &writer)
            }
        }
        let notes = kind == .email ? 0 : record.revision(TaskSlot.description.rawValue)
        if notes > 0 {
            for noteIndex in 1...notes {
                var note = DeterministicRandom(record.seed, 0x5_0000 + UInt64(noteIndex))
                writer.append(byte: 0x0A)
                appendSentences(1, random: &note, to: &writer)
            }
        }
        writer.closeField()
    }

    /// The subject of logged calls.
    private static let callSubject: [UInt8] = Array("Call".utf8)

    /// Between subject parts.
    private static let subjectSeparator: [UInt8] = Array(": ".utf8)

    /// The addressee of an e-mail to nobody in particular.
    private static let genericAddressee: [UInt8] = Array("team".utf8)

    /// Ends an e-mail greeting line.
    private static let greetingTail: [UInt8] = Array(",\n\n".utf8)
}
