import KringCore
import KringStore
import Vapor

// MARK: Payloads

struct EventDTO: Content {
    let id: UUID
    let title: String
    let description: String
    let group: String?
    let startsAt: Date
    let endsAt: Date
    let timeZone: String
    let location: String
    let onlineUrl: String
    let capacity: Int?
    let goingCount: Int
    let waitlistCount: Int
    let isCancelled: Bool
    /// The caller's answer, if any.
    let myStatus: String?

    init(_ event: Event, group: String?, myStatus: RSVPStatus?) {
        id = event.id
        title = event.title
        description = event.description
        self.group = group
        startsAt = event.startsAt
        endsAt = event.endsAt
        timeZone = event.timeZone
        location = event.location
        onlineUrl = event.onlineURL
        capacity = event.capacity
        goingCount = event.goingCount
        waitlistCount = event.waitlistCount
        isCancelled = event.cancelledAt != nil
        self.myStatus = myStatus?.rawValue
    }
}

struct EventListDTO: Content { let events: [EventDTO] }

struct RSVPRequest: Content { var status: String }

struct PollDTO: Content {
    struct OptionDTO: Content {
        let id: UUID
        let label: String
        /// Absent while the results are hidden from the caller.
        let votes: Int?
        /// Who chose it, when the poll is not anonymous and results show.
        let voters: [String]?
    }

    let id: UUID
    let question: String
    let topicId: UUID?
    let group: String?
    let allowsMultiple: Bool
    let isAnonymous: Bool
    let resultsVisibility: String
    let closesAt: Date?
    let isClosed: Bool
    let showsResults: Bool
    let voterCount: Int?
    let options: [OptionDTO]
    let myChoices: [UUID]
}

struct PollListDTO: Content { let polls: [PollDTO] }

struct PollVoteRequest: Content { var options: [UUID] }

struct IdeaDTO: Content {
    let id: UUID
    let title: String
    let description: String
    let author: String
    let status: String
    let department: String?
    let tags: [String]
    let voteCount: Int
    let commentCount: Int
    let createdAt: Date
    let routedAt: Date?
    let firstResponseAt: Date?
    let myVote: Bool?
}

struct IdeaListDTO: Content { let ideas: [IdeaDTO] }

struct IdeaCreateRequest: Content {
    var title: String
    var description: String
    var tags: [String]?
}

/// Events and ideas in `/api/v1`: what members do with them through the site, for apps and integrations.
struct ParticipationAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let api = routes.grouped("api", "v1")
        api.get("events", use: events)
        api.get("events", ":event", use: event)
        api.post("events", ":event", "rsvp", use: rsvp)
        api.get("polls", use: polls)
        api.get("polls", ":poll", use: poll)
        api.post("polls", ":poll", "vote", use: votePoll)
        api.get("ideas", use: ideas)
        api.post("ideas", use: submitIdea)
        api.get("ideas", ":idea", use: idea)
        api.post("ideas", ":idea", "vote", use: vote)
        api.delete("ideas", ":idea", "vote", use: unvote)
    }

    // MARK: Events

    /// Slugs of the groups things live in, in one query.
    private func groupSlugs(_ request: Request, _ groupIDs: [UUID?]) async throws -> [UUID: String] {
        try await request.repositories.groups.find(ids: Array(Set(groupIDs.compactMap { $0 }))).mapValues(\.slug)
    }

    @Sendable func events(request: Request) async throws -> EventListDTO {
        let past = try request.strictQuery("past", as: Bool.self) ?? false
        let now = request.repositories.clock.now()
        let events = try await request.repositories.events.list(
            viewer: try await request.viewer(), from: past ? nil : now, to: past ? now : nil, newestFirst: past)
        let slugs = try await groupSlugs(request, events.map(\.groupID))
        return EventListDTO(events: events.map { EventDTO($0, group: $0.groupID.flatMap { slugs[$0] }, myStatus: nil) })
    }

    private func visibleEvent(_ request: Request) async throws -> Event {
        guard let id = request.parameters.get("event", as: UUID.self),
            let event = try await request.repositories.events.find(id, viewer: try await request.viewer())
        else { throw Abort(.notFound, reason: "No such event.") }
        return event
    }

    private func dto(_ request: Request, _ event: Event) async throws -> EventDTO {
        let answer = try await request.context.member.asyncMap { try await request.repositories.events.answer(of: $0.id, to: event.id) }
        return EventDTO(event, group: try await groupSlugs(request, [event.groupID]).values.first, myStatus: answer??.status)
    }

    @Sendable func event(request: Request) async throws -> EventDTO {
        try await dto(request, try await visibleEvent(request))
    }

    /// Answers going, maybe or not going; a full event puts "going" on the waitlist, which the answer shows.
    @Sendable func rsvp(request: Request) async throws -> EventDTO {
        let member = try request.requireContributor()
        let event = try await visibleEvent(request)
        try request.rejectNulls(in: ["status"])
        let requested = try CommunityRules.choice(try request.content.decode(RSVPRequest.self).status, as: RSVPStatus.self, field: "status")
        guard requested != .waitlisted else { throw ValidationFailure(field: "status", code: "choice.invalid") }
        guard event.cancelledAt == nil else { throw Abort(.conflict, reason: "The event is cancelled.") }
        try await request.requireParticipation(inGroup: event.groupID, member: member)
        _ = try await request.repositories.events.rsvp(event.id, member: member, requested)
        return try await dto(request, try await visibleEvent(request))
    }

    // MARK: Polls

    private func pollDTOs(_ request: Request, _ polls: [Poll]) async throws -> [PollDTO] {
        let now = request.repositories.clock.now()
        let actor = request.context.actor
        let slugs = try await groupSlugs(request, polls.map(\.groupID))
        return polls.map { poll in
            let shows = poll.showsResults(to: actor, at: now)
            return PollDTO(
                id: poll.id, question: poll.question, topicId: poll.topicID, group: poll.groupID.flatMap { slugs[$0] },
                allowsMultiple: poll.allowsMultiple, isAnonymous: poll.isAnonymous, resultsVisibility: poll.resultsVisibility.rawValue,
                closesAt: poll.closesAt, isClosed: poll.isClosed(at: now), showsResults: shows, voterCount: shows ? poll.voterCount : nil,
                options: poll.options.map { option in
                    PollDTO.OptionDTO(
                        id: option.id, label: option.label, votes: shows ? option.votes : nil,
                        voters: shows && !poll.isAnonymous ? option.voters : nil)
                },
                myChoices: poll.options.map(\.id).filter { poll.myChoices.contains($0) })
        }
    }

    /// Standalone polls (those in topics come with their topic's page).
    @Sendable func polls(request: Request) async throws -> PollListDTO {
        PollListDTO(polls: try await pollDTOs(request, try await request.repositories.polls.standalone(viewer: try await request.viewer())))
    }

    private func visiblePoll(_ request: Request) async throws -> Poll {
        guard let id = request.parameters.get("poll", as: UUID.self),
            let poll = try await request.repositories.polls.find(id, viewer: try await request.viewer())
        else { throw Abort(.notFound, reason: "No such poll.") }
        return poll
    }

    @Sendable func poll(request: Request) async throws -> PollDTO {
        try await pollDTOs(request, [try await visiblePoll(request)])[0]
    }

    /// Replaces the caller's choices; allowed until the poll closes.
    @Sendable func votePoll(request: Request) async throws -> PollDTO {
        let member = try request.requireContributor()
        let poll = try await visiblePoll(request)
        try request.rejectNulls(in: ["options"])
        let chosen = Set(try request.content.decode(PollVoteRequest.self).options)
        // Like an accepted answer that is not in the topic: ids that are not this poll's options are not found;
        // several choices where one is allowed conflict with how the poll was set up.
        guard chosen.isSubset(of: poll.options.map(\.id)) else { throw Abort(.notFound, reason: "No such option in this poll.") }
        guard poll.allowsMultiple || chosen.count <= 1 else { throw Abort(.conflict, reason: "This poll allows one choice.") }
        let choices: Set<UUID>
        do {
            choices = try PollRules.choices(Array(chosen), of: poll)
        } catch {
            // The rules name the page's form field; the API's is "options".
            throw ValidationFailure(error.errors.map { FieldError(field: "options", code: $0.code) })
        }
        guard !poll.isClosed(at: request.repositories.clock.now()) else { throw Abort(.conflict, reason: "The poll is closed.") }
        try await request.requireParticipation(inGroup: poll.groupID, member: member)
        try await request.repositories.polls.vote(poll.id, choices: choices, by: member)
        return try await pollDTOs(request, [try await visiblePoll(request)])[0]
    }

    // MARK: Ideas

    private func dtos(_ request: Request, _ ideas: [Idea]) async throws -> [IdeaDTO] {
        let departments = Dictionary(uniqueKeysWithValues: try await request.repositories.ideas.departments().map { ($0.id, $0.name) })
        let handles = try await request.repositories.members.handles(of: Array(Set(ideas.map(\.authorID))))
        let voted = try await request.context.member.asyncMap {
            try await request.repositories.ideas.voted(among: ideas.map(\.id), memberID: $0.id)
        }
        return ideas.map { idea in
            IdeaDTO(
                id: idea.id, title: idea.title, description: idea.description, author: handles[idea.authorID] ?? "",
                status: idea.status.rawValue,
                department: idea.departmentID.flatMap { departments[$0] }, tags: idea.tags, voteCount: idea.voteCount,
                commentCount: idea.commentCount, createdAt: idea.createdAt, routedAt: idea.routedAt, firstResponseAt: idea.firstResponseAt,
                myVote: voted.map { $0.contains(idea.id) })
        }
    }

    @Sendable func ideas(request: Request) async throws -> IdeaListDTO {
        let status = try request.query[String.self, at: "status"].map {
            try CommunityRules.choice($0, as: IdeaStatus.self, field: "status")
        }
        let sort = request.query[String.self, at: "sort"] ?? "votes"
        guard ["votes", "newest"].contains(sort) else { throw ValidationFailure(field: "sort", code: "choice.invalid") }
        let ideas = try await request.repositories.ideas.list(status: status, newestFirst: sort == "newest")
        return IdeaListDTO(ideas: try await dtos(request, ideas))
    }

    private func foundIdea(_ request: Request) async throws -> Idea {
        guard let id = request.parameters.get("idea", as: UUID.self), let idea = try await request.repositories.ideas.find(id) else {
            throw Abort(.notFound, reason: "No such idea.")
        }
        return idea
    }

    @Sendable func idea(request: Request) async throws -> IdeaDTO {
        try await dtos(request, [try await foundIdea(request)])[0]
    }

    @Sendable func submitIdea(request: Request) async throws -> Response {
        let member = try request.requireContributor()
        try request.rejectNulls(in: ["title", "description", "tags"])
        let body = try request.content.decode(IdeaCreateRequest.self)
        var errors = FieldErrorCollector()
        let title = errors.check { () throws(ValidationFailure) in try PostRules.title(body.title) }
        let description = errors.check { () throws(ValidationFailure) in try PostRules.body(body.description, field: "description") }
        let tags = errors.check { () throws(ValidationFailure) in try MemberRules.tags(body.tags ?? [], field: "tags") }
        try errors.throwIfAny()
        guard let title, let description else { throw Abort(.internalServerError) }
        let id = try await request.repositories.ideas.submit(title: title, description: description, tags: tags ?? [], by: member)
        guard let created = try await request.repositories.ideas.find(id) else { throw Abort(.internalServerError) }
        let idea = try await dtos(request, [created])[0]
        let response = try await idea.encodeResponse(status: .created, for: request)
        response.headers.replaceOrAdd(name: .location, value: "/api/v1/ideas/\(id.uuidString.lowercased())")
        return response
    }

    @Sendable func vote(request: Request) async throws -> IdeaDTO {
        try await setVote(request, true)
    }

    @Sendable func unvote(request: Request) async throws -> IdeaDTO {
        try await setVote(request, false)
    }

    private func setVote(_ request: Request, _ on: Bool) async throws -> IdeaDTO {
        let member = try request.requireContributor()
        let idea = try await foundIdea(request)
        try await request.repositories.ideas.vote(idea.id, by: member, on)
        return try await dtos(request, [try await foundIdea(request)])[0]
    }
}
