import KringCore
import KringStore
import Vapor

/// The cockpit dashboard: the period picker, each section's figures compared with the previous
/// period, charts with their data, and a "how is this computed?" note per section.
enum CockpitViews {
    /// A figure in the reader's language; a dash when there is nothing to measure.
    static func format(_ value: Double?, _ unit: MetricDefinition.Unit, _ t: Localizer) -> String {
        guard let value else { return "—" }
        switch unit {
        case .count: return t.number(Int(value.rounded()))
        case .percent: return t.percent(value)
        case .hours: return t("units.hours", ["count": t.decimal(value)])
        case .decimal: return t.decimal(value, digits: abs(value) < 1 ? 2 : 1)
        }
    }

    /// A headline figure with the previous period's value and an arrow coloured by which way is good.
    static func card(_ metric: MetricDefinition, _ data: CockpitData, _ t: Localizer) -> HTMLNode {
        let now = metric.value(data.current)
        let before = metric.value(data.previous)
        var trend = "trend-same"
        var arrow = "="
        var change = t("cockpit.same_as_before")
        if let now, let before, now != before {
            let up = now > before
            arrow = up ? "▲" : "▼"
            change = t(up ? "cockpit.up_from" : "cockpit.down_from", ["value": format(before, metric.unit, t)])
            switch metric.good {
            case .up: trend = up ? "trend-good" : "trend-bad"
            case .down: trend = up ? "trend-bad" : "trend-good"
            case .neutral: trend = "trend-same"
            }
        } else if before == nil {
            change = t("cockpit.no_comparison")
            arrow = ""
        }
        return H.div(.class("stat-card cockpit-card"), .id("metric-\(metric.id)")) {
            H.span(.class("stat-number")) { format(now, metric.unit, t) }
            H.span(.class("stat-label")) { t("cockpit.metric.\(metric.id)") }
            H.span(.class("trend \(trend)")) {
                if !arrow.isEmpty { H.span(.aria(.hidden, "true")) { arrow + " " } }
                change
            }
        }
    }

    /// "How is this computed?": the section's definitions, as METRICS.md writes them.
    static func how(_ ids: [String], _ t: Localizer) -> HTMLNode {
        H.details(.class("how")) {
            H.summary { t("cockpit.how") }
            H.dl {
                for id in ids {
                    H.dt { t("cockpit.metric.\(id)") }
                    H.dd { t("cockpit.how.\(id)") }
                }
            }
        }
    }

    private static func cards(_ section: MetricDefinition.Section, _ data: CockpitData, _ t: Localizer) -> HTMLNode {
        H.div(.class("stat-grid")) { for metric in MetricCatalog.section(section) { card(metric, data, t) } }
    }

    private static func csvLink(_ table: String, _ data: CockpitData, _ t: Localizer) -> HTMLNode {
        H.p(.class("cockpit-export")) {
            H.a(.to("/cockpit.csv?table=\(table)&" + data.selection.query(for: data.selection.period)), .id("csv-\(table)")) {
                t("cockpit.csv")
            }
        }
    }

    static func dashboard(_ request: Request, data: CockpitData, groups: [Group]) -> Response {
        let t = request.context.localizer
        let current = data.current
        let period = data.selection.period
        // Days still to come are left out of the charts: a line dropping to zero would be misleading.
        let elapsed = CockpitCSV.elapsedDays(period, now: request.repositories.clock.now())
        let days = period.dayStarts.prefix(elapsed).map { t.shortDate($0) }
        let shown = { (values: [Int]) in values.prefix(elapsed).map(Double.init) }
        let sectionIDs = { (section: MetricDefinition.Section) in MetricCatalog.section(section).map(\.id) }
        return Layout.page(request, title: t("cockpit.title")) {
            CockpitNav.bar(request, current: "/cockpit")
            H.div(.class("page-header")) {
                H.div {
                    H.h1 { t("cockpit.title") }
                    H.p(.class("lead"), .id("cockpit-period")) {
                        t(
                            "cockpit.period_of",
                            ["from": t.date(period.start), "to": t.date(period.calendar.date(byAdding: .day, value: -1, to: period.end)!)])
                        if let group = data.selection.group { " · " + group.name }
                    }
                }
            }
            picker(request, data: data, groups: groups)

            section("growth", t) {
                cards(.growth, data, t)
                Charts.bars(
                    id: "chart-signups", title: t("cockpit.chart.signups"), description: t("cockpit.chart.signups_desc"), labels: days,
                    values: shown(current.signupsByDay), name: t("cockpit.metric.signups"), t: t)
                how(sectionIDs(.growth), t)
            }
            section("engagement", t) {
                cards(.engagement, data, t)
                Charts.line(
                    id: "chart-visitors", title: t("cockpit.chart.visitors"), description: t("cockpit.chart.visitors_desc"), labels: days,
                    series: [
                        .init(name: "DAU", values: shown(current.visitors.dau), styleClass: "series-1"),
                        .init(name: "WAU", values: shown(current.visitors.wau), styleClass: "series-2"),
                        .init(name: "MAU", values: shown(current.visitors.mau), styleClass: "series-3"),
                    ], format: { t.number(Int($0.rounded())) }, t: t)
                Charts.bars(
                    id: "chart-posts", title: t("cockpit.chart.posts"), description: t("cockpit.chart.posts_desc"), labels: days,
                    values: shown(current.postsByDay), name: t("cockpit.metric.posts"), t: t)
                how(sectionIDs(.engagement), t)
                csvLink("daily", data, t)
            }
            section("responsiveness", t) {
                cards(.responsiveness, data, t)
                H.h3 { t("cockpit.unanswered_list") }
                if current.unanswered.isEmpty {
                    H.p(.class("empty-state"), .id("no-unanswered")) { t("cockpit.unanswered_none") }
                } else {
                    H.ul(.class("plain-list"), .id("unanswered-topics")) {
                        for topic in current.unanswered.prefix(25) {
                            H.li {
                                H.a(.to("/t/\(topic.id.uuidString.lowercased())")) { topic.title }
                                H.span(.class("muted")) { " · " + t.dateTime(topic.createdAt) }
                            }
                        }
                    }
                    csvLink("unanswered", data, t)
                }
                how(sectionIDs(.responsiveness), t)
            }
            section("retention", t) {
                cohorts(current, t)
                how(["cohorts"], t)
                csvLink("cohorts", data, t)
            }
            section("participation", t) {
                cards(.participation, data, t)
                Charts.lorenz(
                    id: "chart-lorenz", title: t("cockpit.chart.lorenz"),
                    description: t("cockpit.chart.lorenz_desc", ["gini": format(current.participation.gini, .decimal, t)]),
                    points: current.participation.lorenz.map { ($0.people, $0.share) }, t: t)
                how(sectionIDs(.participation), t)
                csvLink("lorenz", data, t)
            }
            section("events", t) {
                cards(.events, data, t)
                H.p(.id("attendance")) {
                    t("cockpit.attendance", ["going": t.number(current.eventsGoing), "came": t.number(current.eventsCheckedIn)])
                }
                how(sectionIDs(.events), t)
                csvLink("events", data, t)
            }
            section("ideas", t) {
                cards(.ideas, data, t)
                departments(current, t)
                how(sectionIDs(.ideas), t)
                csvLink("departments", data, t)
            }
            section("moderation", t) {
                cards(.moderation, data, t)
                H.p(.class("muted"), .id("moderation-now")) {
                    t(
                        "cockpit.moderation_now",
                        ["queue": t.number(data.moderation.queueSize), "repeat": t.number(data.moderation.repeatOffenders)])
                }
                how(sectionIDs(.moderation), t)
                csvLink("moderation", data, t)
            }
            H.p(.class("cockpit-export")) {
                H.a(
                    .to("/cockpit.csv?table=summary&" + data.selection.query(for: period)), .class("button button-secondary"),
                    .id("csv-summary")
                ) {
                    t("cockpit.csv_summary")
                }
            }
        }
    }

    private static func section(_ id: String, _ t: Localizer, @HTMLBuilder content: () -> [HTMLNode]) -> HTMLNode {
        H.section(.class("cockpit-section"), .id("section-\(id)"), .aria(.labelledby, "heading-\(id)")) {
            H.h2(.id("heading-\(id)")) { t("cockpit.section.\(id)") }
            content()
        }
    }

    /// Period kind, a day in it (or a custom range), the group; and links to the periods around it.
    private static func picker(_ request: Request, data: CockpitData, groups: [Group]) -> HTMLNode {
        let t = request.context.localizer
        let period = data.selection.period
        let day = CockpitSelection.dayFormatter(period.timeZone)
        let lastDay = period.calendar.date(byAdding: .day, value: -1, to: period.end)!
        let next = MetricPeriod.containing(period.end, kind: period.kind == .custom ? .day : period.kind, timeZone: period.timeZone)
        return H.div(.class("cockpit-picker card")) {
            H.form(action: .to("/cockpit"), .method("get"), .class("inline-form cockpit-form"), .id("period-form")) {
                H.label(.for("period")) { t("cockpit.period") }
                H.element("select", [.id("period"), .name("period")]) {
                    for kind in PeriodKind.allCases {
                        H.element("option", [.value(kind.rawValue)] + (kind == period.kind ? [.selected] : [])) {
                            t("cockpit.period.\(kind.rawValue)")
                        }
                    }
                }
                H.label(.for("date")) { t("cockpit.date") }
                H.input(.type("date"), .id("date"), .name("date"), .value(day.string(from: period.start)))
                H.label(.for("from")) { t("cockpit.from") }
                H.input(.type("date"), .id("from"), .name("from"), .value(period.kind == .custom ? day.string(from: period.start) : ""))
                H.label(.for("to")) { t("cockpit.to") }
                H.input(.type("date"), .id("to"), .name("to"), .value(period.kind == .custom ? day.string(from: lastDay) : ""))
                H.label(.for("group")) { t("cockpit.group") }
                H.element("select", [.id("group"), .name("group")]) {
                    H.element("option", [.value("")]) { t("cockpit.all_groups") }
                    for group in groups {
                        H.element("option", [.value(group.slug)] + (group.id == data.selection.group?.id ? [.selected] : [])) { group.name }
                    }
                }
                H.label(.for("inactive_days")) { t("cockpit.inactive_days") }
                H.element("select", [.id("inactive_days"), .name("inactive_days")]) {
                    for days in MetricsSettings.inactiveDayChoices {
                        H.element("option", [.value(String(days))] + (days == data.selection.inactiveDays ? [.selected] : [])) {
                            t("cockpit.days", ["count": String(days)])
                        }
                    }
                }
                H.button(.type("submit"), .class("button"), .id("period-submit")) { t("cockpit.show") }
            }
            H.nav(.class("cockpit-steps"), .aria(.label, t("cockpit.periods_around"))) {
                H.a(.to("/cockpit?" + data.selection.query(for: period.previous)), .id("previous-period")) { "← " + t("cockpit.previous") }
                if period.end <= request.repositories.clock.now(), period.kind != .custom {
                    H.a(.to("/cockpit?" + data.selection.query(for: next)), .id("next-period")) { t("cockpit.next") + " →" }
                }
            }
        }
    }

    /// The retention heat map: a table whose cells are shaded by share (and say the share).
    private static func cohorts(_ figures: CommunityFigures, _ t: Localizer) -> HTMLNode {
        guard !figures.cohorts.isEmpty else { return H.p(.class("empty-state"), .id("no-cohorts")) { t("cockpit.cohorts_none") } }
        let headers = [
            "cockpit.cohort.day1", "cockpit.cohort.within7", "cockpit.cohort.within30", "cockpit.cohort.within90",
            "cockpit.cohort.posted30",
        ]
        let table = H.details(.class("chart-data")) {
            H.summary { t("cockpit.data_table") }
            H.div(.class("table-scroll")) {
                H.table(.class("data-table heat-map"), .id("cohort-table")) {
                    H.caption { t(figures.cohortUnit == .week ? "cockpit.cohorts_by_week" : "cockpit.cohorts_by_month") }
                    H.thead {
                        H.tr {
                            H.th(.scope("col")) { t("cockpit.cohort") }
                            H.th(.scope("col")) { t("cockpit.cohort.size") }
                            for key in headers { H.th(.scope("col")) { t(key) } }
                        }
                    }
                    H.tbody {
                        for cohort in figures.cohorts {
                            H.tr {
                                H.th(.scope("row")) { figures.cohortUnit == .week ? t.shortDate(cohort.start) : t.month(cohort.start) }
                                H.td { t.number(cohort.size) }
                                for column in cohort.columns {
                                    if let column, let share = Statistics.ratio(column, cohort.size) {
                                        H.td(.class("heat heat-\(min(9, Int(share * 10)))")) { t.percent(share) }
                                    } else {
                                        H.td(.class("heat heat-none")) { "—" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let rows = figures.cohorts.map { cohort in
            (figures.cohortUnit == .week ? t.shortDate(cohort.start) : t.month(cohort.start)) + " (\(t.number(cohort.size)))"
        }
        let cells = figures.cohorts.map { cohort in cohort.columns.map { column in column.flatMap { Statistics.ratio($0, cohort.size) } } }
        return Charts.heatMap(
            id: "chart-cohorts", title: t(figures.cohortUnit == .week ? "cockpit.cohorts_by_week" : "cockpit.cohorts_by_month"),
            description: t("cockpit.chart.cohorts_desc"), rows: rows, columns: headers.map { t($0) }, cells: cells, t: t, table: table)
    }

    private static func departments(_ figures: CommunityFigures, _ t: Localizer) -> HTMLNode {
        guard !figures.departments.isEmpty else { return H.p(.class("empty-state")) { t("cockpit.departments_none") } }
        return H.table(.class("data-table"), .id("department-table")) {
            H.thead {
                H.tr {
                    for key in ["cockpit.department", "cockpit.routed", "cockpit.responded", "cockpit.median_response"] {
                        H.th(.scope("col")) { t(key) }
                    }
                }
            }
            H.tbody {
                for department in figures.departments {
                    H.tr {
                        H.th(.scope("row")) { department.name }
                        H.td { t.number(department.routed) }
                        H.td { t.number(department.responded) }
                        H.td { format(department.medianHours, .hours, t) }
                    }
                }
            }
        }
    }
}
