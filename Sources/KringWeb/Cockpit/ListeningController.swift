import KringCore
import KringStore
import Vapor

/// Listening in the cockpit ("listen, listen, listen"): sentiment over time per group, watched terms
/// with their trend and the posts behind them, tags rising against the previous period, and the
/// insights board where marked posts become calendar items or ideas for a department.
struct ListeningController: RouteCollection {
    /// Weeks the trend charts show.
    static let weeks = 12
    /// The trending-tags period, compared with the one before it.
    static let trendDays = 30

    func boot(routes: any RoutesBuilder) throws {
        let listening = routes.grouped("cockpit", "listening")
        listening.get(use: index)
        listening.post("terms", use: addTerm)
        listening.get("terms", ":term", use: term)
        listening.post("terms", ":term", "alerts", use: toggleAlerts)
        listening.post("terms", ":term", "delete", use: deleteTerm)
        let insights = routes.grouped("cockpit", "insights")
        insights.get(use: board)
        insights.post(use: markInsight)
        insights.post(":insight", "plan", use: planInsight)
        insights.post(":insight", "route", use: routeInsight)
        insights.post(":insight", "close", use: closeInsight)
    }

    /// The last `weeks` ISO week keys, oldest first, and the moment the first began.
    static func weekKeys(now: Date, zone: TimeZone) -> (keys: [String], since: Date) {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = zone
        let thisWeek = calendar.dateInterval(of: .weekOfYear, for: now)?.start ?? now
        let starts = (0..<weeks).reversed().compactMap { calendar.date(byAdding: .weekOfYear, value: -$0, to: thisWeek) }
        return (starts.map { CalendarSpan.key(.week, containing: $0, in: zone) }, starts.first ?? thisWeek)
    }

    // MARK: Overview

    struct Overview {
        var weekKeys: [String]
        var sentiment: [String: SentimentWeek]
        var group: Group?
        var groups: [Group]
        var byGroup: [(name: String, figures: SentimentWeek)]
        var terms: [WatchedTerm]
        var mentions: [UUID: Int]
        var trending: [TrendingTag]
        var heard: Int
        var openInsights: Int
    }

    @Sendable func index(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        return try await page(request, state: FormState(values: ["kind": WatchedTermKind.word.rawValue, "alerts": "1"]))
    }

    func page(_ request: Request, state: FormState, status: HTTPStatus = .ok) async throws -> Response {
        let repositories = request.repositories
        let zone = TimeZone(identifier: request.context.community?.timeZone ?? "") ?? .gmt
        let now = repositories.clock.now()
        let (keys, since) = Self.weekKeys(now: now, zone: zone)
        let viewer = try await request.viewer()
        let groups = try await repositories.groups.list(for: viewer, limit: 500)
        var group: Group?
        if let slug = try? request.query.get(String.self, at: "group"), !slug.isEmpty {
            guard let found = groups.first(where: { $0.slug == slug }) else { throw Abort(.notFound) }
            group = found
        }
        let quarter = now.addingTimeInterval(-90 * 86_400)
        let names = Dictionary(uniqueKeysWithValues: groups.map { ($0.id, $0.name) })
        // Groups the viewer may not see are left out, not named.
        let byGroup: [(name: String, figures: SentimentWeek)] = try await repositories.listening.sentimentByGroup(since: quarter)
            .compactMap { (id: UUID?, figures: SentimentWeek) -> (name: String, figures: SentimentWeek)? in
                guard let id else { return (request.context.localizer("listening.community_wide"), figures) }
                return names[id].map { ($0, figures) }
            }.sorted { $0.figures.total > $1.figures.total }
        let day: TimeInterval = 86_400
        let readable: Set<UUID>? = viewer.seesEverything ? nil : Set(groups.filter(viewer.canRead).map(\.id))
        let overview = Overview(
            weekKeys: keys, sentiment: try await repositories.listening.sentimentWeeks(since: since, groupID: group?.id), group: group,
            groups: groups, byGroup: byGroup, terms: try await repositories.listening.terms(),
            mentions: try await repositories.listening.mentionCounts(since: since),
            trending: TrendingTag.rising(
                current: try await repositories.listening.tagCounts(
                    from: now.addingTimeInterval(-Double(Self.trendDays) * day), to: now.addingTimeInterval(60), readable: readable),
                previous: try await repositories.listening.tagCounts(
                    from: now.addingTimeInterval(-Double(2 * Self.trendDays) * day),
                    to: now.addingTimeInterval(-Double(Self.trendDays) * day), readable: readable)),
            heard: try await repositories.listening.heardCount(),
            openInsights: try await repositories.listening.insights(status: .open).count)
        return ListeningViews.index(request, overview: overview, state: state, status: status)
    }

    // MARK: Watched terms

    struct TermForm: Content {
        var term: String?
        var kind: String?
        var alerts: String?
    }

    @Sendable func addTerm(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let member = try request.requireMember()
        let form = try request.content.decode(TermForm.self)
        let values = ["term": form.term ?? "", "kind": form.kind ?? "", "alerts": form.alerts ?? "0"]
        let term: WatchedTerm
        do {
            let kind = try CommunityRules.choice(form.kind ?? "", as: WatchedTermKind.self, field: "kind")
            term = WatchedTerm(
                term: try WatchedTerm.normalise(form.term ?? "", kind: kind), kind: kind, alerts: form.alerts == "1",
                createdByID: member.id,
                createdAt: request.repositories.clock.now())
        } catch {
            return try await page(request, state: FormState(values: values, errors: error.errors), status: .unprocessableEntity)
        }
        guard try await request.repositories.listening.add(term) else {
            return try await page(
                request, state: FormState(values: values, errors: [FieldError(field: "term", code: "listening.already_watched")]),
                status: .unprocessableEntity)
        }
        try await request.application.listeningJob.backfill(term)
        try await request.audit("listening.watch", subjectType: "watched_term", subjectID: term.id, label: term.term)
        return request.redirect(to: "/cockpit/listening/terms/\(term.id.uuidString.lowercased())", flash: "flash.term_added")
    }

    private func watched(_ request: Request) async throws -> WatchedTerm {
        guard let id = request.parameters.get("term", as: UUID.self), let term = try await request.repositories.listening.term(id) else {
            throw Abort(.notFound)
        }
        return term
    }

    @Sendable func term(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let term = try await watched(request)
        let repositories = request.repositories
        let zone = TimeZone(identifier: request.context.community?.timeZone ?? "") ?? .gmt
        let (keys, since) = Self.weekKeys(now: repositories.clock.now(), zone: zone)
        // Only the posts this viewer may read are listed.
        let mentions = try await repositories.listening.mentions(of: term.id, limit: 200)
        let readable = try await repositories.topics.readable(Array(Set(mentions.map(\.topicID))), viewer: try await request.viewer())
        let shown = Array(mentions.filter { readable.contains($0.topicID) }.prefix(50))
        return ListeningViews.term(
            request, term: term, weekKeys: keys, weeks: try await repositories.listening.sentimentWeeks(since: since, termID: term.id),
            mentions: shown, snippets: try await repositories.listening.snippets(of: shown.map(\.postID)))
    }

    @Sendable func toggleAlerts(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let term = try await watched(request)
        try await request.repositories.listening.setAlerts(term.id, !term.alerts)
        return request.redirect(to: "/cockpit/listening", flash: term.alerts ? "flash.term_alerts_off" : "flash.term_alerts_on")
    }

    @Sendable func deleteTerm(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let term = try await watched(request)
        try await request.repositories.listening.delete(term: term.id)
        try await request.audit("listening.unwatch", subjectType: "watched_term", subjectID: term.id, label: term.term)
        return request.redirect(to: "/cockpit/listening", flash: "flash.term_deleted")
    }

    // MARK: Insights

    struct InsightForm: Content {
        var post: String?
        var kind: String?
        var note: String?
    }

    /// Marks a post (one the team member may read) as an insight, from the topic page.
    @Sendable func markInsight(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let member = try request.requireMember()
        let form = try request.content.decode(InsightForm.self)
        guard let postID = form.post.flatMap(UUID.init(uuidString:)),
            let context = try await request.repositories.topics.context(ofPost: postID),
            try await request.repositories.topics.readable([context.topicID], viewer: try await request.viewer()).contains(context.topicID)
        else { throw Abort(.notFound) }
        let kind = try CommunityRules.choice(form.kind ?? "", as: InsightKind.self, field: "kind")
        let note = String(MemberRules.singleLine(form.note ?? "").prefix(500))
        try await request.repositories.listening.mark(
            Insight(
                postID: postID, topicID: context.topicID, kind: kind, note: note, createdByID: member.id,
                createdAt: request.repositories.clock.now()))
        return request.redirect(to: "/t/\(context.topicID.uuidString.lowercased())", flash: "flash.insight_marked")
    }

    @Sendable func board(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let showAll = (try? request.query.get(String.self, at: "show")) == "all"
        let insights = try await request.repositories.listening.insights(status: showAll ? nil : .open)
        let readable = try await request.repositories.topics.readable(
            Array(Set(insights.map(\.topicID))), viewer: try await request.viewer())
        let shown = insights.filter { readable.contains($0.topicID) }
        return ListeningViews.board(
            request, insights: shown, snippets: try await request.repositories.listening.snippets(of: shown.map(\.postID)),
            departments: try await request.repositories.ideas.departments(), showAll: showAll)
    }

    private func insight(_ request: Request) async throws -> (Insight, ListeningRepository.PostSnippet) {
        guard let id = request.parameters.get("insight", as: UUID.self), let insight = try await request.repositories.listening.insight(id),
            try await request.repositories.topics.readable([insight.topicID], viewer: try await request.viewer()).contains(insight.topicID),
            let snippet = try await request.repositories.listening.snippets(of: [insight.postID])[insight.postID]
        else { throw Abort(.notFound) }
        return (insight, snippet)
    }

    /// Turns an insight into an idea on the content calendar, with the post linked in its notes.
    @Sendable func planInsight(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let member = try request.requireMember()
        let (insight, snippet) = try await insight(request)
        let now = request.repositories.clock.now()
        let t = request.context.localizer
        let item = ContentItem(
            title: String(
                (t("insights.kind.\(insight.kind.rawValue)") + ": " + snippet.topicTitle).prefix(ContentPlanRules.titleMaxLength)),
            kind: .post, status: .idea, ownerID: member.id, groupID: nil, scheduledAt: nil, body: "",
            notes: [
                insight.note,
                request.application.kring.config.baseURL + "/t/\(snippet.topicID.uuidString.lowercased())#post-\(snippet.number)",
            ]
            .filter { !$0.isEmpty }.joined(separator: "\n"),
            createdAt: now, updatedAt: now)
        try await request.repositories.writeTransaction { tx in
            try await tx.contentCalendar.save(item)
            try await tx.listening.setStatus(insight.id, .planned, outcome: "calendar:" + item.id.uuidString.lowercased())
        }
        return request.redirect(to: "/cockpit/calendar/\(item.id.uuidString.lowercased())", flash: "flash.insight_planned")
    }

    struct RouteForm: Content {
        var department: String?
        var title: String?
    }

    /// Sends an insight to a department as an idea in the ideas module (public to members: the team
    /// writes its title; the post is only linked, so a closed group's words stay there).
    @Sendable func routeInsight(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let member = try request.requireMember()
        let (insight, snippet) = try await insight(request)
        let form = try request.content.decode(RouteForm.self)
        let departments = try await request.repositories.ideas.departments()
        let title = MemberRules.singleLine(form.title ?? "")
        guard let department = departments.first(where: { $0.id.uuidString.lowercased() == form.department?.lowercased() }),
            (5...150).contains(title.count)
        else {
            throw Abort(.unprocessableEntity, reason: "Choose a department and give the idea a title of 5 to 150 characters.")
        }
        let link = request.application.kring.config.baseURL + "/t/\(snippet.topicID.uuidString.lowercased())#post-\(snippet.number)"
        let description = [insight.note, request.context.localizer("insights.idea_source", ["link": link])].filter { !$0.isEmpty }
            .joined(separator: "\n\n")
        let ideaID = try await request.repositories.ideas.submit(title: title, description: description, tags: [], by: member)
        try await request.repositories.ideas.route(ideaID, to: department.id, by: member.actor)
        try await request.repositories.listening.setStatus(insight.id, .routed, outcome: "idea:" + ideaID.uuidString.lowercased())
        try await request.audit("insight.route", subjectType: "idea", subjectID: ideaID, label: "\(title) → \(department.name)")
        return request.redirect(to: "/ideas/\(ideaID.uuidString.lowercased())", flash: "flash.insight_routed")
    }

    @Sendable func closeInsight(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let (insight, _) = try await insight(request)
        try await request.repositories.listening.setStatus(insight.id, .closed, outcome: insight.outcome)
        return request.redirect(to: "/cockpit/insights", flash: "flash.insight_closed")
    }
}
