import FluentKit
import Foundation
import KringCore
import SQLKit

/// Topics, their posts, revisions, reactions, accepted answers and read marks. Every change writes
/// its activity event, keeps the search index and notifications in step, in one transaction.
public struct TopicRepository: Sendable {
    let database: any Database
    let clock: KringClock

    public init(database: any Database, clock: KringClock) {
        self.database = database
        self.clock = clock
    }

    // MARK: Writing

    /// Starts a topic with its opening post.
    public func create(_ new: NewTopic, rendered: RenderedBody, by author: Member) async throws -> UUID {
        try await database.writeTransaction { tx in
            let now = clock.now()
            let topic = TopicRecord()
            topic.id = UUID()
            topic.groupID = new.groupID
            topic.authorID = author.id
            topic.title = new.title
            topic.kind = new.kind.rawValue
            topic.isPinned = false
            topic.replyCount = 0
            topic.lastPostNumber = 1
            topic.lastPostedAt = now
            topic.lastPosterID = author.id
            topic.createdAt = now
            topic.updatedAt = now
            try await topic.create(on: tx)
            let topicID = try topic.requireID()
            let post = try await Self.insertPost(
                on: tx, topicID: topicID, number: 1, author: author.id, body: new.body, rendered: rendered, replyTo: nil, at: now)
            try await TopicRepository(database: tx, clock: clock).replaceTags(of: topicID, with: new.tags)
            if let groupID = new.groupID { try await GroupRepository(database: tx, clock: clock).touch(groupID, topicDelta: 1) }
            try await ActivityLog(database: tx, clock: clock).record(
                .topicCreated, by: author.actor, subjectType: "topic", subjectID: topicID, groupID: new.groupID, at: now)
            try await SearchIndex(database: tx, clock: clock).index(
                postID: post, topicID: topicID, groupID: new.groupID, title: new.title, body: new.body)
            try await Self.readMark(on: tx, topicID: topicID, memberID: author.id, number: 1, at: now)
            try await NotificationRepository(database: tx, clock: clock).mentions(
                in: new.body, by: author, topicID: topicID, postID: post, groupID: new.groupID)
            return topicID
        }
    }

    /// Adds a reply. Returns its post number.
    @discardableResult
    public func reply(to topicID: UUID, body: String, rendered: RenderedBody, replyTo: UUID?, by author: Member) async throws -> Int {
        try await database.writeTransaction { tx in
            guard let topic = try await TopicRecord.find(topicID, on: tx), topic.deletedAt == nil else { throw TopicError.notFound }
            let now = clock.now()
            let number = topic.lastPostNumber + 1
            var replyToID: UUID?
            if let replyTo, let target = try await PostRecord.find(replyTo, on: tx), target.topicID == topicID { replyToID = replyTo }
            let post = try await Self.insertPost(
                on: tx, topicID: topicID, number: number, author: author.id, body: body, rendered: rendered, replyTo: replyToID, at: now)
            topic.lastPostNumber = number
            topic.replyCount += 1
            topic.lastPostedAt = now
            topic.lastPosterID = author.id
            if topic.firstResponseAt == nil, author.id != topic.authorID { topic.firstResponseAt = now }
            topic.updatedAt = now
            try await topic.save(on: tx)
            if let groupID = topic.groupID { try await GroupRepository(database: tx, clock: clock).touch(groupID) }
            try await ActivityLog(database: tx, clock: clock).record(
                .replyCreated, by: author.actor, subjectType: "post", subjectID: post, groupID: topic.groupID, at: now)
            try await SearchIndex(database: tx, clock: clock).index(
                postID: post, topicID: topicID, groupID: topic.groupID, title: nil, body: body)
            try await Self.readMark(on: tx, topicID: topicID, memberID: author.id, number: number, at: now)
            let notifications = NotificationRepository(database: tx, clock: clock)
            try await notifications.reply(
                topicAuthorID: topic.authorID,
                repliedToAuthorID: replyToID == nil ? nil : try await PostRecord.find(replyToID, on: tx)?.authorID,
                by: author, topicID: topicID, postID: post, groupID: topic.groupID)
            try await notifications.mentions(in: body, by: author, topicID: topicID, postID: post, groupID: topic.groupID)
            return number
        }
    }

    /// Changes a post's body (and the topic's title and tags for the opening post), keeping the old version.
    public func edit(postID: UUID, body: String, rendered: RenderedBody, title: String?, tags: [String]?, by editor: Actor) async throws {
        try await database.writeTransaction { tx in
            guard let post = try await PostRecord.find(postID, on: tx), let topic = try await TopicRecord.find(post.topicID, on: tx) else {
                throw TopicError.notFound
            }
            let revision = PostRevisionRecord()
            revision.postID = postID
            revision.editorID = editor.memberID
            revision.title = post.postNumber == 1 ? topic.title : nil
            revision.body = post.body
            revision.createdAt = clock.now()
            try await revision.create(on: tx)
            post.body = body
            post.bodyHTML = rendered.html
            post.renderVersion = rendered.version
            post.editedAt = clock.now()
            post.updatedAt = clock.now()
            try await post.save(on: tx)
            if post.postNumber == 1 {
                if let title { topic.title = title }
                topic.updatedAt = clock.now()
                try await topic.save(on: tx)
                if let tags { try await TopicRepository(database: tx, clock: clock).replaceTags(of: post.topicID, with: tags) }
            }
            try await ActivityLog(database: tx, clock: clock).record(
                .postEdited, by: editor, subjectType: "post", subjectID: postID, groupID: topic.groupID)
            if post.deletedAt == nil, topic.deletedAt == nil {
                try await SearchIndex(database: tx, clock: clock).index(
                    postID: postID, topicID: post.topicID, groupID: topic.groupID, title: post.postNumber == 1 ? topic.title : nil,
                    body: body)
            }
        }
    }

    /// Soft-deletes a post; deleting the opening post deletes the whole topic.
    public func delete(postID: UUID, by actor: Actor) async throws {
        try await setDeleted(postID: postID, deleted: true, by: actor)
    }

    /// Brings a deleted post (or topic) back.
    public func restore(postID: UUID, by actor: Actor) async throws {
        try await setDeleted(postID: postID, deleted: false, by: actor)
    }

    private func setDeleted(postID: UUID, deleted: Bool, by actor: Actor) async throws {
        try await database.writeTransaction { tx in
            guard let post = try await PostRecord.find(postID, on: tx), let topic = try await TopicRecord.find(post.topicID, on: tx) else {
                throw TopicError.notFound
            }
            let now = clock.now()
            let search = SearchIndex(database: tx, clock: clock)
            if post.postNumber == 1 {
                topic.deletedAt = deleted ? now : nil
                topic.deletedByID = deleted ? actor.memberID : nil
                try await topic.save(on: tx)
                if deleted {
                    try await search.removeTopic(post.topicID)
                } else {
                    try await TopicRepository(database: tx, clock: clock).reindex(topicID: post.topicID)
                }
                if let groupID = topic.groupID {
                    try await GroupRepository(database: tx, clock: clock).touch(groupID, topicDelta: deleted ? -1 : 1)
                }
            } else {
                post.deletedAt = deleted ? now : nil
                post.deletedByID = deleted ? actor.memberID : nil
                try await post.save(on: tx)
                topic.replyCount += deleted ? -1 : 1
                if deleted, topic.solutionPostID == postID { topic.solutionPostID = nil }
                try await topic.save(on: tx)
                if deleted {
                    try await search.remove(kind: .post, refID: postID)
                } else if topic.deletedAt == nil {
                    try await search.index(postID: postID, topicID: post.topicID, groupID: topic.groupID, title: nil, body: post.body)
                }
            }
            try await ActivityLog(database: tx, clock: clock).record(
                deleted ? .postDeleted : .postRestored, by: actor, subjectType: "post", subjectID: postID, groupID: topic.groupID)
        }
    }

    public func setPinned(topicID: UUID, _ pinned: Bool, by actor: Actor) async throws {
        guard let topic = try await TopicRecord.find(topicID, on: database) else { throw TopicError.notFound }
        topic.isPinned = pinned
        try await topic.save(on: database)
        try await ActivityLog(database: database, clock: clock).record(
            .topicPinned, by: actor, subjectType: "topic", subjectID: topicID, groupID: topic.groupID)
    }

    /// Marks a reply as the accepted answer of a question (nil clears it) and tells its author.
    public func acceptAnswer(topicID: UUID, postID: UUID?, by actor: Actor) async throws {
        try await database.writeTransaction { tx in
            guard let topic = try await TopicRecord.find(topicID, on: tx), topic.deletedAt == nil else { throw TopicError.notFound }
            guard topic.kind == TopicKind.question.rawValue else { throw TopicError.notAQuestion }
            if let postID {
                guard let post = try await PostRecord.find(postID, on: tx), post.topicID == topicID, post.postNumber > 1,
                    post.deletedAt == nil
                else {
                    throw TopicError.notFound
                }
                topic.solutionPostID = postID
                try await topic.save(on: tx)
                try await ActivityLog(database: tx, clock: clock).record(
                    .solutionAccepted, by: actor, subjectType: "post", subjectID: postID, groupID: topic.groupID)
                try await NotificationRepository(database: tx, clock: clock).notify(
                    post.authorID, kind: .solution, actorID: actor.memberID, groupID: topic.groupID, topicID: topicID, postID: postID)
            } else {
                topic.solutionPostID = nil
                try await topic.save(on: tx)
            }
        }
    }

    /// Adds or removes the viewer's reaction; tells the post's author about new ones.
    public func react(postID: UUID, kind: ReactionKind, on: Bool, by member: Member) async throws {
        try await database.writeTransaction { tx in
            guard let post = try await PostRecord.find(postID, on: tx), post.deletedAt == nil,
                let topic = try await TopicRecord.find(post.topicID, on: tx)
            else { throw TopicError.notFound }
            let existing = try await ReactionRecord.query(on: tx).filter(\.$postID == postID).filter(\.$memberID == member.id)
                .filter(\.$kind == kind.rawValue).first()
            if on, existing == nil {
                let reaction = ReactionRecord()
                reaction.postID = postID
                reaction.memberID = member.id
                reaction.kind = kind.rawValue
                reaction.createdAt = clock.now()
                try await reaction.create(on: tx)
                try await ActivityLog(database: tx, clock: clock).record(
                    .reactionAdded, by: member.actor, subjectType: "post", subjectID: postID, groupID: topic.groupID)
                try await NotificationRepository(database: tx, clock: clock).notify(
                    post.authorID, kind: .reaction, actorID: member.id, groupID: topic.groupID, topicID: post.topicID, postID: postID)
            } else if !on, let existing {
                try await existing.delete(on: tx)
                try await ActivityLog(database: tx, clock: clock).record(
                    .reactionRemoved, by: member.actor, subjectType: "post", subjectID: postID, groupID: topic.groupID)
            }
        }
    }

    /// Remembers how far the member has read.
    public func markRead(topicID: UUID, memberID: UUID, upTo number: Int) async throws {
        try await Self.readMark(on: database, topicID: topicID, memberID: memberID, number: number, at: clock.now())
    }

    // MARK: Reading

    /// The topic's group id and author, for permission checks before a change.
    public func context(ofPost postID: UUID) async throws -> (
        topicID: UUID, groupID: UUID?, authorID: UUID, number: Int, createdAt: Date, isDeleted: Bool, topicAuthorID: UUID
    )? {
        guard let post = try await PostRecord.find(postID, on: database), let topic = try await TopicRecord.find(post.topicID, on: database)
        else {
            return nil
        }
        return (
            post.topicID, topic.groupID, post.authorID, post.postNumber, post.createdAt, post.deletedAt != nil || topic.deletedAt != nil,
            topic.authorID
        )
    }

    /// The group of a topic (nil for community-wide) and whether it exists and is live for the viewer.
    public func groupID(ofTopic topicID: UUID, viewer: Viewer) async throws -> (exists: Bool, groupID: UUID?) {
        guard let topic = try await TopicRecord.find(topicID, on: database) else { return (false, nil) }
        if topic.deletedAt != nil && !viewer.actor.has(.moderator) { return (false, nil) }
        return (true, topic.groupID)
    }

    /// The whole topic for a reader who may read its group; nil when it does not exist for them.
    /// `posts` narrows which posts it reads: an action on one post or on the topic needs not read
    /// the other thousands of a long thread.
    public func page(
        topicID: UUID, viewer: Viewer, render: BodyRenderer, currentRenderVersion: Int, posts selection: TopicPostSelection = .all
    ) async throws -> TopicPage? {
        guard let sql = database as? any SQLDatabase else { return nil }
        let readable = try await VisibilityFilter.readableGroupIDs(viewer, on: database)
        let query = VisibilityFilter.topics(
            TopicRecord.query(on: database).filter(\.$id == topicID), viewer: viewer, readable: readable, includeDeleted: true)
        guard let topic = try await query.first() else { return nil }
        let isModerator = viewer.actor.has(.moderator)
        var posts = try await PostRow.all(ofTopic: topicID, selecting: selection, on: sql)
        // Members see neither deleted posts nor posts that flags hid, except their own hidden ones.
        func visible(number: Int, author: UUID, deletedAt: Date?, hiddenAt: Date?) -> Bool {
            isModerator || ((deletedAt == nil || number == 1) && (hiddenAt == nil || author == viewer.actor.memberID))
        }
        posts = posts.filter { visible(number: $0.postNumber, author: $0.authorID, deletedAt: $0.deletedAt, hiddenAt: $0.hiddenAt) }
        for index in posts.indices where posts[index].renderVersion < currentRenderVersion {
            let fresh = render(posts[index].body)
            posts[index].bodyHTML = fresh.html
            try await PostRecord.query(on: database).filter(\.$id == posts[index].id)
                .set(\.$bodyHTML, to: fresh.html).set(\.$renderVersion, to: fresh.version).update()
        }
        let postIDs = posts.map(\.id)
        let reactions = try await ReactionRow.all(ofPosts: postIDs, on: sql)
        let authorIDs = Set(posts.map(\.authorID)).union(reactions.map(\.memberID)).union([topic.authorID])
        let authors = try await Self.authors(Array(authorIDs), on: database)
        var numbers = Dictionary(uniqueKeysWithValues: posts.map { ($0.id, $0.postNumber) })
        // With some of the posts read, the ones they answer (the number links to them, if visible).
        let repliedTo = Set(posts.compactMap(\.replyToPostID)).subtracting(numbers.keys)
        if selection != .all, !repliedTo.isEmpty {
            for row in try await sql.select().columns("id", "post_number", "author_id", "deleted_at", "hidden_at").from(PostRecord.schema)
                .where("id", .in, SQLBind.group(Array(repliedTo))).all()
            {
                let number = try row.decode(column: "post_number", as: Int.self)
                guard
                    visible(
                        number: number, author: try row.decode(column: "author_id", as: UUID.self),
                        deletedAt: try row.decode(column: "deleted_at", as: Date?.self),
                        hiddenAt: try row.decode(column: "hidden_at", as: Date?.self))
                else { continue }
                numbers[try row.decode(column: "id", as: UUID.self)] = number
            }
        }
        let lastRead =
            try await viewer.actor.memberID.asyncMap { memberID in
                try await TopicReadRecord.query(on: database).filter(\.$topicID == topicID).filter(\.$memberID == memberID).first()?
                    .lastReadPostNumber
            } ?? nil
        var group: Group?
        if let groupID = topic.groupID { group = try await GroupRecord.find(groupID, on: database)?.domain() }
        let reactionsByPost = Dictionary(grouping: reactions, by: \.postID)
        let postViews: [PostView] = posts.compactMap { post in
            let id = post.id
            guard let author = authors[post.authorID] else { return nil }
            var byKind: [ReactionKind: [String]] = [:]
            var mine = Set<ReactionKind>()
            for reaction in reactionsByPost[id] ?? [] {
                guard let kind = ReactionKind(rawValue: reaction.kind) else { continue }
                byKind[kind, default: []].append(authors[reaction.memberID]?.displayName ?? "?")
                if reaction.memberID == viewer.actor.memberID { mine.insert(kind) }
            }
            let hidden = post.deletedAt != nil && !isModerator
            return PostView(
                id: id, number: post.postNumber, author: author, body: hidden ? "" : post.body, bodyHTML: hidden ? "" : post.bodyHTML,
                createdAt: post.createdAt, editedAt: post.editedAt, isDeleted: post.deletedAt != nil, isHidden: post.hiddenAt != nil,
                replyToNumber: post.replyToPostID.flatMap { numbers[$0] }, reactions: byKind, viewerReactions: mine)
        }
        guard let author = authors[topic.authorID] else { return nil }
        var page = TopicPage(
            id: try topic.requireID(), title: topic.title, kind: TopicKind(rawValue: topic.kind) ?? .discussion, group: group,
            author: author,
            tags: try await tags(of: [try topic.requireID()])[try topic.requireID()] ?? [], isPinned: topic.isPinned,
            isDeleted: topic.deletedAt != nil, solutionPostID: topic.solutionPostID, createdAt: topic.createdAt, posts: postViews,
            lastPostNumber: topic.lastPostNumber, lastReadBefore: lastRead ?? 0)
        page.isArchived = topic.archivedAt != nil
        return page
    }

    /// A page of topics the viewer may read, newest activity first.
    /// - Parameters:
    ///   - groupID: only this group's topics; `communityWideOnly` for topics outside groups.
    ///   - cursor: from the previous page's `nextCursor`.
    public func list(
        viewer: Viewer, filter: TopicFilter = .latest, groupID: UUID? = nil, tag: String? = nil, authorID: UUID? = nil,
        includeArchivedGroups: Bool = false, pinnedOnly: Bool = false, cursor: String? = nil, limit: Int = 30
    ) async throws -> TopicListPage {
        let readable = try await VisibilityFilter.readableGroupIDs(viewer, on: database)
        var query = VisibilityFilter.topics(TopicRecord.query(on: database), viewer: viewer, readable: readable)
        if let groupID {
            query = query.filter(\.$groupID == groupID)
        } else if !includeArchivedGroups {
            let archived = try await GroupRecord.query(on: database).filter(\.$isArchived == true).all(\.$id)
            if !archived.isEmpty { query = query.group(.or) { $0.filter(\.$groupID == nil).filter(\.$groupID !~ archived) } }
        }
        if !includeArchivedGroups { query = query.filter(\.$archivedAt == nil) }
        if let authorID { query = query.filter(\.$authorID == authorID) }
        if pinnedOnly { query = query.filter(\.$isPinned == true) }
        switch filter {
        case .latest: break
        case .unanswered: query = query.filter(\.$firstResponseAt == nil)
        case .solved: query = query.filter(\.$kind == TopicKind.question.rawValue).filter(\.$solutionPostID != nil)
        }
        if let tag {
            guard let tagID = try await TagRecord.query(on: database).filter(\.$slug == tag.lowercased()).first()?.id else {
                return TopicListPage(topics: [], nextCursor: nil)
            }
            let topicIDs = try await TopicTagRecord.query(on: database).filter(\.$tagID == tagID).all(\.$topicID)
            guard !topicIDs.isEmpty else { return TopicListPage(topics: [], nextCursor: nil) }
            query = query.filter(\.$id ~~ topicIDs)
        }
        if let cursor = TopicCursor(cursor) {
            query = query.group(.or) { group in
                group.filter(\.$lastPostedAt < cursor.date)
                group.group(.and) { $0.filter(\.$lastPostedAt == cursor.date).filter(\.$id < cursor.id) }
            }
        }
        let records = try await query.sort(\.$lastPostedAt, .descending).sort(\.$id, .descending).limit(limit + 1).all()
        let page = Array(records.prefix(limit))
        let summaries = try await summaries(page, viewer: viewer)
        let next = records.count > limit ? page.last.map { TopicCursor(date: $0.lastPostedAt, id: $0.id!).encoded } : nil
        return TopicListPage(topics: summaries, nextCursor: next)
    }

    /// Earlier versions of a post, newest first.
    public func revisions(of postID: UUID) async throws -> [PostRevision] {
        let records = try await PostRevisionRecord.query(on: database).filter(\.$postID == postID).sort(\.$createdAt, .descending).all()
        let editors = try await Self.authors(records.compactMap(\.editorID), on: database)
        return records.map {
            PostRevision(
                editorName: $0.editorID.flatMap { editors[$0]?.displayName }, title: $0.title, body: $0.body, createdAt: $0.createdAt)
        }
    }

    /// Which of `topicIDs` the viewer may read (for lists built without a viewer, such as the cockpit's).
    public func readable(_ topicIDs: [UUID], viewer: Viewer) async throws -> Set<UUID> {
        guard !topicIDs.isEmpty else { return [] }
        let readable = try await VisibilityFilter.readableGroupIDs(viewer, on: database)
        let ids = try await VisibilityFilter.topics(
            TopicRecord.query(on: database).filter(\.$id ~~ topicIDs), viewer: viewer, readable: readable
        )
        .all(\.$id)
        return Set(ids)
    }

    /// Tags on the topics the viewer may read, with how many of those carry each, most used first.
    public func tagCounts(viewer: Viewer, limit: Int = 200) async throws -> [(
        name: String, slug: String, description: String?, topics: Int
    )] {
        // Only topics the viewer may read count: a tag used only in a secret group is not theirs to see.
        let readable = try await VisibilityFilter.readableGroupIDs(viewer, on: database)
        let links = try await VisibilityFilter.topics(TopicRecord.query(on: database), viewer: viewer, readable: readable)
            .join(TopicTagRecord.self, on: \TopicRecord.$id == \TopicTagRecord.$topicID)
            .field(TopicTagRecord.self, \.$tagID).all()
        var counts: [UUID: Int] = [:]
        for link in links { counts[try link.joined(TopicTagRecord.self).tagID, default: 0] += 1 }
        guard !counts.isEmpty else { return [] }
        let tags = try await TagRecord.query(on: database).filter(\.$id ~~ Array(counts.keys)).all()
        var result: [(name: String, slug: String, description: String?, topics: Int)] = []
        for tag in tags {
            guard let id = tag.id else { continue }
            result.append((tag.name, tag.slug, tag.about, counts[id] ?? 0))
        }
        result.sort { lhs, rhs in lhs.topics != rhs.topics ? lhs.topics > rhs.topics : lhs.name < rhs.name }
        return Array(result.prefix(limit))
    }

    // MARK: Helpers

    func summaries(_ records: [TopicRecord], viewer: Viewer) async throws -> [TopicSummary] {
        guard !records.isEmpty else { return [] }
        let ids = try records.map { try $0.requireID() }
        let authors = try await Self.authors(Array(Set(records.map(\.authorID))), on: database)
        let groupIDs = Array(Set(records.compactMap(\.groupID)))
        let groups = try await GroupRepository(database: database, clock: clock).find(ids: groupIDs)
        let tags = try await tags(of: ids)
        var reads: [UUID: Int] = [:]
        if let memberID = viewer.actor.memberID {
            for read in try await TopicReadRecord.query(on: database).filter(\.$memberID == memberID).filter(\.$topicID ~~ ids).all() {
                reads[read.topicID] = read.lastReadPostNumber
            }
        }
        return try records.map { record in
            let id = try record.requireID()
            let author = authors[record.authorID]
            let group = record.groupID.flatMap { groups[$0] }
            let read = reads[id]
            return TopicSummary(
                id: id, title: record.title, kind: TopicKind(rawValue: record.kind) ?? .discussion, groupID: record.groupID,
                groupName: group?.name, groupSlug: group?.slug, authorHandle: author?.handle ?? "", authorName: author?.displayName ?? "?",
                tags: tags[id] ?? [], replyCount: record.replyCount, isPinned: record.isPinned, isSolved: record.solutionPostID != nil,
                createdAt: record.createdAt, lastPostedAt: record.lastPostedAt,
                unreadCount: read.map { max(0, record.lastPostNumber - $0) },
                isNew: viewer.actor.isSignedIn && read == nil)
        }
    }

    func tags(of topicIDs: [UUID]) async throws -> [UUID: [String]] {
        guard !topicIDs.isEmpty else { return [:] }
        let links = try await TopicTagRecord.query(on: database).filter(\.$topicID ~~ topicIDs).all()
        guard !links.isEmpty else { return [:] }
        let tags = try await TagRecord.query(on: database).filter(\.$id ~~ Array(Set(links.map(\.tagID)))).all()
        let names = Dictionary(uniqueKeysWithValues: tags.compactMap { tag in tag.id.map { ($0, tag.name) } })
        var result: [UUID: [String]] = [:]
        for link in links { if let name = names[link.tagID] { result[link.topicID, default: []].append(name) } }
        return result.mapValues { $0.sorted() }
    }

    func replaceTags(of topicID: UUID, with names: [String]) async throws {
        try await TopicTagRecord.query(on: database).filter(\.$topicID == topicID).delete()
        for tagID in try await TagRepository(database: database, clock: clock).ensure(names) {
            let link = TopicTagRecord()
            link.topicID = topicID
            link.tagID = tagID
            try await link.create(on: database)
        }
    }

    /// Puts a restored topic and its live replies back in the search index.
    func reindex(topicID: UUID) async throws {
        guard let topic = try await TopicRecord.find(topicID, on: database) else { return }
        let search = SearchIndex(database: database, clock: clock)
        for post in try await PostRecord.query(on: database).filter(\.$topicID == topicID).filter(\.$deletedAt == nil).all() {
            try await search.index(
                postID: try post.requireID(), topicID: topicID, groupID: topic.groupID, title: post.postNumber == 1 ? topic.title : nil,
                body: post.body)
        }
    }

    static func insertPost(
        on database: any Database, topicID: UUID, number: Int, author: UUID, body: String, rendered: RenderedBody, replyTo: UUID?,
        at date: Date
    ) async throws -> UUID {
        let post = PostRecord()
        post.id = UUID()
        post.topicID = topicID
        post.authorID = author
        post.postNumber = number
        post.replyToPostID = replyTo
        post.body = body
        post.bodyHTML = rendered.html
        post.renderVersion = rendered.version
        post.createdAt = date
        post.updatedAt = date
        try await post.create(on: database)
        return try post.requireID()
    }

    static func readMark(on database: any Database, topicID: UUID, memberID: UUID, number: Int, at date: Date) async throws {
        if let read = try await TopicReadRecord.query(on: database).filter(\.$topicID == topicID).filter(\.$memberID == memberID).first() {
            guard number > read.lastReadPostNumber else { return }
            read.lastReadPostNumber = number
            read.readAt = date
            try await read.save(on: database)
        } else {
            let read = TopicReadRecord()
            read.topicID = topicID
            read.memberID = memberID
            read.lastReadPostNumber = number
            read.readAt = date
            try await read.create(on: database)
        }
    }

    static func authors(_ ids: [UUID], on database: any Database) async throws -> [UUID: AuthorView] {
        guard !ids.isEmpty else { return [:] }
        let records = try await MemberRecord.query(on: database).filter(\.$id ~~ ids).all()
        return Dictionary(
            uniqueKeysWithValues: try records.map { record in
                let id = try record.requireID()
                return (
                    id,
                    AuthorView(
                        id: id, handle: record.handle, displayName: record.displayName, role: Role(rawValue: record.role) ?? .member,
                        isStaff: record.isStaff)
                )
            })
    }
}

/// Where a topic list continues: the last topic's activity time and id, opaque to clients.
struct TopicCursor {
    let date: Date
    let id: UUID

    init(date: Date, id: UUID) {
        self.date = date
        self.id = id
    }

    init?(_ encoded: String?) {
        guard let encoded,
            let data = Data(
                base64Encoded: encoded.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
                    + String(repeating: "=", count: (4 - encoded.count % 4) % 4)),
            let text = String(data: data, encoding: .utf8)
        else { return nil }
        let parts = text.split(separator: "|")
        guard parts.count == 2, let seconds = Double(parts[0]), let id = UUID(uuidString: String(parts[1])) else { return nil }
        self.date = Date(timeIntervalSince1970: seconds)
        self.id = id
    }

    var encoded: String {
        Data("\(date.timeIntervalSince1970)|\(id.uuidString)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}

extension Optional {
    /// `map` for an async transform.
    public func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}

extension TopicRepository {
    /// How many live posts a member has written (topics and replies).
    public func postCount(authorID: UUID) async throws -> Int {
        try await PostRecord.query(on: database).filter(\.$authorID == authorID).filter(\.$deletedAt == nil).count()
    }

    /// Whether the member posted this same text in another topic since `since` (a spam sign).
    public func hasDuplicate(authorID: UUID, body: String, since: Date, excludingTopic topicID: UUID?) async throws -> Bool {
        var query = PostRecord.query(on: database).filter(\.$authorID == authorID).filter(\.$createdAt >= since).filter(\.$body == body)
        if let topicID { query = query.filter(\.$topicID != topicID) }
        return try await query.count() > 0
    }

    /// The id of a topic's post by number.
    public func postID(topicID: UUID, number: Int) async throws -> UUID? {
        try await PostRecord.query(on: database).filter(\.$topicID == topicID).filter(\.$postNumber == number).first()?.id
    }

    /// Slow mode of a topic in seconds (nil: off).
    public func slowMode(of topicID: UUID) async throws -> Int? {
        try await TopicRecord.find(topicID, on: database)?.slowModeSeconds
    }

    public func setSlowMode(of topicID: UUID, seconds: Int?) async throws {
        guard let topic = try await TopicRecord.find(topicID, on: database) else { throw TopicError.notFound }
        topic.slowModeSeconds = seconds
        try await topic.save(on: database)
    }

    /// Archives or restores topics (read-only, out of lists, still findable by their readers).
    public func setArchived(_ topicIDs: [UUID], _ archived: Bool) async throws {
        guard !topicIDs.isEmpty else { return }
        try await TopicRecord.query(on: database).filter(\.$id ~~ topicIDs).set(\.$archivedAt, to: archived ? clock.now() : nil).update()
    }

    /// Topics without activity since `before`, not archived yet, oldest first: archiving suggestions.
    public func quietTopics(before: Date, limit: Int = 200) async throws -> [TopicSummary] {
        let records = try await TopicRecord.query(on: database).filter(\.$deletedAt == nil).filter(\.$archivedAt == nil)
            .filter(\.$lastPostedAt < before).sort(\.$lastPostedAt).limit(limit).all()
        return try await summaries(
            records, viewer: Viewer(actor: Actor(memberID: nil, role: .admin, isStaff: true), activeGroupIDs: [], invitedGroupIDs: []))
    }
}

/// The watched words and the dry run.
public struct WatchedWordRepository: Sendable {
    let database: any Database
    let clock: KringClock

    public init(database: any Database, clock: KringClock) {
        self.database = database
        self.clock = clock
    }

    public func all() async throws -> [WatchedWord] {
        try await WatchedWordRecord.query(on: database).sort(\.$pattern).all().map { try $0.domain() }
    }

    /// Adds a word or replaces the one with the same pattern.
    public func save(_ word: WatchedWord) async throws {
        let record = try await WatchedWordRecord.query(on: database).filter(\.$pattern == word.pattern).first() ?? WatchedWordRecord()
        if record.id == nil {
            record.id = word.id
            record.createdAt = clock.now()
        }
        record.pattern = word.pattern
        record.action = word.action.rawValue
        record.caseSensitive = word.caseSensitive
        record.replacement = word.replacement
        record.tag = word.tag
        record.enabled = word.enabled
        try await record.save(on: database)
    }

    public func delete(_ id: UUID) async throws {
        try await WatchedWordRecord.query(on: database).filter(\.$id == id).delete()
    }

    public func setEnabled(_ id: UUID, _ enabled: Bool) async throws {
        try await WatchedWordRecord.query(on: database).filter(\.$id == id).set(\.$enabled, to: enabled).update()
    }

    /// What a word would have caught in the posts of the last `days` days: the number of posts and up to `examples` of them.
    public func dryRun(_ word: WatchedWord, days: Int, examples: Int = 20) async throws -> (
        count: Int, examples: [(postID: UUID, topicID: UUID, excerpt: String)]
    ) {
        let since = clock.now().addingTimeInterval(-Double(days) * 86_400)
        let posts = try await PostRecord.query(on: database).filter(\.$createdAt >= since).filter(\.$deletedAt == nil).all()
        var count = 0
        var found: [(UUID, UUID, String)] = []
        for post in posts {
            guard let match = word.matches(in: post.body).first else { continue }
            count += 1
            if found.count < examples, let id = post.id {
                let excerpt =
                    post.body.range(of: match).map { range in
                        let start =
                            post.body.index(range.lowerBound, offsetBy: -40, limitedBy: post.body.startIndex) ?? post.body.startIndex
                        let end = post.body.index(range.upperBound, offsetBy: 40, limitedBy: post.body.endIndex) ?? post.body.endIndex
                        return String(post.body[start..<end])
                    } ?? String(post.body.prefix(80))
                found.append((id, post.topicID, excerpt))
            }
        }
        return (count, found.map { (postID: $0.0, topicID: $0.1, excerpt: $0.2) })
    }
}

/// A post as the topic page reads it, by plain SQL: decoding Fluent models (by reflection) took a
/// fifth of a long topic's time.
struct PostRow {
    let id: UUID
    let authorID: UUID
    let postNumber: Int
    let replyToPostID: UUID?
    let body: String
    var bodyHTML: String
    let renderVersion: Int
    let createdAt: Date
    let editedAt: Date?
    let deletedAt: Date?
    let hiddenAt: Date?

    static func all(ofTopic topicID: UUID, selecting selection: TopicPostSelection = .all, on sql: any SQLDatabase) async throws
        -> [PostRow]
    {
        let query = sql.select()
            .columns(
                "id", "author_id", "post_number", "reply_to_post_id", "body", "body_html", "render_version", "created_at", "edited_at",
                "deleted_at", "hidden_at"
            )
            .from(PostRecord.schema).where("topic_id", .equal, topicID).orderBy("post_number")
        switch selection {
        case .all: break
        case .none: return []
        case .number(let number): query.where("post_number", .equal, number)
        case .id(let id): query.where("id", .equal, id)
        }
        return try await query.all().map { row in
            PostRow(
                id: try row.decode(column: "id", as: UUID.self), authorID: try row.decode(column: "author_id", as: UUID.self),
                postNumber: try row.decode(column: "post_number", as: Int.self),
                replyToPostID: try row.decode(column: "reply_to_post_id", as: UUID?.self),
                body: try row.decode(column: "body", as: String.self), bodyHTML: try row.decode(column: "body_html", as: String.self),
                renderVersion: try row.decode(column: "render_version", as: Int.self),
                createdAt: try row.decode(column: "created_at", as: Date.self),
                editedAt: try row.decode(column: "edited_at", as: Date?.self),
                deletedAt: try row.decode(column: "deleted_at", as: Date?.self),
                hiddenAt: try row.decode(column: "hidden_at", as: Date?.self))
        }
    }
}

/// Which posts a topic page reads (see `TopicRepository.page`).
public enum TopicPostSelection: Sendable, Equatable {
    case all
    /// The topic alone: checks before acting on it.
    case none
    case number(Int)
    case id(UUID)
}

/// A reaction as the topic page reads it (see `PostRow`).
struct ReactionRow {
    let postID: UUID
    let memberID: UUID
    let kind: String

    static func all(ofPosts postIDs: [UUID], on sql: any SQLDatabase) async throws -> [ReactionRow] {
        guard !postIDs.isEmpty else { return [] }
        return try await sql.select().columns("post_id", "member_id", "kind").from(ReactionRecord.schema)
            .where("post_id", .in, postIDs).orderBy("created_at")
            .all().map { row in
                ReactionRow(
                    postID: try row.decode(column: "post_id", as: UUID.self), memberID: try row.decode(column: "member_id", as: UUID.self),
                    kind: try row.decode(column: "kind", as: String.self))
            }
    }
}
