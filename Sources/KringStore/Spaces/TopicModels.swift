import Foundation
import KringCore

/// Markdown rendered by the web layer's `UserMarkdown`, with the renderer version that made it.
public struct RenderedBody: Sendable {
    public let html: String
    public let version: Int

    public init(html: String, version: Int) {
        self.html = html
        self.version = version
    }
}

/// Renders a Markdown body; the store calls it to refresh caches made by an older renderer.
public typealias BodyRenderer = @Sendable (String) -> RenderedBody

/// A new topic, validated.
public struct NewTopic: Sendable {
    public var groupID: UUID?
    public var title: String
    public var kind: TopicKind
    public var body: String
    public var tags: [String]

    public init(groupID: UUID?, title: String, kind: TopicKind, body: String, tags: [String]) {
        self.groupID = groupID
        self.title = title
        self.kind = kind
        self.body = body
        self.tags = tags
    }
}

/// Who wrote something, as shown beside it.
public struct AuthorView: Sendable, Equatable {
    public let id: UUID
    public let handle: String
    public let displayName: String
    public let role: Role
    public let isStaff: Bool
}

/// A post as a topic page shows it.
public struct PostView: Sendable, Equatable, Identifiable {
    public let id: UUID
    public let number: Int
    public let author: AuthorView
    /// The Markdown source (for editing and quoting).
    public let body: String
    /// Sanitised HTML from `UserMarkdown`.
    public let bodyHTML: String
    public let createdAt: Date
    public let editedAt: Date?
    public let isDeleted: Bool
    /// Hidden by members' flags, waiting for a moderator.
    public let isHidden: Bool
    public let replyToNumber: Int?
    /// Who reacted, per reaction, by display name.
    public let reactions: [ReactionKind: [String]]
    public let viewerReactions: Set<ReactionKind>
}

/// A topic with everything its page needs.
public struct TopicPage: Sendable {
    public let id: UUID
    public let title: String
    public let kind: TopicKind
    public let group: Group?
    public let author: AuthorView
    public let tags: [String]
    public let isPinned: Bool
    public let isDeleted: Bool
    /// Archived topics are read-only.
    public var isArchived = false
    public let solutionPostID: UUID?
    public let createdAt: Date
    public let posts: [PostView]
    public let lastPostNumber: Int
    /// The highest post number the viewer had read before this visit (0: never visited).
    public let lastReadBefore: Int
}

/// A page of a list with the cursor for the next one.
public struct TopicListPage: Sendable {
    public let topics: [TopicSummary]
    public let nextCursor: String?

    public init(topics: [TopicSummary], nextCursor: String?) {
        self.topics = topics
        self.nextCursor = nextCursor
    }
}

/// One earlier version of a post.
public struct PostRevision: Sendable, Equatable {
    public let editorName: String?
    public let title: String?
    public let body: String
    public let createdAt: Date
}

/// Errors about topics and posts the web layer turns into answers.
public enum TopicError: Error, Sendable, Equatable {
    case notFound
    case forbidden
    case archived
    case notAQuestion
}
