import FluentKit
import Foundation
import KringCore

final class EventRecord: Model, @unchecked Sendable {
    static let schema = "events"

    @ID(key: .id) var id: UUID?
    @OptionalField(key: "group_id") var groupID: UUID?
    @Field(key: "organiser_id") var organiserID: UUID
    @Field(key: "title") var title: String
    @Field(key: "description") var about: String
    @Field(key: "starts_at") var startsAt: Date
    @Field(key: "ends_at") var endsAt: Date
    @Field(key: "time_zone") var timeZone: String
    @Field(key: "location") var location: String
    @Field(key: "online_url") var onlineURL: String
    @OptionalField(key: "capacity") var capacity: Int?
    @Field(key: "going_count") var goingCount: Int
    @Field(key: "waitlist_count") var waitlistCount: Int
    @OptionalField(key: "cancelled_at") var cancelledAt: Date?
    @OptionalField(key: "reminder_sent_at") var reminderSentAt: Date?
    @OptionalField(key: "hidden_at") var hiddenAt: Date?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    /// Raised by every change, for iCalendar's SEQUENCE.
    @Field(key: "revision") var revision: Int

    init() {}

    func domain() throws -> Event {
        Event(
            id: try requireID(), groupID: groupID, organiserID: organiserID, title: title, description: about, startsAt: startsAt,
            endsAt: endsAt,
            timeZone: timeZone, location: location, onlineURL: onlineURL, capacity: capacity, goingCount: goingCount,
            waitlistCount: waitlistCount,
            cancelledAt: cancelledAt, createdAt: createdAt, isHidden: hiddenAt != nil, updatedAt: updatedAt, revision: revision)
    }
}

final class RSVPRecord: Model, @unchecked Sendable {
    static let schema = "rsvps"

    @ID(key: .id) var id: UUID?
    @Field(key: "event_id") var eventID: UUID
    @Field(key: "member_id") var memberID: UUID
    @Field(key: "status") var status: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @OptionalField(key: "waitlisted_at") var waitlistedAt: Date?
    @OptionalField(key: "checked_in_at") var checkedInAt: Date?

    init() {}
}

/// A new or changed event, validated.
public struct EventDraft: Sendable {
    public var groupID: UUID?
    public var title: String
    public var description: String
    public var startsAt: Date
    public var endsAt: Date
    public var timeZone: String
    public var location: String
    public var onlineURL: String
    public var capacity: Int?
    /// Members who organise it with its creator; nil leaves them as they are.
    public var coOrganiserIDs: [UUID]?

    public init(
        groupID: UUID?, title: String, description: String, startsAt: Date, endsAt: Date, timeZone: String, location: String,
        onlineURL: String,
        capacity: Int?, coOrganiserIDs: [UUID]? = nil
    ) {
        self.groupID = groupID
        self.title = title
        self.description = description
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.timeZone = timeZone
        self.location = location
        self.onlineURL = onlineURL
        self.capacity = capacity
        self.coOrganiserIDs = coOrganiserIDs
    }
}

final class EventOrganiserRecord: Model, @unchecked Sendable {
    static let schema = "event_organisers"

    @ID(key: .id) var id: UUID?
    @Field(key: "event_id") var eventID: UUID
    @Field(key: "member_id") var memberID: UUID

    init() {}
}

/// Someone's answer, for the organisers' attendee list.
public struct Attendee: Sendable, Equatable {
    public let member: AuthorView
    public let status: RSVPStatus
    public let checkedIn: Bool
    public let answeredAt: Date
}

/// Events, answers, the waitlist, check-in, reminders and calendar feeds. Reads pass the same group
/// visibility rules as topics.
public struct EventRepository: Sendable {
    let database: any Database
    let clock: KringClock

    public init(database: any Database, clock: KringClock) {
        self.database = database
        self.clock = clock
    }

    // MARK: Writing

    public func create(_ draft: EventDraft, by organiser: Member) async throws -> Event {
        try await database.writeTransaction { tx in
            let now = clock.now()
            let record = EventRecord()
            record.id = UUID()
            record.organiserID = organiser.id
            record.goingCount = 0
            record.waitlistCount = 0
            record.createdAt = now
            record.revision = 0
            Self.apply(draft, to: record, now: now)
            try await record.create(on: tx)
            try await Self.setCoOrganisers(draft.coOrganiserIDs, of: record, on: tx)
            try await ActivityLog(database: tx, clock: clock).record(
                .eventCreated, by: organiser.actor, subjectType: "event", subjectID: record.id, groupID: draft.groupID)
            return try record.domain()
        }
    }

    /// Changes an event; a larger capacity moves waiting members up.
    public func update(_ eventID: UUID, with draft: EventDraft, by actor: Actor) async throws {
        try await database.writeTransaction { tx in
            guard let record = try await EventRecord.find(eventID, on: tx) else { throw StoreError.notFound }
            Self.apply(draft, to: record, now: clock.now())
            record.revision += 1
            try await record.save(on: tx)
            try await ActivityLog(database: tx, clock: clock).record(
                .eventChanged, by: actor, subjectType: "event", subjectID: eventID, groupID: record.groupID)
            try await Self.setCoOrganisers(draft.coOrganiserIDs, of: record, on: tx)
            try await EventRepository(database: tx, clock: clock).rebalance(record)
        }
    }

    public func cancel(_ eventID: UUID, by actor: Actor) async throws {
        guard let record = try await EventRecord.find(eventID, on: database) else { throw StoreError.notFound }
        guard record.cancelledAt == nil else { return }
        record.cancelledAt = clock.now()
        record.updatedAt = clock.now()
        record.revision += 1
        try await database.writeTransaction { tx in
            try await record.save(on: tx)
            try await ActivityLog(database: tx, clock: clock).record(
                .eventCancelled, by: actor, subjectType: "event", subjectID: eventID, groupID: record.groupID)
        }
    }

    /// Replaces the co-organisers (the creator is always an organiser and never listed twice).
    static func setCoOrganisers(_ ids: [UUID]?, of record: EventRecord, on database: any Database) async throws {
        guard let ids, let eventID = record.id else { return }
        try await EventOrganiserRecord.query(on: database).filter(\.$eventID == eventID).delete()
        var seen = Set<UUID>([record.organiserID])
        for id in ids where seen.insert(id).inserted {
            let organiser = EventOrganiserRecord()
            organiser.eventID = eventID
            organiser.memberID = id
            try await organiser.create(on: database)
        }
    }

    /// The co-organisers of several events at once.
    public func coOrganisers(ofEvents ids: [UUID]) async throws -> [UUID: [UUID]] {
        guard !ids.isEmpty else { return [:] }
        var result: [UUID: [UUID]] = [:]
        for record in try await EventOrganiserRecord.query(on: database).filter(\.$eventID ~~ ids).all() {
            result[record.eventID, default: []].append(record.memberID)
        }
        return result
    }

    /// The event's co-organisers, in the order they were added.
    public func coOrganisers(of eventID: UUID) async throws -> [UUID] {
        try await EventOrganiserRecord.query(on: database).filter(\.$eventID == eventID).all(\.$memberID)
    }

    static func apply(_ draft: EventDraft, to record: EventRecord, now: Date) {
        record.groupID = draft.groupID
        record.title = draft.title
        record.about = draft.description
        record.startsAt = draft.startsAt
        record.endsAt = draft.endsAt
        record.timeZone = draft.timeZone
        record.location = draft.location
        record.onlineURL = draft.onlineURL
        record.capacity = draft.capacity
        record.updatedAt = now
    }

    /// Records a member's answer. Going on a full event puts them on the waitlist; leaving a place
    /// moves the longest-waiting member up, who is told. Returns the member's resulting status.
    @discardableResult
    public func rsvp(_ eventID: UUID, member: Member, _ requested: RSVPStatus) async throws -> RSVPStatus {
        try await database.writeTransaction { tx in
            // One answer at a time per event, so two members cannot both take the last place.
            try await RowClaims.lock(EventRecord.schema, id: eventID, on: tx)
            guard let event = try await EventRecord.find(eventID, on: tx), event.cancelledAt == nil else { throw StoreError.notFound }
            let existing = try await RSVPRecord.query(on: tx).filter(\.$eventID == eventID).filter(\.$memberID == member.id).first()
            let goingWithout = try await RSVPRecord.query(on: tx).filter(\.$eventID == eventID).filter(
                \.$status == RSVPStatus.going.rawValue
            )
            .filter(\.$memberID != member.id).count()
            var status = RSVPRules.resolve(requested: requested, capacity: event.capacity, goingWithoutMember: goingWithout)
            // Someone already going keeps their place when asking to go again.
            if existing?.status == RSVPStatus.going.rawValue, requested == .going { status = .going }
            let record = existing ?? RSVPRecord()
            if existing == nil {
                record.eventID = eventID
                record.memberID = member.id
                record.createdAt = clock.now()
            }
            if status == .waitlisted, existing?.status != RSVPStatus.waitlisted.rawValue { record.waitlistedAt = clock.now() }
            record.status = status.rawValue
            record.updatedAt = clock.now()
            try await record.save(on: tx)
            try await ActivityLog(database: tx, clock: clock).record(
                .rsvp, by: member.actor, subjectType: "event", subjectID: eventID, groupID: event.groupID)
            try await EventRepository(database: tx, clock: clock).rebalance(event)
            return status
        }
    }

    /// Moves waiting members up while places are free, tells them, and refreshes the counts.
    func rebalance(_ event: EventRecord) async throws {
        let eventID = try event.requireID()
        let going = try await RSVPRecord.query(on: database).filter(\.$eventID == eventID).filter(\.$status == RSVPStatus.going.rawValue)
            .count()
        let waiting = try await RSVPRecord.query(on: database).filter(\.$eventID == eventID).filter(
            \.$status == RSVPStatus.waitlisted.rawValue
        )
        .sort(\.$waitlistedAt).sort(\.$createdAt).all()
        let promoted = waiting.prefix(RSVPRules.promotions(capacity: event.capacity, going: going, waiting: waiting.count))
        for record in promoted {
            record.status = RSVPStatus.going.rawValue
            record.updatedAt = clock.now()
            try await record.save(on: database)
            try await NotificationRepository(database: database, clock: clock).notify(
                record.memberID, kind: .eventPromoted, actorID: nil, groupID: event.groupID, topicID: nil, postID: nil, eventID: eventID)
        }
        event.goingCount = going + promoted.count
        event.waitlistCount = waiting.count - promoted.count
        try await event.save(on: database)
    }

    /// Marks who actually came (the attendee is the actor of the `check_in` event, for attendance);
    /// undoing a check-in removes the mark and logs nothing.
    public func checkIn(_ eventID: UUID, memberID: UUID, _ present: Bool) async throws {
        try await database.writeTransaction { tx in
            guard let record = try await RSVPRecord.query(on: tx).filter(\.$eventID == eventID).filter(\.$memberID == memberID).first(),
                let event = try await EventRecord.find(eventID, on: tx), let attendee = try await MemberRecord.find(memberID, on: tx)
            else { throw StoreError.notFound }
            let wasPresent = record.checkedInAt != nil
            record.checkedInAt = present ? (record.checkedInAt ?? clock.now()) : nil
            try await record.save(on: tx)
            guard present, !wasPresent else { return }
            try await ActivityLog(database: tx, clock: clock).record(
                .checkIn, by: try attendee.domain().actor, subjectType: "event", subjectID: eventID, groupID: event.groupID)
        }
    }

    // MARK: Reading

    /// The event if the viewer may read it.
    public func find(_ eventID: UUID, viewer: Viewer) async throws -> Event? {
        guard let record = try await EventRecord.find(eventID, on: database), record.hiddenAt == nil || viewer.actor.has(.moderator)
        else { return nil }
        if let groupID = record.groupID {
            let readable = try await VisibilityFilter.readableGroupIDs(viewer, on: database)
            if let readable, !readable.contains(groupID) { return nil }
        }
        return try record.domain()
    }

    /// Events the viewer may read, in a time window, soonest first (or latest first for the past).
    public func list(viewer: Viewer, from: Date? = nil, to: Date? = nil, groupID: UUID? = nil, newestFirst: Bool = false, limit: Int = 100)
        async throws -> [Event]
    {
        var query = EventRecord.query(on: database)
        if !viewer.actor.has(.moderator) { query = query.filter(\.$hiddenAt == nil) }
        if let from { query = query.filter(\.$endsAt >= from) }
        if let to { query = query.filter(\.$startsAt < to) }
        if let groupID { query = query.filter(\.$groupID == groupID) }
        if let readable = try await VisibilityFilter.readableGroupIDs(viewer, on: database) {
            query = query.group(.or) { group in
                group.filter(\.$groupID == nil)
                if !readable.isEmpty { group.filter(\.$groupID ~~ Array(readable)) }
            }
        }
        return try await query.sort(\.$startsAt, newestFirst ? .descending : .ascending).limit(limit).all().map { try $0.domain() }
    }

    /// The member's answers to these events, in one query.
    public func answers(of memberID: UUID, to eventIDs: [UUID]) async throws -> [UUID: RSVPStatus] {
        guard !eventIDs.isEmpty else { return [:] }
        var result: [UUID: RSVPStatus] = [:]
        for chunk in eventIDs.chunked(900) {
            for record in try await RSVPRecord.query(on: database).filter(\.$memberID == memberID).filter(\.$eventID ~~ chunk).all() {
                result[record.eventID] = RSVPStatus(rawValue: record.status)
            }
        }
        return result
    }

    /// The member's answer, if any.
    public func answer(of memberID: UUID, to eventID: UUID) async throws -> (status: RSVPStatus, checkedIn: Bool)? {
        guard let record = try await RSVPRecord.query(on: database).filter(\.$eventID == eventID).filter(\.$memberID == memberID).first(),
            let status = RSVPStatus(rawValue: record.status)
        else { return nil }
        return (status, record.checkedInAt != nil)
    }

    /// Everyone who answered, going first, then by when they answered.
    public func attendees(of eventID: UUID) async throws -> [Attendee] {
        let records = try await RSVPRecord.query(on: database).filter(\.$eventID == eventID).sort(\.$createdAt).all()
        let people = try await TopicRepository.authors(records.map(\.memberID), on: database)
        let order: [RSVPStatus] = [.going, .waitlisted, .maybe, .notGoing]
        return records.compactMap { record -> Attendee? in
            guard let member = people[record.memberID], let status = RSVPStatus(rawValue: record.status) else { return nil }
            return Attendee(member: member, status: status, checkedIn: record.checkedInAt != nil, answeredAt: record.createdAt)
        }.sorted { (order.firstIndex(of: $0.status) ?? 9, $0.answeredAt) < (order.firstIndex(of: $1.status) ?? 9, $1.answeredAt) }
    }

    /// Events the member organises or answered going, maybe or waitlisted, and may still read: the personal feed.
    public func events(of member: Member) async throws -> [Event] {
        let answered = try await RSVPRecord.query(on: database).filter(\.$memberID == member.id)
            .filter(\.$status != RSVPStatus.notGoing.rawValue).all(\.$eventID)
        let organised = try await EventRecord.query(on: database).filter(\.$organiserID == member.id).all(\.$id).compactMap { $0 }
        let ids = Array(Set(answered).union(organised))
        guard !ids.isEmpty else { return [] }
        let viewer = try await Viewer.load(member.actor, on: database)
        let readable = try await VisibilityFilter.readableGroupIDs(viewer, on: database)
        return try await EventRecord.query(on: database).filter(\.$id ~~ ids).filter(\.$hiddenAt == nil).sort(\.$startsAt).all().compactMap
        {
            record in
            if let groupID = record.groupID, let readable, !readable.contains(groupID) { return nil }
            return try record.domain()
        }
    }

    /// Titles of events the viewer may read, for notifications.
    public func titles(of ids: [UUID], for viewer: Viewer) async throws -> [UUID: String] {
        guard !ids.isEmpty else { return [:] }
        let readable = try await VisibilityFilter.readableGroupIDs(viewer, on: database)
        var result: [UUID: String] = [:]
        for record in try await EventRecord.query(on: database).filter(\.$id ~~ ids).filter(\.$hiddenAt == nil).all() {
            if let groupID = record.groupID, let readable, !readable.contains(groupID) { continue }
            if let id = record.id { result[id] = record.title }
        }
        return result
    }

    // MARK: Reminders and feeds

    /// Events starting within `window` whose reminder has not gone out; marks them sent and returns
    /// each with the members going. Each event is claimed first, so with several processes on one
    /// database every reminder still goes out once.
    public func takeDueReminders(within window: TimeInterval) async throws -> [(event: Event, memberIDs: [UUID])] {
        let now = clock.now()
        let due = try await EventRecord.query(on: database).filter(\.$reminderSentAt == nil).filter(\.$cancelledAt == nil)
            .filter(\.$hiddenAt == nil)
            .filter(\.$startsAt > now).filter(\.$startsAt <= now.addingTimeInterval(window)).all()
        var result: [(Event, [UUID])] = []
        for record in due {
            let eventID = try record.requireID()
            let going: [UUID]? = try await database.writeTransaction { tx in
                guard
                    try await RowClaims.claim(
                        EventRecord.schema, id: eventID, set: "reminder_sent_at", to: now, when: [.isNull("reminder_sent_at")], on: tx)
                else { return nil }
                let going = try await RSVPRecord.query(on: tx).filter(\.$eventID == eventID)
                    .filter(\.$status == RSVPStatus.going.rawValue).all(\.$memberID)
                for memberID in going {
                    try await NotificationRepository(database: tx, clock: clock).notify(
                        memberID, kind: .eventReminder, actorID: nil, groupID: record.groupID, topicID: nil, postID: nil, eventID: eventID)
                }
                return going
            }
            guard let going else { continue }
            record.reminderSentAt = now
            result.append((try record.domain(), going))
        }
        return result
    }

    /// The member's calendar feed secret, created on first use; `renew` replaces it (old links stop working).
    public func calendarToken(of memberID: UUID, renew: Bool = false, generate: @Sendable () -> String) async throws -> String {
        guard let record = try await MemberRecord.find(memberID, on: database) else { throw StoreError.notFound }
        if let token = record.calendarToken, !renew { return token }
        let token = generate()
        record.calendarToken = token
        try await record.save(on: database)
        return token
    }

    /// The member a calendar feed secret belongs to.
    public func member(forCalendarToken token: String) async throws -> Member? {
        guard !token.isEmpty, let record = try await MemberRecord.query(on: database).filter(\.$calendarToken == token).first(),
            record.status == MemberStatus.active.rawValue
        else { return nil }
        return try record.domain()
    }
}
