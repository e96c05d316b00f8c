import KringCore
import KringStore
import Vapor

extension Repositories {
    public var events: EventRepository { EventRepository(database: database, clock: clock) }
}

/// Events: lists, the month calendar, the event page, answering with a waitlist, organising,
/// check-in, and iCalendar feeds.
struct EventController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("events", use: upcoming)
        routes.get("events", "calendar", use: calendar)
        routes.get("events", "new", use: newForm)
        routes.post("events", use: create)
        let event = routes.grouped("events", ":event")
        event.get(use: show)
        event.get("edit", use: editForm)
        event.post("edit", use: update)
        event.post("cancel", use: cancel)
        event.post("rsvp", use: rsvp)
        event.get("attendees", use: attendees)
        event.post("checkin", ":handle", use: checkIn)
        event.post("flag", use: flag)
        event.get("calendar.ics", use: eventFeed)
        routes.get("g", ":slug", "events.ics", use: groupFeed)
        routes.get("calendar", ":token", "events.ics", use: personalFeed)
        routes.get("settings", "calendar", use: calendarSettings)
        routes.post("settings", "calendar", use: renewCalendar)
    }

    // MARK: Lists

    @Sendable func upcoming(request: Request) async throws -> Response {
        let viewer = try await request.viewer()
        let now = request.application.kring.clock.now()
        let past = request.query[String.self, at: "past"] == "1"
        let events =
            past
            ? try await request.repositories.events.list(viewer: viewer, to: now, newestFirst: true)
            : try await request.repositories.events.list(viewer: viewer, from: now)
        let groups = try await request.repositories.groups.find(ids: Array(Set(events.compactMap(\.groupID))))
        return EventViews.list(request, events: events, groups: groups, past: past)
    }

    @Sendable func calendar(request: Request) async throws -> Response {
        let t = request.context.localizer
        let zone = TimeZone(identifier: request.context.community?.timeZone ?? "") ?? .gmt
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        calendar.firstWeekday = 2
        let now = request.application.kring.clock.now()
        var month = calendar.dateComponents([.year, .month], from: now)
        if let raw = request.query[String.self, at: "month"] {
            let parts = raw.split(separator: "-").compactMap { Int($0) }
            guard parts.count == 2, (1...12).contains(parts[1]), (1970...2200).contains(parts[0]) else { throw Abort(.badRequest) }
            month = DateComponents(year: parts[0], month: parts[1])
        }
        guard let start = calendar.date(from: month), let end = calendar.date(byAdding: .month, value: 1, to: start) else {
            throw Abort(.badRequest)
        }
        let events = try await request.repositories.events.list(viewer: try await request.viewer(), from: start, to: end, limit: 500)
        return EventViews.calendar(request, monthStart: start, calendar: calendar, events: events, t: t)
    }

    // MARK: Organising

    struct EventForm: Content {
        var group: String?
        var title: String?
        var description: String?
        var starts_at: String?
        var ends_at: String?
        var time_zone: String?
        var location: String?
        var online_url: String?
        var capacity: String?
        var organisers: String?
    }

    private func draft(from form: EventForm, groups: [Group]) throws(ValidationFailure) -> EventDraft {
        var errors = FieldErrorCollector()
        let title = errors.check { () throws(ValidationFailure) in try EventRules.title(form.title ?? "") }
        let description = errors.check { () throws(ValidationFailure) in try GroupRules.text(form.description ?? "", field: "description") }
        let zoneName = errors.check { () throws(ValidationFailure) in try CommunityRules.timeZone(form.time_zone ?? "", field: "time_zone")
        }
        let zone = zoneName.flatMap(TimeZone.init(identifier:)) ?? .gmt
        let start = errors.check { () throws(ValidationFailure) in
            try EventRules.localDateTime(form.starts_at ?? "", timeZone: zone, field: "starts_at")
        }
        let end = errors.check { () throws(ValidationFailure) in
            try EventRules.localDateTime(form.ends_at ?? "", timeZone: zone, field: "ends_at")
        }
        if let start, let end { _ = errors.check { () throws(ValidationFailure) in try EventRules.period(start: start, end: end) } }
        let location = errors.check { () throws(ValidationFailure) in try EventRules.location(form.location ?? "") }
        let online = errors.check { () throws(ValidationFailure) in try EventRules.onlineURL(form.online_url ?? "") }
        let capacity = errors.check { () throws(ValidationFailure) in try EventRules.capacity(form.capacity) } ?? nil
        var group: Group?
        if let slug = form.group, !slug.isEmpty {
            group = groups.first { $0.slug == slug }
            if group == nil { errors.add("group", "group.not_allowed") }
        }
        try errors.throwIfAny()
        return EventDraft(
            groupID: group?.id, title: title ?? "", description: description ?? "", startsAt: start ?? Date(), endsAt: end ?? Date(),
            timeZone: zoneName ?? "UTC", location: location ?? "", onlineURL: online ?? "", capacity: capacity)
    }

    static func values(_ form: EventForm) -> [String: String] {
        [
            "group": form.group ?? "", "title": form.title ?? "", "description": form.description ?? "", "starts_at": form.starts_at ?? "",
            "ends_at": form.ends_at ?? "", "time_zone": form.time_zone ?? "", "location": form.location ?? "",
            "online_url": form.online_url ?? "",
            "capacity": form.capacity ?? "", "organisers": form.organisers ?? "",
        ]
    }

    @Sendable func newForm(request: Request) async throws -> Response {
        _ = try request.requireContributor()
        let zone = request.context.community?.timeZone ?? "Europe/Amsterdam"
        let state = FormState(values: ["group": request.query[String.self, at: "group"] ?? "", "time_zone": zone])
        return EventViews.form(request, event: nil, groups: try await request.groupsForEvents(), state: state)
    }

    @Sendable func create(request: Request) async throws -> Response {
        let member = try request.requireContributor()
        let form = try request.content.decode(EventForm.self)
        let groups = try await request.groupsForEvents()
        do {
            var draft = try draft(from: form, groups: groups)
            draft.coOrganiserIDs = try await request.organiserIDs(handles: form.organisers ?? "")
            let event = try await request.repositories.events.create(draft, by: member)
            return request.redirect(to: "/events/\(event.id.uuidString.lowercased())", flash: "flash.event_created")
        } catch let failure as ValidationFailure {
            let state = FormState(values: Self.values(form), errors: failure.errors)
            return EventViews.form(request, event: nil, groups: groups, state: state, status: .unprocessableEntity)
        }
    }

    /// The event named in the path, if the viewer may read it.
    private func event(_ request: Request) async throws -> Event {
        guard let id = request.parameters.get("event", as: UUID.self),
            let event = try await request.repositories.events.find(id, viewer: try await request.viewer())
        else { throw Abort(.notFound) }
        return event
    }

    @Sendable func show(request: Request) async throws -> Response {
        let event = try await event(request)
        let answer =
            try await request.context.member.asyncMap { try await request.repositories.events.answer(of: $0.id, to: event.id) } ?? nil
        let group = try await event.groupID.asyncMap { try await request.repositories.groups.find(id: $0) } ?? nil
        let organisers = try await request.repositories.members.find(
            ids: [event.organiserID] + (try await request.repositories.events.coOrganisers(of: event.id)))
        var canAnswer = request.context.member != nil && event.cancelledAt == nil
        if let group, let member = request.context.member {
            let membership = try await request.repositories.groups.membership(of: member.id, in: group.id)
            canAnswer = canAnswer && GroupAccess.canPost(in: group, actor: member.actor, membership: membership)
        }
        return EventViews.page(
            request, event: event, group: group, organisers: organisers,
            answer: answer?.status, canAnswer: canAnswer,
            mayOrganise: try await request.mayOrganise(event))
    }

    /// Flags the event for the moderators; enough distinct flags hide it until one of them decides.
    @Sendable func flag(request: Request) async throws -> Response {
        let member = try request.requireContributor()
        let event = try await event(request)
        guard event.organiserID != member.id else { throw Abort(.forbidden) }
        let hidden = try await request.flag(.event(event.id), by: member)
        return request.redirect(
            to: hidden ? "/events" : "/events/\(event.id.uuidString.lowercased())", flash: hidden ? "flash.flagged_hidden" : "flash.flagged"
        )
    }

    @Sendable func editForm(request: Request) async throws -> Response {
        let event = try await event(request)
        guard try await request.mayOrganise(event) else { throw Abort(.forbidden) }
        let zone = TimeZone(identifier: event.timeZone) ?? .gmt
        let groups = try await request.groupsForEvents()
        let slug = event.groupID.flatMap { id in groups.first { $0.id == id }?.slug } ?? ""
        let state = FormState(values: [
            "group": slug, "title": event.title, "description": event.description, "starts_at": EventViews.local(event.startsAt, zone),
            "ends_at": EventViews.local(event.endsAt, zone), "time_zone": event.timeZone, "location": event.location,
            "online_url": event.onlineURL,
            "capacity": event.capacity.map(String.init) ?? "",
            "organisers": try await request.repositories.members.handles(
                of: try await request.repositories.events.coOrganisers(of: event.id)
            )
            .values.sorted().map { "@" + $0 }.joined(separator: " "),
        ])
        return EventViews.form(request, event: event, groups: groups, state: state)
    }

    @Sendable func update(request: Request) async throws -> Response {
        let event = try await event(request)
        guard try await request.mayOrganise(event) else { throw Abort(.forbidden) }
        let form = try request.content.decode(EventForm.self)
        let groups = try await request.groupsForEvents()
        do {
            var draft = try draft(from: form, groups: groups)
            draft.coOrganiserIDs = try await request.organiserIDs(handles: form.organisers ?? "")
            try await request.repositories.events.update(event.id, with: draft, by: request.context.actor)
            return request.redirect(to: "/events/\(event.id.uuidString.lowercased())", flash: "flash.event_saved")
        } catch let failure as ValidationFailure {
            return EventViews.form(
                request, event: event, groups: groups, state: FormState(values: Self.values(form), errors: failure.errors),
                status: .unprocessableEntity)
        }
    }

    @Sendable func cancel(request: Request) async throws -> Response {
        let event = try await event(request)
        guard try await request.mayOrganise(event) else { throw Abort(.forbidden) }
        try await request.repositories.events.cancel(event.id, by: request.context.actor)
        return request.redirect(to: "/events/\(event.id.uuidString.lowercased())", flash: "flash.event_cancelled")
    }

    // MARK: Answering and attending

    struct RSVPForm: Content {
        var status: String?
    }

    @Sendable func rsvp(request: Request) async throws -> Response {
        let member = try request.requireContributor()
        let event = try await event(request)
        try await request.requireParticipation(inGroup: event.groupID, member: member)
        let requested = try CommunityRules.choice(try request.content.decode(RSVPForm.self).status, as: RSVPStatus.self, field: "status")
        guard requested != .waitlisted else { throw ValidationFailure(field: "status", code: "choice.invalid") }
        let status = try await request.repositories.events.rsvp(event.id, member: member, requested)
        return request.redirect(to: "/events/\(event.id.uuidString.lowercased())", flash: "flash.rsvp_\(status.rawValue)")
    }

    @Sendable func attendees(request: Request) async throws -> Response {
        let event = try await event(request)
        guard try await request.mayOrganise(event) else { throw Abort(.forbidden) }
        return EventViews.attendees(request, event: event, attendees: try await request.repositories.events.attendees(of: event.id))
    }

    struct CheckInForm: Content {
        var present: String?
    }

    @Sendable func checkIn(request: Request) async throws -> Response {
        let event = try await event(request)
        guard try await request.mayOrganise(event) else { throw Abort(.forbidden) }
        guard let member = try await request.repositories.members.find(handle: request.parameters.get("handle") ?? "") else {
            throw Abort(.notFound)
        }
        let present = (try? request.content.decode(CheckInForm.self).present) != "0"
        try await request.repositories.events.checkIn(event.id, memberID: member.id, present)
        return request.redirect(to: "/events/\(event.id.uuidString.lowercased())/attendees")
    }

    // MARK: Calendar feeds

    private func feed(_ request: Request, name: String, events: [Event]) -> Response {
        let base = request.application.kring.config.baseURL
        let entries = events.map { event in
            ICalendar.Entry(
                uid: "\(event.id.uuidString.lowercased())@kring", title: event.title, description: event.description,
                startsAt: event.startsAt,
                endsAt: event.endsAt, location: event.location.isEmpty ? event.onlineURL : event.location,
                url: "\(base)/events/\(event.id.uuidString.lowercased())", isCancelled: event.cancelledAt != nil,
                updatedAt: event.updatedAt,
                sequence: event.revision)
        }
        let response = Response(
            status: .ok, body: .init(string: ICalendar.document(name: name, entries: entries, now: request.application.kring.clock.now())))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "calendar", parameters: ["charset": "utf-8"])
        response.headers.replaceOrAdd(name: .cacheControl, value: "private, max-age=300")
        return response
    }

    @Sendable func eventFeed(request: Request) async throws -> Response {
        let event = try await event(request)
        return feed(request, name: event.title, events: [event])
    }

    @Sendable func groupFeed(request: Request) async throws -> Response {
        let (group, _) = try await request.visibleGroup()
        guard try await request.viewer().canRead(group) else { throw Abort(.notFound) }
        let events = try await request.repositories.events.list(viewer: try await request.viewer(), groupID: group.id, limit: 500)
        return feed(request, name: group.name, events: events)
    }

    /// The member's own events, by a secret URL calendar apps can fetch without logging in.
    @Sendable func personalFeed(request: Request) async throws -> Response {
        let token = (request.parameters.get("token") ?? "")
        guard let member = try await request.repositories.events.member(forCalendarToken: token) else { throw Abort(.notFound) }
        let events = try await request.repositories.events.events(of: member)
        return feed(request, name: request.context.community?.name ?? "Kring", events: events)
    }

    @Sendable func calendarSettings(request: Request) async throws -> Response {
        EventViews.calendarSettings(request, url: try await request.personalCalendarURL())
    }

    @Sendable func renewCalendar(request: Request) async throws -> Response {
        _ = try await request.personalCalendarURL(renew: true)
        return request.redirect(to: "/settings/calendar", flash: "flash.calendar_renewed")
    }
}

extension Request {
    /// The signed-in member's private calendar feed address (created on first use; `renew` replaces it).
    func personalCalendarURL(renew: Bool = false) async throws -> String {
        let member = try requireMember()
        let token = try await repositories.events.calendarToken(of: member.id, renew: renew) { SecretToken.generate() }
        return "\(application.kring.config.baseURL)/calendar/\(token)/events.ics"
    }

    /// The members named by handles (with or without @, separated by spaces or commas), for co-organisers.
    /// An unknown handle is a field error.
    func organiserIDs(handles raw: String) async throws -> [UUID] {
        let handles = raw.split(whereSeparator: { $0 == "," || $0.isWhitespace }).map {
            $0.trimmingCharacters(in: CharacterSet(charactersIn: "@"))
        }
        .filter { !$0.isEmpty }
        guard handles.count <= 20 else { throw ValidationFailure(field: "organisers", code: "too_long") }
        var ids: [UUID] = []
        for handle in handles {
            guard let member = try await repositories.members.find(handle: handle.lowercased()), member.status == .active else {
                throw ValidationFailure(field: "organisers", code: "invitee.unknown")
            }
            ids.append(member.id)
        }
        return ids
    }

    /// Groups the member may organise events in (those they may post in).
    func groupsForEvents() async throws -> [Group] {
        guard let member = context.member else { return [] }
        let groups =
            member.role >= .moderator
            ? try await repositories.groups.list(for: try await viewer())
            : try await repositories.groups.groups(of: member.id)
        return groups.filter { !$0.isArchived }
    }

    /// Organisers: the creator, the group's managers, moderators and up.
    func mayOrganise(_ event: Event) async throws -> Bool {
        guard let member = context.member else { return false }
        if member.id == event.organiserID || member.role >= .moderator { return true }
        if try await repositories.events.coOrganisers(of: event.id).contains(member.id) { return true }
        guard let groupID = event.groupID else { return false }
        return try await repositories.groups.membership(of: member.id, in: groupID)?.isManager == true
    }
}
