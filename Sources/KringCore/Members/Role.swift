/// A member's role in the community. Roles are ordered: each grants what the one below grants.
public enum Role: String, Codable, CaseIterable, Sendable, Comparable {
    case member
    case moderator
    /// The community manager and the community management team.
    case manager
    case admin

    private var rank: Int {
        switch self {
        case .member: 0
        case .moderator: 1
        case .manager: 2
        case .admin: 3
        }
    }

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }
}

/// Whether an account may be used. Pending accounts wait for approval in "approval required" mode.
public enum MemberStatus: String, Codable, CaseIterable, Sendable {
    case active
    case pending
    case rejected
    /// The account was erased on request (GDPR): the row stays as a nameless placeholder so
    /// threads and figures keep their shape, but it holds no personal data and cannot sign in.
    case erased
}
