import FluentKit
import Foundation
import KringCore

/// Writes the activity log. Call it with the same `Database` as the change it records (inside the
/// change's transaction) so the log never claims something that was rolled back.
public struct ActivityLog: Sendable {
    let database: any Database
    let clock: KringClock

    public init(database: any Database, clock: KringClock) {
        self.database = database
        self.clock = clock
    }

    public func record(
        _ kind: ActivityKind, by actor: Actor?, subjectType: String? = nil, subjectID: UUID? = nil,
        groupID: UUID? = nil, at date: Date? = nil
    ) async throws {
        let event = ActivityEventRecord()
        event.actorID = actor?.memberID
        event.actorIsStaff = actor?.isStaff ?? false
        event.actorIsBot = actor?.isBot ?? false
        event.kind = kind.rawValue
        event.subjectType = subjectType
        event.subjectID = subjectID
        event.groupID = groupID
        event.occurredAt = date ?? clock.now()
        try await event.create(on: database)
    }

    /// How many events of a kind were recorded, optionally for one actor. Used by admin pages and tests.
    public func count(_ kind: ActivityKind, actorID: UUID? = nil) async throws -> Int {
        var query = ActivityEventRecord.query(on: database).filter(\.$kind == kind.rawValue)
        if let actorID { query = query.filter(\.$actorID == actorID) }
        return try await query.count()
    }
}

/// An event to add in bulk (imports, demo data, generators).
public struct NewActivityEvent: Sendable {
    public var kind: ActivityKind
    public var actorID: UUID?
    public var actorIsStaff: Bool
    public var actorIsBot: Bool
    public var subjectType: String?
    public var subjectID: UUID?
    public var groupID: UUID?
    public var occurredAt: Date

    public init(
        kind: ActivityKind, actorID: UUID?, actorIsStaff: Bool, actorIsBot: Bool = false, subjectType: String? = nil,
        subjectID: UUID? = nil, groupID: UUID? = nil, occurredAt: Date
    ) {
        self.actorIsBot = actorIsBot
        self.kind = kind
        self.actorID = actorID
        self.actorIsStaff = actorIsStaff
        self.subjectType = subjectType
        self.subjectID = subjectID
        self.groupID = groupID
        self.occurredAt = occurredAt
    }
}

extension NewActivityEvent {
    /// An event by a member, marked staff or bot as they are.
    public init(kind: ActivityKind, by member: Member, groupID: UUID? = nil, occurredAt: Date) {
        self.init(
            kind: kind, actorID: member.id, actorIsStaff: member.isStaff, actorIsBot: member.isBot, groupID: groupID, occurredAt: occurredAt
        )
    }
}

extension ActivityLog {
    /// Inserts many events in batches of 500 rows per statement.
    public func recordBatch(_ events: [NewActivityEvent]) async throws {
        for start in stride(from: 0, to: events.count, by: 500) {
            let slice = events[start..<min(start + 500, events.count)]
            try await slice.map { event -> ActivityEventRecord in
                let record = ActivityEventRecord()
                record.id = UUID()
                record.actorID = event.actorID
                record.actorIsStaff = event.actorIsStaff
                record.actorIsBot = event.actorIsBot
                record.kind = event.kind.rawValue
                record.subjectType = event.subjectType
                record.subjectID = event.subjectID
                record.groupID = event.groupID
                record.occurredAt = event.occurredAt
                return record
            }.create(on: database)
        }
    }
}
