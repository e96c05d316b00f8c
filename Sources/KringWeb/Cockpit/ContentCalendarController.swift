import KringCore
import KringStore
import Vapor

extension Repositories {
    public var contentCalendar: ContentCalendarRepository { ContentCalendarRepository(database: database, clock: clock) }
}

/// The content calendar (task 5, plan content): posts, announcements and events planned by month
/// or week with owner, status and target group; weeks with nothing planned stand out; scheduled
/// items publish themselves at their moment (`ContentPublisher`, run by the job every few seconds).
struct ContentCalendarController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let calendar = routes.grouped("cockpit", "calendar")
        calendar.get(use: index)
        calendar.get("new", use: newForm)
        calendar.post(use: create)
        calendar.get(":item", use: editForm)
        calendar.post(":item", use: update)
        calendar.post(":item", "delete", use: delete)
        calendar.post(":item", "publish", use: publishNow)
    }

    private func zone(_ request: Request) -> TimeZone {
        TimeZone(identifier: request.context.community?.timeZone ?? "") ?? .gmt
    }

    // MARK: The calendar

    @Sendable func index(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let zone = zone(request)
        let now = request.repositories.clock.now()
        let requested = (try? request.query.get(String.self, at: "week")) ?? (try? request.query.get(String.self, at: "month"))
        let span: CalendarSpan
        if let requested {
            guard let parsed = CalendarSpan.parse(requested, in: zone) else {
                throw Abort(.badRequest, reason: "Give a month as 2026-12 or a week as 2026-W49.")
            }
            span = parsed
        } else {
            span = CalendarSpan.parse(CalendarSpan.key(.month, containing: now, in: zone), in: zone)!
        }
        let shownFrom = span.weekStarts.first ?? span.start
        let shownTo = max(span.end, span.weekStarts.last.map { $0.addingTimeInterval(7 * 86_400) } ?? span.end)
        let items = try await request.repositories.contentCalendar.items(from: shownFrom, to: shownTo)
        let events = try await request.repositories.events.list(
            viewer: try await request.viewer(), from: shownFrom, to: shownTo, limit: 500)
        let planned = items.compactMap { $0.scheduledAt ?? $0.publishedAt } + events.map(\.startsAt)
        let gaps = span.gaps(plannedAt: planned, today: now, in: zone)
        return ContentCalendarViews.calendar(
            request, span: span, items: items, events: events, gaps: Set(gaps),
            backlog: try await request.repositories.contentCalendar.unscheduled(),
            owners: try await names(of: items.map(\.ownerID), request), zone: zone)
    }

    private func names(of ids: [UUID], _ request: Request) async throws -> [UUID: String] {
        Dictionary(uniqueKeysWithValues: try await request.repositories.members.find(ids: Array(Set(ids))).map { ($0.id, $0.displayName) })
    }

    // MARK: The item form

    @Sendable func newForm(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let member = try request.requireMember()
        var values = ["kind": ContentItemKind.post.rawValue, "status": ContentItemStatus.idea.rawValue, "owner": member.handle]
        // From a day on the calendar: that day at ten.
        if let day = try? request.query.get(String.self, at: "date"), let start = LocalDay.start(of: day, in: zone(request)) {
            values["scheduled_at"] = EventViews.local(start.addingTimeInterval(10 * 3600), zone(request))
        }
        return try await form(request, item: nil, state: FormState(values: values))
    }

    private func form(_ request: Request, item: ContentItem?, state: FormState, status: HTTPStatus = .ok) async throws -> Response {
        let groups = try await request.repositories.groups.list(for: try await request.viewer())
        return ContentCalendarViews.form(request, item: item, groups: groups, state: state, status: status)
    }

    @Sendable func editForm(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let item = try await item(request)
        let zone = zone(request)
        let owner = try await request.repositories.members.find(id: item.ownerID)
        let group = try await item.groupID.asyncMap { try await request.repositories.groups.find(id: $0) }
        let values = [
            "title": item.title, "kind": item.kind.rawValue, "status": item.status.rawValue, "owner": owner?.handle ?? "",
            "group": group??.slug ?? "", "scheduled_at": item.scheduledAt.map { EventViews.local($0, zone) } ?? "", "body": item.body,
            "event_starts_at": item.eventStartsAt.map { EventViews.local($0, zone) } ?? "",
            "event_ends_at": item.eventEndsAt.map { EventViews.local($0, zone) } ?? "", "location": item.location, "notes": item.notes,
        ]
        return try await form(request, item: item, state: FormState(values: values))
    }

    private func item(_ request: Request) async throws -> ContentItem {
        guard let id = request.parameters.get("item", as: UUID.self), let item = try await request.repositories.contentCalendar.find(id)
        else { throw Abort(.notFound) }
        return item
    }

    enum Submission {
        case success(ContentItem)
        case failure(FormState)
    }

    /// Reads and checks the form into `base`, or answers with the form and its errors.
    private func submitted(_ request: Request, base: ContentItem?) async throws -> Submission {
        let values = try request.content.decode([String: String].self).filter { $0.key != "_csrf" }
        let zone = zone(request)
        let now = request.repositories.clock.now()
        var errors = FieldErrorCollector()
        func moment(_ field: String) -> Date? {
            guard let raw = values[field], !raw.isEmpty else { return nil }
            return errors.check { () throws(ValidationFailure) in try EventRules.localDateTime(raw, timeZone: zone, field: field) }
        }
        let kind = ContentItemKind(rawValue: values["kind"] ?? "")
        if kind == nil { errors.add("kind", "choice.invalid") }
        let status = ContentItemStatus.choosable.first { $0.rawValue == values["status"] }
        if status == nil, base?.status != .published { errors.add("status", "choice.invalid") }
        let handle = (values["owner"] ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "@ ")).lowercased()
        let owner = handle.isEmpty ? nil : try await request.repositories.members.find(handle: handle)
        if owner?.status != .active { errors.add("owner", "invitee.unknown") }
        var groupID: UUID?
        if let slug = values["group"], !slug.isEmpty {
            let group = try await request.repositories.groups.find(slug: slug)
            if let group, !group.isArchived { groupID = group.id } else { errors.add("group", "choice.invalid") }
        }
        let text = { (field: String) in (values[field] ?? "").replacingOccurrences(of: "\r\n", with: "\n") }
        var item =
            base
            ?? ContentItem(
                title: "", kind: .post, status: .idea, ownerID: owner?.id ?? UUID(), groupID: nil, scheduledAt: nil, body: "",
                createdAt: now, updatedAt: now)
        item.title = MemberRules.singleLine(values["title"] ?? "")
        item.kind = kind ?? item.kind
        if item.status != .published { item.status = status ?? item.status }
        item.ownerID = owner?.id ?? item.ownerID
        item.groupID = groupID
        item.scheduledAt = moment("scheduled_at")
        item.body = text("body").trimmingCharacters(in: .whitespacesAndNewlines)
        item.eventStartsAt = moment("event_starts_at")
        item.eventEndsAt = moment("event_ends_at")
        item.location = MemberRules.singleLine(values["location"] ?? "")
        item.notes = text("notes").trimmingCharacters(in: .whitespacesAndNewlines)
        item.updatedAt = now
        item.lastError = nil
        // Scheduling for a moment already past would publish at once: "publish now" is for that.
        if item.status == .scheduled, let moment = item.scheduledAt, moment < now.addingTimeInterval(-60),
            base?.status != .scheduled || base?.scheduledAt != moment
        {
            errors.add("scheduled_at", "calendar.in_past")
        }
        do {
            try ContentPlanRules.validate(item, now: now, isNew: base == nil)
        } catch {
            for fieldError in error.errors { errors.add(fieldError.field, fieldError.code) }
        }
        guard errors.errors.isEmpty else { return .failure(FormState(values: values, errors: errors.errors)) }
        return .success(item)
    }

    @Sendable func create(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        switch try await submitted(request, base: nil) {
        case .failure(let state): return try await form(request, item: nil, state: state, status: .unprocessableEntity)
        case .success(let item):
            try await request.repositories.contentCalendar.save(item)
            try await request.audit("calendar.create", subjectType: "content_item", subjectID: item.id, label: item.title)
            return request.redirect(to: returnPath(item, request), flash: "flash.calendar_saved")
        }
    }

    @Sendable func update(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let existing = try await item(request)
        switch try await submitted(request, base: existing) {
        case .failure(let state): return try await form(request, item: existing, state: state, status: .unprocessableEntity)
        case .success(let item):
            try await request.repositories.contentCalendar.save(item)
            try await request.audit("calendar.update", subjectType: "content_item", subjectID: item.id, label: item.title)
            return request.redirect(to: returnPath(item, request), flash: "flash.calendar_saved")
        }
    }

    /// Back to the month the item is planned in.
    private func returnPath(_ item: ContentItem, _ request: Request) -> String {
        guard let moment = item.scheduledAt ?? item.publishedAt else { return "/cockpit/calendar" }
        return "/cockpit/calendar?month=" + CalendarSpan.key(.month, containing: moment, in: zone(request))
    }

    @Sendable func delete(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let item = try await item(request)
        try await request.repositories.contentCalendar.delete(item.id)
        try await request.audit("calendar.delete", subjectType: "content_item", subjectID: item.id, label: item.title)
        return request.redirect(to: returnPath(item, request), flash: "flash.calendar_deleted")
    }

    /// Publishes the item at once, whatever its moment.
    @Sendable func publishNow(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let item = try await item(request)
        guard item.status != .published else { return request.redirect(to: "/cockpit/calendar/\(item.id.uuidString.lowercased())") }
        var ready = item
        ready.status = .scheduled
        ready.scheduledAt = min(item.scheduledAt ?? request.repositories.clock.now(), request.repositories.clock.now())
        do {
            try ContentPlanRules.validate(ready, now: request.repositories.clock.now(), isNew: false)
        } catch {
            return try await form(
                request, item: item, state: FormState(values: ["title": item.title], errors: error.errors), status: .unprocessableEntity)
        }
        try await request.repositories.contentCalendar.save(ready)
        let publisher = ContentPublisher(repositories: request.repositories, services: request.application.kring)
        guard let target = try await publisher.publish(ready.id) else {
            return request.redirect(to: "/cockpit/calendar/\(item.id.uuidString.lowercased())", flash: "flash.calendar_failed")
        }
        try await request.audit("calendar.publish", subjectType: "content_item", subjectID: item.id, label: item.title)
        return request.redirect(to: target, flash: "flash.calendar_published")
    }
}

/// Publishes scheduled content-calendar items: a topic (pinned, for an announcement) or an event,
/// as the item's owner, in its target group. Each item is published in one write transaction that
/// first checks it is still scheduled, so two processes or two ticks never publish it twice.
struct ContentPublisher {
    let repositories: Repositories
    let services: KringServices

    /// Publishes every item whose moment has come. Returns how many were published.
    @discardableResult
    func publishDue() async throws -> Int {
        var published = 0
        for item in try await repositories.contentCalendar.due() where try await publish(item.id) != nil { published += 1 }
        return published
    }

    /// Publishes one scheduled item; returns the path of what it made, or nil when it could not (the
    /// reason is kept on the item, which goes back to draft for the team to see).
    @discardableResult
    func publish(_ id: UUID) async throws -> String? {
        let zone = TimeZone(identifier: try await repositories.community.settings()?.timeZone ?? "") ?? .gmt
        let now = services.clock.now()
        do {
            return try await repositories.writeTransaction { tx -> String? in
                guard var item = try await tx.contentCalendar.find(id), ContentPlanRules.isDue(item, now: now) else { return nil }
                guard let owner = try await tx.members.find(id: item.ownerID), owner.status == .active else {
                    throw PublishProblem.ownerGone
                }
                if let groupID = item.groupID {
                    guard let group = try await tx.groups.find(id: groupID), !group.isArchived else { throw PublishProblem.groupGone }
                }
                let path: String
                switch item.kind {
                case .post, .announcement:
                    let title = try PostRules.title(item.title)
                    let body = try PostRules.body(item.body)
                    let topicID = try await tx.topics.create(
                        NewTopic(groupID: item.groupID, title: title, kind: .discussion, body: body, tags: []),
                        rendered: UserMarkdown.render(body), by: owner)
                    if item.kind == .announcement { try await tx.topics.setPinned(topicID: topicID, true, by: owner.actor) }
                    item.publishedAs = "topic:" + topicID.uuidString.lowercased()
                    path = "/t/" + topicID.uuidString.lowercased()
                case .event:
                    guard let start = item.eventStartsAt, let end = item.eventEndsAt else { throw PublishProblem.eventTime }
                    let event = try await tx.events.create(
                        EventDraft(
                            groupID: item.groupID, title: try EventRules.title(item.title), description: item.body, startsAt: start,
                            endsAt: end, timeZone: zone.identifier, location: item.location, onlineURL: "", capacity: nil),
                        by: owner)
                    item.publishedAs = "event:" + event.id.uuidString.lowercased()
                    path = "/events/" + event.id.uuidString.lowercased()
                }
                item.status = .published
                item.publishedAt = now
                item.lastError = nil
                try await tx.contentCalendar.save(item)
                return path
            }
        } catch {
            guard var item = try await repositories.contentCalendar.find(id) else { return nil }
            item.status = .draft
            item.lastError = (error as? PublishProblem)?.rawValue ?? "invalid"
            try await repositories.contentCalendar.save(item)
            return nil
        }
    }

    enum PublishProblem: String, Error {
        case ownerGone = "owner_gone"
        case groupGone = "group_gone"
        case eventTime = "event_time"
    }
}

extension Application {
    var contentPublisher: ContentPublisher { ContentPublisher(repositories: repositories, services: kring) }
}
