import KringCore
import KringStore
import Vapor

// MARK: Payloads

/// A new event, or the fields of one that change. Times are instants (RFC 3339); the length is given
/// in minutes, so that every well-formed request describes a possible event.
struct EventWriteRequest: Content {
    var title: String?
    var description: String?
    var group: String?
    var startsAt: String?
    var durationMinutes: Int?
    var timeZone: String?
    var location: String?
    var onlineUrl: String?
    var capacity: Int?
    /// Handles of co-organisers; replaces the list when given.
    var organisers: [String]?
}

struct AttendeeDTO: Content {
    let handle: String
    let displayName: String
    let status: String
    let checkedIn: Bool
    let answeredAt: Date
}

struct AttendeeListDTO: Content { let attendees: [AttendeeDTO] }

struct PollCreateRequest: Content {
    var question: String
    var options: [String]
    var topicId: UUID?
    var group: String?
    var allowsMultiple: Bool?
    var isAnonymous: Bool?
    var resultsVisibility: String?
    var closesAt: String?
}

struct IdeaCommentDTO: Content {
    let id: UUID
    let author: String
    let body: String
    let isOfficial: Bool
    let status: String?
    let createdAt: Date

    init(_ comment: IdeaComment) {
        id = comment.id
        author = comment.author.handle
        body = comment.body
        isOfficial = comment.isOfficial
        status = comment.status?.rawValue
        createdAt = comment.createdAt
    }
}

struct IdeaCommentListDTO: Content { let comments: [IdeaCommentDTO] }

struct IdeaCommentRequest: Content {
    var body: String
    var status: String?
}

struct IdeaRouteRequest: Content { var department: UUID }

struct DepartmentDTO: Content {
    let id: UUID
    let name: String
    let description: String
    let liaisons: [String]
}

struct DepartmentListDTO: Content { let departments: [DepartmentDTO] }

struct DepartmentRequest: Content {
    var name: String
    var description: String?
}

/// What organisers, managers and liaisons do through the API: events (create, change, cancel,
/// attendees and check-in), polls (create, close), ideas (comments, official responses, routing)
/// and departments with their liaisons.
struct OrganisingAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let api = routes.grouped("api", "v1")
        api.post("events", use: createEvent)
        api.patch("events", ":event", use: updateEvent)
        api.post("events", ":event", "cancel", use: cancelEvent)
        api.get("events", ":event", "attendees", use: attendees)
        api.put("events", ":event", "attendees", ":handle", "check-in", use: checkIn)
        api.delete("events", ":event", "attendees", ":handle", "check-in", use: undoCheckIn)
        api.post("polls", use: createPoll)
        api.post("polls", ":poll", "close", use: closePoll)
        api.get("ideas", ":idea", "comments", use: comments)
        api.post("ideas", ":idea", "comments", use: comment)
        api.post("ideas", ":idea", "responses", use: respond)
        api.put("ideas", ":idea", "department", use: route)
        api.get("departments", use: departments)
        api.post("departments", use: saveDepartment)
        api.put("departments", ":department", "liaisons", ":handle", use: addLiaison)
        api.delete("departments", ":department", "liaisons", ":handle", use: removeLiaison)
    }

    // MARK: Events

    /// The event as given, over `base` for a change. Groups the caller may not organise in are not found.
    private func draft(_ request: Request, _ body: EventWriteRequest, over base: Event?) async throws -> EventDraft {
        var errors = FieldErrorCollector()
        let title = errors.check { () throws(ValidationFailure) in try EventRules.title(body.title ?? base?.title ?? "") }
        let description = errors.check { () throws(ValidationFailure) in
            try GroupRules.text(body.description ?? base?.description ?? "", field: "description")
        }
        let zone = errors.check { () throws(ValidationFailure) in
            try CommunityRules.timeZone(body.timeZone ?? base?.timeZone ?? request.context.community?.timeZone ?? "UTC", field: "timeZone")
        }
        var start = base?.startsAt
        if let raw = body.startsAt {
            start = RFC3339.date(raw)
            if start == nil { errors.add("startsAt", "datetime.invalid") }
        } else if base == nil {
            errors.add("startsAt", "required")
        }
        var minutes = base.map { Int($0.endsAt.timeIntervalSince($0.startsAt) / 60) }
        if let requested = body.durationMinutes {
            if (1...Int(EventRules.longestEvent / 60)).contains(requested) {
                minutes = requested
            } else {
                errors.add("durationMinutes", "number.invalid")
            }
        } else if base == nil {
            errors.add("durationMinutes", "required")
        }
        let location = errors.check { () throws(ValidationFailure) in try EventRules.location(body.location ?? base?.location ?? "") }
        let online = errors.check { () throws(ValidationFailure) in
            try EventRules.onlineURL(body.onlineUrl ?? base?.onlineURL ?? "")
        }
        var capacity = base?.capacity
        if request.hasField("capacity") {
            capacity = body.capacity
            if let value = body.capacity, !(1...100_000).contains(value) { errors.add("capacity", "number.invalid") }
        }
        try errors.throwIfAny()
        var groupID = base?.groupID
        if let slug = body.group {
            if slug.isEmpty {
                groupID = nil
            } else {
                guard let group = try await request.groupsForEvents().first(where: { $0.slug == slug }) else {
                    throw Abort(.notFound, reason: "No such group, or the caller may not organise events in it.")
                }
                groupID = group.id
            }
        }
        var coOrganisers: [UUID]?
        if let handles = body.organisers {
            do {
                coOrganisers = try await request.organiserIDs(handles: handles.joined(separator: " "))
            } catch is ValidationFailure {
                // Well-formed but unknown handles conflict with the members there are (a 404 would say the event is gone).
                throw Abort(.conflict, reason: "Every organiser must be an active member's handle (at most 20).")
            }
        }
        let startsAt = start ?? Date()
        return EventDraft(
            groupID: groupID, title: title ?? "", description: description ?? "", startsAt: startsAt,
            endsAt: startsAt.addingTimeInterval(TimeInterval((minutes ?? 60) * 60)), timeZone: zone ?? "UTC", location: location ?? "",
            onlineURL: online ?? "", capacity: capacity, coOrganiserIDs: coOrganisers)
    }

    private static let eventFields: Set<String> = [
        "title", "description", "group", "startsAt", "durationMinutes", "timeZone", "location", "onlineUrl", "organisers",
    ]

    @Sendable func createEvent(request: Request) async throws -> Response {
        let member = try request.requireContributor()
        try request.rejectNulls(in: Self.eventFields)
        let body = try request.content.decode(EventWriteRequest.self)
        let event = try await request.repositories.events.create(try await draft(request, body, over: nil), by: member)
        let response = try await request.eventDTO(event).encodeResponse(status: .created, for: request)
        response.headers.replaceOrAdd(name: .location, value: "/api/v1/events/\(event.id.uuidString.lowercased())")
        return response
    }

    private func organised(_ request: Request) async throws -> Event {
        _ = try request.requireMember()
        let event = try await request.visibleEvent()
        guard try await request.mayOrganise(event) else { throw Abort(.forbidden, reason: "Only the event's organisers may do this.") }
        return event
    }

    @Sendable func updateEvent(request: Request) async throws -> EventDTO {
        let event = try await organised(request)
        _ = try request.requireContributor()
        try request.rejectNulls(in: Self.eventFields)
        let body = try request.content.decode(EventWriteRequest.self)
        try await request.repositories.events.update(event.id, with: try await draft(request, body, over: event), by: request.context.actor)
        return try await request.eventDTO(try await request.visibleEvent())
    }

    @Sendable func cancelEvent(request: Request) async throws -> EventDTO {
        let event = try await organised(request)
        if event.cancelledAt == nil { try await request.repositories.events.cancel(event.id, by: request.context.actor) }
        return try await request.eventDTO(try await request.visibleEvent())
    }

    @Sendable func attendees(request: Request) async throws -> AttendeeListDTO {
        let event = try await organised(request)
        return AttendeeListDTO(
            attendees: try await request.repositories.events.attendees(of: event.id).map {
                AttendeeDTO(
                    handle: $0.member.handle, displayName: $0.member.displayName, status: $0.status.rawValue, checkedIn: $0.checkedIn,
                    answeredAt: $0.answeredAt)
            })
    }

    @Sendable func checkIn(request: Request) async throws -> AttendeeListDTO {
        try await setCheckIn(request, true)
    }

    @Sendable func undoCheckIn(request: Request) async throws -> AttendeeListDTO {
        try await setCheckIn(request, false)
    }

    /// Marks whether someone who answered actually came; people who never answered are not found.
    private func setCheckIn(_ request: Request, _ present: Bool) async throws -> AttendeeListDTO {
        let event = try await organised(request)
        guard let member = try await request.repositories.members.find(handle: request.parameters.get("handle") ?? "") else {
            throw Abort(.notFound, reason: "No such member.")
        }
        try await request.repositories.events.checkIn(event.id, memberID: member.id, present)
        return try await attendees(request: request)
    }

    // MARK: Polls

    @Sendable func createPoll(request: Request) async throws -> Response {
        let member = try request.requireContributor()
        try request.rejectNulls(in: [
            "question", "options", "topicId", "group", "allowsMultiple", "isAnonymous", "resultsVisibility", "closesAt",
        ])
        let body = try request.content.decode(PollCreateRequest.self)
        var errors = FieldErrorCollector()
        let question = errors.check { () throws(ValidationFailure) in try PollRules.question(body.question) }
        let options = errors.check { () throws(ValidationFailure) in try PollRules.options(body.options) }
        let results = errors.check { () throws(ValidationFailure) in
            try CommunityRules.choice(body.resultsVisibility ?? "after_vote", as: PollResultsVisibility.self, field: "resultsVisibility")
        }
        var closesAt: Date?
        if let raw = body.closesAt {
            closesAt = RFC3339.date(raw)
            if closesAt == nil { errors.add("closesAt", "datetime.invalid") }
        }
        if body.topicId != nil, body.group != nil { errors.add("group", "poll.topic_or_group") }
        try errors.throwIfAny()
        if let closesAt, closesAt <= request.repositories.clock.now() {
            throw Abort(.conflict, reason: "The closing time has already passed.")
        }
        let (topicID, groupID) = try await pollPlace(request, body, member: member)
        let id = try await request.repositories.polls.create(
            NewPoll(
                topicID: topicID, groupID: groupID, question: question ?? "", options: options ?? [],
                allowsMultiple: body.allowsMultiple ?? false,
                isAnonymous: body.isAnonymous ?? false, resultsVisibility: results ?? .afterVote, closesAt: closesAt), by: member)
        guard let poll = try await request.repositories.polls.find(id, viewer: try await request.viewer()) else {
            throw Abort(.internalServerError)
        }
        let response = try await request.pollDTOs([poll])[0].encodeResponse(status: .created, for: request)
        response.headers.replaceOrAdd(name: .location, value: "/api/v1/polls/\(id.uuidString.lowercased())")
        return response
    }

    /// A topic the member started (or moderates), a group they may post in, or the whole community.
    private func pollPlace(_ request: Request, _ body: PollCreateRequest, member: Member) async throws -> (UUID?, UUID?) {
        if let topicID = body.topicId {
            guard
                let page = try await request.repositories.topics.page(
                    topicID: topicID, viewer: try await request.viewer(), render: UserMarkdown.renderer,
                    currentRenderVersion: UserMarkdown.version)
            else { throw Abort(.notFound, reason: "No such topic.") }
            guard page.author.id == member.id || member.role >= .moderator else {
                throw Abort(.forbidden, reason: "Only the topic's author adds polls to it.")
            }
            return (topicID, page.group?.id)
        }
        if let slug = body.group {
            guard let group = try await request.repositories.groups.find(slug: slug) else {
                throw Abort(.notFound, reason: "No such group.")
            }
            let membership = try await request.repositories.groups.membership(of: member.id, in: group.id)
            guard GroupAccess.canSee(group, actor: member.actor, membership: membership) else {
                throw Abort(.notFound, reason: "No such group.")
            }
            guard GroupAccess.canPost(in: group, actor: member.actor, membership: membership) else {
                throw Abort(.forbidden, reason: "Only members of the group take part in what happens there.")
            }
            return (nil, group.id)
        }
        return (nil, nil)
    }

    @Sendable func closePoll(request: Request) async throws -> PollDTO {
        let member = try request.requireMember()
        let poll = try await request.visiblePoll()
        guard member.id == poll.authorID || member.role >= .moderator else {
            throw Abort(.forbidden, reason: "Only the poll's author and moderators close it.")
        }
        if !poll.isClosed(at: request.repositories.clock.now()) { try await request.repositories.polls.close(poll.id) }
        return try await request.pollDTOs([try await request.visiblePoll()])[0]
    }

    // MARK: Ideas

    @Sendable func comments(request: Request) async throws -> IdeaCommentListDTO {
        let idea = try await request.foundIdea()
        return IdeaCommentListDTO(comments: try await request.repositories.ideas.comments(of: idea.id).map(IdeaCommentDTO.init))
    }

    @Sendable func comment(request: Request) async throws -> Response {
        try await addComment(request, official: false)
    }

    /// An official response from a manager or the department's liaison, usually with a new status.
    @Sendable func respond(request: Request) async throws -> Response {
        try await addComment(request, official: true)
    }

    private func addComment(_ request: Request, official: Bool) async throws -> Response {
        let member = try request.requireContributor()
        let idea = try await request.foundIdea()
        if official {
            let department = try await request.repositories.ideas.departments().first { $0.id == idea.departmentID }
            guard IdeaAccess.mayRespond(member.actor, department: department) else {
                throw Abort(.forbidden, reason: "Only managers and the department's liaisons respond officially.")
            }
        }
        try request.rejectNulls(in: ["body", "status"])
        let body = try request.content.decode(IdeaCommentRequest.self)
        var errors = FieldErrorCollector()
        let text = errors.check { () throws(ValidationFailure) in try PostRules.body(body.body) }
        var status: IdeaStatus?
        if let raw = body.status {
            status = errors.check { () throws(ValidationFailure) in try CommunityRules.choice(raw, as: IdeaStatus.self, field: "status") }
        }
        try errors.throwIfAny()
        guard let text else { throw Abort(.internalServerError) }
        do {
            try await request.repositories.ideas.comment(
                idea.id, body: text, html: UserMarkdown.render(text).html, official: official, status: official ? status : nil, by: member)
        } catch let failure as ValidationFailure where failure.errors.contains(where: { $0.code == "idea.status_move" }) {
            // A status the idea cannot reach from where it stands conflicts with its state; the input itself is fine.
            throw Abort(.conflict, reason: "The idea cannot move to \(status?.rawValue ?? "that status") from \(idea.status.rawValue).")
        }
        if official {
            try await request.audit(
                "idea.respond", subjectType: "idea", subjectID: idea.id, label: idea.title, before: idea.status.rawValue,
                after: (status ?? idea.status).rawValue)
        }
        guard let added = try await request.repositories.ideas.comments(of: idea.id).last else { throw Abort(.internalServerError) }
        return try await IdeaCommentDTO(added).encodeResponse(status: .created, for: request)
    }

    @Sendable func route(request: Request) async throws -> IdeaDTO {
        try request.authorize(.viewCockpit)
        let idea = try await request.foundIdea()
        try request.rejectNulls(in: ["department"])
        let departmentID = try request.content.decode(IdeaRouteRequest.self).department
        // An unknown department conflicts with the departments there are (a 404 would say the idea is gone).
        guard let department = try await request.repositories.ideas.departments().first(where: { $0.id == departmentID }) else {
            throw Abort(.conflict, reason: "There is no department with this id.")
        }
        if idea.departmentID != department.id {
            try await request.repositories.ideas.route(idea.id, to: department.id, by: request.context.actor)
            try await request.audit("idea.route", subjectType: "idea", subjectID: idea.id, label: idea.title, after: department.name)
        }
        return try await request.ideaDTOs([try await request.foundIdea()])[0]
    }

    // MARK: Departments

    private func departmentDTOs(_ request: Request) async throws -> [DepartmentDTO] {
        let departments = try await request.repositories.ideas.departments()
        let handles = try await request.repositories.members.handles(of: Array(Set(departments.flatMap(\.liaisonIDs))))
        return departments.map { department in
            DepartmentDTO(
                id: department.id, name: department.name, description: department.description,
                liaisons: department.liaisonIDs.compactMap { handles[$0] }.sorted())
        }
    }

    @Sendable func departments(request: Request) async throws -> DepartmentListDTO {
        DepartmentListDTO(departments: try await departmentDTOs(request))
    }

    /// Creates a department, or updates the description of the one with this name.
    @Sendable func saveDepartment(request: Request) async throws -> DepartmentDTO {
        try request.authorize(.viewCockpit)
        try request.rejectNulls(in: ["name", "description"])
        let body = try request.content.decode(DepartmentRequest.self)
        var errors = FieldErrorCollector()
        let name = errors.check { () throws(ValidationFailure) in try GroupRules.name(body.name) }
        let description = errors.check { () throws(ValidationFailure) in try GroupRules.text(body.description ?? "", field: "description") }
        try errors.throwIfAny()
        guard let name else { throw Abort(.internalServerError) }
        try await request.repositories.ideas.saveDepartment(name: name, description: description ?? "")
        try await request.audit("department.save", subjectType: "department", label: name, after: description ?? "")
        guard let saved = try await departmentDTOs(request).first(where: { $0.name == name }) else { throw Abort(.internalServerError) }
        return saved
    }

    @Sendable func addLiaison(request: Request) async throws -> DepartmentDTO {
        try await setLiaison(request, true)
    }

    @Sendable func removeLiaison(request: Request) async throws -> DepartmentDTO {
        try await setLiaison(request, false)
    }

    private func setLiaison(_ request: Request, _ on: Bool) async throws -> DepartmentDTO {
        try request.authorize(.viewCockpit)
        guard let departmentID = request.parameters.get("department", as: UUID.self),
            try await request.repositories.ideas.departments().contains(where: { $0.id == departmentID })
        else { throw Abort(.notFound, reason: "No such department.") }
        guard let member = try await request.repositories.members.find(handle: request.parameters.get("handle") ?? "") else {
            throw Abort(.notFound, reason: "No such member.")
        }
        try await request.repositories.ideas.setLiaison(member.id, of: departmentID, on)
        try await request.audit(
            "department.liaison", subjectType: "department", subjectID: departmentID, label: "@\(member.handle)",
            after: on ? "added" : "removed")
        guard let department = try await departmentDTOs(request).first(where: { $0.id == departmentID }) else {
            throw Abort(.internalServerError)
        }
        return department
    }
}

/// RFC 3339 timestamps as JSON Schema's `date-time` allows them: `T` or `t`, `Z` or an offset,
/// fractional seconds of any length, and a leap second (taken as the second before).
enum RFC3339 {
    static func date(_ raw: String) -> Date? {
        let pattern = #"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"#
        guard let regex = try? NSRegularExpression(pattern: pattern),
            let match = regex.firstMatch(in: raw, range: NSRange(raw.startIndex..., in: raw))
        else { return nil }
        func part(_ index: Int) -> String? { Range(match.range(at: index), in: raw).map { String(raw[$0]) } }
        guard let year = part(1).flatMap(Int.init), let month = part(2).flatMap(Int.init), let day = part(3).flatMap(Int.init),
            let hour = part(4).flatMap(Int.init), let minute = part(5).flatMap(Int.init), let second = part(6).flatMap(Int.init),
            let zone = part(8), (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60
        else { return nil }
        var offset = 0
        if zone.count == 6, let zoneHours = Int(zone.dropFirst().prefix(2)), let zoneMinutes = Int(zone.suffix(2)) {
            guard zoneHours < 24, zoneMinutes < 60 else { return nil }
            offset = (zoneHours * 60 + zoneMinutes) * 60 * (zone.hasPrefix("-") ? -1 : 1)
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: min(second, 59))
        guard let date = calendar.date(from: components), calendar.component(.day, from: date) == day else { return nil }
        let fraction = part(7).flatMap { Double("0" + $0) } ?? 0
        return date.addingTimeInterval(fraction - TimeInterval(offset))
    }
}

extension Request {
    /// Whether the JSON body names this field at all (a PATCH that sends `"capacity": null` clears it).
    func hasField(_ name: String) -> Bool {
        guard let buffer = body.data, buffer.readableBytes > 0,
            let object = try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any]
        else { return false }
        return object[name] != nil
    }
}
