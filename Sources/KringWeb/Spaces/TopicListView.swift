import KringCore
import KringStore
import Vapor

/// A list of topics as every list shows it: title with solved/question marks, group, tags,
/// author, replies and unread count, last activity.
enum TopicListView {
    static func list(_ topics: [TopicSummary], t: Localizer, showGroup: Bool = true, id: String = "topic-list") -> HTMLNode {
        H.ul(.class("topic-list"), .id(id)) {
            for topic in topics { row(topic, t: t, showGroup: showGroup) }
        }
    }

    static func row(_ topic: TopicSummary, t: Localizer, showGroup: Bool) -> HTMLNode {
        var classes = "topic-row"
        if topic.isNew || (topic.unreadCount ?? 0) > 0 { classes += " is-unread" }
        return H.li(.class(classes)) {
            H.div(.class("topic-row-main")) {
                H.a(.to("/t/\(topic.id.uuidString.lowercased())"), .class("topic-title")) { topic.title }
                if topic.isPinned { H.span(.class("badge badge-pinned")) { t("topics.pinned") } }
                if topic.kind == .question {
                    if topic.isSolved {
                        H.span(.class("badge badge-solved")) { "✓ " + t("topics.solved") }
                    } else {
                        H.span(.class("badge badge-question")) { t("topics.question") }
                    }
                }
                H.div(.class("topic-meta")) {
                    if showGroup, let name = topic.groupName, let slug = topic.groupSlug {
                        H.a(.to("/g/\(slug)"), .class("topic-group")) { name }
                        " · "
                    }
                    H.a(.to("/members/\(topic.authorHandle)")) { topic.authorName }
                    " · "
                    H.time(.datetime(t.iso(topic.lastPostedAt))) { t.dateTime(topic.lastPostedAt) }
                    for tag in topic.tags {
                        " "
                        H.a(.to("/tags/\(TagLink.slug(tag))"), .class("tag tag-small")) { tag }
                    }
                }
            }
            H.div(.class("topic-row-stats")) {
                H.span(.class("reply-count"), .title(t.plural("topics.replies", count: topic.replyCount))) {
                    t.number(topic.replyCount)
                    H.span(.class("visually-hidden")) { " " + t.plural("topics.replies", count: topic.replyCount) }
                }
                if topic.isNew {
                    H.span(.class("unread-badge")) { t("topics.new") }
                } else if let unread = topic.unreadCount, unread > 0 {
                    H.span(.class("unread-badge")) { t.plural("topics.unread", count: unread) }
                }
            }
        }
    }

    /// The "more" link of a cursor-paginated list.
    static func more(_ page: TopicListPage, basePath: String, query: [(String, String)] = [], t: Localizer) -> HTMLNode {
        guard let cursor = page.nextCursor else { return .empty }
        var components = URLComponents()
        components.queryItems = (query + [("after", cursor)]).map { URLQueryItem(name: $0.0, value: $0.1) }
        return H.nav(.class("pager"), .aria(.label, t("pager.label"))) {
            H.a(.to(basePath + "?" + (components.percentEncodedQuery ?? "")), .rel("next"), .id("more-topics")) { t("topics.more") }
        }
    }
}

/// Tag names in paths.
enum TagLink {
    static func slug(_ name: String) -> String {
        name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? name
    }
}
