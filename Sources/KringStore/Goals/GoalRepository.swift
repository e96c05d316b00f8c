import FluentKit
import Foundation
import KringCore

final class GoalRecord: Model, @unchecked Sendable {
    static let schema = "goals"

    @ID(key: .id) var id: UUID?
    @Field(key: "title") var title: String
    /// `metric:<id>` or `figure:<name>` (`GoalMeasure.key`).
    @Field(key: "metric") var metric: String
    @OptionalField(key: "group_id") var groupID: UUID?
    @Field(key: "target") var target: Double
    @Field(key: "higher_is_better") var higherIsBetter: Bool
    @Field(key: "starts_at") var startsAt: Date
    @Field(key: "deadline") var deadline: Date
    @OptionalField(key: "owner_id") var ownerID: UUID?
    @OptionalField(key: "created_by_id") var createdByID: UUID?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "archived_at") var archivedAt: Date?

    init() {}

    func domain() throws -> Goal? {
        guard let measure = GoalMeasure(key: metric) else { return nil }
        return Goal(
            id: try requireID(), title: title, measure: measure, groupID: groupID, target: target, higherIsBetter: higherIsBetter,
            startsAt: startsAt, deadline: deadline, ownerID: ownerID)
    }
}

final class BusinessFigureRecord: Model, @unchecked Sendable {
    static let schema = "business_figures"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    /// `YYYY-MM`.
    @Field(key: "month") var month: String
    @Field(key: "value") var value: Double
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

final class MetricSnapshotRecord: Model, @unchecked Sendable {
    static let schema = "metric_snapshots"

    @ID(key: .id) var id: UUID?
    @Field(key: "metric_id") var metricID: String
    /// "community" or a group's id.
    @Field(key: "scope") var scope: String
    @Field(key: "month") var month: String
    @OptionalField(key: "value") var value: Double?
    @Field(key: "computed_at") var computedAt: Date

    init() {}
}

/// Goals, the business figures behind some of them, and the monthly snapshots of cockpit figures.
public struct GoalRepository: Sendable {
    let database: any Database
    let clock: KringClock

    public init(database: any Database, clock: KringClock) {
        self.database = database
        self.clock = clock
    }

    @discardableResult
    public func create(_ goal: Goal, by actor: Actor) async throws -> UUID {
        try await database.writeTransaction { tx in
            let record = GoalRecord()
            record.id = goal.id
            record.title = goal.title
            record.metric = goal.measure.key
            record.groupID = goal.groupID
            record.target = goal.target
            record.higherIsBetter = goal.higherIsBetter
            record.startsAt = goal.startsAt
            record.deadline = goal.deadline
            record.ownerID = goal.ownerID
            record.createdByID = actor.memberID
            record.createdAt = clock.now()
            try await record.create(on: tx)
            try await ActivityLog(database: tx, clock: clock).record(.goalChanged, by: actor, subjectType: "goal", subjectID: goal.id)
            return goal.id
        }
    }

    /// Goals not archived, soonest deadline first.
    public func list() async throws -> [Goal] {
        try await GoalRecord.query(on: database).filter(\.$archivedAt == nil).sort(\.$deadline).all().compactMap { try $0.domain() }
    }

    public func find(_ id: UUID) async throws -> Goal? {
        guard let record = try await GoalRecord.find(id, on: database), record.archivedAt == nil else { return nil }
        return try record.domain()
    }

    /// Takes a goal off the goals page (kept for the record).
    public func archive(_ id: UUID, by actor: Actor) async throws {
        try await database.writeTransaction { tx in
            guard let record = try await GoalRecord.find(id, on: tx), record.archivedAt == nil else { throw StoreError.notFound }
            record.archivedAt = clock.now()
            try await record.save(on: tx)
            try await ActivityLog(database: tx, clock: clock).record(.goalChanged, by: actor, subjectType: "goal", subjectID: id)
        }
    }

    // MARK: Business figures

    /// Sets (or replaces) the value of a business figure for a month (`YYYY-MM`).
    public func setFigure(_ name: String, month: String, value: Double) async throws {
        try await database.writeTransaction { tx in
            let record =
                try await BusinessFigureRecord.query(on: tx).filter(\.$name == name).filter(\.$month == month).first()
                ?? BusinessFigureRecord()
            record.name = name
            record.month = month
            record.value = value
            record.updatedAt = clock.now()
            try await record.save(on: tx)
        }
    }

    /// Several values at once (a CSV import): all or none.
    public func setFigures(_ rows: [(name: String, month: String, value: Double)]) async throws {
        try await database.writeTransaction { tx in
            let repository = GoalRepository(database: tx, clock: clock)
            for row in rows { try await repository.setFigure(row.name, month: row.month, value: row.value) }
        }
    }

    /// Every business figure's values by month, oldest first.
    public func figures() async throws -> [String: [(month: String, value: Double)]] {
        var result: [String: [(month: String, value: Double)]] = [:]
        for record in try await BusinessFigureRecord.query(on: database).sort(\.$month).all() {
            result[record.name, default: []].append((record.month, record.value))
        }
        return result
    }

    // MARK: Snapshots

    /// Stored values of cockpit figures for finished months, by metric id and month.
    public func snapshots(scope: String, months: [String]) async throws -> [String: [String: Double?]] {
        guard !months.isEmpty else { return [:] }
        var result: [String: [String: Double?]] = [:]
        for record in try await MetricSnapshotRecord.query(on: database).filter(\.$scope == scope).filter(\.$month ~~ months).all() {
            result[record.month, default: [:]][record.metricID] = .some(record.value)
        }
        return result
    }

    /// Stores every catalog figure of a finished month at once.
    public func storeSnapshot(scope: String, month: String, values: [String: Double?]) async throws {
        try await database.writeTransaction { tx in
            try await MetricSnapshotRecord.query(on: tx).filter(\.$scope == scope).filter(\.$month == month).delete()
            let now = clock.now()
            try await values.map { id, value in
                let record = MetricSnapshotRecord()
                record.metricID = id
                record.scope = scope
                record.month = month
                record.value = value
                record.computedAt = now
                return record
            }.create(on: tx)
        }
    }
}
