import KringCore
import KringStore
import Vapor

/// A member the team puts in the spotlight on the home page, with a line on why.
struct Spotlight: Sendable {
    static let handleSetting = "spotlight.handle"
    static let textSetting = "spotlight.text"
    static let textMaxLength = 300

    let member: Member
    let text: String
}

extension Repositories {
    public var badges: BadgeRepository { BadgeRepository(database: database) }

    /// The member in the spotlight, while they are an active member.
    func spotlight() async throws -> Spotlight? {
        let stored = try await strategy.settings(prefix: "spotlight.")
        guard let handle = stored[Spotlight.handleSetting], !handle.isEmpty, let member = try await members.find(handle: handle),
            member.status == .active
        else { return nil }
        return Spotlight(member: member, text: stored[Spotlight.textSetting] ?? "")
    }
}

/// Promoting active members (tactic 004): the spotlight on the home page, badges granted by hand,
/// and badge rules the job applies by itself. Its forms live on the champions page.
struct SpotlightController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let champions = routes.grouped("cockpit", "champions")
        champions.post("spotlight", use: saveSpotlight)
        champions.post("badges", use: grant)
        champions.post("badge-rules", use: addRule)
        champions.post("badge-rules", ":rule", "delete", use: deleteRule)
    }

    private func refuse(_ request: Request, _ values: [String: String], _ errors: [FieldError]) async throws -> Response {
        try await EngagementController.championsPage(
            request, state: FormState(values: values, errors: errors), status: .unprocessableEntity)
    }

    private func activeMember(_ raw: String?, _ request: Request) async throws -> Member? {
        let handle = (raw ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "@ ")).lowercased()
        guard !handle.isEmpty, let member = try await request.repositories.members.find(handle: handle), member.status == .active
        else { return nil }
        return member
    }

    struct SpotlightForm: Content {
        var spotlight_handle: String?
        var spotlight_text: String?
    }

    /// Puts a member in the spotlight (an empty handle takes the spotlight away).
    @Sendable func saveSpotlight(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let form = try request.content.decode(SpotlightForm.self)
        let text = MemberRules.singleLine(form.spotlight_text ?? "")
        let values = ["spotlight_handle": form.spotlight_handle ?? "", "spotlight_text": text]
        let cleared = (form.spotlight_handle ?? "").trimmingCharacters(in: .whitespaces).isEmpty
        let member = try await activeMember(form.spotlight_handle, request)
        var errors = FieldErrorCollector()
        if !cleared, member == nil { errors.add("spotlight_handle", "invitee.unknown") }
        if text.count > Spotlight.textMaxLength { errors.add("spotlight_text", "too_long") }
        guard errors.errors.isEmpty else { return try await refuse(request, values, errors.errors) }
        try await request.repositories.strategy.setSettings([
            Spotlight.handleSetting: member?.handle ?? "", Spotlight.textSetting: cleared ? "" : text,
        ])
        try await request.audit("spotlight.set", subjectType: "member", subjectID: member?.id, label: member?.handle ?? "—")
        return request.redirect(
            to: "/cockpit/champions#section-spotlight", flash: cleared ? "flash.spotlight_cleared" : "flash.spotlight_set")
    }

    struct BadgeForm: Content {
        var badge_handle: String?
        var badge_name: String?
        var badge_level: String?
    }

    /// Grants a badge by hand; it shows on the member's profile.
    @Sendable func grant(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let granter = try request.requireMember()
        let form = try request.content.decode(BadgeForm.self)
        let values = ["badge_handle": form.badge_handle ?? "", "badge_name": form.badge_name ?? "", "badge_level": form.badge_level ?? ""]
        var errors = FieldErrorCollector()
        let member = try await activeMember(form.badge_handle, request)
        if member == nil { errors.add("badge_handle", "invitee.unknown") }
        let name = errors.check { () throws(ValidationFailure) in try BadgeRule.name(form.badge_name ?? "") }
        let level = errors.check { () throws(ValidationFailure) in
            try CommunityRules.choice(form.badge_level ?? "", as: BadgeLevel.self, field: "badge_level")
        }
        guard errors.errors.isEmpty, let member, let name, let level else { return try await refuse(request, values, errors.errors) }
        try await request.repositories.badges.award([
            NewBadge(
                memberID: member.id, name: name, level: level, awardedAt: request.repositories.clock.now(),
                source: "hand:" + granter.handle)
        ])
        try await request.audit("badge.grant", subjectType: "member", subjectID: member.id, label: "\(name) (\(level.rawValue))")
        return request.redirect(to: "/cockpit/champions#section-badges", flash: "flash.badge_granted", values: ["name": member.displayName])
    }

    struct RuleForm: Content {
        var rule_name: String?
        var rule_level: String?
        var rule_metric: String?
        var rule_threshold: String?
    }

    /// Adds a badge rule and applies it at once.
    @Sendable func addRule(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let form = try request.content.decode(RuleForm.self)
        let values = [
            "rule_name": form.rule_name ?? "", "rule_level": form.rule_level ?? "", "rule_metric": form.rule_metric ?? "",
            "rule_threshold": form.rule_threshold ?? "",
        ]
        var errors = FieldErrorCollector()
        let name = errors.check { () throws(ValidationFailure) in
            try BadgeRule.name(form.rule_name ?? "", field: "rule_name")
        }
        let level = errors.check { () throws(ValidationFailure) in
            try CommunityRules.choice(form.rule_level ?? "", as: BadgeLevel.self, field: "rule_level")
        }
        let metric = errors.check { () throws(ValidationFailure) in
            try CommunityRules.choice(form.rule_metric ?? "", as: BadgeMetric.self, field: "rule_metric")
        }
        let threshold = Int(form.rule_threshold ?? "")
        if threshold.map({ !BadgeRule.thresholdRange.contains($0) }) ?? true { errors.add("rule_threshold", "number.range") }
        guard errors.errors.isEmpty, let name, let level, let metric, let threshold else {
            return try await refuse(request, values, errors.errors)
        }
        let rule = BadgeRule(name: name, level: level, metric: metric, threshold: threshold)
        let now = request.repositories.clock.now()
        try await request.repositories.badges.add(rule, at: now)
        let awarded = try await request.repositories.badges.applyRules(at: now)
        try await request.audit(
            "badge_rule.add", subjectType: "badge_rule", subjectID: rule.id, label: "\(name): \(metric.rawValue) ≥ \(threshold)")
        return request.redirect(
            to: "/cockpit/champions#section-badges", flash: "flash.badge_rule_added", values: ["count": String(awarded)])
    }

    @Sendable func deleteRule(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        guard let id = request.parameters.get("rule", as: UUID.self), try await request.repositories.badges.delete(rule: id) else {
            throw Abort(.notFound)
        }
        try await request.audit("badge_rule.delete", subjectType: "badge_rule", subjectID: id, label: id.uuidString)
        return request.redirect(to: "/cockpit/champions#section-badges", flash: "flash.badge_rule_deleted")
    }

    // MARK: The section on the champions page

    static func section(_ request: Request, state: FormState) async throws -> HTMLNode {
        let t = request.context.localizer
        let repositories = request.repositories
        let spotlight = try await repositories.spotlight()
        let rules = try await repositories.badges.rules()
        var holders: [UUID: Int] = [:]
        for rule in rules { holders[rule.id] = try await repositories.badges.holders(source: rule.source) }
        let grants = try await repositories.badges.recentGrants()
        var shown = state
        if shown.values["spotlight_handle"] == nil {
            shown.values["spotlight_handle"] = spotlight?.member.handle ?? ""
            shown.values["spotlight_text"] = spotlight?.text ?? ""
        }
        let levels = BadgeLevel.allCases.map { ($0.rawValue, t("badge.level.\($0.rawValue)")) }
        return H.div(.class("promotion")) {
            Forms.errorSummary(state, t)
            H.section(.class("cockpit-section"), .id("section-spotlight"), .aria(.labelledby, "heading-spotlight")) {
                H.h2(.id("heading-spotlight")) { t("spotlight.title") }
                H.p(.class("muted")) { t("spotlight.lead") }
                if let spotlight {
                    H.p(.id("spotlight-current")) { t("spotlight.current", ["name": spotlight.member.displayName]) }
                }
                H.form(action: .to("/cockpit/champions/spotlight"), .class("stack-form"), .id("spotlight-form")) {
                    Forms.csrf(request)
                    Forms.field(
                        "spotlight_handle", label: t("field.spotlight_handle"), state: shown, t: t, hint: t("spotlight.handle_hint"))
                    Forms.field(
                        "spotlight_text", label: t("field.spotlight_text"), state: shown, t: t, hint: t("spotlight.text_hint"),
                        maxLength: Spotlight.textMaxLength)
                    Forms.submit(t("settings.save"), id: "spotlight-submit")
                }
            }
            H.section(.class("cockpit-section"), .id("section-badges"), .aria(.labelledby, "heading-badges")) {
                H.h2(.id("heading-badges")) { t("badges.title") }
                H.p(.class("muted")) { t("badges.lead") }
                H.h3 { t("badges.grant") }
                H.form(action: .to("/cockpit/champions/badges"), .class("stack-form"), .id("badge-form")) {
                    Forms.csrf(request)
                    Forms.field("badge_handle", label: t("field.badge_handle"), state: shown, t: t)
                    Forms.field("badge_name", label: t("field.badge_name"), state: shown, t: t, maxLength: 60)
                    Forms.select("badge_level", label: t("field.badge_level"), options: levels, state: shown, t: t)
                    Forms.submit(t("badges.grant_button"), id: "badge-submit")
                }
                if !grants.isEmpty {
                    H.ul(.id("recent-grants")) {
                        for grant in grants {
                            H.li {
                                H.a(.to("/members/\(grant.member.handle)")) { grant.member.displayName }
                                " — " + grant.name + " (" + t("badge.level.\(grant.level.rawValue)") + "), " + t.date(grant.at)
                            }
                        }
                    }
                }
                H.h3 { t("badges.rules") }
                if rules.isEmpty {
                    H.p(.class("empty-state"), .id("rules-empty")) { t("badges.rules_empty") }
                } else {
                    H.table(.class("data-table"), .id("badge-rules")) {
                        H.thead {
                            H.tr {
                                for key in ["badge", "rule", "holders"] { H.th(.scope("col")) { t("badges.column.\(key)") } }
                                H.th(.scope("col")) { H.span(.class("visually-hidden")) { t("listening.column.actions") } }
                            }
                        }
                        H.tbody {
                            for rule in rules {
                                H.tr(.id("rule-\(rule.id.uuidString.lowercased())")) {
                                    H.th(.scope("row"), .class("row-name")) {
                                        rule.name + " (" + t("badge.level.\(rule.level.rawValue)") + ")"
                                    }
                                    H.td { t("badges.metric.\(rule.metric.rawValue)", ["count": t.number(rule.threshold)]) }
                                    H.td(.class("number")) { t.number(holders[rule.id] ?? 0) }
                                    H.td {
                                        H.form(
                                            action: .to("/cockpit/champions/badge-rules/\(rule.id.uuidString.lowercased())/delete"),
                                            .class("inline-form")
                                        ) {
                                            Forms.csrf(request)
                                            H.button(.type("submit"), .class("link-button danger")) { t("badges.delete_rule") }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                H.form(action: .to("/cockpit/champions/badge-rules"), .class("stack-form"), .id("rule-form")) {
                    Forms.csrf(request)
                    Forms.field("rule_name", label: t("field.rule_name"), state: shown, t: t, maxLength: 60)
                    Forms.select("rule_level", label: t("field.rule_level"), options: levels, state: shown, t: t)
                    Forms.select(
                        "rule_metric", label: t("field.rule_metric"),
                        options: BadgeMetric.allCases.map { ($0.rawValue, t("badges.metric_name.\($0.rawValue)")) }, state: shown, t: t)
                    Forms.field(
                        "rule_threshold", label: t("field.rule_threshold"), state: shown, t: t, type: "number",
                        extra: [.min(BadgeRule.thresholdRange.lowerBound), .max(BadgeRule.thresholdRange.upperBound)])
                    Forms.submit(t("badges.add_rule"), id: "rule-submit")
                }
            }
        }
    }
}
