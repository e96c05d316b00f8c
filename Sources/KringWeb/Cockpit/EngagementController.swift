import KringCore
import KringStore
import Vapor

extension Repositories {
    public var engagement: EngagementRepository { EngagementRepository(database: database, clock: clock) }
    public var champions: ChampionsRepository { ChampionsRepository(database: database) }
}

/// Task 4, coaching members: engagement scores and levels, the segments a manager acts on, and the
/// champions page (who helps, who is central, who bridges groups, who knows what).
struct EngagementController: RouteCollection {
    static let pageSize = 50

    func boot(routes: any RoutesBuilder) throws {
        let members = routes.grouped("cockpit", "members")
        members.get(use: index)
        members.post("refresh", use: refresh)
        members.get("settings", use: settings)
        members.post("settings", use: saveSettings)
        routes.get("cockpit", "members.csv", use: csv)
        routes.get("cockpit", "champions", use: champions)
    }

    /// The segment and order a list asks for; unknown values are a 400.
    static func listQuery(_ request: Request) throws -> (segment: MemberSegment?, order: EngagementRepository.Order, page: Int) {
        let rawSegment = request.query[String.self, at: "segment"] ?? ""
        guard rawSegment.isEmpty || rawSegment == "all" || MemberSegment(rawValue: rawSegment) != nil else {
            throw Abort(.badRequest, reason: "The segment is one of all, \(MemberSegment.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        guard let order = EngagementRepository.Order(rawValue: request.query[String.self, at: "order"] ?? "score") else {
            throw Abort(.badRequest, reason: "The order is score or rising.")
        }
        let page = request.query[Int.self, at: "page"] ?? 1
        guard page >= 1, page <= 100_000 else { throw Abort(.badRequest, reason: "The page is a number from 1.") }
        return (MemberSegment(rawValue: rawSegment), order, page)
    }

    /// Scores are computed by the job; the first visit computes them so the page is never empty for no reason.
    static func ensureComputed(_ request: Request) async throws -> Date? {
        let engagement = request.repositories.engagement
        if let computed = try await engagement.computedAt() { return computed }
        try await engagement.refresh(timeZone: request.communityTimeZone)
        return try await engagement.computedAt()
    }

    @Sendable func index(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let query = try Self.listQuery(request)
        let computedAt = try await Self.ensureComputed(request)
        let engagement = request.repositories.engagement
        let list = try await engagement.standings(
            segment: query.segment, order: query.order, limit: Self.pageSize, offset: (query.page - 1) * Self.pageSize)
        return EngagementViews.index(
            request,
            .init(
                segment: query.segment, order: query.order, page: query.page, standings: list.rows, total: list.total,
                sizes: try await engagement.sizes(), funnel: try await engagement.funnel(), settings: try await engagement.settings(),
                computedAt: computedAt))
    }

    @Sendable func refresh(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        try await request.repositories.engagement.refresh(timeZone: request.communityTimeZone)
        return request.redirect(to: "/cockpit/members", flash: "flash.engagement_refreshed")
    }

    /// A segment's members as CSV, every one of them, for a mailing or a spreadsheet.
    @Sendable func csv(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let query = try Self.listQuery(request)
        _ = try await Self.ensureComputed(request)
        let list = try await request.repositories.engagement.standings(segment: query.segment, order: query.order, limit: 1_000_000)
        let day = CockpitSelection.dayFormatter(request.communityTimeZone)
        let rows =
            [["handle", "name", "level", "score", "score_a_month_ago", "posts_90_days", "joined", "last_seen", "segments"]]
            + list.rows.map { standing in
                [
                    standing.member.handle, standing.member.displayName, standing.level.rawValue, CockpitCSV.number(Self.rounded(standing.score)),
                    CockpitCSV.number(Self.rounded(standing.previousScore)), String(standing.recentPosts), day.string(from: standing.joinedAt),
                    standing.lastSeenAt.map(day.string(from:)) ?? "", standing.segments.map(\.rawValue).joined(separator: " "),
                ]
            }
        return CSV.response(rows, filename: "kring-members-\(query.segment?.rawValue ?? "all").csv")
    }

    /// Scores to two decimals: more would pretend a precision the weights do not have.
    static func rounded(_ value: Double) -> Double { (value * 100).rounded() / 100 }

    @Sendable func settings(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        return EngagementViews.settings(request, settings: try await request.repositories.engagement.settings(), state: FormState())
    }

    /// Weights and thresholds, checked whole: nothing is saved when one is wrong. Saving recomputes the scores.
    @Sendable func saveSettings(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        var values = try request.content.decode([String: String].self)
        values.removeValue(forKey: "_csrf")
        let engagement = request.repositories.engagement
        do {
            let settings = try EngagementSettings.parse(values, base: try await engagement.settings())
            try await engagement.setSettings(settings)
            try await engagement.refresh(timeZone: request.communityTimeZone)
            try await request.audit("engagement.settings", subjectType: "community", label: "engagement weights and levels")
            return request.redirect(to: "/cockpit/members/settings", flash: "flash.settings_saved")
        } catch let failure as ValidationFailure {
            return EngagementViews.settings(
                request, settings: try await engagement.settings(), state: FormState(values: values, errors: failure.errors),
                status: .unprocessableEntity)
        }
    }

    @Sendable func champions(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        _ = try await Self.ensureComputed(request)
        let repositories = request.repositories
        let report = try await repositories.champions.report(now: repositories.clock.now())
        let rising = try await repositories.engagement.standings(segment: nil, order: .rising, limit: 10).rows.filter {
            $0.score > $0.previousScore
        }
        return EngagementViews.champions(request, report: report, rising: rising)
    }
}
