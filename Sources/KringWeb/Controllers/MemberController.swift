import KringCore
import KringStore
import Vapor

/// The member directory and profiles.
struct MemberController: RouteCollection {
    static let pageSize = 30

    func boot(routes: any RoutesBuilder) throws {
        routes.get("members", use: directory)
        routes.get("members", ":handle", use: profile)
        routes.post("members", ":handle", "introduce", use: introduce)
    }

    @Sendable func directory(request: Request) async throws -> Response {
        try request.authorize(.viewMemberList)
        let search = request.query[String.self, at: "q"]?.trimmingCharacters(in: .whitespaces) ?? ""
        let page = max(1, request.query[Int.self, at: "page"] ?? 1)
        let members = try await request.repositories.members.list(
            status: .active, search: search, limit: Self.pageSize + 1, offset: (page - 1) * Self.pageSize)
        return MemberViews.directory(
            request, members: Array(members.prefix(Self.pageSize)), search: search, page: page, hasMore: members.count > Self.pageSize)
    }

    @Sendable func profile(request: Request) async throws -> Response {
        let handle = request.parameters.get("handle") ?? ""
        guard let member = try await request.repositories.members.find(handle: handle), member.status == .active else {
            throw Abort(.notFound)
        }
        let showsPrivate = request.decide(.viewPrivateProfile(of: member.id)).isAllowed
        let badges = try await BadgeRepository(database: request.repositories.database).summary(of: member.id)
        // The team sees where a member stands and whom they could meet; members do not see each other's.
        let team = request.decide(.viewCockpit).isAllowed
        let standing = team ? try await request.repositories.engagement.standing(of: member.id) : nil
        let meet = team ? try await request.repositories.champions.peopleToMeet(for: member.id) : []
        return MemberViews.profile(
            request, member: member, badges: badges, showsPrivate: showsPrivate, standing: standing, peopleToMeet: meet)
    }

    struct IntroductionForm: Content {
        var other: String?
        var note: String?
    }

    /// The team introduces a member to another: one mail to each, naming the other, what they share
    /// and the team's note.
    @Sendable func introduce(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let repositories = request.repositories
        guard let member = try await repositories.members.find(handle: request.parameters.get("handle") ?? ""), member.status == .active
        else { throw Abort(.notFound) }
        let form = try request.content.decode(IntroductionForm.self)
        let handle = (form.other ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "@ ")).lowercased()
        guard let other = try await repositories.members.find(handle: handle), other.status == .active, other.id != member.id else {
            throw Abort(.unprocessableEntity, reason: "Choose another active member to introduce.")
        }
        let note = String((form.note ?? "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(1_000))
        let shared =
            try await repositories.champions.peopleToMeet(for: member.id, limit: 50).first { $0.member.id == other.id }?.reasons ?? []
        let sender = try request.requireMember()
        let mailer = try request.mailer()
        try await mailer.introduction(member, to: other, reasons: shared, note: note, by: sender)
        try await mailer.introduction(other, to: member, reasons: shared, note: note, by: sender)
        try await request.audit(
            "member.introduce", subjectType: "member", subjectID: member.id, label: "@\(member.handle) ↔ @\(other.handle)")
        return request.redirect(to: "/members/\(member.handle)", flash: "flash.introduced")
    }
}

enum MemberViews {
    /// One member in a list: name, handle, badges and organisation.
    static func row(_ member: Member, t: Localizer) -> HTMLNode {
        H.li(.class("member-row")) {
            H.span(.class("avatar"), .aria(.hidden, "true")) { initials(member.displayName) }
            H.div(.class("member-row-text")) {
                H.a(.to("/members/\(member.handle)"), .class("member-name")) { member.displayName }
                " "
                H.span(.class("handle")) { "@" + member.handle }
                if member.isStaff { Badges.staff(t) }
                if member.isBot { Badges.bot(t) }
                Badges.role(member.role, t)
                if !member.profile.organisation.isEmpty { H.div(.class("muted")) { member.profile.organisation } }
            }
        }
    }

    static func initials(_ name: String) -> String {
        let letters = name.split(separator: " ").prefix(2).compactMap(\.first)
        return letters.isEmpty ? "?" : String(letters).uppercased()
    }

    static func directory(_ request: Request, members: [Member], search: String, page: Int, hasMore: Bool) -> Response {
        let t = request.context.localizer
        return Layout.page(request, title: t("members.title")) {
            H.h1 { t("members.title") }
            H.element("form", [.action(.to("/members")), .method("get"), .class("search-form"), .role("search")]) {
                H.label(.for("q"), .class("visually-hidden")) { t("members.search") }
                H.input(.type("search"), .id("q"), .name("q"), .value(search), .placeholder(t("members.search")))
                H.button(.type("submit"), .class("button button-secondary")) { t("members.search.submit") }
            }
            if members.isEmpty {
                H.p(.class("empty-state")) { search.isEmpty ? t("members.empty") : t("members.no_match", ["query": search]) }
            } else {
                H.ul(.class("member-list"), .id("member-list")) {
                    for member in members { row(member, t: t) }
                }
            }
            pager(basePath: "/members", query: search.isEmpty ? [] : [("q", search)], page: page, hasMore: hasMore, t: t)
        }
    }

    static func pager(basePath: String, query: [(String, String)], page: Int, hasMore: Bool, t: Localizer) -> HTMLNode {
        func link(_ target: Int) -> SafeURL {
            var items = query.map { URLQueryItem(name: $0.0, value: $0.1) }
            items.append(URLQueryItem(name: "page", value: String(target)))
            var components = URLComponents()
            components.queryItems = items
            return .to(basePath + "?" + (components.percentEncodedQuery ?? ""))
        }
        guard page > 1 || hasMore else { return .empty }
        return H.nav(.class("pager"), .aria(.label, t("pager.label"))) {
            if page > 1 { H.a(link(page - 1), .rel("prev")) { t("pager.previous") } }
            H.span(.class("muted")) { t("pager.page", ["page": t.number(page)]) }
            if hasMore { H.a(link(page + 1), .rel("next")) { t("pager.next") } }
        }
    }

    static func profile(
        _ request: Request, member: Member, badges: [BadgeSummary], showsPrivate: Bool, standing: MemberStanding? = nil,
        peopleToMeet: [(member: MemberRef, reasons: [PeopleToMeet.Reason])] = []
    ) -> Response {
        let t = request.context.localizer
        let isSelf = request.context.member?.id == member.id
        return Layout.page(request, title: member.displayName) {
            H.article(.class("profile")) {
                H.header(.class("profile-header")) {
                    H.span(.class("avatar avatar-large"), .aria(.hidden, "true")) { initials(member.displayName) }
                    H.div {
                        H.h1 { member.displayName }
                        H.p(.class("handle")) {
                            "@" + member.handle
                            if member.isStaff { Badges.staff(t) }
                            if member.isBot { Badges.bot(t) }
                            Badges.role(member.role, t)
                        }
                        if !member.profile.organisation.isEmpty {
                            H.p(.class("profile-organisation")) { member.profile.organisation }
                        }
                        H.p(.class("muted")) {
                            t("profile.member_since", ["date": t.date(member.createdAt)])
                        }
                    }
                    if isSelf { H.a(.to("/settings/profile"), .class("button button-secondary")) { t("profile.edit") } }
                }
                if member.profile.bio.isEmpty {
                    H.p(.class("muted empty-state")) { t("profile.no_bio") }
                } else {
                    H.div(.class("profile-bio")) {
                        for paragraph in member.profile.bio.components(separatedBy: "\n\n") {
                            H.p { lines(paragraph) }
                        }
                    }
                }
                if let standing { engagement(standing, t) }
                if request.decide(.viewCockpit).isAllowed { introductions(request, member: member, suggestions: peopleToMeet) }
                tagSection("profile-interests", title: t("profile.interests"), tags: member.profile.interests)
                tagSection("profile-expertise", title: t("profile.expertise"), tags: member.profile.expertise)
                if !badges.isEmpty {
                    H.section(.class("profile-badges"), .id("profile-badges")) {
                        H.h2 { t("profile.badges") }
                        H.ul(.class("badge-list")) {
                            for badge in badges {
                                H.li(
                                    .class("earned-badge earned-\(badge.level.rawValue)"), .title(t("badge.level.\(badge.level.rawValue)"))
                                ) {
                                    badge.name
                                    if badge.count > 1 { H.span(.class("muted")) { " ×" + t.number(badge.count) } }
                                }
                            }
                        }
                    }
                }
                if let viewer = request.context.member, viewer.id != member.id {
                    H.details(.class("flag-details"), .id("flag-profile")) {
                        H.summary { t("flags.flag_profile") }
                        H.form(action: .to("/members/\(member.handle)/flag"), .class("stack-form flag-form"), .id("flag-profile-form")) {
                            Forms.csrf(request)
                            Forms.select(
                                "reason", label: t("field.flag_reason"),
                                options: FlagReason.allCases.map { (value: $0.rawValue, label: t("flags.reason.\($0.rawValue)")) },
                                state: FormState(), t: t)
                            Forms.field("note", label: t("field.flag_note"), state: FormState(), t: t)
                            Forms.submit(t("flags.send"), id: "flag-profile-submit", secondary: true)
                        }
                    }
                    if request.decide(.moderateContent).isAllowed {
                        H.p { H.a(.to("/moderation/members/\(member.handle)"), .id("moderate-member")) { t("moderation.member_link") } }
                    }
                }
                if showsPrivate {
                    H.section(.class("card profile-private")) {
                        H.h2 { t("profile.private") }
                        H.dl {
                            H.dt { t("field.email") }
                            H.dd(.class("profile-email")) { member.email }
                            if let seen = member.lastSeenAt {
                                H.dt { t("profile.last_seen") }
                                H.dd { t.dateTime(seen) }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Text with single line breaks kept, still escaped.
    static func lines(_ text: String) -> [HTMLNode] {
        var nodes: [HTMLNode] = []
        for (index, line) in text.components(separatedBy: "\n").enumerated() {
            if index > 0 { nodes.append(H.br()) }
            nodes.append(.text(line))
        }
        return nodes
    }

    private static func tagSection(_ id: String, title: String, tags: [String]) -> HTMLNode {
        guard !tags.isEmpty else { return .empty }
        return H.section(.class(id)) {
            H.h2 { title }
            H.ul(.class("tag-list")) {
                for tag in tags { H.li(.class("tag")) { tag } }
            }
        }
    }

    /// Where the member stands, for the community management team only.
    static func engagement(_ standing: MemberStanding, _ t: Localizer) -> HTMLNode {
        H.section(.class("profile-engagement card"), .id("profile-engagement")) {
            H.h2 { t("profile.engagement") }
            H.p {
                t(
                    "profile.engagement_line",
                    [
                        "level": t("engagement.level.\(standing.level.rawValue)"), "score": EngagementViews.score(standing.score, t),
                        "previous": EngagementViews.score(standing.previousScore, t), "posts": t.number(standing.recentPosts),
                    ])
            }
            if !standing.segments.isEmpty {
                H.p(.class("muted")) {
                    t("engagement.column.segments") + ": "
                    for (index, segment) in standing.segments.enumerated() {
                        if index > 0 { ", " }
                        H.a(.to("/cockpit/members?segment=\(segment.rawValue)")) { t("engagement.segment.\(segment.rawValue)") }
                    }
                }
            }
            H.p(.class("muted")) { t("profile.engagement_private") }
        }
    }

    /// A suggestion's reasons in words.
    static func reasons(_ reasons: [PeopleToMeet.Reason], _ t: Localizer) -> String {
        reasons.map { reason in
            switch reason {
            case .shared(let tags): t("meet.shared", ["tags": tags.joined(separator: ", ")])
            case .expertFor(let tags): t("meet.expert_for", ["tags": tags.joined(separator: ", ")])
            case .canAnswer(let questions): t("meet.can_answer", ["questions": questions.map { "“\($0)”" }.joined(separator: ", ")])
            }
        }.joined(separator: "; ")
    }

    /// People this member could meet, each with a button that introduces them (the team only).
    static func introductions(_ request: Request, member: Member, suggestions: [(member: MemberRef, reasons: [PeopleToMeet.Reason])])
        -> HTMLNode
    {
        let t = request.context.localizer
        return H.section(.class("profile-meet card"), .id("people-to-meet")) {
            H.h2 { t("meet.title") }
            if suggestions.isEmpty {
                H.p(.class("empty-state")) { t("meet.none") }
            } else {
                H.ul(.class("meet-list")) {
                    for suggestion in suggestions {
                        H.li(.id("meet-\(suggestion.member.handle)")) {
                            H.a(.to("/members/\(suggestion.member.handle)")) { suggestion.member.displayName }
                            " — " + reasons(suggestion.reasons, t) + " "
                            H.form(action: .to("/members/\(member.handle)/introduce"), .class("inline-form")) {
                                Forms.csrf(request)
                                H.input(.type("hidden"), .name("other"), .value(suggestion.member.handle))
                                H.button(
                                    .type("submit"), .class("button button-small button-secondary"),
                                    .id("introduce-\(suggestion.member.handle)")
                                ) {
                                    t("meet.introduce")
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
