import FluentKit
import Foundation
import KringCore

/// Who is reading, with the groups they belong to: the input of every visibility filter. Built
/// once per request; every read path (pages, API, search, feeds, notifications) filters with it.
public struct Viewer: Sendable {
    public let actor: Actor
    /// Groups where the viewer is an active member.
    public let activeGroupIDs: Set<UUID>
    /// Groups the viewer was invited to (they may see a secret group's name, not its content).
    public let invitedGroupIDs: Set<UUID>

    public init(actor: Actor, activeGroupIDs: Set<UUID>, invitedGroupIDs: Set<UUID>) {
        self.actor = actor
        self.activeGroupIDs = activeGroupIDs
        self.invitedGroupIDs = invitedGroupIDs
    }

    public static let anonymous = Viewer(actor: .anonymous, activeGroupIDs: [], invitedGroupIDs: [])

    public var seesEverything: Bool { GroupAccess.seesEverything(actor) }

    /// The viewer's membership as the access rules want it.
    func membership(in groupID: UUID) -> Membership? {
        guard let memberID = actor.memberID else { return nil }
        if activeGroupIDs.contains(groupID) {
            return Membership(groupID: groupID, memberID: memberID, role: .member, status: .active, createdAt: .distantPast)
        }
        if invitedGroupIDs.contains(groupID) {
            return Membership(groupID: groupID, memberID: memberID, role: .member, status: .invited, createdAt: .distantPast)
        }
        return nil
    }

    public func canRead(_ group: Group) -> Bool { GroupAccess.canRead(group, actor: actor, membership: membership(in: group.id)) }
    public func canSee(_ group: Group) -> Bool { GroupAccess.canSee(group, actor: actor, membership: membership(in: group.id)) }

    /// Loads the viewer's memberships.
    public static func load(_ actor: Actor, on database: any Database) async throws -> Viewer {
        guard let memberID = actor.memberID else { return Viewer(actor: actor, activeGroupIDs: [], invitedGroupIDs: []) }
        let memberships = try await MembershipRecord.query(on: database).filter(\.$memberID == memberID).all()
        return Viewer(
            actor: actor,
            activeGroupIDs: Set(memberships.filter { $0.status == MembershipStatus.active.rawValue }.map(\.groupID)),
            invitedGroupIDs: Set(memberships.filter { $0.status == MembershipStatus.invited.rawValue }.map(\.groupID)))
    }
}

/// The one place that turns the visibility rules of `GroupAccess` into query filters.
enum VisibilityFilter {
    /// Groups whose content the viewer may read. A nil `readable` means all of them.
    static func readableGroupIDs(_ viewer: Viewer, on database: any Database) async throws -> Set<UUID>? {
        if viewer.seesEverything { return nil }
        let open = try await GroupRecord.query(on: database).filter(\.$visibility == GroupVisibility.open.rawValue).all(\.$id)
        return Set(open).union(viewer.activeGroupIDs)
    }

    /// Restricts a topic query to topics the viewer may read: not deleted (unless the viewer moderates),
    /// community-wide, or in a readable group.
    static func topics(
        _ query: QueryBuilder<TopicRecord>, viewer: Viewer, readable: Set<UUID>?, includeDeleted: Bool = false
    ) -> QueryBuilder<TopicRecord> {
        var query = query
        if !(includeDeleted && viewer.actor.has(.moderator)) { query = query.filter(\.$deletedAt == nil) }
        if !viewer.actor.has(.moderator) {
            // Held or hidden topics stay visible to their author, who is told why.
            if let memberID = viewer.actor.memberID {
                query = query.group(.or) { $0.filter(\.$hiddenAt == nil).filter(\.$authorID == memberID) }
            } else {
                query = query.filter(\.$hiddenAt == nil)
            }
        }
        guard let readable else { return query }
        return query.group(.or) { group in
            group.filter(\.$groupID == nil)
            if !readable.isEmpty { group.filter(\.$groupID ~~ Array(readable)) }
        }
    }

    /// Restricts a group query to groups the viewer may see listed.
    static func listedGroups(_ query: QueryBuilder<GroupRecord>, viewer: Viewer) -> QueryBuilder<GroupRecord> {
        if viewer.seesEverything { return query }
        let known = Array(viewer.activeGroupIDs.union(viewer.invitedGroupIDs))
        return query.group(.or) { group in
            group.filter(\.$visibility != GroupVisibility.secret.rawValue)
            if !known.isEmpty { group.filter(\.$id ~~ known) }
        }
    }
}
