import FluentKit
import Foundation
import KringCore

final class GroupRecord: Model, @unchecked Sendable {
    static let schema = "groups"

    @ID(key: .id) var id: UUID?
    @Field(key: "slug") var slug: String
    @Field(key: "name") var name: String
    @Field(key: "description") var description: String
    @Field(key: "welcome_message") var welcomeMessage: String
    @Field(key: "visibility") var visibility: String
    @Field(key: "is_archived") var isArchived: Bool
    @OptionalField(key: "created_by_id") var createdByID: UUID?
    @Field(key: "member_count") var memberCount: Int
    @Field(key: "topic_count") var topicCount: Int
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @Field(key: "last_activity_at") var lastActivityAt: Date

    init() {}

    func domain() throws -> KringCore.Group {
        KringCore.Group(
            id: try requireID(), slug: slug, name: name, description: description, welcomeMessage: welcomeMessage,
            visibility: GroupVisibility(rawValue: visibility) ?? .secret, isArchived: isArchived, memberCount: memberCount,
            topicCount: topicCount, createdAt: createdAt, lastActivityAt: lastActivityAt)
    }
}

final class MembershipRecord: Model, @unchecked Sendable {
    static let schema = "group_memberships"

    @ID(key: .id) var id: UUID?
    @Field(key: "group_id") var groupID: UUID
    @Field(key: "member_id") var memberID: UUID
    @Field(key: "role") var role: String
    @Field(key: "status") var status: String
    @OptionalField(key: "invited_by_id") var invitedByID: UUID?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    func domain() -> Membership {
        Membership(
            groupID: groupID, memberID: memberID, role: GroupRole(rawValue: role) ?? .member,
            status: MembershipStatus(rawValue: status) ?? .requested, createdAt: createdAt)
    }
}

final class TopicRecord: Model, @unchecked Sendable {
    static let schema = "topics"

    @ID(key: .id) var id: UUID?
    @OptionalField(key: "group_id") var groupID: UUID?
    @Field(key: "author_id") var authorID: UUID
    @Field(key: "title") var title: String
    @Field(key: "kind") var kind: String
    @Field(key: "is_pinned") var isPinned: Bool
    @OptionalField(key: "solution_post_id") var solutionPostID: UUID?
    @Field(key: "reply_count") var replyCount: Int
    @Field(key: "last_post_number") var lastPostNumber: Int
    @Field(key: "last_posted_at") var lastPostedAt: Date
    @OptionalField(key: "last_poster_id") var lastPosterID: UUID?
    /// When someone other than the author first replied: time to first response without a scan.
    @OptionalField(key: "first_response_at") var firstResponseAt: Date?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @OptionalField(key: "deleted_at") var deletedAt: Date?
    @OptionalField(key: "deleted_by_id") var deletedByID: UUID?
    /// Hidden by members' flags until a moderator decides.
    @OptionalField(key: "hidden_at") var hiddenAt: Date?
    /// Archived topics are read-only and out of lists, still found by those who may read them.
    @OptionalField(key: "archived_at") var archivedAt: Date?
    /// Slow mode: a member replies at most once per this many seconds.
    @OptionalField(key: "slow_mode_seconds") var slowModeSeconds: Int?

    init() {}
}

final class PostRecord: Model, @unchecked Sendable {
    static let schema = "posts"

    @ID(key: .id) var id: UUID?
    @Field(key: "topic_id") var topicID: UUID
    @Field(key: "author_id") var authorID: UUID
    /// 1 for the topic's opening post, then 2, 3 … in order of posting.
    @Field(key: "post_number") var postNumber: Int
    @OptionalField(key: "reply_to_post_id") var replyToPostID: UUID?
    @Field(key: "body") var body: String
    /// The body rendered by `UserMarkdown`, cached; re-rendered when `render_version` is behind.
    @Field(key: "body_html") var bodyHTML: String
    @Field(key: "render_version") var renderVersion: Int
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @OptionalField(key: "edited_at") var editedAt: Date?
    @OptionalField(key: "deleted_at") var deletedAt: Date?
    @OptionalField(key: "deleted_by_id") var deletedByID: UUID?
    /// Held or hidden until a moderator decides: by flags, newcomer approval, a watched word or a spam heuristic.
    @OptionalField(key: "hidden_at") var hiddenAt: Date?
    /// Why it is held: "flags", "newcomer", "watched_word", "spam_duplicate", "spam_links".
    @OptionalField(key: "hidden_reason") var hiddenReason: String?

    init() {}
}

final class PostRevisionRecord: Model, @unchecked Sendable {
    static let schema = "post_revisions"

    @ID(key: .id) var id: UUID?
    @Field(key: "post_id") var postID: UUID
    @OptionalField(key: "editor_id") var editorID: UUID?
    @OptionalField(key: "title") var title: String?
    @Field(key: "body") var body: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

final class ReactionRecord: Model, @unchecked Sendable {
    static let schema = "reactions"

    @ID(key: .id) var id: UUID?
    @Field(key: "post_id") var postID: UUID
    @Field(key: "member_id") var memberID: UUID
    @Field(key: "kind") var kind: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

final class TopicTagRecord: Model, @unchecked Sendable {
    static let schema = "topic_tags"

    @ID(key: .id) var id: UUID?
    @Field(key: "topic_id") var topicID: UUID
    @Field(key: "tag_id") var tagID: UUID

    init() {}
}

final class TopicReadRecord: Model, @unchecked Sendable {
    static let schema = "topic_reads"

    @ID(key: .id) var id: UUID?
    @Field(key: "topic_id") var topicID: UUID
    @Field(key: "member_id") var memberID: UUID
    @Field(key: "last_read_post_number") var lastReadPostNumber: Int
    @Field(key: "read_at") var readAt: Date

    init() {}
}

final class NotificationRecord: Model, @unchecked Sendable {
    static let schema = "notifications"

    @ID(key: .id) var id: UUID?
    @Field(key: "recipient_id") var recipientID: UUID
    @Field(key: "kind") var kind: String
    @OptionalField(key: "actor_id") var actorID: UUID?
    @OptionalField(key: "group_id") var groupID: UUID?
    @OptionalField(key: "topic_id") var topicID: UUID?
    @OptionalField(key: "post_id") var postID: UUID?
    @OptionalField(key: "event_id") var eventID: UUID?
    @OptionalField(key: "idea_id") var ideaID: UUID?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "read_at") var readAt: Date?
    @OptionalField(key: "emailed_at") var emailedAt: Date?

    init() {}
}

final class NotificationPreferenceRecord: Model, @unchecked Sendable {
    static let schema = "notification_preferences"

    @ID(key: .id) var id: UUID?
    @Field(key: "member_id") var memberID: UUID
    @Field(key: "kind") var kind: String
    @Field(key: "in_app") var inApp: Bool
    @Field(key: "email") var email: String

    init() {}
}

final class MenuItemRecord: Model, @unchecked Sendable {
    static let schema = "menu_items"

    @ID(key: .id) var id: UUID?
    @Field(key: "label_en") var labelEN: String
    @Field(key: "label_nl") var labelNL: String
    @Field(key: "path") var path: String
    @Field(key: "position") var position: Int

    init() {}
}

final class LandingPageRecord: Model, @unchecked Sendable {
    static let schema = "landing_pages"

    @ID(key: .id) var id: UUID?
    @Field(key: "slug") var slug: String
    @Field(key: "title") var title: String
    @Field(key: "body") var body: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

final class SearchDocumentRecord: Model, @unchecked Sendable {
    static let schema = "search_documents"

    @ID(key: .id) var id: UUID?
    @Field(key: "kind") var kind: String
    @Field(key: "ref_id") var refID: UUID
    @OptionalField(key: "group_id") var groupID: UUID?
    @OptionalField(key: "topic_id") var topicID: UUID?
    @Field(key: "title") var title: String
    @Field(key: "body") var body: String
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}
