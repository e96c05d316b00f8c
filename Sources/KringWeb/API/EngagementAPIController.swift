import KringCore
import KringStore
import Vapor

struct EngagementMemberDTO: Content {
    let handle: String
    let displayName: String
    let level: String
    let score: Double
    let previousScore: Double
    let recentPosts: Int
    let joinedAt: Date
    let lastSeenAt: Date?
    let segments: [String]
}

struct EngagementMemberListDTO: Content {
    let total: Int
    let members: [EngagementMemberDTO]
}

struct EngagementFunnelMonthDTO: Content {
    let month: String
    let champion: Int
    let regular: Int
    let participant: Int
    let observer: Int
}

struct EngagementSummaryDTO: Content {
    let computedAt: Date?
    let levels: [String: Int]
    let segments: [String: Int]
    let funnel: [EngagementFunnelMonthDTO]
}

struct EngagementSettingsDTO: Content {
    var weights: [String: Double]
    var championFrom: Double
    var regularFrom: Double
    var participantFrom: Double
}

/// A change of settings: what is left out keeps its value.
struct EngagementSettingsChange: Content {
    var weights: [String: Double]?
    var championFrom: Double?
    var regularFrom: Double?
    var participantFrom: Double?
}

struct ChampionDTO: Content {
    let handle: String
    let displayName: String
    let acceptedAnswers: Int?
    let replies: Int?
    let degree: Int?
    let pageRank: Double?
    let betweenness: Double?
    let groups: Int?
}

struct TagExpertsDTO: Content {
    struct Expert: Content {
        let handle: String
        let answers: Int
        let questions: Int
        let z: Double
    }

    let tag: String
    let experts: [Expert]
}

struct ChampionsDTO: Content {
    let since: Date
    let people: Int
    let interactions: Int
    let helpers: [ChampionDTO]
    let influencers: [ChampionDTO]
    let bridges: [ChampionDTO]
    let expertise: [TagExpertsDTO]
}

struct SegmentFiltersDTO: Content {
    var segment: String?
    var level: String?
    var activeWithinDays: Int?
    var inactiveForDays: Int?
    var minPosts: Int?
    var group: String?
    var interest: String?
    var joinedFrom: String?
    var joinedBefore: String?
}

struct SegmentDTO: Content {
    let id: UUID
    let name: String
    let filters: SegmentFiltersDTO
    let createdAt: Date
}

struct SegmentListDTO: Content { let segments: [SegmentDTO] }

struct SegmentCreateRequest: Content {
    var name: String
    var filters: SegmentFiltersDTO
}

/// Engagement, segments and champions in `/api/v1`, for the community management team's own tools.
struct EngagementAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let api = routes.grouped("api", "v1")
        api.get("engagement", "members", use: members)
        api.get("engagement", "summary", use: summary)
        api.get("engagement", "settings", use: settings)
        api.put("engagement", "settings", use: changeSettings)
        api.get("engagement", "champions", use: champions)
        api.get("segments", use: segments)
        api.post("segments", use: createSegment)
        api.delete("segments", ":segment", use: deleteSegment)
    }

    /// A page of members by score (or rise), of a built-in or a saved segment.
    @Sendable func members(request: Request) async throws -> EngagementMemberListDTO {
        try request.authorize(.viewCockpit)
        let query = try await EngagementController.listQuery(request)
        let limit = try request.strictQuery("limit", as: Int.self) ?? 50
        let offset = try request.strictQuery("offset", as: Int.self) ?? 0
        guard (1...200).contains(limit), (0...1_000_000).contains(offset) else {
            throw Abort(.badRequest, reason: "The limit is 1 to 200, the offset 0 or more.")
        }
        _ = try await EngagementController.ensureComputed(request)
        let list = try await request.repositories.engagement.standings(
            query.choice.filter, order: query.order, limit: limit, offset: offset)
        return EngagementMemberListDTO(
            total: list.total,
            members: list.rows.map {
                EngagementMemberDTO(
                    handle: $0.member.handle, displayName: $0.member.displayName, level: $0.level.rawValue,
                    score: EngagementController.rounded($0.score), previousScore: EngagementController.rounded($0.previousScore),
                    recentPosts: $0.recentPosts, joinedAt: $0.joinedAt, lastSeenAt: $0.lastSeenAt, segments: $0.segments.map(\.rawValue))
            })
    }

    @Sendable func summary(request: Request) async throws -> EngagementSummaryDTO {
        try request.authorize(.viewCockpit)
        let computedAt = try await EngagementController.ensureComputed(request)
        let engagement = request.repositories.engagement
        let sizes = try await engagement.sizes()
        return EngagementSummaryDTO(
            computedAt: computedAt,
            levels: Dictionary(uniqueKeysWithValues: EngagementLevel.allCases.map { ($0.rawValue, sizes.levels[$0] ?? 0) }),
            segments: Dictionary(uniqueKeysWithValues: MemberSegment.allCases.map { ($0.rawValue, sizes.segments[$0] ?? 0) }),
            funnel: try await engagement.funnel().map {
                EngagementFunnelMonthDTO(
                    month: $0.month, champion: $0.levels[.champion] ?? 0, regular: $0.levels[.regular] ?? 0,
                    participant: $0.levels[.participant] ?? 0, observer: $0.levels[.observer] ?? 0)
            })
    }

    static func dto(_ settings: EngagementSettings) -> EngagementSettingsDTO {
        EngagementSettingsDTO(
            weights: Dictionary(uniqueKeysWithValues: EngagementAction.allCases.map { ($0.rawValue, settings.weight($0)) }),
            championFrom: settings.championFrom, regularFrom: settings.regularFrom, participantFrom: settings.participantFrom)
    }

    @Sendable func settings(request: Request) async throws -> EngagementSettingsDTO {
        try request.authorize(.viewCockpit)
        return Self.dto(try await request.repositories.engagement.settings())
    }

    /// Changes weights and thresholds (checked whole, as the form does) and recomputes every score.
    @Sendable func changeSettings(request: Request) async throws -> EngagementSettingsDTO {
        try request.authorize(.viewCockpit)
        try request.rejectNulls(in: ["weights", "championFrom", "regularFrom", "participantFrom"])
        let change = try request.content.decode(EngagementSettingsChange.self)
        var values: [String: String] = [:]
        for (name, weight) in change.weights ?? [:] {
            guard EngagementAction(rawValue: name) != nil else { throw ValidationFailure(field: "weights", code: "choice.invalid") }
            values["weight_\(name)"] = String(weight)
        }
        if let value = change.championFrom { values["champion_from"] = String(value) }
        if let value = change.regularFrom { values["regular_from"] = String(value) }
        if let value = change.participantFrom { values["participant_from"] = String(value) }
        let engagement = request.repositories.engagement
        let settings: EngagementSettings
        do {
            settings = try EngagementSettings.parse(values, base: try await engagement.settings())
        } catch let error as ValidationFailure {
            // The API names its own fields.
            throw ValidationFailure(error.errors.map { FieldError(field: Self.apiField($0.field), code: $0.code) })
        }
        try await engagement.setSettings(settings)
        try await engagement.refresh(timeZone: request.communityTimeZone)
        try await request.audit("engagement.settings", subjectType: "community", label: "engagement weights and levels")
        return Self.dto(settings)
    }

    static func apiField(_ field: String) -> String {
        switch field {
        case "champion_from": "championFrom"
        case "regular_from": "regularFrom"
        case "participant_from": "participantFrom"
        default: field.hasPrefix("weight_") ? "weights" : field
        }
    }

    @Sendable func champions(request: Request) async throws -> ChampionsDTO {
        try request.authorize(.viewCockpit)
        let report = try await request.repositories.champions.report(now: request.repositories.clock.now())
        func influence(_ row: ChampionsReport.Influencer) -> ChampionDTO {
            ChampionDTO(
                handle: row.member.handle, displayName: row.member.displayName, acceptedAnswers: nil, replies: nil, degree: row.degree,
                pageRank: row.pageRank, betweenness: row.betweenness, groups: row.groups)
        }
        return ChampionsDTO(
            since: report.since, people: report.people, interactions: report.interactions,
            helpers: report.helpers.map {
                ChampionDTO(
                    handle: $0.member.handle, displayName: $0.member.displayName, acceptedAnswers: $0.acceptedAnswers, replies: $0.replies,
                    degree: nil, pageRank: nil, betweenness: nil, groups: nil)
            },
            influencers: report.influencers.map(influence), bridges: report.bridges.map(influence),
            expertise: report.expertise.map { tag in
                TagExpertsDTO(
                    tag: tag.tagName,
                    experts: tag.experts.map { .init(handle: $0.member.handle, answers: $0.answers, questions: $0.questions, z: $0.z) })
            })
    }

    // MARK: Saved segments

    static func dto(_ saved: SavedSegment, groups: [UUID: Group], timeZone: TimeZone) -> SegmentDTO {
        let day = CockpitSelection.dayFormatter(timeZone)
        let filter = saved.filter
        return SegmentDTO(
            id: saved.id, name: saved.name,
            filters: SegmentFiltersDTO(
                segment: filter.segment?.rawValue, level: filter.minLevel?.rawValue, activeWithinDays: filter.activeWithinDays,
                inactiveForDays: filter.inactiveForDays, minPosts: filter.minRecentPosts,
                group: filter.groupID.flatMap { groups[$0]?.slug },
                interest: filter.interest, joinedFrom: filter.joinedFrom.map(day.string(from:)),
                joinedBefore: filter.joinedBefore.map { day.string(from: $0.addingTimeInterval(-1)) }),
            createdAt: saved.createdAt)
    }

    @Sendable func segments(request: Request) async throws -> SegmentListDTO {
        try request.authorize(.viewCockpit)
        let saved = try await request.repositories.engagement.savedSegments()
        let groups = try await request.repositories.groups.find(ids: saved.compactMap(\.filter.groupID))
        return SegmentListDTO(segments: saved.map { Self.dto($0, groups: groups, timeZone: request.communityTimeZone) })
    }

    /// Saves a custom segment; the filters are checked as the members page checks them.
    @Sendable func createSegment(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        try request.rejectNulls(in: ["name", "filters"])
        try request.rejectNulls(
            in: ["segment", "level", "activeWithinDays", "inactiveForDays", "minPosts", "group", "interest", "joinedFrom", "joinedBefore"],
            nestedIn: "filters")
        let body = try request.content.decode(SegmentCreateRequest.self)
        let name = MemberRules.singleLine(body.name)
        var errors = FieldErrorCollector()
        if name.isEmpty || name.count > 80 { errors.add("name", "required") }
        let raw = body.filters
        var values: [String: String] = [:]
        values["level"] = raw.level
        values["active_within_days"] = raw.activeWithinDays.map(String.init)
        values["inactive_for_days"] = raw.inactiveForDays.map(String.init)
        values["min_posts"] = raw.minPosts.map(String.init)
        values["interest"] = raw.interest
        values["joined_from"] = raw.joinedFrom
        values["joined_before"] = raw.joinedBefore
        var filter = errors.check { () throws(ValidationFailure) in try SegmentFilter.parse(values, timeZone: request.communityTimeZone) }
        if let segment = raw.segment {
            if let known = MemberSegment(rawValue: segment) { filter?.segment = known } else { errors.add("segment", "choice.invalid") }
        }
        var groups: [UUID: Group] = [:]
        if let slug = raw.group {
            if let group = try await request.repositories.groups.find(slug: slug), try await request.viewer().canSee(group) {
                filter?.groupID = group.id
                groups[group.id] = group
            } else {
                errors.add("group", "choice.invalid")
            }
        }
        if let chosen = filter, chosen.isEmpty { errors.add("filters", "segment.no_filter") }
        try errors.throwIfAny()
        guard let filter else { throw Abort(.internalServerError) }
        let engagement = request.repositories.engagement
        let id = try await engagement.saveSegment(name: name, filter: filter, by: request.context.actor)
        try await request.audit("segment.create", subjectType: "segment", subjectID: id, label: name)
        guard let saved = try await engagement.savedSegment(id) else { throw Abort(.internalServerError) }
        let response = try await Self.dto(saved, groups: groups, timeZone: request.communityTimeZone).encodeResponse(
            status: .created, for: request)
        response.headers.replaceOrAdd(name: .location, value: "/api/v1/segments/\(id.uuidString.lowercased())")
        return response
    }

    @Sendable func deleteSegment(request: Request) async throws -> HTTPStatus {
        try request.authorize(.viewCockpit)
        guard let id = request.parameters.get("segment", as: UUID.self),
            let saved = try await request.repositories.engagement.savedSegment(id),
            try await request.repositories.engagement.deleteSegment(id)
        else { throw Abort(.notFound) }
        try await request.audit("segment.delete", subjectType: "segment", subjectID: id, label: saved.name)
        return .noContent
    }
}
