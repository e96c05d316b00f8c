import Foundation

/// What a topic is for.
public enum TopicKind: String, Codable, CaseIterable, Sendable {
    case discussion
    /// A question can get one accepted answer.
    case question
}

/// The small fixed set of reactions.
public enum ReactionKind: String, Codable, CaseIterable, Sendable {
    case like
    case thanks
    case insightful

    public var symbol: String {
        switch self {
        case .like: "👍"
        case .thanks: "🙏"
        case .insightful: "💡"
        }
    }
}

/// A topic in a list: what a reader needs to decide whether to open it.
public struct TopicSummary: Sendable, Equatable, Identifiable {
    public let id: UUID
    public var title: String
    public var kind: TopicKind
    public var groupID: UUID?
    public var groupName: String?
    public var groupSlug: String?
    public var authorHandle: String
    public var authorName: String
    public var tags: [String]
    public var replyCount: Int
    public var isPinned: Bool
    public var isSolved: Bool
    public var createdAt: Date
    public var lastPostedAt: Date
    /// Replies the viewer has not seen yet; nil when the viewer never opened the topic (all new) or is anonymous.
    public var unreadCount: Int?
    public var isNew: Bool

    public init(
        id: UUID, title: String, kind: TopicKind, groupID: UUID?, groupName: String?, groupSlug: String?, authorHandle: String,
        authorName: String, tags: [String], replyCount: Int, isPinned: Bool, isSolved: Bool, createdAt: Date, lastPostedAt: Date,
        unreadCount: Int?, isNew: Bool
    ) {
        self.id = id
        self.title = title
        self.kind = kind
        self.groupID = groupID
        self.groupName = groupName
        self.groupSlug = groupSlug
        self.authorHandle = authorHandle
        self.authorName = authorName
        self.tags = tags
        self.replyCount = replyCount
        self.isPinned = isPinned
        self.isSolved = isSolved
        self.createdAt = createdAt
        self.lastPostedAt = lastPostedAt
        self.unreadCount = unreadCount
        self.isNew = isNew
    }
}

/// Which topics a list shows.
public enum TopicFilter: String, Sendable, CaseIterable {
    case latest
    /// Topics without a reply from anyone but the author.
    case unanswered
    /// Questions with an accepted answer.
    case solved
}

/// Rules for what members write.
public enum PostRules {
    public static let titleLength = 5...150
    public static let bodyMaxLength = 20_000

    public static func title(_ raw: String) throws(ValidationFailure) -> String {
        let title = MemberRules.singleLine(raw)
        guard !title.isEmpty else { throw ValidationFailure(field: "title", code: "required") }
        guard title.count >= titleLength.lowerBound else { throw ValidationFailure(field: "title", code: "title.short") }
        guard title.count <= titleLength.upperBound else { throw ValidationFailure(field: "title", code: "too_long") }
        return title
    }

    public static func body(_ raw: String, field: String = "body") throws(ValidationFailure) -> String {
        let body = raw.replacingOccurrences(of: "\r\n", with: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !body.isEmpty else { throw ValidationFailure(field: field, code: "required") }
        guard body.count <= bodyMaxLength else { throw ValidationFailure(field: field, code: "too_long") }
        return body
    }

    /// The handles mentioned as `@handle` in a text, in order of first appearance.
    public static func mentions(in text: String) -> [String] {
        var result: [String] = []
        var seen = Set<String>()
        let characters = Array(text)
        var index = 0
        while index < characters.count {
            if characters[index] == "@", index == 0 || !(characters[index - 1].isLetter || characters[index - 1].isNumber) {
                var end = index + 1
                while end < characters.count, characters[end].isASCII,
                    characters[end].isLetter || characters[end].isNumber || characters[end] == "_" || characters[end] == "-"
                {
                    end += 1
                }
                let handle = String(characters[(index + 1)..<end]).lowercased()
                if MemberRules.handleLength.contains(handle.count), seen.insert(handle).inserted { result.append(handle) }
                index = end
            } else {
                index += 1
            }
        }
        return result
    }
}

/// Who may change a post. Authors edit for a while and delete their own; moderators do both always
/// and alone restore what was deleted.
public enum PostAccess {
    /// How long an author may edit their post.
    public static let authorEditWindow: TimeInterval = 30 * 86_400

    public static func canEdit(authorID: UUID, createdAt: Date, isDeleted: Bool, inArchive: Bool, actor: Actor, now: Date) -> Bool {
        if actor.has(.moderator) { return true }
        guard actor.memberID == authorID, !isDeleted, !inArchive else { return false }
        return now.timeIntervalSince(createdAt) <= authorEditWindow
    }

    public static func canDelete(authorID: UUID, isDeleted: Bool, inArchive: Bool, actor: Actor) -> Bool {
        if actor.has(.moderator) { return !isDeleted }
        return actor.memberID == authorID && !isDeleted && !inArchive
    }

    public static func canRestore(isDeleted: Bool, actor: Actor) -> Bool { isDeleted && actor.has(.moderator) }

    /// The asker or a moderator chooses the accepted answer.
    public static func canAcceptAnswer(topicAuthorID: UUID, actor: Actor, inArchive: Bool) -> Bool {
        if actor.has(.moderator) { return true }
        return actor.memberID == topicAuthorID && !inArchive
    }
}
