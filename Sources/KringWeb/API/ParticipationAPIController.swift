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
    /// Handles: the creator first, then the co-organisers.
    let organisers: [String]
    /// The caller's answer, if any.
    let myStatus: String?

    init(_ event: Event, group: String?, organisers: [String], myStatus: RSVPStatus?) {
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
        self.organisers = organisers
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
        api.get("me", "calendar", use: calendarFeed)
        api.post("me", "calendar", "renew", use: renewCalendarFeed)
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

    /// Upcoming events (or `past=true`), optionally in one group (`group`, a slug) and in a window
    /// (`from`: still running then, `to`: starting before; RFC 3339 times), each with the caller's answer.
    @Sendable func events(request: Request) async throws -> EventListDTO {
        let past = try request.strictQuery("past", as: Bool.self) ?? false
        let now = request.repositories.clock.now()
        func time(_ name: String) throws -> Date? {
            guard let text = request.query[String.self, at: name] else { return nil }
            guard let date = RFC3339.date(text) else {
                throw Abort(.badRequest, reason: "\(name) is a time as in 2026-12-01T00:00:00Z.")
            }
            return date
        }
        let from = try time("from") ?? (past ? nil : now)
        let to = try time("to") ?? (past ? now : nil)
        var groupID: UUID?
        if let slug = request.query[String.self, at: "group"] {
            let viewer = try await request.viewer()
            guard let group = try await request.repositories.groups.find(slug: slug), viewer.canSee(group) else {
                throw Abort(.notFound, reason: "No such group.")
            }
            groupID = group.id
        }
        let events = try await request.repositories.events.list(
            viewer: try await request.viewer(), from: from, to: to, groupID: groupID, newestFirst: past)
        let slugs = try await request.groupSlugs(events.map(\.groupID))
        let organisers = try await request.organiserHandles(events)
        let answers = try await request.context.member.asyncMap {
            try await request.repositories.events.answers(of: $0.id, to: events.map(\.id))
        }
        return EventListDTO(
            events: events.map {
                EventDTO(
                    $0, group: $0.groupID.flatMap { slugs[$0] }, organisers: organisers[$0.id] ?? [], myStatus: answers?[$0.id])
            }
        )
    }

    @Sendable func event(request: Request) async throws -> EventDTO {
        try await request.eventDTO(try await request.visibleEvent())
    }

    /// Answers going, maybe or not going; a full event puts "going" on the waitlist, which the answer shows.
    @Sendable func rsvp(request: Request) async throws -> EventDTO {
        let member = try request.requireContributor()
        let event = try await request.visibleEvent()
        try request.rejectNulls(in: ["status"])
        let requested = try CommunityRules.choice(try request.content.decode(RSVPRequest.self).status, as: RSVPStatus.self, field: "status")
        guard requested != .waitlisted else { throw ValidationFailure(field: "status", code: "choice.invalid") }
        guard event.cancelledAt == nil else { throw Abort(.conflict, reason: "The event is cancelled.") }
        try await request.requireParticipation(inGroup: event.groupID, member: member)
        _ = try await request.repositories.events.rsvp(event.id, member: member, requested)
        return try await request.eventDTO(try await request.visibleEvent())
    }

    struct CalendarFeedDTO: Content {
        /// The private address of the caller's iCalendar feed of the events they go to or organise.
        let url: String
    }

    @Sendable func calendarFeed(request: Request) async throws -> CalendarFeedDTO {
        try await Self.calendarFeed(request, renew: false)
    }

    /// A new private address; the old one stops working at once.
    @Sendable func renewCalendarFeed(request: Request) async throws -> CalendarFeedDTO {
        try await Self.calendarFeed(request, renew: true)
    }

    private static func calendarFeed(_ request: Request, renew: Bool) async throws -> CalendarFeedDTO {
        CalendarFeedDTO(url: try await request.personalCalendarURL(renew: renew))
    }

    // MARK: Polls

    /// Standalone polls, or with `topic` (an id) the polls in that topic.
    @Sendable func polls(request: Request) async throws -> PollListDTO {
        let viewer = try await request.viewer()
        if let topicID = try request.strictQuery("topic", as: UUID.self) {
            return PollListDTO(
                polls: try await request.pollDTOs(try await request.repositories.polls.polls(ofTopic: topicID, viewer: viewer)))
        }
        return PollListDTO(polls: try await request.pollDTOs(try await request.repositories.polls.standalone(viewer: viewer)))
    }

    @Sendable func poll(request: Request) async throws -> PollDTO {
        try await request.pollDTOs([try await request.visiblePoll()])[0]
    }

    /// Replaces the caller's choices; allowed until the poll closes.
    @Sendable func votePoll(request: Request) async throws -> PollDTO {
        let member = try request.requireContributor()
        let poll = try await request.visiblePoll()
        try request.rejectNulls(in: ["options"])
        let chosen = Set(try request.content.decode(PollVoteRequest.self).options)
        // Ids that are not this poll's options, and several choices where one is allowed, conflict with
        // how the poll was set up (a 404 would say the poll itself is gone).
        guard chosen.isSubset(of: poll.options.map(\.id)) else { throw Abort(.conflict, reason: "These are not all options of this poll.") }
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
        return try await request.pollDTOs([try await request.visiblePoll()])[0]
    }

    // MARK: Ideas

    @Sendable func ideas(request: Request) async throws -> IdeaListDTO {
        let status = try request.query[String.self, at: "status"].map {
            try CommunityRules.choice($0, as: IdeaStatus.self, field: "status")
        }
        let sort = request.query[String.self, at: "sort"] ?? "votes"
        guard ["votes", "newest"].contains(sort) else { throw ValidationFailure(field: "sort", code: "choice.invalid") }
        let department = try request.strictQuery("department", as: UUID.self)
        let ideas = try await request.repositories.ideas.list(status: status, departmentID: department, newestFirst: sort == "newest")
        return IdeaListDTO(ideas: try await request.ideaDTOs(ideas))
    }

    @Sendable func idea(request: Request) async throws -> IdeaDTO {
        try await request.ideaDTOs([try await request.foundIdea()])[0]
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
        let idea = try await request.ideaDTOs([created])[0]
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
        let idea = try await request.foundIdea()
        try await request.repositories.ideas.vote(idea.id, by: member, on)
        return try await request.ideaDTOs([try await request.foundIdea()])[0]
    }
}

/// The API's views of events, polls and ideas, shared by the controllers that read and write them.
extension Request {
    /// Slugs of the groups things live in, in one query.
    func groupSlugs(_ groupIDs: [UUID?]) async throws -> [UUID: String] {
        try await repositories.groups.find(ids: Array(Set(groupIDs.compactMap { $0 }))).mapValues(\.slug)
    }

    func eventDTO(_ event: Event) async throws -> EventDTO {
        let answer = try await context.member.asyncMap { try await repositories.events.answer(of: $0.id, to: event.id) }
        return EventDTO(
            event, group: try await groupSlugs([event.groupID]).values.first,
            organisers: try await organiserHandles([event])[event.id] ?? [],
            myStatus: answer??.status)
    }

    /// Each event's organisers' handles (creator first), in two queries.
    func organiserHandles(_ events: [Event]) async throws -> [UUID: [String]] {
        let co = try await repositories.events.coOrganisers(ofEvents: events.map(\.id))
        let handles = try await repositories.members.handles(of: Array(Set(events.map(\.organiserID) + co.values.flatMap { $0 })))
        return Dictionary(
            uniqueKeysWithValues: events.map { event in
                (event.id, ([event.organiserID] + (co[event.id] ?? [])).compactMap { handles[$0] })
            })
    }

    func pollDTOs(_ polls: [Poll]) async throws -> [PollDTO] {
        let now = repositories.clock.now()
        let actor = context.actor
        let slugs = try await groupSlugs(polls.map(\.groupID))
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

    func ideaDTOs(_ ideas: [Idea]) async throws -> [IdeaDTO] {
        let departments = Dictionary(uniqueKeysWithValues: try await repositories.ideas.departments().map { ($0.id, $0.name) })
        let handles = try await repositories.members.handles(of: Array(Set(ideas.map(\.authorID))))
        let voted = try await context.member.asyncMap {
            try await repositories.ideas.voted(among: ideas.map(\.id), memberID: $0.id)
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

    func visibleEvent() async throws -> Event {
        guard let id = parameters.get("event", as: UUID.self),
            let event = try await repositories.events.find(id, viewer: try await viewer())
        else { throw Abort(.notFound, reason: "No such event.") }
        return event
    }
    func visiblePoll() async throws -> Poll {
        guard let id = parameters.get("poll", as: UUID.self),
            let poll = try await repositories.polls.find(id, viewer: try await viewer())
        else { throw Abort(.notFound, reason: "No such poll.") }
        return poll
    }
    func foundIdea() async throws -> Idea {
        guard let id = parameters.get("idea", as: UUID.self), let idea = try await repositories.ideas.find(id) else {
            throw Abort(.notFound, reason: "No such idea.")
        }
        return idea
    }
}
