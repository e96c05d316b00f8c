import KringCore
import KringStore
import Vapor

enum DefenceViews {
    typealias DryRun = (word: WatchedWord, days: Int, count: Int, examples: [(postID: UUID, topicID: UUID, excerpt: String)])

    static func words(_ request: Request, words: [WatchedWord], state: FormState, dryRun: DryRun? = nil, status: HTTPStatus = .ok)
        -> Response
    {
        let t = request.context.localizer
        let actions = WatchedWordAction.allCases.map { (value: $0.rawValue, label: t("words.action.\($0.rawValue)")) }
        return Layout.page(request, title: t("words.title"), status: status) {
            H.p(.class("breadcrumb")) { H.a(.to("/moderation")) { "← " + t("moderation.title") } }
            H.div(.class("page-header")) {
                H.h1 { t("words.title") }
                H.a(.to("/moderation/words/export.csv"), .class("button button-secondary"), .id("export-words")) { t("words.export") }
            }
            H.p(.class("lead")) { t("words.lead") }
            if let dryRun {
                H.section(.class("notice notice-success"), .id("dry-run-result"), .role("status")) {
                    H.h2 { t("words.dry_run.result", ["pattern": dryRun.word.pattern, "days": String(dryRun.days)]) }
                    H.p(.id("dry-run-count")) {
                        t.plural("words.dry_run.count", count: dryRun.count, ["action": t("words.action.\(dryRun.word.action.rawValue)")])
                    }
                    if !dryRun.examples.isEmpty {
                        H.ul(.class("plain-list")) {
                            for example in dryRun.examples {
                                H.li { H.a(.to("/t/\(example.topicID.uuidString.lowercased())")) { "…" + example.excerpt + "…" } }
                            }
                        }
                    }
                }
            }
            if words.isEmpty {
                H.p(.class("empty-state")) { t("words.none") }
            } else {
                H.table(.class("data-table"), .id("watched-words")) {
                    H.thead {
                        H.tr {
                            for column in ["words.pattern", "words.action", "words.options", "words.state"] {
                                H.th(.scope("col")) { t(column) }
                            }
                            H.th(.scope("col")) { H.span(.class("visually-hidden")) { t("settings.tokens.actions") } }
                        }
                    }
                    H.tbody {
                        for word in words {
                            H.tr {
                                H.td { H.code { word.pattern } }
                                H.td { t("words.action.\(word.action.rawValue)") }
                                H.td {
                                    (word.caseSensitive ? t("words.case_sensitive") : t("words.case_insensitive"))
                                        + (word.action == .censor ? " → \(word.replacement)" : "")
                                        + (word.action == .tag ? " → #\(word.tag)" : "")
                                }
                                H.td { word.enabled ? t("words.enabled") : t("words.disabled") }
                                H.td {
                                    GroupViews.actionButton(
                                        request, "/moderation/words/\(word.id.uuidString)/\(word.enabled ? "disable" : "enable")",
                                        word.enabled ? t("words.disable") : t("words.enable"), id: "toggle-\(word.id.uuidString)",
                                        secondary: true)
                                    GroupViews.actionButton(
                                        request, "/moderation/words/\(word.id.uuidString)/delete", t("topics.delete"),
                                        id: "delete-\(word.id.uuidString)",
                                        secondary: true)
                                }
                            }
                        }
                    }
                }
            }
            H.section(.class("card")) {
                H.h2 { t("words.add") }
                Forms.errorSummary(state, t)
                H.form(action: .to("/moderation/words"), .id("word-form"), .class("stack-form")) {
                    Forms.csrf(request)
                    Forms.field("pattern", label: t("field.pattern"), state: state, t: t, required: true, hint: t("field.pattern.hint"))
                    Forms.select("action", label: t("field.word_action"), options: actions, state: state, t: t)
                    Forms.checkbox("case_sensitive", label: t("field.case_sensitive"), isChecked: state["case_sensitive"] == "1")
                    Forms.field("replacement", label: t("field.replacement"), state: state, t: t, hint: t("field.replacement.hint"))
                    Forms.field("tag", label: t("field.word_tag"), state: state, t: t, hint: t("field.word_tag.hint"))
                    Forms.field(
                        "days", label: t("field.dry_run_days"), state: state, t: t, type: "number", hint: t("field.dry_run_days.hint"))
                    H.div(.class("form-actions")) {
                        H.button(.type("submit"), .class("button"), .id("word-submit")) { t("words.save") }
                        H.element(
                            "button",
                            [
                                .type("submit"), .class("button button-secondary"), .id("dry-run-submit"),
                                .formaction(.to("/moderation/words/dry-run")),
                            ]
                        ) {
                            t("words.dry_run")
                        }
                    }
                }
            }
            H.section(.class("card")) {
                H.h2 { t("words.import") }
                H.form(action: .to("/moderation/words/import"), .id("import-form"), .class("stack-form")) {
                    Forms.csrf(request)
                    Forms.textarea("csv", label: t("field.csv"), state: state, t: t, rows: 5, hint: t("field.csv.hint"))
                    Forms.submit(t("words.import.submit"), id: "import-submit", secondary: true)
                }
            }
        }
    }

    static func archive(_ request: Request, months: Int, topics: [TopicSummary], groups: [Group]) -> Response {
        let t = request.context.localizer
        return Layout.page(request, title: t("archive.title")) {
            H.p(.class("breadcrumb")) { H.a(.to("/moderation")) { "← " + t("moderation.title") } }
            H.h1 { t("archive.title") }
            H.element("form", [.action(.to("/moderation/archive")), .method("get"), .class("search-form")]) {
                H.label(.for("months")) { t("archive.months") }
                H.input(.type("number"), .id("months"), .name("months"), .value(String(months)))
                H.button(.type("submit"), .class("button button-secondary")) { t("archive.show") }
            }
            if topics.isEmpty && groups.isEmpty {
                H.p(.class("empty-state"), .id("archive-none")) { t("archive.none", ["months": String(months)]) }
            } else {
                H.form(action: .to("/moderation/archive"), .id("archive-form"), .class("stack-form")) {
                    Forms.csrf(request)
                    if !groups.isEmpty {
                        H.h2 { t("groups.title") }
                        for group in groups {
                            Forms.checkbox("group_\(group.slug)", label: group.name + " · " + t.date(group.lastActivityAt), isChecked: true)
                        }
                    }
                    if !topics.isEmpty {
                        H.h2 { t("topics.title") }
                        for topic in topics {
                            Forms.checkbox(
                                "topic_\(topic.id.uuidString)", label: topic.title + " · " + t.date(topic.lastPostedAt), isChecked: true)
                        }
                    }
                    Forms.submit(t("archive.submit"), id: "archive-submit")
                }
            }
        }
    }

    static func rules(_ request: Request, page: LandingPage?, version: Int) -> Response {
        let t = request.context.localizer
        let needsAcceptance = (request.context.member?.acceptedRulesVersion ?? version) < version
        return Layout.page(request, title: page?.title ?? t("rules.title")) {
            H.article(.class("landing-page narrow")) {
                H.h1 { page?.title ?? t("rules.title") }
                if let page {
                    H.div(.class("prose")) { HTMLNode.trusted(TrustedMarkdown.html(page.body)) }
                } else {
                    H.p(.class("empty-state")) { t("rules.none") }
                }
                if request.context.member != nil, version > 0 {
                    if needsAcceptance {
                        GroupViews.actionButton(request, "/rules/accept", t("rules.accept"), id: "accept-rules")
                    } else {
                        H.p(.class("muted"), .id("rules-accepted")) { t("rules.accepted") }
                    }
                }
            }
        }
    }
}
