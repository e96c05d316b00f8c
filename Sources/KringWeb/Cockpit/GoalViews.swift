import KringCore
import KringStore
import Vapor

/// The goals page: each goal with its trend, target and status, and the form for a new one; the
/// business figures page.
enum GoalViews {
    /// The new-goal form's starting values: this month to the end of the quarter after it.
    static func defaults(_ request: Request) -> FormState {
        let zone = TimeZone(identifier: request.context.community?.timeZone ?? "") ?? .gmt
        let now = request.repositories.clock.now()
        let days = CockpitSelection.dayFormatter(zone)
        let start = MetricPeriod.containing(now, kind: .month, timeZone: zone).start
        let quarter = MetricPeriod.containing(now, kind: .quarter, timeZone: zone)
        let deadline = MetricPeriod.containing(quarter.end, kind: .quarter, timeZone: zone).end
        return FormState(values: [
            "measure": "metric:mau", "starts_at": days.string(from: start),
            "deadline": days.string(from: MetricPeriod.calendar(zone).date(byAdding: .day, value: -1, to: deadline)!),
        ])
    }

    static func value(_ value: Double?, _ unit: MetricDefinition.Unit, _ t: Localizer) -> String {
        CockpitViews.format(value, unit, t)
    }

    static func index(_ request: Request, standings: [GoalStanding], state: FormState, status: HTTPStatus = .ok) async throws -> Response {
        let t = request.context.localizer
        let groups = try await request.repositories.groups.list(for: try await request.viewer())
        let figureNames = try await request.repositories.goals.figures().keys.sorted()
        let manages = request.decide(.viewCockpit).isAllowed
        return Layout.page(request, title: t("goals.title"), status: status) {
            CockpitNav.bar(request, current: "/goals")
            H.div(.class("page-header")) {
                H.div {
                    H.h1 { t("goals.title") }
                    H.p(.class("lead")) { t("goals.lead") }
                }
                H.a(.to("/goals/figures"), .class("button button-secondary"), .id("figures-link")) { t("goals.figures") }
            }
            if standings.isEmpty {
                H.p(.class("empty-state"), .id("no-goals")) { t("goals.none") }
            } else {
                H.div(.class("goal-list"), .id("goals")) {
                    for standing in standings { card(request, standing, t) }
                }
            }
            H.details(.class("how")) {
                H.summary { t("goals.how") }
                H.p { t("goals.how.text") }
            }
            if manages { newGoal(request, state: state, groups: groups, figureNames: figureNames, t) }
        }
    }

    private static func newGoal(_ request: Request, state: FormState, groups: [Group], figureNames: [String], _ t: Localizer) -> HTMLNode {
        H.fragment {
            H.section(.class("card"), .id("new-goal")) {
                H.h2 { t("goals.new") }
                Forms.errorSummary(state, t)
                H.form(action: .to("/goals"), .class("stack-form"), .id("goal-form")) {
                    Forms.csrf(request)
                    Forms.field("title", label: t("field.goal_title"), state: state, t: t, required: true, maxLength: 150)
                    Forms.select(
                        "measure", label: t("field.goal_measure"),
                        options: MetricCatalog.all.map { (value: "metric:" + $0.id, label: t("cockpit.metric.\($0.id)")) }
                            + figureNames.map { (value: "figure:" + $0, label: t("goals.figure_named", ["name": $0])) }
                            + [(value: "figure:", label: t("goals.figure_new"))],
                        state: state, t: t)
                    Forms.field("figure_name", label: t("field.figure_name"), state: state, t: t, hint: t("field.figure_name.hint"))
                    Forms.select(
                        "direction", label: t("field.goal_direction"),
                        options: [(value: "up", label: t("goals.direction.up")), (value: "down", label: t("goals.direction.down"))],
                        state: state,
                        t: t, hint: t("field.goal_direction.hint"))
                    Forms.select(
                        "group", label: t("cockpit.group"),
                        options: [(value: "", label: t("cockpit.all_groups"))] + groups.map { (value: $0.slug, label: $0.name) },
                        state: state,
                        t: t)
                    Forms.field(
                        "target", label: t("field.goal_target"), state: state, t: t, required: true, hint: t("field.goal_target.hint"))
                    Forms.field("starts_at", label: t("field.goal_starts"), state: state, t: t, type: "date", required: true)
                    Forms.field("deadline", label: t("field.goal_deadline"), state: state, t: t, type: "date", required: true)
                    Forms.field("owner", label: t("field.goal_owner"), state: state, t: t, hint: t("field.goal_owner.hint"))
                    Forms.submit(t("goals.create"), id: "goal-submit")
                }
            }
        }
    }

    private static func card(_ request: Request, _ standing: GoalStanding, _ t: Localizer) -> HTMLNode {
        let goal = standing.goal
        let id = goal.id.uuidString.lowercased()
        let name: String =
            switch goal.measure {
            case .metric(let metric): t("cockpit.metric.\(metric)")
            case .figure(let figure): figure
            }
        return H.article(.class("card goal-card"), .id("goal-\(id)")) {
            H.div(.class("goal-head")) {
                H.h2 { goal.title }
                H.span(.class("goal-status goal-\(standing.status.rawValue)"), .id("goal-status-\(id)")) {
                    t("goals.status.\(standing.status.rawValue)")
                }
            }
            H.p(.class("muted")) {
                name + " · " + t("goals.by", ["target": value(goal.target, standing.unit, t), "date": t.date(goal.deadline)])
                if let owner = standing.owner { " · @" + owner }
            }
            H.dl(.class("goal-figures")) {
                H.dt { t("goals.now") }
                H.dd(.id("goal-now-\(id)")) { value(standing.points.last?.value, standing.unit, t) }
                H.dt { t("goals.projected") }
                H.dd(.id("goal-projected-\(id)")) { value(standing.projected, standing.unit, t) }
            }
            Charts.sparkline(
                id: "goal-trend-\(id)", title: t("goals.trend", ["title": goal.title]), values: standing.points.map(\.value),
                target: goal.target)
            if request.decide(.viewCockpit).isAllowed {
                GroupViews.actionButton(request, "/goals/\(id)/archive", t("goals.archive"), id: "archive-\(id)", secondary: true)
            }
        }
    }

    static func figures(
        _ request: Request, figures: [String: [(month: String, value: Double)]], state: FormState, status: HTTPStatus = .ok
    ) -> Response {
        let t = request.context.localizer
        return Layout.page(request, title: t("goals.figures"), status: status) {
            H.p(.class("breadcrumb")) { H.a(.to("/goals")) { "← " + t("goals.title") } }
            H.h1 { t("goals.figures") }
            H.p(.class("lead")) { t("goals.figures.lead") }
            if figures.isEmpty {
                H.p(.class("empty-state"), .id("no-figures")) { t("goals.figures.none") }
            } else {
                H.table(.class("data-table"), .id("figures-table")) {
                    H.thead { H.tr { for key in ["field.figure_name", "goals.month", "goals.value"] { H.th(.scope("col")) { t(key) } } } }
                    H.tbody {
                        for name in figures.keys.sorted() {
                            for entry in figures[name] ?? [] {
                                H.tr {
                                    H.th(.scope("row")) { name }
                                    H.td { entry.month }
                                    H.td { t.decimal(entry.value, digits: entry.value == entry.value.rounded() ? 0 : 2) }
                                }
                            }
                        }
                    }
                }
            }
            H.section(.class("card")) {
                H.h2 { t("goals.figures.enter") }
                Forms.errorSummary(state, t)
                H.form(action: .to("/goals/figures"), .class("stack-form"), .id("figures-form")) {
                    Forms.csrf(request)
                    Forms.textarea("csv", label: t("field.figures_csv"), state: state, t: t, rows: 6, hint: t("field.figures_csv.hint"))
                    Forms.submit(t("settings.save"), id: "figures-submit")
                }
            }
        }
    }
}
