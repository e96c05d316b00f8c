import FluentKit
import Foundation
import KringCore

final class StrategyVersionRecord: Model, @unchecked Sendable {
    static let schema = "strategy_versions"

    @ID(key: .id) var id: UUID?
    @Field(key: "version") var version: Int
    /// The canvas as JSON: one living document, kept whole per version.
    @Field(key: "canvas") var canvas: String
    @OptionalField(key: "editor_id") var editorID: UUID?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    func domain() throws -> StrategyVersion {
        StrategyVersion(
            version: version, canvas: try JSONDecoder().decode(StrategyCanvas.self, from: Data(canvas.utf8)), editorID: editorID,
            createdAt: createdAt)
    }
}

final class CockpitSettingRecord: Model, @unchecked Sendable {
    static let schema = "cockpit_settings"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "value") var value: String
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

final class SuccessStoryRecord: Model, @unchecked Sendable {
    static let schema = "success_stories"

    @ID(key: .id) var id: UUID?
    @Field(key: "title") var title: String
    @Field(key: "story") var story: String
    @Field(key: "value") var value: String
    /// One link a line.
    @Field(key: "evidence") var evidence: String
    @Field(key: "occurred_on") var occurredOn: Date
    @OptionalField(key: "created_by_id") var createdByID: UUID?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    func domain() throws -> SuccessStory {
        SuccessStory(
            id: try requireID(), title: title, story: story, value: value,
            evidence: evidence.split(separator: "\n").map(String.init), occurredOn: occurredOn, createdAt: createdAt)
    }
}

/// The strategy canvas (each save a new version), the success log and the cockpit's settings.
public struct StrategyRepository: Sendable {
    let database: any Database
    let clock: KringClock

    public init(database: any Database, clock: KringClock) {
        self.database = database
        self.clock = clock
    }

    /// The newest version, if the canvas was ever written.
    public func current() async throws -> StrategyVersion? {
        try await StrategyVersionRecord.query(on: database).sort(\.$version, .descending).first()?.domain()
    }

    public func version(_ number: Int) async throws -> StrategyVersion? {
        try await StrategyVersionRecord.query(on: database).filter(\.$version == number).first()?.domain()
    }

    /// Every version, newest first, without decoding the canvases twice.
    public func history() async throws -> [StrategyVersion] {
        try await StrategyVersionRecord.query(on: database).sort(\.$version, .descending).all().map { try $0.domain() }
    }

    /// Saves the canvas as the next version (the unique version number keeps two saves apart).
    @discardableResult
    public func save(_ canvas: StrategyCanvas, by actor: Actor) async throws -> Int {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(canvas), as: UTF8.self)
        return try await database.writeTransaction { tx in
            let last = try await StrategyVersionRecord.query(on: tx).max(\.$version) ?? 0
            let record = StrategyVersionRecord()
            record.version = last + 1
            record.canvas = json
            record.editorID = actor.memberID
            record.createdAt = clock.now()
            try await record.create(on: tx)
            return record.version
        }
    }

    // MARK: Settings

    public func setting(_ name: String) async throws -> String? {
        try await CockpitSettingRecord.query(on: database).filter(\.$name == name).first()?.value
    }

    public func settings(prefix: String) async throws -> [String: String] {
        // A handful of rows: read them all rather than build a LIKE pattern from the prefix.
        Dictionary(
            try await CockpitSettingRecord.query(on: database).all().filter { $0.name.hasPrefix(prefix) }.map { ($0.name, $0.value) },
            uniquingKeysWith: { first, _ in first })
    }

    public func setSettings(_ values: [String: String]) async throws {
        try await database.writeTransaction { tx in
            for (name, value) in values {
                let record = try await CockpitSettingRecord.query(on: tx).filter(\.$name == name).first() ?? CockpitSettingRecord()
                record.name = name
                record.value = value
                record.updatedAt = clock.now()
                try await record.save(on: tx)
            }
        }
    }

    // MARK: Success log

    public func addStory(title: String, story: String, value: String, evidence: [String], occurredOn: Date, by actor: Actor) async throws
        -> UUID
    {
        let record = SuccessStoryRecord()
        record.title = title
        record.story = story
        record.value = value
        record.evidence = evidence.joined(separator: "\n")
        record.occurredOn = occurredOn
        record.createdByID = actor.memberID
        record.createdAt = clock.now()
        try await record.create(on: database)
        return try record.requireID()
    }

    /// Stories that happened in [from, to) (all when nil), newest first.
    public func stories(from: Date? = nil, to: Date? = nil) async throws -> [SuccessStory] {
        var query = SuccessStoryRecord.query(on: database)
        if let from { query = query.filter(\.$occurredOn >= from) }
        if let to { query = query.filter(\.$occurredOn < to) }
        return try await query.sort(\.$occurredOn, .descending).sort(\.$createdAt, .descending).all().map { try $0.domain() }
    }

    public func deleteStory(_ id: UUID) async throws -> Bool {
        guard let record = try await SuccessStoryRecord.find(id, on: database) else { return false }
        try await record.delete(on: database)
        return true
    }
}
