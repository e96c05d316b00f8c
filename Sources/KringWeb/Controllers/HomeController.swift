import KringCore
import KringStore
import Vapor

/// The front page: what the community is and who is in it, with a start for newcomers.
struct HomeController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(use: home)
    }

    @Sendable func home(request: Request) async throws -> Response {
        let repositories = request.repositories
        let memberCount = try await repositories.members.count(status: .active)
        let newest = try await repositories.members.list(status: .active, limit: 8)
        let interests = try await repositories.tags.popular(kind: .interest, limit: 12)
        return HomeViews.home(request, memberCount: memberCount, newest: newest, interests: interests)
    }
}

enum HomeViews {
    static func home(
        _ request: Request, memberCount: Int, newest: [Member], interests: [(name: String, members: Int)]
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
                if showMembers, !newest.isEmpty {
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
