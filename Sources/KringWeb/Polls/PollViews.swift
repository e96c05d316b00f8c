import KringCore
import KringStore
import Vapor

enum PollViews {
    /// A poll as a card: the question, a form to vote (or change one's vote), results when allowed.
    static func card(_ request: Request, poll: Poll) -> HTMLNode {
        let t = request.context.localizer
        let now = request.application.kring.clock.now()
        let closed = poll.isClosed(at: now)
        let showsResults = poll.showsResults(to: request.context.actor, at: now)
        let id = poll.id.uuidString.lowercased()
        let canVote = request.context.member != nil && !closed && request.context.restriction.mayPost
        let total = max(1, poll.options.reduce(0) { $0 + $1.votes })
        return H.section(.class("card poll"), .id("poll-\(id)")) {
            H.h2 { H.a(.to("/polls/\(id)")) { poll.question } }
            H.p(.class("muted")) {
                (poll.allowsMultiple ? t("polls.multiple") : t("polls.single")) + " · "
                    + (poll.isAnonymous ? t("polls.anonymous") + " · " : "") + t.plural("polls.voters", count: poll.voterCount)
                if closed {
                    " · " + t("polls.closed")
                } else if let closes = poll.closesAt {
                    " · " + t("polls.closes", ["date": t.dateTime(closes)])
                }
            }
            if canVote {
                H.form(action: .to("/polls/\(id)/vote"), .class("stack-form poll-form"), .id("vote-\(id)")) {
                    Forms.csrf(request)
                    H.fieldset {
                        H.legend(.class("visually-hidden")) { poll.question }
                        for option in poll.options {
                            H.div(.class("field field-checkbox")) {
                                H.element(
                                    "input",
                                    [
                                        .type(poll.allowsMultiple ? "checkbox" : "radio"), .name("option[]"), .value(option.id.uuidString),
                                        .id("option-\(option.id.uuidString)"),
                                    ] + (poll.myChoices.contains(option.id) ? [.checked] : [])
                                ) { [] }
                                H.label(.for("option-\(option.id.uuidString)")) { option.label }
                            }
                        }
                    }
                    Forms.submit(poll.myChoices.isEmpty ? t("polls.vote") : t("polls.change_vote"), id: "vote-submit-\(id)")
                }
            }
            if showsResults {
                H.ul(.class("poll-results"), .id("results-\(id)")) {
                    for option in poll.options {
                        H.li {
                            H.div(.class("poll-result-label")) {
                                H.span { option.label + (poll.myChoices.contains(option.id) ? " ✓" : "") }
                                H.span(.class("muted")) {
                                    " \(t.number(option.votes)) (\(t.percent(Double(option.votes) / Double(total))))"
                                }
                            }
                            H.element("meter", [.class("poll-meter"), .value(String(option.votes)), .max(Swift.max(1, poll.voterCount))]) {
                                []
                            }
                            if !option.voters.isEmpty { H.div(.class("muted poll-voters")) { option.voters.joined(separator: ", ") } }
                        }
                    }
                }
            } else {
                H.p(.class("muted"), .id("results-hidden-\(id)")) {
                    poll.resultsVisibility == .afterClose ? t("polls.results_after_close") : t("polls.results_after_vote")
                }
            }
            if !closed, request.context.member?.id == poll.authorID || request.context.actor.has(.moderator) {
                GroupViews.actionButton(request, "/polls/\(id)/close", t("polls.close"), id: "close-\(id)", secondary: true)
            }
        }
    }

    static func list(_ request: Request, polls: [Poll]) -> Response {
        let t = request.context.localizer
        return Layout.page(request, title: t("polls.title")) {
            H.div(.class("page-header")) {
                H.h1 { t("polls.title") }
                if request.context.member != nil { H.a(.to("/polls/new"), .class("button"), .id("new-poll")) { t("polls.new") } }
            }
            if polls.isEmpty { H.p(.class("empty-state")) { t("polls.none") } }
            for poll in polls { card(request, poll: poll) }
        }
    }

    static func page(_ request: Request, poll: Poll) -> Response {
        let t = request.context.localizer
        return Layout.page(request, title: poll.question) {
            H.p(.class("breadcrumb")) {
                if let topicID = poll.topicID {
                    H.a(.to("/t/\(topicID.uuidString.lowercased())")) { "← " + t("polls.back_to_topic") }
                } else {
                    H.a(.to("/polls")) { "← " + t("polls.title") }
                }
            }
            card(request, poll: poll)
        }
    }

    static func form(_ request: Request, state: FormState, status: HTTPStatus = .ok) -> Response {
        let t = request.context.localizer
        let visibility = PollResultsVisibility.allCases.map { (value: $0.rawValue, label: t("polls.results.\($0.rawValue)")) }
        return Layout.page(request, title: t("polls.new"), status: status) {
            H.section(.class("narrow")) {
                H.h1 { t("polls.new") }
                Forms.errorSummary(state, t)
                H.form(action: .to("/polls"), .id("poll-form"), .class("stack-form")) {
                    Forms.csrf(request)
                    H.input(.type("hidden"), .name("topic"), .value(state["topic"]))
                    H.input(.type("hidden"), .name("group"), .value(state["group"]))
                    Forms.field("question", label: t("field.question"), state: state, t: t, required: true)
                    Forms.textarea("options", label: t("field.options"), state: state, t: t, rows: 5, hint: t("field.options.hint"))
                    Forms.checkbox("multiple", label: t("field.multiple"), isChecked: state["multiple"] == "1")
                    Forms.checkbox(
                        "anonymous", label: t("field.anonymous"), isChecked: state["anonymous"] == "1", hint: t("field.anonymous.hint"))
                    Forms.select("results", label: t("field.results"), options: visibility, state: state, t: t)
                    Forms.field(
                        "closes_at", label: t("field.closes_at"), state: state, t: t, type: "datetime-local",
                        hint: t("field.closes_at.hint"))
                    Forms.submit(t("polls.create"), id: "poll-submit")
                }
            }
        }
    }
}
