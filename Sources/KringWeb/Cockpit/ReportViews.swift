import Foundation
import KringCore
import Vapor

/// The reports list and a report: a page that prints to A4, and the same body as a standalone
/// document for the PDF.
enum ReportViews {
    static func title(_ report: Report, _ t: Localizer) -> String {
        let start = report.periodStart
        let period: String =
            switch report.kind {
            case .weekly: t("reports.week_of", ["date": t.date(start)])
            case .monthly: t.month(start)
            case .quarterly: t("reports.quarter_of", ["date": t.month(start)])
            }
        return t("reports.kind.\(report.kind.rawValue)") + " — " + period
    }

    /// `monthly-2026-11-01`, for file names.
    static func slug(_ report: Report, _ zone: TimeZone) -> String {
        report.kind.rawValue + "-" + CockpitSelection.dayFormatter(zone).string(from: report.periodStart)
    }

    static func highlight(_ figure: ReportContent.Figure, change: Double, _ t: Localizer) -> String {
        let unit = MetricCatalog.all.first { $0.id == figure.id }?.unit ?? .count
        return t(
            change > 0 ? "reports.highlight_up" : "reports.highlight_down",
            [
                "metric": t("cockpit.metric.\(figure.id)"), "value": CockpitViews.format(figure.value, unit, t),
                "previous": CockpitViews.format(figure.previous, unit, t), "change": t.percent(abs(change)),
            ])
    }

    static func index(_ request: Request, reports: [Report], settings: ReportSettings, state: FormState, status: HTTPStatus = .ok)
        -> Response
    {
        let t = request.context.localizer
        let manages = request.decide(.viewCockpit).isAllowed
        let zone = request.communityTimeZone
        var shown = state
        if shown.values["date"] == nil {
            shown.values["date"] = CockpitSelection.dayFormatter(zone).string(from: request.repositories.clock.now())
        }
        if shown.values["recipients"] == nil { shown.values["recipients"] = settings.recipients.joined(separator: "\n") }
        return Layout.page(request, title: t("reports.title"), status: status) {
            CockpitNav.bar(request, current: "/reports")
            H.h1 { t("reports.title") }
            H.p(.class("lead")) { t("reports.lead") }
            Forms.errorSummary(shown, t)
            if reports.isEmpty {
                H.p(.class("empty-state"), .id("no-reports")) { t(manages ? "reports.none" : "reports.none_published") }
            } else {
                H.table(.class("data-table"), .id("reports")) {
                    H.thead {
                        H.tr {
                            H.th(.scope("col")) { t("reports.report") }
                            H.th(.scope("col")) { t("reports.status") }
                        }
                    }
                    H.tbody {
                        for report in reports {
                            H.tr {
                                H.td { H.a(.to("/reports/\(report.id.uuidString.lowercased())")) { title(report, t) } }
                                H.td {
                                    H.span(.class("report-status report-\(report.status.rawValue)")) {
                                        t("reports.status.\(report.status.rawValue)")
                                    }
                                }
                            }
                        }
                    }
                }
            }
            if manages {
                H.section(.class("card"), .id("generate-report")) {
                    H.h2 { t("reports.generate") }
                    H.p { t("reports.generate.lead") }
                    H.form(action: .to("/reports/generate"), .class("stack-form"), .id("generate-form")) {
                        Forms.csrf(request)
                        Forms.select(
                            "kind", label: t("reports.kind"),
                            options: ReportKind.allCases.map { (value: $0.rawValue, label: t("reports.kind.\($0.rawValue)")) },
                            state: shown, t: t)
                        Forms.field(
                            "date", label: t("reports.date"), state: shown, t: t, type: "date", required: true, hint: t("reports.date.hint")
                        )
                        Forms.submit(t("reports.generate"), id: "generate-submit")
                    }
                }
                H.section(.class("card"), .id("report-settings")) {
                    H.h2 { t("reports.settings") }
                    H.form(action: .to("/reports/settings"), .class("stack-form"), .id("report-settings-form")) {
                        Forms.csrf(request)
                        H.fieldset {
                            H.legend { t("reports.kinds") }
                            for kind in ReportKind.allCases {
                                H.div(.class("field field-checkbox")) {
                                    H.element(
                                        "input",
                                        [.type("checkbox"), .id("kind-\(kind.rawValue)"), .name("kinds[]"), .value(kind.rawValue)]
                                            + (settings.kinds.contains(kind) ? [.checked] : [])
                                    ) { [] }
                                    H.label(.for("kind-\(kind.rawValue)")) { t("reports.kind.\(kind.rawValue)") }
                                }
                            }
                        }
                        Forms.textarea(
                            "recipients", label: t("reports.recipients"), state: shown, t: t, rows: 3, hint: t("reports.recipients.hint"))
                        Forms.submit(t("settings.save"), id: "report-settings-submit")
                    }
                }
            }
        }
    }

    static func show(_ request: Request, report: Report, state: FormState, status: HTTPStatus = .ok) -> Response {
        let t = request.context.localizer
        let id = report.id.uuidString.lowercased()
        let draft = report.status == .draft && request.decide(.viewCockpit).isAllowed
        return Layout.page(request, title: title(report, t), status: status) {
            CockpitNav.bar(request, current: "/reports")
            H.div(.class("report-actions")) {
                H.a(.to("/reports"), .class("breadcrumb")) { "← " + t("reports.title") }
                H.a(.to("/reports/\(id)/csv"), .class("button button-secondary button-small"), .id("report-csv")) { t("reports.csv") }
                if ReportPDF.chromium() != nil {
                    H.a(.to("/reports/\(id)/pdf"), .class("button button-secondary button-small"), .id("report-pdf")) { t("reports.pdf") }
                }
            }
            body(report, t)
            if draft {
                H.section(.class("card report-editor"), .id("report-evaluation-form")) {
                    H.h2 { t("reports.write_evaluation") }
                    Forms.errorSummary(state, t)
                    H.form(action: .to("/reports/\(id)/evaluation"), .class("stack-form"), .id("evaluation-form")) {
                        Forms.csrf(request)
                        Forms.textarea(
                            "evaluation", label: t("reports.evaluation"), state: state, t: t, rows: 8, hint: t("reports.evaluation.hint"),
                            maxLength: StrategyRules.maxSection)
                        H.div(.class("form-actions")) {
                            H.button(.type("submit"), .class("button button-secondary"), .id("save-evaluation")) { t("reports.save_draft") }
                            H.button(
                                .type("submit"), .class("button"), .id("publish-report"), .formaction(.to("/reports/\(id)/publish"))
                            ) { t("reports.publish") }
                        }
                    }
                }
            }
        }
    }

    /// The report as a standalone document with the stylesheet inlined, for printing to PDF.
    static func document(_ request: Request, report: Report) -> String {
        let t = request.context.localizer
        let css = (try? String(contentsOfFile: KringResources.publicDirectory + "css/kring.css", encoding: .utf8)) ?? ""
        let document = H.element("html", [.lang(t.language.rawValue)]) {
            H.element("head", []) {
                H.meta(.charset("utf-8"))
                H.element("title", []) { title(report, t) }
                H.inlineStylesheet(css)
            }
            H.element("body", [.class("report-document")]) { H.main { body(report, t) } }
        }
        return "<!doctype html>" + document.render()
    }

    /// What every output shows, in the order a reader wants it.
    static func body(_ report: Report, _ t: Localizer) -> HTMLNode {
        let content = report.content
        let figures = Dictionary(uniqueKeysWithValues: content.figures.map { ($0.id, $0) })
        return H.article(.class("report"), .id("report")) {
            H.header(.class("report-head")) {
                H.h1 { title(report, t) }
                H.p(.class("muted")) {
                    t("reports.period", ["from": t.date(report.periodStart), "to": t.date(report.periodEnd.addingTimeInterval(-1))])
                    " · "
                    H.span(.class("report-status report-\(report.status.rawValue)"), .id("report-status")) {
                        t("reports.status.\(report.status.rawValue)")
                    }
                    if let published = report.publishedAt { " · " + t("reports.published_on", ["date": t.date(published)]) }
                }
            }
            section("highlights", t("reports.highlights")) {
                let highlights = content.highlights()
                if highlights.isEmpty {
                    H.p(.class("muted")) { t("reports.no_highlights") }
                } else {
                    H.ul { for item in highlights { H.li { highlight(item.figure, change: item.change, t) } } }
                }
            }
            section("evaluation", t("reports.evaluation")) {
                if report.evaluation.isEmpty {
                    H.p(.class("muted")) { t("reports.evaluation_missing") }
                } else {
                    for paragraph in report.evaluation.components(separatedBy: "\n\n") { H.p { paragraph } }
                }
            }
            section("goals", t("reports.goals")) {
                if content.goals.isEmpty {
                    H.p(.class("muted")) { t("reports.no_goals") }
                } else {
                    H.ul {
                        for goal in content.goals {
                            H.li {
                                H.strong { goal.title }
                                " — "
                                H.span(.class("goal-status goal-\(goal.status)")) { t("goals.status.\(goal.status)") }
                            }
                        }
                    }
                }
            }
            section("figures", t("reports.key_figures")) {
                if !content.dailyActive.isEmpty {
                    let calendar = MetricPeriod.calendar(t.timeZone)
                    let labels = content.dailyActive.indices.map {
                        t.shortDate(calendar.date(byAdding: .day, value: $0, to: report.periodStart)!)
                    }
                    Charts.bars(
                        id: "report-dau", title: t("reports.chart.dau"), description: t("reports.chart.dau_desc"), labels: labels,
                        values: content.dailyActive.map(Double.init), name: "DAU", t: t)
                }
                H.table(.class("data-table report-figures"), .id("report-figures")) {
                    H.thead {
                        H.tr {
                            H.th(.scope("col")) { t("reports.metric") }
                            H.th(.scope("col")) { t("reports.this_period") }
                            H.th(.scope("col")) { t("reports.previous_period") }
                        }
                    }
                    H.tbody {
                        for metric in MetricCatalog.all {
                            if let figure = figures[metric.id] {
                                H.tr(.id("figure-\(metric.id)")) {
                                    H.th(.scope("row")) { t("cockpit.metric.\(metric.id)") }
                                    H.td(.id("figure-value-\(metric.id)")) { CockpitViews.format(figure.value, metric.unit, t) }
                                    H.td { CockpitViews.format(figure.previous, metric.unit, t) }
                                }
                            }
                        }
                    }
                }
            }
            section("top-content", t("reports.top_content")) {
                if content.topTopics.isEmpty {
                    H.p(.class("muted")) { t("reports.none_in_period") }
                } else {
                    H.ol {
                        for topic in content.topTopics {
                            H.li {
                                H.a(.to("/t/\(topic.id.uuidString.lowercased())")) { topic.title }
                                " — "
                                    + t(
                                        "reports.replies_reactions",
                                        ["replies": t.number(topic.replies), "reactions": t.number(topic.reactions)])
                            }
                        }
                    }
                }
            }
            section("champions", t("reports.champions")) {
                if content.champions.isEmpty {
                    H.p(.class("muted")) { t("reports.none_in_period") }
                } else {
                    H.ul {
                        for champion in content.champions {
                            H.li { "@" + champion.handle + " — " + t("reports.posts", ["count": t.number(champion.posts)]) }
                        }
                    }
                }
            }
            section("ideas", t("reports.ideas")) {
                H.p { t("reports.ideas_submitted", ["count": t.number(content.ideasSubmitted)]) }
                if !content.departments.isEmpty {
                    H.ul {
                        for department in content.departments {
                            H.li {
                                department.name + " — "
                                    + t(
                                        "reports.department_line",
                                        [
                                            "routed": t.number(department.routed), "responded": t.number(department.responded),
                                            "hours": CockpitViews.format(department.medianHours, .hours, t),
                                        ])
                            }
                        }
                    }
                }
            }
            section("moderation", t("reports.moderation")) {
                let moderation = content.moderation
                H.p {
                    t(
                        "reports.moderation_line",
                        [
                            "raised": t.number(moderation.flagsRaised), "settled": t.number(moderation.flagsSettled),
                            "upheld": t.number(moderation.flagsUpheld),
                            "hours": CockpitViews.format(moderation.medianHoursToResolve, .hours, t),
                            "sanctions": t.number(moderation.sanctions),
                        ])
                }
            }
            section("stories", t("reports.stories")) {
                if content.stories.isEmpty {
                    H.p(.class("muted")) { t("reports.none_in_period") }
                } else {
                    H.ul {
                        for story in content.stories {
                            H.li {
                                H.strong { story.title }
                                story.value.isEmpty ? "" : " — " + story.value
                            }
                        }
                    }
                }
            }
            section("next-steps", t("reports.next_steps")) {
                if content.nextSteps.isEmpty {
                    H.p(.class("muted")) { t("reports.no_next_steps") }
                } else {
                    H.ul {
                        for step in content.nextSteps {
                            if let rule = AdviceRule(rawValue: step.rule) {
                                H.li { AdviceViews.sentence(rule, step.details, t) + " — " + AdviceViews.suggestion(rule, step.details, t) }
                            }
                        }
                    }
                }
            }
        }
    }

    private static func section(_ id: String, _ heading: String, @HTMLBuilder content: () -> [HTMLNode]) -> HTMLNode {
        H.section(.class("report-section"), .id("report-\(id)")) {
            H.h2 { heading }
            content()
        }
    }
}
