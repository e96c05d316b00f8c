import KringCore
import KringStore
import Vapor

enum ListeningViews {
    /// Positive, neutral and negative posts per week as three lines: counts, not shares, so a quiet
    /// week shows as quiet instead of as a swing.
    static func sentimentChart(id: String, title: String, weekKeys: [String], weeks: [String: SentimentWeek], t: Localizer) -> HTMLNode {
        Charts.line(
            id: id, title: title, description: t("listening.sentiment_chart_desc"), labels: weekKeys.map { String($0.suffix(3)) },
            series: [
                Charts.Series(
                    name: t("listening.positive"), values: weekKeys.map { Double(weeks[$0]?.positive ?? 0) }, styleClass: "series-1"),
                Charts.Series(
                    name: t("listening.neutral"), values: weekKeys.map { Double(weeks[$0]?.neutral ?? 0) }, styleClass: "series-3"),
                Charts.Series(
                    name: t("listening.negative"), values: weekKeys.map { Double(weeks[$0]?.negative ?? 0) }, styleClass: "series-2"),
            ], format: { t.number(Int($0.rounded())) }, wholeNumbers: true, t: t)
    }

    /// The shares behind the chart, week by week: what METRICS.md reports.
    static func shareTable(id: String, weekKeys: [String], weeks: [String: SentimentWeek], t: Localizer) -> HTMLNode {
        H.details(.class("chart-table"), .id(id)) {
            H.summary { t("listening.shares_per_week") }
            H.table(.class("data-table")) {
                H.thead {
                    H.tr {
                        for key in ["week", "posts", "positive", "negative"] { H.th(.scope("col")) { t("listening.column.\(key)") } }
                    }
                }
                H.tbody {
                    for key in weekKeys.reversed() {
                        let week = weeks[key] ?? SentimentWeek(week: key)
                        H.tr {
                            H.th(.scope("row"), .class("row-name")) { key }
                            H.td(.class("number")) { t.number(week.total) }
                            H.td(.class("number")) { week.positiveShare.map { t.percent($0) } ?? "—" }
                            H.td(.class("number")) { week.negativeShare.map { t.percent($0) } ?? "—" }
                        }
                    }
                }
            }
        }
    }

    static func share(_ figures: SentimentWeek, t: Localizer) -> String {
        guard let positive = figures.positiveShare, let negative = figures.negativeShare else { return "—" }
        return t("listening.share", ["positive": t.percent(positive), "negative": t.percent(negative)])
    }

    static func index(_ request: Request, overview: ListeningController.Overview, state: FormState, status: HTTPStatus) -> Response {
        let t = request.context.localizer
        return Layout.page(request, title: t("listening.title"), status: status) {
            CockpitNav.bar(request, current: "/cockpit/listening")
            H.h1 { t("listening.title") }
            H.p(.class("lead")) { t("listening.lead") }
            H.p {
                H.a(.to("/cockpit/insights"), .id("insights-link")) { t.plural("listening.open_insights", count: overview.openInsights) }
            }
            H.section(.class("cockpit-section"), .id("section-sentiment"), .aria(.labelledby, "heading-sentiment")) {
                H.h2(.id("heading-sentiment")) { t("listening.sentiment") }
                H.element("form", [.action(.to("/cockpit/listening")), .method("get"), .class("inline-form"), .id("sentiment-group-form")])
                {
                    Forms.select(
                        "group", label: t("listening.in_group"),
                        options: [("", t("listening.everywhere"))] + overview.groups.map { ($0.slug, $0.name) },
                        state: FormState(values: ["group": overview.group?.slug ?? ""]), t: t)
                    Forms.submit(t("listening.show"), id: "sentiment-group-submit", secondary: true)
                }
                if overview.sentiment.values.allSatisfy({ $0.total == 0 }) {
                    H.p(.class("empty-state"), .id("sentiment-empty")) { t("listening.sentiment_empty") }
                } else {
                    sentimentChart(
                        id: "chart-sentiment",
                        title: t("listening.sentiment_chart", ["where": overview.group?.name ?? t("listening.everywhere")]),
                        weekKeys: overview.weekKeys, weeks: overview.sentiment, t: t)
                    shareTable(id: "sentiment-shares", weekKeys: overview.weekKeys, weeks: overview.sentiment, t: t)
                }
                if !overview.byGroup.isEmpty {
                    H.table(.class("data-table"), .id("sentiment-by-group")) {
                        H.caption { t("listening.by_group") }
                        H.thead {
                            H.tr {
                                H.th(.scope("col")) { t("listening.column.group") }
                                H.th(.scope("col")) { t("listening.column.posts") }
                                H.th(.scope("col")) { t("listening.column.sentiment") }
                            }
                        }
                        H.tbody {
                            for row in overview.byGroup {
                                H.tr {
                                    H.th(.scope("row"), .class("row-name")) { row.name }
                                    H.td(.class("number")) { t.number(row.figures.total) }
                                    H.td { share(row.figures, t: t) }
                                }
                            }
                        }
                    }
                }
                H.details(.class("how"), .id("sentiment-method")) {
                    H.summary { t("listening.method") }
                    H.p { t("listening.method_text", ["heard": t.number(overview.heard)]) }
                    H.p { t("listening.limits") }
                    H.p { t("listening.attribution") }
                }
            }
            H.section(.class("cockpit-section"), .id("section-terms"), .aria(.labelledby, "heading-terms")) {
                H.h2(.id("heading-terms")) { t("listening.terms") }
                H.p(.class("muted")) { t("listening.terms_lead") }
                if overview.terms.isEmpty {
                    H.p(.class("empty-state"), .id("terms-empty")) { t("listening.terms_empty") }
                } else {
                    H.table(.class("data-table"), .id("terms-table")) {
                        H.thead {
                            H.tr {
                                H.th(.scope("col")) { t("listening.column.term") }
                                H.th(.scope("col")) { t("listening.column.kind") }
                                H.th(.scope("col")) { t("listening.column.mentions") }
                                H.th(.scope("col")) { t("listening.column.alerts") }
                                H.th(.scope("col")) { H.span(.class("visually-hidden")) { t("listening.column.actions") } }
                            }
                        }
                        H.tbody {
                            for term in overview.terms {
                                let key = term.id.uuidString.lowercased()
                                H.tr(.id("term-\(key)")) {
                                    H.th(.scope("row"), .class("row-name")) { H.a(.to("/cockpit/listening/terms/\(key)")) { term.term } }
                                    H.td { t("listening.kind.\(term.kind.rawValue)") }
                                    H.td(.class("number")) { t.number(overview.mentions[term.id] ?? 0) }
                                    H.td {
                                        H.form(action: .to("/cockpit/listening/terms/\(key)/alerts"), .class("inline-form")) {
                                            Forms.csrf(request)
                                            H.button(.type("submit"), .class("link-button"), .id("alerts-\(key)")) {
                                                term.alerts ? t("listening.alerts_on") : t("listening.alerts_off")
                                            }
                                        }
                                    }
                                    H.td {
                                        H.form(action: .to("/cockpit/listening/terms/\(key)/delete"), .class("inline-form")) {
                                            Forms.csrf(request)
                                            H.button(.type("submit"), .class("link-button danger")) { t("listening.unwatch") }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                Forms.errorSummary(state, t)
                H.h3 { t("listening.watch_new") }
                H.form(action: .to("/cockpit/listening/terms"), .class("stack-form"), .id("term-form")) {
                    Forms.csrf(request)
                    Forms.field(
                        "term", label: t("field.term"), state: state, t: t, required: true, hint: t("listening.term_hint"), maxLength: 60)
                    Forms.select(
                        "kind", label: t("field.kind"),
                        options: WatchedTermKind.allCases.map { ($0.rawValue, t("listening.kind.\($0.rawValue)")) },
                        state: state, t: t)
                    Forms.checkbox(
                        "alerts", label: t("listening.alerts_label"), isChecked: state["alerts"] != "0", hint: t("listening.alerts_hint"))
                    Forms.submit(t("listening.watch"), id: "term-submit")
                }
            }
            H.section(.class("cockpit-section"), .id("section-trending"), .aria(.labelledby, "heading-trending")) {
                H.h2(.id("heading-trending")) { t("listening.trending", ["days": t.number(ListeningController.trendDays)]) }
                if overview.trending.isEmpty {
                    H.p(.class("empty-state"), .id("trending-empty")) { t("listening.trending_empty") }
                } else {
                    H.table(.class("data-table"), .id("trending-table")) {
                        H.thead {
                            H.tr {
                                H.th(.scope("col")) { t("listening.column.tag") }
                                H.th(.scope("col")) { t("listening.column.now") }
                                H.th(.scope("col")) { t("listening.column.before") }
                                H.th(.scope("col")) { t("listening.column.change") }
                            }
                        }
                        H.tbody {
                            for tag in overview.trending {
                                H.tr(.id("trending-\(tag.tag)")) {
                                    H.th(.scope("row"), .class("row-name")) { H.a(.to("/tags/\(tag.tag)")) { "#" + tag.tag } }
                                    H.td(.class("number")) { t.number(tag.current) }
                                    H.td(.class("number")) { t.number(tag.previous) }
                                    H.td(.class("number")) { tag.change.map { "+" + t.percent($0) } ?? t("listening.new") }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    static func term(
        _ request: Request, term: WatchedTerm, weekKeys: [String], weeks: [String: SentimentWeek], mentions: [TermMention],
        snippets: [UUID: ListeningRepository.PostSnippet]
    ) -> Response {
        let t = request.context.localizer
        return Layout.page(request, title: term.term) {
            CockpitNav.bar(request, current: "/cockpit/listening")
            H.p { H.a(.to("/cockpit/listening")) { "← " + t("listening.title") } }
            H.h1 { t("listening.term_title", ["term": term.term]) }
            H.p(.class("lead")) {
                t("listening.kind.\(term.kind.rawValue)") + " · " + (term.alerts ? t("listening.alerts_on") : t("listening.alerts_off"))
            }
            let total = weekKeys.reduce(SentimentWeek(week: "")) { sum, key in
                SentimentWeek(
                    week: "", positive: sum.positive + (weeks[key]?.positive ?? 0), neutral: sum.neutral + (weeks[key]?.neutral ?? 0),
                    negative: sum.negative + (weeks[key]?.negative ?? 0))
            }
            if total.total == 0 {
                H.p(.class("empty-state"), .id("term-empty")) { t("listening.term_empty") }
            } else {
                H.p(.id("term-summary")) {
                    t.plural(
                        "listening.term_summary", count: total.total, ["weeks": t.number(weekKeys.count), "share": share(total, t: t)])
                }
                Charts.bars(
                    id: "chart-mentions", title: t("listening.mentions_chart", ["term": term.term]),
                    description: t("listening.mentions_chart_desc"), labels: weekKeys.map { String($0.suffix(3)) },
                    values: weekKeys.map { Double(weeks[$0]?.total ?? 0) }, name: t("listening.column.mentions"), t: t)
                sentimentChart(
                    id: "chart-term-sentiment", title: t("listening.sentiment_chart", ["where": term.term]), weekKeys: weekKeys,
                    weeks: weeks,
                    t: t)
                shareTable(id: "term-shares", weekKeys: weekKeys, weeks: weeks, t: t)
            }
            H.section(.class("cockpit-section"), .id("section-mentions"), .aria(.labelledby, "heading-mentions")) {
                H.h2(.id("heading-mentions")) { t("listening.posts_behind") }
                if mentions.isEmpty {
                    H.p(.class("empty-state")) { t("listening.no_posts") }
                } else {
                    H.ul(.class("mention-list"), .id("mention-list")) {
                        for mention in mentions {
                            if let snippet = snippets[mention.postID] {
                                H.li(.class("mention sentiment-\(mention.label.rawValue)")) {
                                    H.a(.to("/t/\(snippet.topicID.uuidString.lowercased())#post-\(snippet.number)")) { snippet.topicTitle }
                                    H.span(.class("muted")) {
                                        " — " + snippet.authorName + ", " + t.dateTime(mention.createdAt) + " · "
                                            + t("listening.label.\(mention.label.rawValue)")
                                    }
                                    H.p(.class("mention-excerpt")) { snippet.excerpt }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// "Mark as insight" under a post, for the team.
    static func insightForm(_ request: Request, postID: UUID, key: String) -> HTMLNode {
        let t = request.context.localizer
        return H.details(.class("flag-details insight-details")) {
            H.summary(.id("insight-\(key)")) { t("insights.mark") }
            H.form(action: .to("/cockpit/insights"), .class("stack-form"), .id("insight-form-\(key)")) {
                Forms.csrf(request)
                H.input(.type("hidden"), .name("post"), .value(postID.uuidString.lowercased()))
                H.label(.for("insight-kind-\(key)")) { t("field.insight_kind") }
                H.element("select", [.id("insight-kind-\(key)"), .name("kind")]) {
                    for kind in InsightKind.allCases {
                        H.element("option", [.value(kind.rawValue)]) { t("insights.kind.\(kind.rawValue)") }
                    }
                }
                H.label(.for("insight-note-\(key)")) { t("field.insight_note") }
                H.input(.type("text"), .id("insight-note-\(key)"), .name("note"), .maxlength(500))
                H.button(.type("submit"), .class("button button-small"), .id("insight-submit-\(key)")) { t("insights.save") }
            }
        }
    }

    static func board(
        _ request: Request, insights: [Insight], snippets: [UUID: ListeningRepository.PostSnippet], departments: [Department], showAll: Bool
    ) -> Response {
        let t = request.context.localizer
        return Layout.page(request, title: t("insights.title")) {
            CockpitNav.bar(request, current: "/cockpit/listening")
            H.h1 { t("insights.title") }
            H.p(.class("lead")) { t("insights.lead") }
            H.p {
                showAll
                    ? H.a(.to("/cockpit/insights"), .id("insights-open")) { t("insights.show_open") }
                    : H.a(.to("/cockpit/insights?show=all"), .id("insights-all")) { t("insights.show_all") }
            }
            if insights.isEmpty {
                H.p(.class("empty-state"), .id("insights-empty")) { t("insights.empty") }
            }
            H.div(.class("insight-board"), .id("insight-board")) {
                for kind in InsightKind.allCases {
                    H.section(.class("insight-column"), .id("column-\(kind.rawValue)"), .aria(.labelledby, "heading-\(kind.rawValue)")) {
                        let cards = insights.filter { $0.kind == kind }
                        H.h2(.id("heading-\(kind.rawValue)")) { t("insights.kinds.\(kind.rawValue)") + " (\(cards.count))" }
                        for insight in cards {
                            if let snippet = snippets[insight.postID] {
                                card(request, insight: insight, snippet: snippet, departments: departments, t: t)
                            }
                        }
                    }
                }
            }
        }
    }

    static func card(
        _ request: Request, insight: Insight, snippet: ListeningRepository.PostSnippet, departments: [Department], t: Localizer
    ) -> HTMLNode {
        let key = insight.id.uuidString.lowercased()
        return H.article(.class("insight-card status-\(insight.status.rawValue)"), .id("insight-\(key)")) {
            H.h3 { H.a(.to("/t/\(snippet.topicID.uuidString.lowercased())#post-\(snippet.number)")) { snippet.topicTitle } }
            H.p(.class("muted")) {
                snippet.authorName + " · " + t.date(insight.createdAt) + " · " + t("insights.status.\(insight.status.rawValue)")
            }
            H.element("blockquote", [.class("mention-excerpt")]) { snippet.excerpt }
            if !insight.note.isEmpty { H.p(.class("insight-note")) { insight.note } }
            if let outcome = insight.outcome {
                let parts = outcome.split(separator: ":")
                H.p {
                    H.a(.to(parts.first == "idea" ? "/ideas/\(parts.last ?? "")" : "/cockpit/calendar/\(parts.last ?? "")")) {
                        parts.first == "idea" ? t("insights.open_idea") : t("insights.open_item")
                    }
                }
            }
            if insight.status == .open {
                H.div(.class("form-actions")) {
                    H.form(action: .to("/cockpit/insights/\(key)/plan"), .class("inline-form")) {
                        Forms.csrf(request)
                        H.button(.type("submit"), .class("button button-small"), .id("plan-\(key)")) { t("insights.plan") }
                    }
                    H.form(action: .to("/cockpit/insights/\(key)/close"), .class("inline-form")) {
                        Forms.csrf(request)
                        H.button(.type("submit"), .class("link-button"), .id("close-\(key)")) { t("insights.close") }
                    }
                }
                if departments.isEmpty {
                    H.p(.class("muted")) { t("insights.no_departments") }
                } else {
                    H.details {
                        H.summary(.id("route-\(key)")) { t("insights.route") }
                        H.form(action: .to("/cockpit/insights/\(key)/route"), .class("stack-form"), .id("route-form-\(key)")) {
                            Forms.csrf(request)
                            H.label(.for("route-title-\(key)")) { t("field.idea_title") }
                            H.input(
                                .type("text"), .id("route-title-\(key)"), .name("title"), .maxlength(150), .required,
                                .aria(.describedby, "route-hint-\(key)"))
                            H.p(.class("field-hint"), .id("route-hint-\(key)")) { t("insights.route_hint") }
                            H.label(.for("route-department-\(key)")) { t("field.department") }
                            H.element("select", [.id("route-department-\(key)"), .name("department")]) {
                                for department in departments {
                                    H.element("option", [.value(department.id.uuidString.lowercased())]) { department.name }
                                }
                            }
                            H.button(.type("submit"), .class("button button-small"), .id("route-submit-\(key)")) { t("insights.send") }
                        }
                    }
                }
            }
        }
    }
}
