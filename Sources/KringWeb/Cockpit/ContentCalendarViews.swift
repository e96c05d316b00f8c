import KringCore
import KringStore
import Vapor

enum ContentCalendarViews {
    static func calendar(
        _ request: Request, span: CalendarSpan, items: [ContentItem], events: [Event], gaps: Set<Date>, backlog: [ContentItem],
        owners: [UUID: String], zone: TimeZone
    ) -> Response {
        let t = request.context.localizer
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = zone
        let title = span.scope == .month ? t.month(span.start) : t("calendar.week_of", ["date": t.date(span.start)])
        let previous = span.neighbour(-1, in: zone)
        let next = span.neighbour(1, in: zone)
        let scopeParameter = span.scope == .month ? "month" : "week"
        let today = calendar.startOfDay(for: request.repositories.clock.now())
        // Day names in the community's zone: its Monday 00:00 is still Sunday in UTC.
        let weekday = DateFormatter()
        weekday.locale = t.locale
        weekday.timeZone = zone
        weekday.dateFormat = span.scope == .week ? "EEEE d MMM" : "EEEE"
        return Layout.page(request, title: t("calendar.title")) {
            CockpitNav.bar(request, current: "/cockpit/calendar")
            H.h1 { t("calendar.title") }
            H.p(.class("lead")) { t("calendar.lead") }
            H.nav(.class("calendar-nav"), .aria(.label, t("calendar.navigation"))) {
                if let previous {
                    H.a(.to("/cockpit/calendar?\(scopeParameter)=\(previous.key)"), .id("calendar-previous"), .rel("prev")) {
                        "← " + t("calendar.previous")
                    }
                }
                H.h2(.id("calendar-heading")) { title }
                if let next {
                    H.a(.to("/cockpit/calendar?\(scopeParameter)=\(next.key)"), .id("calendar-next"), .rel("next")) {
                        t("calendar.next") + " →"
                    }
                }
                H.span(.class("calendar-scopes")) {
                    H.a(.to("/cockpit/calendar?month=\(CalendarSpan.key(.month, containing: span.start, in: zone))"), .id("scope-month")) {
                        t("calendar.month")
                    }
                    " · "
                    H.a(
                        .to("/cockpit/calendar?week=\(CalendarSpan.key(.week, containing: max(span.start, today), in: zone))"),
                        .id("scope-week")
                    ) {
                        t("calendar.week")
                    }
                    " · "
                    H.a(.to("/cockpit/calendar/new"), .class("button"), .id("calendar-new")) { t("calendar.new") }
                }
            }
            H.ul(.class("calendar-legend"), .aria(.label, t("calendar.legend"))) {
                for status in ContentItemStatus.allCases {
                    H.li { H.span(.class("calendar-item status-\(status.rawValue)")) { t("calendar.status.\(status.rawValue)") } }
                }
                H.li { H.span(.class("calendar-item calendar-event")) { t("calendar.event_on_page") } }
            }
            H.table(.class("content-calendar scope-\(span.scope.rawValue)"), .id("content-calendar")) {
                H.caption(.class("visually-hidden")) { t("calendar.caption", ["period": title]) }
                H.thead {
                    H.tr {
                        H.th(.scope("col"), .class("calendar-weeknumber")) { t("calendar.week") }
                        for offset in 0..<7 {
                            let day = calendar.date(byAdding: .day, value: offset, to: span.weekStarts.first ?? span.start) ?? span.start
                            H.th(.scope("col")) { weekday.string(from: day) }
                        }
                    }
                }
                H.tbody {
                    for monday in span.weekStarts {
                        let week = calendar.component(.weekOfYear, from: monday)
                        let isGap = gaps.contains(monday)
                        H.tr(.class(isGap ? "is-gap" : ""), .id("week-\(CalendarSpan.key(.week, containing: monday, in: zone))")) {
                            H.th(.scope("row"), .class("calendar-weeknumber")) {
                                H.a(.to("/cockpit/calendar?week=\(CalendarSpan.key(.week, containing: monday, in: zone))")) { String(week) }
                                if isGap { H.span(.class("gap-note")) { t("calendar.gap") } }
                            }
                            for offset in 0..<7 {
                                let day = calendar.date(byAdding: .day, value: offset, to: monday) ?? monday
                                let dayEnd = calendar.date(byAdding: .day, value: 1, to: day) ?? day
                                let inSpan = day >= span.start && day < span.end
                                let dayKey = LocalDay.key(of: day, in: zone)
                                H.td(.class(inSpan ? (day == today ? "is-today" : "") : "is-outside"), .id("day-\(dayKey)")) {
                                    H.div(.class("calendar-day")) {
                                        H.span(.class("calendar-date")) { String(calendar.component(.day, from: day)) }
                                        H.a(
                                            .to("/cockpit/calendar/new?date=\(dayKey)"), .class("calendar-add"),
                                            .aria(.label, t("calendar.add_on", ["date": t.date(day)]))
                                        ) { "+" }
                                    }
                                    H.ul(.class("calendar-entries")) {
                                        for item in items
                                        where (item.scheduledAt ?? item.publishedAt).map({ $0 >= day && $0 < dayEnd }) ?? false {
                                            H.li {
                                                H.a(
                                                    .to("/cockpit/calendar/\(item.id.uuidString.lowercased())"),
                                                    .class("calendar-item status-\(item.status.rawValue)"),
                                                    .id("item-\(item.id.uuidString.lowercased())")
                                                ) {
                                                    (item.scheduledAt.map { t.time($0) + " " } ?? "") + item.title
                                                }
                                                H.span(.class("calendar-meta")) {
                                                    t("calendar.kind.\(item.kind.rawValue)") + " · "
                                                        + t("calendar.status.\(item.status.rawValue)")
                                                        + " · " + (owners[item.ownerID] ?? "—")
                                                }
                                                if item.lastError != nil { H.span(.class("badge badge-deleted")) { t("calendar.failed") } }
                                            }
                                        }
                                        for event in events where event.startsAt >= day && event.startsAt < dayEnd {
                                            H.li {
                                                H.a(
                                                    .to("/events/\(event.id.uuidString.lowercased())"),
                                                    .class("calendar-item calendar-event")
                                                ) {
                                                    t.time(event.startsAt) + " " + event.title
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            if !gaps.isEmpty {
                H.p(.class("notice"), .id("calendar-gaps")) { t.plural("calendar.gaps", count: gaps.count) }
            }
            H.section(.class("cockpit-section"), .id("section-backlog"), .aria(.labelledby, "heading-backlog")) {
                H.h2(.id("heading-backlog")) { t("calendar.backlog") }
                if backlog.isEmpty {
                    H.p(.class("empty-state")) { t("calendar.backlog_empty") }
                } else {
                    H.ul(.id("backlog")) {
                        for item in backlog {
                            H.li {
                                H.a(.to("/cockpit/calendar/\(item.id.uuidString.lowercased())")) { item.title }
                                " — " + t("calendar.kind.\(item.kind.rawValue)") + " · " + t("calendar.status.\(item.status.rawValue)")
                            }
                        }
                    }
                }
            }
        }
    }

    static func form(_ request: Request, item: ContentItem?, groups: [Group], state: FormState, status: HTTPStatus) -> Response {
        let t = request.context.localizer
        let action = item.map { "/cockpit/calendar/\($0.id.uuidString.lowercased())" } ?? "/cockpit/calendar"
        return Layout.page(request, title: item?.title ?? t("calendar.new"), status: status) {
            CockpitNav.bar(request, current: "/cockpit/calendar")
            H.h1 { item?.title ?? t("calendar.new") }
            if let item, let error = item.lastError {
                H.p(.class("notice notice-error"), .id("item-error"), .role("alert")) { t("calendar.error.\(error)") }
            }
            if let item, item.status == .published, let published = item.publishedAs {
                let parts = published.split(separator: ":")
                H.p(.class("notice"), .id("item-published")) {
                    t("calendar.published_on", ["date": item.publishedAt.map { t.dateTime($0) } ?? ""]) + " "
                    H.a(.to(parts.first == "event" ? "/events/\(parts.last ?? "")" : "/t/\(parts.last ?? "")")) {
                        t("calendar.open_published")
                    }
                }
            }
            Forms.errorSummary(state, t)
            H.form(action: .to(action), .class("stack-form"), .id("calendar-form")) {
                Forms.csrf(request)
                Forms.field(
                    "title", label: t("field.title"), state: state, t: t, required: true, maxLength: ContentPlanRules.titleMaxLength)
                Forms.select(
                    "kind", label: t("field.kind"),
                    options: ContentItemKind.allCases.map { ($0.rawValue, t("calendar.kind.\($0.rawValue)")) },
                    state: state, t: t)
                if item?.status != .published {
                    Forms.select(
                        "status", label: t("field.status"),
                        options: ContentItemStatus.choosable.map { ($0.rawValue, t("calendar.status.\($0.rawValue)")) }, state: state, t: t,
                        hint: t("calendar.status_hint"))
                }
                Forms.field("owner", label: t("field.owner"), state: state, t: t, hint: t("calendar.owner_hint"))
                Forms.select(
                    "group", label: t("field.target_group"),
                    options: [("", t("calendar.whole_community"))] + groups.filter { !$0.isArchived }.map { ($0.slug, $0.name) },
                    state: state,
                    t: t)
                Forms.field(
                    "scheduled_at", label: t("field.scheduled_at"), state: state, t: t, type: "datetime-local",
                    hint: t("calendar.scheduled_hint"))
                Forms.textarea(
                    "body", label: t("field.body"), state: state, t: t, rows: 8, hint: t("calendar.body_hint"),
                    maxLength: ContentPlanRules.bodyMaxLength)
                H.fieldset(.id("event-fields")) {
                    H.element("legend", []) { t("calendar.event_fields") }
                    Forms.field("event_starts_at", label: t("field.event_starts_at"), state: state, t: t, type: "datetime-local")
                    Forms.field("event_ends_at", label: t("field.event_ends_at"), state: state, t: t, type: "datetime-local")
                    Forms.field("location", label: t("field.location"), state: state, t: t, maxLength: 200)
                }
                Forms.textarea(
                    "notes", label: t("field.notes"), state: state, t: t, rows: 3, hint: t("calendar.notes_hint"),
                    maxLength: ContentPlanRules.notesMaxLength)
                Forms.submit(t("settings.save"), id: "calendar-submit")
            }
            if let item {
                H.div(.class("form-actions")) {
                    if item.status != .published {
                        H.form(action: .to("/cockpit/calendar/\(item.id.uuidString.lowercased())/publish"), .id("publish-form")) {
                            Forms.csrf(request)
                            Forms.submit(t("calendar.publish_now"), id: "publish-now", secondary: true)
                        }
                    }
                    H.form(action: .to("/cockpit/calendar/\(item.id.uuidString.lowercased())/delete"), .id("delete-form")) {
                        Forms.csrf(request)
                        Forms.submit(t("calendar.delete"), id: "delete-item", secondary: true)
                    }
                }
            }
        }
    }
}
