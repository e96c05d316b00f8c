import FluentKit
import Foundation
import KringCore
import SQLKit

/// A newcomer's first post that nobody answered yet, for the team's newcomer care.
public struct UnansweredFirstPost: Sendable, Equatable {
    public let topicID: UUID
    public let title: String
    public let author: MemberRef
    public let postedAt: Date
}

/// Onboarding: which first steps a member took, the funnel over the newcomers of a period, and
/// newcomers' first topics still without a reply.
public struct OnboardingRepository: Sendable {
    let database: any Database
    let clock: KringClock

    public init(database: any Database, clock: KringClock) {
        self.database = database
        self.clock = clock
    }

    /// Whether a member (`m.id`) took a step, as SQL; one definition for the checklist and the funnel.
    static func took(_ step: OnboardingStep) -> SQLQueryString {
        switch step {
        case .profile:
            "(m.bio <> '' OR EXISTS (SELECT 1 FROM member_tags mt WHERE mt.member_id = m.id))"
        case .group:
            "EXISTS (SELECT 1 FROM group_memberships gm WHERE gm.member_id = m.id AND gm.status = \(bind: MembershipStatus.active.rawValue))"
        case .introduce:
            "EXISTS (SELECT 1 FROM topics t WHERE t.author_id = m.id AND t.deleted_at IS NULL)"
        case .reply:
            "EXISTS (SELECT 1 FROM posts p WHERE p.author_id = m.id AND p.post_number > 1 AND p.deleted_at IS NULL)"
        case .reaction:
            "EXISTS (SELECT 1 FROM reactions r WHERE r.member_id = m.id)"
        }
    }

    /// The steps a member took.
    public func steps(of memberID: UUID) async throws -> Set<OnboardingStep> {
        guard let sql = database as? any SQLDatabase else { return [] }
        var taken = Set<OnboardingStep>()
        for step in OnboardingStep.allCases {
            let row = try await sql.raw("SELECT COUNT(*) AS n FROM members m WHERE m.id = \(bind: memberID) AND \(Self.took(step))").first()
            if try row?.decode(column: "n", as: Int.self) ?? 0 > 0 { taken.insert(step) }
        }
        return taken
    }

    /// Of the members (staff and bots left out) who joined in `[from, to)`, how many took each step by now.
    public func funnel(joinedFrom from: Date, to: Date) async throws -> OnboardingFunnel {
        guard let sql = database as? any SQLDatabase else { return OnboardingFunnel(joined: 0, completed: [:]) }
        let joiners: SQLQueryString = """
            FROM members m WHERE m.created_at >= \(bind: from) AND m.created_at < \(bind: to)
            AND m.status = \(bind: MemberStatus.active.rawValue) AND m.is_staff = \(bind: false) AND m.is_bot = \(bind: false)
            """
        let joined = try await sql.raw("SELECT COUNT(*) AS n " + joiners).first()?.decode(column: "n", as: Int.self) ?? 0
        var completed: [OnboardingStep: Int] = [:]
        for step in OnboardingStep.allCases {
            completed[step] =
                try await sql.raw("SELECT COUNT(*) AS n " + joiners + " AND " + Self.took(step)).first()?
                .decode(column: "n", as: Int.self) ?? 0
        }
        return OnboardingFunnel(joined: joined, completed: completed)
    }

    /// First topics of members who joined in the last `days`, not answered by anyone else yet,
    /// oldest first: the team's newcomer care list.
    public func unansweredFirstPosts(days: Int = 30, limit: Int = 50) async throws -> [UnansweredFirstPost] {
        guard let sql = database as? any SQLDatabase else { return [] }
        let since = clock.now().addingTimeInterval(-Double(days) * 86_400)
        return try await sql.raw(
            """
            SELECT t.id, t.title, t.created_at, m.id AS member_id, m.handle, m.display_name FROM topics t
            JOIN members m ON m.id = t.author_id
            WHERE m.created_at >= \(bind: since) AND m.is_staff = \(bind: false) AND m.is_bot = \(bind: false)
            AND t.deleted_at IS NULL AND t.hidden_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM topics e WHERE e.author_id = t.author_id AND e.created_at < t.created_at AND e.deleted_at IS NULL)
            AND NOT EXISTS (SELECT 1 FROM posts p WHERE p.topic_id = t.id AND p.post_number > 1 AND p.author_id <> t.author_id
                            AND p.deleted_at IS NULL)
            ORDER BY t.created_at LIMIT \(bind: limit)
            """
        ).all().map { row in
            UnansweredFirstPost(
                topicID: try row.decodeUUID(column: "id"), title: try row.decode(column: "title", as: String.self),
                author: MemberRef(
                    id: try row.decodeUUID(column: "member_id"), handle: try row.decode(column: "handle", as: String.self),
                    displayName: try row.decode(column: "display_name", as: String.self)),
                postedAt: try row.decode(column: "created_at", as: Date.self))
        }
    }
}
