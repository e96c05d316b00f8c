import KringCore
import KringStore
import Vapor

enum EventViews {
    /// A date-time as `<input type=datetime-local>` wants it, in a zone.
    static func local(_ date: Date, _ zone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm"
        return formatter.string(from: date)
    }

    /// "5 Dec 2026 at 19:30 – 22:00 (Europe/Amsterdam)" in the event's own time zone, with the zone named.
    static func when(_ event: Event, t: Localizer) -> String {
        let zone = TimeZone(identifier: event.timeZone) ?? .gmt
        let local = Localizer(language: t.language, catalog: t.catalog, timeZone: zone)
        let end = local.isSameDay(event.startsAt, event.endsAt) ? local.time(event.endsAt) : local.dateTime(event.endsAt)
        return "\(local.dateTime(event.startsAt)) – \(end) (\(event.timeZone))"
    }

    static func row(_ event: Event, groups: [UUID: Group], t: Localizer) -> HTMLNode {
        H.li(.class("event-row")) {
            H.div(.class("event-date"), .aria(.hidden, "true")) { t.date(event.startsAt) }
            H.div {
                H.a(.to("/events/\(event.id.uuidString.lowercased())"), .class("topic-title")) { event.title }
                if event.cancelledAt != nil { H.span(.class("badge badge-deleted")) { t("events.cancelled") } }
                H.div(.class("topic-meta")) {
                    when(event, t: t)
                    if let groupID = event.groupID, let group = groups[groupID] { " · " + group.name }
                    if !event.location.isEmpty { " · " + event.location }
                    " · " + t.plural("events.going", count: event.goingCount)
                }
            }
        }
    }

    static func list(_ request: Request, events: [Event], groups: [UUID: Group], past: Bool) -> Response {
        let t = request.context.localizer
        return Layout.page(request, title: t("events.title")) {
            H.div(.class("page-header")) {
                H.h1 { t("events.title") }
                H.div(.class("group-actions")) {
                    H.a(.to("/events/calendar"), .class("button button-secondary"), .id("month-view")) { t("events.calendar") }
                    if request.context.member != nil { H.a(.to("/events/new"), .class("button"), .id("new-event")) { t("events.new") } }
                }
            }
            H.nav(.class("filter-tabs"), .aria(.label, t("events.title"))) {
                H.a(.to("/events"), .class(past ? "" : "is-current")) { t("events.upcoming") }
                H.a(.to("/events?past=1"), .class(past ? "is-current" : "")) { t("events.past") }
            }
            if events.isEmpty {
                H.p(.class("empty-state")) { past ? t("events.none_past") : t("events.none") }
            } else {
                H.ul(.class("event-list"), .id("event-list")) { for event in events { row(event, groups: groups, t: t) } }
            }
        }
    }

    static func calendar(_ request: Request, monthStart: Date, calendar: Calendar, events: [Event], t: Localizer) -> Response {
        let title = monthStart.formatted(
            Date.FormatStyle(locale: t.locale, calendar: calendar, timeZone: calendar.timeZone).month(.wide).year())
        let previous = calendar.date(byAdding: .month, value: -1, to: monthStart) ?? monthStart
        let next = calendar.date(byAdding: .month, value: 1, to: monthStart) ?? monthStart
        func key(_ date: Date) -> String {
            let parts = calendar.dateComponents([.year, .month], from: date)
            return String(format: "%04d-%02d", parts.year ?? 0, parts.month ?? 0)
        }
        let days = calendar.range(of: .day, in: .month, for: monthStart)?.count ?? 30
        let leading = (calendar.component(.weekday, from: monthStart) - calendar.firstWeekday + 7) % 7
        var byDay: [Int: [Event]] = [:]
        for event in events {
            let day = calendar.component(.day, from: event.startsAt)
            if calendar.isDate(event.startsAt, equalTo: monthStart, toGranularity: .month) { byDay[day, default: []].append(event) }
        }
        let cells: [Int?] =
            Array(repeating: nil, count: leading) + (1...days).map { $0 } + Array(repeating: nil, count: (7 - (leading + days) % 7) % 7)
        let weeks = stride(from: 0, to: cells.count, by: 7).map { Array(cells[$0..<min($0 + 7, cells.count)]) }
        var localized = calendar
        localized.locale = t.locale
        let names = (0..<7).map { (localized.firstWeekday - 1 + $0) % 7 }.map { localized.shortWeekdaySymbols[$0] }
        return Layout.page(request, title: title) {
            H.div(.class("page-header")) {
                H.h1 { title }
                H.nav(.class("group-actions"), .aria(.label, t("events.calendar"))) {
                    H.a(.to("/events/calendar?month=\(key(previous))"), .class("button button-secondary"), .rel("prev")) {
                        "← " + t("pager.previous")
                    }
                    H.a(.to("/events/calendar?month=\(key(next))"), .class("button button-secondary"), .rel("next")) {
                        t("pager.next") + " →"
                    }
                }
            }
            H.table(.class("month-calendar"), .id("month-calendar")) {
                H.thead { H.tr { for name in names { H.th(.scope("col")) { name } } } }
                H.tbody {
                    for week in weeks {
                        H.tr {
                            for cell in week {
                                if let day = cell {
                                    H.td {
                                        H.span(.class("day-number")) { String(day) }
                                        for event in byDay[day] ?? [] {
                                            H.a(.to("/events/\(event.id.uuidString.lowercased())"), .class("calendar-event")) {
                                                event.title
                                            }
                                        }
                                    }
                                } else {
                                    H.td(.class("outside")) { "" }
                                }
                            }
                        }
                    }
                }
            }
            H.p { H.a(.to("/events")) { t("events.list_view") } }
        }
    }

    static func form(_ request: Request, event: Event?, groups: [Group], state: FormState, status: HTTPStatus = .ok) -> Response {
        let t = request.context.localizer
        let groupOptions = [(value: "", label: t("topics.community_wide"))] + groups.map { ($0.slug, $0.name) }
        let action = event.map { "/events/\($0.id.uuidString.lowercased())/edit" } ?? "/events"
        let title = event == nil ? t("events.new") : t("events.edit")
        return Layout.page(request, title: title, status: status) {
            H.section(.class("narrow")) {
                H.h1 { title }
                Forms.errorSummary(state, t)
                H.form(action: .to(action), .id("event-form"), .class("stack-form")) {
                    Forms.csrf(request)
                    Forms.select("group", label: t("field.group"), options: groupOptions, state: state, t: t)
                    Forms.field("title", label: t("field.title"), state: state, t: t, required: true, maxLength: EventRules.titleMaxLength)
                    Forms.textarea(
                        "description", label: t("field.description"), state: state, t: t, rows: 6, hint: t("field.markdown.hint"))
                    Forms.field("starts_at", label: t("field.starts_at"), state: state, t: t, type: "datetime-local", required: true)
                    Forms.field("ends_at", label: t("field.ends_at"), state: state, t: t, type: "datetime-local", required: true)
                    Forms.field(
                        "time_zone", label: t("field.time_zone"), state: state, t: t, required: true, hint: t("field.time_zone.hint"))
                    Forms.field("location", label: t("field.location"), state: state, t: t, hint: t("field.location.hint"))
                    Forms.field(
                        "online_url", label: t("field.online_url"), state: state, t: t, type: "url", hint: t("field.online_url.hint"))
                    Forms.field("capacity", label: t("field.capacity"), state: state, t: t, type: "number", hint: t("field.capacity.hint"))
                    Forms.field("organisers", label: t("field.organisers"), state: state, t: t, hint: t("field.organisers.hint"))
                    Forms.submit(event == nil ? t("events.create") : t("settings.save"), id: "event-submit")
                }
            }
        }
    }

    static func page(
        _ request: Request, event: Event, group: Group?, organisers: [Member], answer: RSVPStatus?, canAnswer: Bool, mayOrganise: Bool
    ) -> Response {
        let t = request.context.localizer
        let path = "/events/\(event.id.uuidString.lowercased())"
        return Layout.page(request, title: event.title) {
            H.article(.class("event")) {
                if let group { H.p(.class("breadcrumb")) { H.a(.to("/g/\(group.slug)")) { group.name } } }
                H.h1(.id("event-title")) { event.title }
                if event.cancelledAt != nil {
                    H.p(.class("notice notice-sanction"), .id("event-cancelled")) { t("events.cancelled_notice") }
                }
                if event.isHidden { H.p(.class("notice"), .id("hidden-notice")) { t("events.hidden_notice") } }
                H.dl(.class("meta-list")) {
                    H.dt { t("events.when") }
                    H.dd(.id("event-when")) { when(event, t: t) }
                    if !event.location.isEmpty {
                        H.dt { t("field.location") }
                        H.dd { event.location }
                    }
                    if let url = SafeURL(external: event.onlineURL) {
                        H.dt { t("field.online_url") }
                        H.dd { H.a(url, .rel("nofollow noopener")) { event.onlineURL } }
                    }
                    if !organisers.isEmpty {
                        H.dt { organisers.count == 1 ? t("events.organiser") : t("events.organisers") }
                        H.dd(.id("event-organisers")) {
                            for (index, organiser) in organisers.enumerated() {
                                if index > 0 { ", " }
                                H.a(.to("/members/\(organiser.handle)")) { organiser.displayName }
                            }
                        }
                    }
                    H.dt { t("events.places") }
                    H.dd(.id("event-places")) {
                        if let capacity = event.capacity {
                            t("events.places_taken", ["going": t.number(event.goingCount), "capacity": t.number(capacity)])
                            if event.waitlistCount > 0 { " · " + t.plural("events.waiting", count: event.waitlistCount) }
                        } else {
                            t.plural("events.going", count: event.goingCount)
                        }
                    }
                }
                if !event.description.isEmpty {
                    H.div(.class("prose")) { HTMLNode.trusted(UserMarkdown.render(event.description).trusted) }
                }
                if canAnswer {
                    H.section(.class("card rsvp-box"), .id("rsvp")) {
                        H.h2 { t("events.your_answer") }
                        if let answer { H.p(.id("my-answer")) { t("events.answer.\(answer.rawValue)") } }
                        H.form(action: .to("\(path)/rsvp"), .class("review-actions"), .id("rsvp-form")) {
                            Forms.csrf(request)
                            for status in [RSVPStatus.going, .maybe, .notGoing] {
                                H.element(
                                    "button",
                                    [
                                        .type("submit"), .name("status"), .value(status.rawValue), .id("rsvp-\(status.rawValue)"),
                                        .class(
                                            answer == status || (status == .going && answer == .waitlisted)
                                                ? "button" : "button button-secondary"),
                                    ]
                                ) {
                                    status == .going && event.isFull && answer != .going
                                        ? t("events.join_waitlist") : t("events.rsvp.\(status.rawValue)")
                                }
                            }
                        }
                    }
                } else if request.context.member == nil, event.cancelledAt == nil {
                    H.p(.class("notice")) { H.a(.to("/login?next=\(path)")) { t("events.login_to_answer") } }
                }
                H.p(.class("group-actions")) {
                    H.a(.to("\(path)/calendar.ics"), .class("button button-secondary"), .id("add-to-calendar")) {
                        t("events.add_to_calendar")
                    }
                    if mayOrganise {
                        H.a(.to("\(path)/attendees"), .class("button button-secondary"), .id("attendees-link")) { t("events.attendees") }
                        H.a(.to("\(path)/edit"), .class("button button-secondary")) { t("events.edit") }
                        if event.cancelledAt == nil {
                            GroupViews.actionButton(request, "\(path)/cancel", t("events.cancel"), id: "cancel-event", secondary: true)
                        }
                    }
                }
                if let member = request.context.member, member.id != event.organiserID, request.context.restriction.mayPost {
                    TopicViews.flagForm(request, action: "\(path)/flag", key: "event")
                }
            }
        }
    }

    static func attendees(_ request: Request, event: Event, attendees: [Attendee]) -> Response {
        let t = request.context.localizer
        let path = "/events/\(event.id.uuidString.lowercased())"
        let came = attendees.filter(\.checkedIn).count
        return Layout.page(request, title: t("events.attendees")) {
            H.p(.class("breadcrumb")) { H.a(.to(path)) { "← " + event.title } }
            H.h1 { t("events.attendees") }
            H.p(.id("attendance")) { t("events.attendance", ["came": t.number(came), "going": t.number(event.goingCount)]) }
            if attendees.isEmpty {
                H.p(.class("empty-state")) { t("events.no_answers") }
            } else {
                H.table(.class("data-table"), .id("attendee-list")) {
                    H.thead {
                        H.tr {
                            H.th(.scope("col")) { t("admin.members.member") }
                            H.th(.scope("col")) { t("events.answer") }
                            H.th(.scope("col")) { t("events.checked_in") }
                        }
                    }
                    H.tbody {
                        for attendee in attendees {
                            H.tr(.id("attendee-\(attendee.member.handle)")) {
                                H.td { H.a(.to("/members/\(attendee.member.handle)")) { attendee.member.displayName } }
                                H.td { t("events.answer.\(attendee.status.rawValue)") }
                                H.td {
                                    if attendee.status == .going {
                                        H.form(action: .to("\(path)/checkin/\(attendee.member.handle)"), .class("inline-form")) {
                                            Forms.csrf(request)
                                            H.input(.type("hidden"), .name("present"), .value(attendee.checkedIn ? "0" : "1"))
                                            H.button(
                                                .type("submit"),
                                                .class(attendee.checkedIn ? "button button-small" : "button button-small button-secondary"),
                                                .id("checkin-\(attendee.member.handle)")
                                            ) {
                                                attendee.checkedIn ? "✓ " + t("events.present") : t("events.check_in")
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
    }

    static func calendarSettings(_ request: Request, url: String) -> Response {
        let t = request.context.localizer
        return Layout.page(request, title: t("events.my_calendar")) {
            H.section(.class("narrow")) {
                H.h1 { t("events.my_calendar") }
                H.p(.class("lead")) { t("events.my_calendar.lead") }
                H.p { H.code(.id("calendar-url"), .class("token-value")) { url } }
                GroupViews.actionButton(request, "/settings/calendar", t("events.my_calendar.renew"), id: "renew-calendar", secondary: true)
            }
        }
    }
}
