import FluentKit
import Foundation
import KringCore

final class ReportRecord: Model, @unchecked Sendable {
    static let schema = "reports"

    @ID(key: .id) var id: UUID?
    @Field(key: "kind") var kind: String
    @Field(key: "period_start") var periodStart: Date
    @Field(key: "period_end") var periodEnd: Date
    @Field(key: "status") var status: String
    /// `ReportContent` as JSON, fixed at generation.
    @Field(key: "content") var content: String
    @Field(key: "evaluation") var evaluation: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @OptionalField(key: "published_at") var publishedAt: Date?
    @OptionalField(key: "published_by_id") var publishedByID: UUID?

    init() {}

    func domain() throws -> Report {
        Report(
            id: try requireID(), kind: ReportKind(rawValue: kind) ?? .monthly, periodStart: periodStart, periodEnd: periodEnd,
            status: ReportStatus(rawValue: status) ?? .draft,
            content: try ReportRepository.decoder.decode(ReportContent.self, from: Data(content.utf8)), evaluation: evaluation,
            createdAt: createdAt, publishedAt: publishedAt)
    }
}

/// Community reports: one per kind and period. A draft can be generated again and evaluated; a
/// published one is kept as it was.
public struct ReportRepository: Sendable {
    let database: any Database
    let clock: KringClock

    public init(database: any Database, clock: KringClock) {
        self.database = database
        self.clock = clock
    }

    static let decoder = JSONDecoder()
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }

    public enum Outcome: Sendable, Equatable {
        case created(UUID)
        case refreshed(UUID)
        /// Already published: left as it is.
        case published(UUID)
    }

    /// Stores the report of this kind and period: a new draft, a draft's content replaced (its
    /// evaluation kept), or nothing for a published one. Safe to run twice, also at once: the
    /// unique (kind, period) makes the second insert fail, and it then finds the first.
    public func store(kind: ReportKind, period: MetricPeriod, content: ReportContent) async throws -> Outcome {
        let json = String(decoding: try Self.encoder.encode(content), as: UTF8.self)
        let now = clock.now()
        if let existing = try await find(kind: kind, start: period.start) {
            if existing.status == ReportStatus.published.rawValue { return .published(try existing.requireID()) }
            existing.content = json
            existing.updatedAt = now
            try await existing.save(on: database)
            return .refreshed(try existing.requireID())
        }
        let record = ReportRecord()
        record.kind = kind.rawValue
        record.periodStart = period.start
        record.periodEnd = period.end
        record.status = ReportStatus.draft.rawValue
        record.content = json
        record.evaluation = ""
        record.createdAt = now
        record.updatedAt = now
        do {
            try await record.create(on: database)
        } catch {
            if let winner = try await find(kind: kind, start: period.start) { return .created(try winner.requireID()) }
            throw error
        }
        return .created(try record.requireID())
    }

    private func find(kind: ReportKind, start: Date) async throws -> ReportRecord? {
        try await ReportRecord.query(on: database).filter(\.$kind == kind.rawValue).filter(\.$periodStart == start).first()
    }

    public func exists(kind: ReportKind, start: Date) async throws -> Bool { try await find(kind: kind, start: start) != nil }

    public func find(_ id: UUID) async throws -> Report? { try await ReportRecord.find(id, on: database)?.domain() }

    /// Newest period first; `publishedOnly` for readers who are not managers.
    public func list(publishedOnly: Bool = false, limit: Int = 100) async throws -> [Report] {
        var query = ReportRecord.query(on: database)
        if publishedOnly { query = query.filter(\.$status == ReportStatus.published.rawValue) }
        return try await query.sort(\.$periodStart, .descending).sort(\.$kind).limit(limit).all().map { try $0.domain() }
    }

    /// The evaluation of a draft (false: no such draft).
    public func setEvaluation(_ id: UUID, _ text: String) async throws -> Bool {
        guard let record = try await ReportRecord.find(id, on: database), record.status == ReportStatus.draft.rawValue else {
            return false
        }
        record.evaluation = text
        record.updatedAt = clock.now()
        try await record.save(on: database)
        return true
    }

    /// Publishes a draft once: claimed with one conditional update, so of two publishers exactly
    /// one gets it (and sends the mail). Returns false when it was not a draft any more.
    public func publish(_ id: UUID, evaluation: String, by actor: Actor) async throws -> Bool {
        try await database.writeTransaction { tx in
            guard
                try await RowClaims.claim(
                    "reports", id: id, set: "status", to: ReportStatus.published.rawValue,
                    when: [.equals("status", ReportStatus.draft.rawValue)], on: tx)
            else { return false }
            let now = clock.now()
            try await ReportRecord.query(on: tx).filter(\.$id == id).set(\.$evaluation, to: evaluation).set(\.$publishedAt, to: now)
                .set(\.$publishedByID, to: actor.memberID).set(\.$updatedAt, to: now).update()
            return true
        }
    }

    /// When the last report was published, for the maturity checks.
    public func lastPublished(kind: ReportKind? = nil) async throws -> Date? {
        var query = ReportRecord.query(on: database).filter(\.$status == ReportStatus.published.rawValue)
        if let kind { query = query.filter(\.$kind == kind.rawValue) }
        return try await query.sort(\.$publishedAt, .descending).first()?.publishedAt
    }
}
