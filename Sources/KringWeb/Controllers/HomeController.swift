import KringCore
import KringStore
import Vapor

/// The front page: what the community is and who is in it, with a start for newcomers.
struct HomeController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(use: home)
    }

    @Sendable func home(request: Request) async throws -> Response {
        request.allowAnonymousPageCache()
        let repositories = request.repositories
        let memberCount = try await repositories.members.count(status: .active)
        let newest = try await repositories.members.list(status: .active, limit: 8)
        let interests = try await repositories.tags.popular(kind: .interest, limit: 12)
        let viewer = try await request.viewer()
        var activity = HomeViews.Activity(
            topics: try await repositories.topics.list(viewer: viewer, limit: 8).topics,
            groups: Array(try await repositories.groups.list(for: viewer, limit: 6)),
            myGroups: try await request.context.member.asyncMap { try await repositories.groups.groups(of: $0.id) } ?? [],
            startPage: try await repositories.navigation.page(slug: "start-here"),
            events: try await repositories.events.list(viewer: viewer, from: request.application.kring.clock.now(), limit: 4),
            steps: try await request.context.member.asyncMap { try await repositories.onboarding.steps(of: $0.id) } ?? [],
            welcome: request.context.member == nil ? nil : try await repositories.welcomeMessage(),
            peopleToMeet: try await request.context.member.asyncMap { try await repositories.champions.peopleToMeet(for: $0.id, limit: 3) }
                ?? [], spotlight: try await repositories.spotlight())
        if let spotlight = activity.spotlight { activity.spotlightBadges = try await repositories.badges.summary(of: spotlight.member.id) }
        return HomeViews.home(request, memberCount: memberCount, newest: newest, interests: interests, activity: activity)
    }
}

enum HomeViews {
    /// What is happening, for the front page.
    struct Activity {
        let topics: [TopicSummary]
        let groups: [Group]
        let myGroups: [Group]
        let startPage: LandingPage?
        let events: [Event]
        /// The first steps the signed-in member took, and the team's welcome for newcomers.
        var steps: Set<OnboardingStep> = []
        var welcome: WelcomeMessage?
        /// Members the signed-in member could meet.
        var peopleToMeet: [(member: MemberRef, reasons: [PeopleToMeet.Reason])] = []
        /// The member the team put in the spotlight, and their badges.
        var spotlight: Spotlight?
        var spotlightBadges: [BadgeSummary] = []
    }

    static func home(
        _ request: Request, memberCount: Int, newest: [Member], interests: [(name: String, members: Int)], activity: Activity
    ) -> Response {
        let context = request.context
        let t = context.localizer
        let community = context.community
        let title = community?.name ?? "Kring"
        let showMembers = request.decide(.viewMemberList).isAllowed
        return Layout.page(request, title: title) {
            H.section(.class("hero")) {
                if let member = context.member {
                    H.h1 { t("home.welcome_back", ["name": member.displayName]) }
                    if request.application.kring.clock.now().timeIntervalSince(member.createdAt) < 30 * 86_400 {
                        newcomerStart(request, member: member, activity: activity)
                    }
                    if member.profile.bio.isEmpty && member.profile.interests.isEmpty {
                        H.div(.class("notice"), .id("complete-profile")) {
                            H.p { t("home.complete_profile") }
                            H.a(.to("/settings/profile"), .class("button")) { t("home.complete_profile.action") }
                        }
                    }
                } else {
                    H.h1 { title }
                    if let tagline = community?.tagline, !tagline.isEmpty { H.p(.class("lead")) { tagline } }
                    H.p { t("home.visitor_intro") }
                    H.p(.class("hero-actions")) {
                        if community?.registrationMode != .invite {
                            H.a(.to("/register"), .class("button")) { t("home.join") }
                        }
                        H.a(.to("/login"), .class("button button-secondary")) { t("nav.login") }
                    }
                }
            }
            H.div(.class("home-columns")) {
                H.section(.class("home-main"), .aria(.labelledby, "recent-heading")) {
                    H.div(.class("page-header")) {
                        H.h2(.id("recent-heading")) { t("home.recent") }
                        H.a(.to("/topics")) { t("home.all_topics") }
                    }
                    if activity.topics.isEmpty {
                        H.p(.class("empty-state")) { t("home.no_topics") }
                    } else {
                        TopicListView.list(activity.topics, t: t, id: "recent-topics")
                    }
                }
                H.aside(.class("home-side")) {
                    H.section(.class("card"), .aria(.labelledby, "events-heading")) {
                        H.h2(.id("events-heading")) { t("events.upcoming") }
                        if activity.events.isEmpty {
                            H.p(.class("empty-state")) { t("events.none") }
                        } else {
                            H.ul(.class("plain-list"), .id("upcoming-events")) {
                                for event in activity.events {
                                    H.li {
                                        H.a(.to("/events/\(event.id.uuidString.lowercased())")) { event.title }
                                        H.div(.class("muted")) { t.dateTime(event.startsAt) }
                                    }
                                }
                            }
                        }
                        H.p { H.a(.to("/events")) { t("home.all_events") } }
                    }
                    H.section(.class("card"), .aria(.labelledby, "groups-heading")) {
                        H.h2(.id("groups-heading")) { t("home.active_groups") }
                        if activity.groups.isEmpty {
                            H.p(.class("empty-state")) { t("groups.none") }
                        } else {
                            H.ul(.class("plain-list"), .id("active-groups")) {
                                for group in activity.groups {
                                    H.li {
                                        H.a(.to("/g/\(group.slug)")) { group.name }
                                        H.span(.class("muted")) { " · " + t.plural("groups.members", count: group.memberCount) }
                                    }
                                }
                            }
                        }
                        H.p { H.a(.to("/groups")) { t("home.all_groups") } }
                    }
                }
            }
            H.div(.class("home-grid")) {
                H.section(.class("card"), .aria(.labelledby, "stats-heading")) {
                    H.h2(.id("stats-heading")) { t("home.stats") }
                    H.p(.class("stat")) {
                        H.span(.class("stat-number"), .id("member-count")) { t.number(memberCount) }
                        " "
                        H.span(.class("stat-label")) { t.plural("home.members", count: memberCount) }
                    }
                }
                if !interests.isEmpty {
                    H.section(.class("card"), .aria(.labelledby, "interests-heading")) {
                        H.h2(.id("interests-heading")) { t("home.interests") }
                        H.ul(.class("tag-list")) {
                            for interest in interests {
                                H.li(.class("tag")) {
                                    interest.name
                                    H.span(.class("tag-count")) { t.number(interest.members) }
                                }
                            }
                        }
                    }
                }
                if showMembers, let spotlight = activity.spotlight {
                    H.section(.class("card spotlight-card"), .id("home-spotlight"), .aria(.labelledby, "spotlight-heading")) {
                        H.h2(.id("spotlight-heading")) { t("spotlight.home_title") }
                        H.p(.class("spotlight-name")) {
                            H.a(.to("/members/\(spotlight.member.handle)")) { spotlight.member.displayName }
                        }
                        if !spotlight.text.isEmpty { H.p { spotlight.text } }
                        if !activity.spotlightBadges.isEmpty {
                            H.ul(.class("badge-list")) {
                                for badge in activity.spotlightBadges.prefix(5) {
                                    H.li(.class("earned-badge earned-\(badge.level.rawValue)")) { badge.name }
                                }
                            }
                        }
                    }
                }
                if showMembers, !newest.isEmpty {
                    if !activity.peopleToMeet.isEmpty {
                        H.section(.class("card"), .id("home-meet"), .aria(.labelledby, "meet-heading")) {
                            H.h2(.id("meet-heading")) { t("meet.home_title") }
                            H.ul(.class("meet-list")) {
                                for suggestion in activity.peopleToMeet {
                                    H.li {
                                        H.a(.to("/members/\(suggestion.member.handle)")) { suggestion.member.displayName }
                                        " — " + MemberViews.reasons(suggestion.reasons, t)
                                    }
                                }
                            }
                        }
                    }
                    H.section(.class("card"), .aria(.labelledby, "newest-heading")) {
                        H.h2(.id("newest-heading")) { t("home.newest") }
                        H.ul(.class("member-list compact")) {
                            for member in newest { MemberViews.row(member, t: t) }
                        }
                        H.p { H.a(.to("/members")) { t("home.all_members") } }
                    }
                }
            }
        }
    }
}

extension HomeViews {
    /// A welcoming start for members in their first month: the team's welcome and the first steps,
    /// ticked as they take them.
    static func newcomerStart(_ request: Request, member: Member, activity: Activity) -> HTMLNode {
        let t = request.context.localizer
        return H.section(.class("welcome-box"), .id("newcomer-start")) {
            if let welcome = activity.welcome {
                H.div(.class("welcome-message"), .id("welcome-message")) {
                    for paragraph in welcome.text.components(separatedBy: "\n\n") { H.p { paragraph } }
                    H.p(.class("muted")) { "— " + (welcome.sender?.displayName ?? request.context.community?.name ?? "") }
                }
            }
            H.h2 { t("home.start.title") }
            if let page = activity.startPage { H.p { H.a(.to("/p/\(page.slug)")) { page.title } } }
            if activity.steps.count == OnboardingStep.allCases.count {
                H.p(.id("steps-done")) { t("home.start.all_done") }
            }
            H.ol(.class("checklist"), .id("first-steps")) {
                for step in OnboardingStep.allCases {
                    let done = activity.steps.contains(step)
                    H.li(.class(done ? "is-done" : ""), .id("step-\(step.rawValue)")) {
                        if done {
                            H.span(.aria(.label, t("home.start.done"))) { "✓ " }
                            t("home.start.\(step.rawValue)")
                        } else {
                            H.a(.to(step.path)) { t("home.start.\(step.rawValue)") }
                        }
                    }
                }
            }
        }
    }
}
