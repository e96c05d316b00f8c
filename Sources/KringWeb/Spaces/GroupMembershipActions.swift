import KringCore
import KringStore
import Vapor

/// Joining and leaving, shared by the group pages and the API so both follow the same rules.
enum GroupMembershipActions {
    enum Outcome {
        case joined
        case requested
        case alreadyMember
    }

    /// Joins an open group, asks to join a closed one (telling its managers), or accepts an invitation.
    static func join(_ group: Group, membership: Membership?, member: Member, repositories: Repositories) async throws -> Outcome {
        guard !group.isArchived else { throw Abort(.conflict, reason: "The group is archived.") }
        if let membership {
            guard membership.status == .invited else { return .alreadyMember }
            try await activate(group, member: member, repositories: repositories)
            return .joined
        }
        switch group.visibility {
        case .open:
            try await activate(group, member: member, repositories: repositories)
            return .joined
        case .closed:
            try await repositories.writeTransaction { tx in
                try await tx.groups.setMembership(group.id, memberID: member.id, role: .member, status: .requested, invitedBy: nil)
                try await tx.activity.record(
                    .groupJoinRequested, by: member.actor, subjectType: "group", subjectID: group.id, groupID: group.id)
                for manager in try await tx.groups.members(of: group.id) where manager.membership.isManager {
                    try await tx.notifications.group(.joinRequest, to: manager.member.id, actorID: member.id, groupID: group.id)
                }
            }
            return .requested
        case .secret:
            throw Abort(.notFound)
        }
    }

    /// Leaves a group (or withdraws a request, or declines an invitation). The last manager of a
    /// group with other members must hand over first.
    static func leave(_ group: Group, membership: Membership, member: Member, repositories: Repositories, t: Localizer) async throws {
        if membership.isManager, try await repositories.groups.managerCount(group.id) <= 1, group.memberCount > 1 {
            throw Abort(.conflict, reason: t("groups.last_manager"))
        }
        try await repositories.writeTransaction { tx in
            try await tx.groups.removeMembership(group.id, memberID: member.id)
            if membership.isActive {
                try await tx.activity.record(.groupLeft, by: member.actor, subjectType: "group", subjectID: group.id, groupID: group.id)
            }
        }
    }

    private static func activate(_ group: Group, member: Member, repositories: Repositories) async throws {
        try await repositories.writeTransaction { tx in
            try await tx.groups.setMembership(group.id, memberID: member.id, role: .member, status: .active, invitedBy: nil)
            try await tx.activity.record(.groupJoined, by: member.actor, subjectType: "group", subjectID: group.id, groupID: group.id)
        }
    }
}
