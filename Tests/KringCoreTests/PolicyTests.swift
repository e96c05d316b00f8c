import Foundation
import Testing

@testable import KringCore

@Suite("Permission policy")
struct PolicyTests {
    static let owner = UUID()
    static let other = UUID()

    static func actor(_ role: Role?, id: UUID = other) -> Actor {
        role.map { Actor(memberID: id, role: $0, isStaff: false) } ?? .anonymous
    }

    /// The matrix: for each action, the lowest role that is allowed (nil: signed-in members only by ownership).
    static let minimumRole: [(Action, Role)] = [
        (.viewMemberList, .member), (.moderateContent, .moderator), (.approveMembers, .manager), (.inviteMembers, .manager),
        (.viewCockpit, .manager), (.editCommunitySettings, .admin), (.assignRoles, .admin), (.viewMailLog, .admin),
    ]

    @Test func rolesGrantWhatTheRolesBelowGrant() {
        for (action, minimum) in Self.minimumRole {
            #expect(Policy.decide(.anonymous, action, readAccess: .public) == .signInRequired, "anonymous \(action)")
            for role in Role.allCases {
                let expected: Decision = role >= minimum ? .allow : .forbidden
                #expect(Policy.decide(Self.actor(role), action, readAccess: .public) == expected, "\(role) \(action)")
            }
        }
    }

    @Test func readingDependsOnReadAccess() {
        #expect(Policy.decide(.anonymous, .readCommunity, readAccess: .public) == .allow)
        #expect(Policy.decide(.anonymous, .readCommunity, readAccess: .members) == .signInRequired)
        #expect(Policy.decide(Self.actor(.member), .readCommunity, readAccess: .members) == .allow)
    }

    @Test func onlyOwnersEditTheirProfileAndTokens() {
        let me = Self.actor(.member, id: Self.owner)
        let admin = Self.actor(.admin)
        #expect(Policy.decide(me, .editProfile(of: Self.owner), readAccess: .public) == .allow)
        #expect(Policy.decide(Self.actor(.member), .editProfile(of: Self.owner), readAccess: .public) == .forbidden)
        #expect(Policy.decide(admin, .editProfile(of: Self.owner), readAccess: .public) == .forbidden)
        #expect(Policy.decide(admin, .manageAccessTokens(of: Self.owner), readAccess: .public) == .forbidden)
    }

    @Test func privateProfileFieldsAreForTheOwnerAndAdmins() {
        #expect(Policy.decide(Self.actor(.member, id: Self.owner), .viewPrivateProfile(of: Self.owner), readAccess: .public) == .allow)
        #expect(Policy.decide(Self.actor(.admin), .viewPrivateProfile(of: Self.owner), readAccess: .public) == .allow)
        #expect(Policy.decide(Self.actor(.manager), .viewPrivateProfile(of: Self.owner), readAccess: .public) == .forbidden)
        #expect(Policy.decide(.anonymous, .viewPrivateProfile(of: Self.owner), readAccess: .public) == .signInRequired)
    }
}
