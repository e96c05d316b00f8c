import Foundation

/// Where an idea stands. Raw values are stored.
public enum IdeaStatus: String, Codable, CaseIterable, Sendable {
    case new
    case underReview = "under_review"
    case planned
    case done
    case declined

    /// The statuses an idea may move to from this one (staff may also reopen a closed idea).
    public var next: [IdeaStatus] {
        switch self {
        case .new: [.underReview, .planned, .declined]
        case .underReview: [.planned, .done, .declined]
        case .planned: [.done, .declined, .underReview]
        case .done, .declined: [.underReview]
        }
    }

    /// An official response keeps the status or moves it one of the allowed ways.
    /// - Throws: `ValidationFailure` on `status` for any other move (back to new, done → planned…).
    public func check(moveTo status: IdeaStatus?) throws(ValidationFailure) {
        guard let status, status != self, !next.contains(status) else { return }
        throw ValidationFailure(field: "status", code: "idea.status_move")
    }
}

/// A department the community's feedback is routed to (product, marketing, service…).
public struct Department: Sendable, Equatable, Identifiable {
    public let id: UUID
    public var name: String
    public var description: String
    /// The community management team's contacts in the department.
    public var liaisonIDs: [UUID]

    public init(id: UUID, name: String, description: String, liaisonIDs: [UUID]) {
        self.id = id
        self.name = name
        self.description = description
        self.liaisonIDs = liaisonIDs
    }
}

/// An idea or piece of feedback as lists and pages show it.
public struct Idea: Sendable, Equatable, Identifiable {
    public let id: UUID
    public let authorID: UUID
    public let title: String
    public let description: String
    public let status: IdeaStatus
    public let departmentID: UUID?
    public let tags: [String]
    public let voteCount: Int
    public let commentCount: Int
    public let createdAt: Date
    public let routedAt: Date?
    public let firstResponseAt: Date?

    public init(
        id: UUID, authorID: UUID, title: String, description: String, status: IdeaStatus, departmentID: UUID?, tags: [String],
        voteCount: Int,
        commentCount: Int, createdAt: Date, routedAt: Date?, firstResponseAt: Date?
    ) {
        self.id = id
        self.authorID = authorID
        self.title = title
        self.description = description
        self.status = status
        self.departmentID = departmentID
        self.tags = tags
        self.voteCount = voteCount
        self.commentCount = commentCount
        self.createdAt = createdAt
        self.routedAt = routedAt
        self.firstResponseAt = firstResponseAt
    }
}

/// Who answers for an idea: community managers and administrators, and the liaisons of the
/// department it was routed to.
public enum IdeaAccess {
    public static func mayRespond(_ actor: Actor, department: Department?) -> Bool {
        if actor.has(.manager) { return true }
        guard let memberID = actor.memberID, let department else { return false }
        return department.liaisonIDs.contains(memberID)
    }
}
