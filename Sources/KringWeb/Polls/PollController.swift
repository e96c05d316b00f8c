import KringCore
import KringStore
import Vapor

extension Repositories {
    public var polls: PollRepository { PollRepository(database: database, clock: clock) }
}

/// Polls (trial balloons): standalone or in a topic; single or multiple choice; optionally anonymous.
struct PollController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("polls", use: list)
        routes.get("polls", "new", use: newForm)
        routes.post("polls", use: create)
        routes.get("polls", ":poll", use: show)
        routes.post("polls", ":poll", "vote", use: vote)
        routes.post("polls", ":poll", "close", use: close)
    }

    @Sendable func list(request: Request) async throws -> Response {
        let polls = try await request.repositories.polls.standalone(viewer: try await request.viewer())
        return PollViews.list(request, polls: polls)
    }

    struct PollForm: Content {
        var topic: String?
        var group: String?
        var question: String?
        var options: String?
        var multiple: String?
        var anonymous: String?
        var results: String?
        var closes_at: String?
    }

    /// Where the poll goes: a topic the member may post in, a group, or the whole community.
    private func place(_ request: Request, _ form: PollForm, member: Member) async throws -> (topicID: UUID?, groupID: UUID?) {
        let viewer = try await request.viewer()
        if let raw = form.topic, !raw.isEmpty {
            guard let topicID = UUID(uuidString: raw),
                let page = try await request.repositories.topics.page(
                    topicID: topicID, viewer: viewer, render: UserMarkdown.renderer, currentRenderVersion: UserMarkdown.version),
                page.author.id == member.id || member.role >= .moderator
            else { throw ValidationFailure(field: "topic", code: "group.not_allowed") }
            return (topicID, page.group?.id)
        }
        if let slug = form.group, !slug.isEmpty {
            guard let group = try await request.repositories.groups.find(slug: slug),
                GroupAccess.canPost(
                    in: group, actor: member.actor,
                    membership: try await request.repositories.groups.membership(of: member.id, in: group.id))
            else { throw ValidationFailure(field: "group", code: "group.not_allowed") }
            return (nil, group.id)
        }
        return (nil, nil)
    }

    @Sendable func newForm(request: Request) async throws -> Response {
        _ = try request.requireContributor()
        let state = FormState(values: [
            "topic": request.query[String.self, at: "topic"] ?? "", "group": request.query[String.self, at: "group"] ?? "",
            "results": "after_vote",
        ])
        return PollViews.form(request, state: state)
    }

    @Sendable func create(request: Request) async throws -> Response {
        let member = try request.requireContributor()
        let form = try request.content.decode(PollForm.self)
        do {
            var errors = FieldErrorCollector()
            let question = errors.check { () throws(ValidationFailure) in try PollRules.question(form.question ?? "") }
            let options = errors.check { () throws(ValidationFailure) in try PollRules.options(form.options ?? "") }
            let results = errors.check { () throws(ValidationFailure) in
                try CommunityRules.choice(form.results ?? "after_vote", as: PollResultsVisibility.self, field: "results")
            }
            var closesAt: Date?
            if let raw = form.closes_at, !raw.isEmpty {
                let zone = TimeZone(identifier: request.context.community?.timeZone ?? "") ?? .gmt
                closesAt = errors.check { () throws(ValidationFailure) in
                    try EventRules.localDateTime(raw, timeZone: zone, field: "closes_at")
                }
                if let closesAt, closesAt <= request.application.kring.clock.now() { errors.add("closes_at", "poll.closes_in_past") }
            }
            try errors.throwIfAny()
            let (topicID, groupID) = try await place(request, form, member: member)
            let id = try await request.repositories.polls.create(
                NewPoll(
                    topicID: topicID, groupID: groupID, question: question ?? "", options: options ?? [],
                    allowsMultiple: form.multiple == "1",
                    isAnonymous: form.anonymous == "1", resultsVisibility: results ?? .afterVote, closesAt: closesAt), by: member)
            let target =
                topicID.map { "/t/\($0.uuidString.lowercased())#poll-\(id.uuidString.lowercased())" }
                ?? "/polls/\(id.uuidString.lowercased())"
            return request.redirect(to: target, flash: "flash.poll_created")
        } catch let failure as ValidationFailure {
            let values = [
                "topic": form.topic ?? "", "group": form.group ?? "", "question": form.question ?? "", "options": form.options ?? "",
                "multiple": form.multiple ?? "", "anonymous": form.anonymous ?? "", "results": form.results ?? "",
                "closes_at": form.closes_at ?? "",
            ]
            return PollViews.form(request, state: FormState(values: values, errors: failure.errors), status: .unprocessableEntity)
        }
    }

    private func poll(_ request: Request) async throws -> Poll {
        guard let id = request.parameters.get("poll", as: UUID.self),
            let poll = try await request.repositories.polls.find(id, viewer: try await request.viewer())
        else { throw Abort(.notFound) }
        return poll
    }

    @Sendable func show(request: Request) async throws -> Response {
        PollViews.page(request, poll: try await poll(request))
    }

    struct VoteForm: Content {
        var option: [UUID]?
    }

    @Sendable func vote(request: Request) async throws -> Response {
        let member = try request.requireContributor()
        let poll = try await poll(request)
        guard !poll.isClosed(at: request.application.kring.clock.now()) else {
            throw Abort(.conflict, reason: request.context.localizer("polls.closed"))
        }
        try await request.requireParticipation(inGroup: poll.groupID, member: member)
        let choices = try PollRules.choices((try? request.content.decode(VoteForm.self).option) ?? [], of: poll)
        try await request.repositories.polls.vote(poll.id, choices: choices, by: member)
        let target =
            poll.topicID.map { "/t/\($0.uuidString.lowercased())#poll-\(poll.id.uuidString.lowercased())" }
            ?? "/polls/\(poll.id.uuidString.lowercased())"
        return request.redirect(to: target, flash: "flash.voted")
    }

    @Sendable func close(request: Request) async throws -> Response {
        let member = try request.requireMember()
        let poll = try await poll(request)
        guard member.id == poll.authorID || member.role >= .moderator else { throw Abort(.forbidden) }
        try await request.repositories.polls.close(poll.id)
        return request.redirect(to: "/polls/\(poll.id.uuidString.lowercased())", flash: "flash.poll_closed")
    }
}
