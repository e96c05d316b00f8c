import FluentKit
import Foundation
import KringCore
import SQLKit

/// A post the listening job has not read yet.
public struct UnheardPost: Sendable {
    public let id: UUID
    public let topicID: UUID
    public let groupID: UUID?
    public let authorID: UUID
    public let body: String
    public let createdAt: Date
    /// Hidden or deleted: counted in the sentiment figures, never reported or listed.
    public let isHidden: Bool
    /// The topic's tags when this is its opening post.
    public var tags: [String]
}

/// What the job found in one post.
public struct HeardPost: Sendable {
    public let post: UnheardPost
    public let language: Language
    public let score: Double
    public let week: String
    public let terms: [UUID]

    public init(post: UnheardPost, language: Language, score: Double, week: String, terms: [UUID]) {
        self.post = post
        self.language = language
        self.score = score
        self.week = week
        self.terms = terms
    }
}

/// One post behind a watched term.
public struct TermMention: Sendable, Equatable {
    public let postID: UUID
    public let topicID: UUID
    public let groupID: UUID?
    public let label: SentimentLabel
    public let createdAt: Date
}

/// Listening's data: each post's sentiment, the watched terms and their mentions, trending tags and
/// the insights board. The listening job (KringWeb) reads new posts and writes what it heard here.
public struct ListeningRepository: Sendable {
    let database: any Database
    let clock: KringClock

    public init(database: any Database, clock: KringClock) {
        self.database = database
        self.clock = clock
    }

    private var sql: any SQLDatabase { database as! any SQLDatabase }
    static let cursorSetting = "listening.cursor"
    var strategy: StrategyRepository { StrategyRepository(database: database, clock: clock) }

    // MARK: The job

    /// Posts not heard yet, oldest first, from the last batch's newest moment on.
    public func unheard(limit: Int) async throws -> [UnheardPost] {
        // Five minutes back from the last batch's newest post: a post whose transaction committed after a
        // later one was heard still gets its turn (heard posts are skipped by NOT EXISTS).
        let from =
            try await strategy.setting(Self.cursorSetting).flatMap { ISO8601DateFormatter.precise.date(from: $0) }
            .map { $0.addingTimeInterval(-300) } ?? .distantPast
        var posts = try await sql.raw(
            """
            SELECT p.id, p.topic_id, p.post_number, p.author_id, p.body, p.created_at, t.group_id,
                   CASE WHEN p.deleted_at IS NULL AND p.hidden_at IS NULL AND t.deleted_at IS NULL AND t.hidden_at IS NULL
                        THEN 0 ELSE 1 END AS hidden
            FROM posts p JOIN topics t ON t.id = p.topic_id
            WHERE p.created_at >= \(bind: from) AND NOT EXISTS (SELECT 1 FROM post_sentiment s WHERE s.post_id = p.id)
            ORDER BY p.created_at LIMIT \(bind: limit)
            """
        ).all().map { row -> (UnheardPost, Int) in
            (
                UnheardPost(
                    id: try row.decodeUUID(column: "id"), topicID: try row.decodeUUID(column: "topic_id"),
                    groupID: try row.decode(column: "group_id", as: UUID?.self), authorID: try row.decodeUUID(column: "author_id"),
                    body: try row.decode(column: "body", as: String.self), createdAt: try row.decode(column: "created_at", as: Date.self),
                    isHidden: try row.decode(column: "hidden", as: Int.self) == 1, tags: []),
                try row.decode(column: "post_number", as: Int.self)
            )
        }
        var tags: [UUID: [String]] = [:]
        for chunk in posts.filter({ $0.1 == 1 }).map(\.0.topicID).chunked(500) {
            for row in try await sql.raw(
                """
                SELECT tt.topic_id, g.slug FROM topic_tags tt JOIN tags g ON g.id = tt.tag_id
                WHERE tt.topic_id IN (\(SQLList(chunk.map { SQLBind($0) })))
                """
            ).all() {
                tags[try row.decodeUUID(column: "topic_id"), default: []].append(try row.decode(column: "slug", as: String.self))
            }
        }
        for index in posts.indices where posts[index].1 == 1 { posts[index].0.tags = tags[posts[index].0.topicID] ?? [] }
        return posts.map(\.0)
    }

    /// Stores what the job heard and moves the cursor past it, in one transaction.
    public func store(_ heard: [HeardPost]) async throws {
        guard let newest = heard.map(\.post.createdAt).max() else { return }
        try await database.writeTransaction { tx in
            let sql = tx as! any SQLDatabase
            for item in heard {
                let label = SentimentLabel(score: item.score).rawValue
                try await sql.raw(
                    """
                    INSERT INTO post_sentiment (id, post_id, topic_id, group_id, language, score, label, week, created_at)
                    VALUES (\(bind: UUID()), \(bind: item.post.id), \(bind: item.post.topicID), \(bind: item.post.groupID),
                            \(bind: item.language.rawValue), \(bind: item.score), \(bind: label), \(bind: item.week),
                            \(bind: item.post.createdAt))
                    ON CONFLICT DO NOTHING
                    """
                ).run()
                for term in item.terms where !item.post.isHidden {
                    try await Self.insertMention(term: term, post: item.post, label: label, week: item.week, on: sql)
                }
            }
            try await StrategyRepository(database: tx, clock: clock).setSettings([
                Self.cursorSetting: ISO8601DateFormatter.precise.string(from: newest)
            ])
        }
    }

    static func insertMention(term: UUID, post: UnheardPost, label: String, week: String, on sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            INSERT INTO term_mentions (id, term_id, post_id, topic_id, group_id, label, week, created_at)
            VALUES (\(bind: UUID()), \(bind: term), \(bind: post.id), \(bind: post.topicID), \(bind: post.groupID), \(bind: label),
                    \(bind: week), \(bind: post.createdAt))
            ON CONFLICT DO NOTHING
            """
        ).run()
    }

    /// Posts since `since` that may mention `term` (a cheap text filter; the matcher decides), with
    /// their stored sentiment: a new term's history.
    public func candidates(for term: WatchedTerm, since: Date, limit: Int = 20_000) async throws -> [(UnheardPost, String, String)] {
        let pattern = "%" + term.term.split(separator: " ").first.map(String.init)!.prefix(6).lowercased() + "%"
        let tagCondition: SQLQueryString =
            term.kind == .tag
            ? """
            AND p.post_number = 1 AND EXISTS (SELECT 1 FROM topic_tags tt JOIN tags g ON g.id = tt.tag_id
                                              WHERE tt.topic_id = p.topic_id AND g.slug = \(bind: term.term))
            """
            : "AND LOWER(p.body) LIKE \(bind: pattern)"
        let rows = try await sql.raw(
            """
            SELECT p.id, p.topic_id, p.author_id, p.body, p.created_at, p.post_number, t.group_id, s.label, s.week, s.language
            FROM posts p JOIN topics t ON t.id = p.topic_id JOIN post_sentiment s ON s.post_id = p.id
            WHERE p.created_at >= \(bind: since) AND p.deleted_at IS NULL AND p.hidden_at IS NULL AND t.deleted_at IS NULL
            AND t.hidden_at IS NULL \(tagCondition) ORDER BY p.created_at LIMIT \(bind: limit)
            """
        ).all()
        return try rows.map { row in
            (
                UnheardPost(
                    id: try row.decodeUUID(column: "id"), topicID: try row.decodeUUID(column: "topic_id"),
                    groupID: try row.decode(column: "group_id", as: UUID?.self), authorID: try row.decodeUUID(column: "author_id"),
                    body: try row.decode(column: "body", as: String.self), createdAt: try row.decode(column: "created_at", as: Date.self),
                    isHidden: false, tags: term.kind == .tag ? [term.term] : []),
                try row.decode(column: "label", as: String.self) + "|" + (try row.decode(column: "language", as: String.self)),
                try row.decode(column: "week", as: String.self)
            )
        }
    }

    public func addMentions(term: UUID, _ mentions: [(post: UnheardPost, label: String, week: String)]) async throws {
        for batch in mentions.chunked(500) {
            try await database.writeTransaction { tx in
                for mention in batch {
                    try await Self.insertMention(
                        term: term, post: mention.post, label: mention.label, week: mention.week, on: tx as! any SQLDatabase)
                }
            }
        }
    }

    // MARK: Watched terms

    public func terms() async throws -> [WatchedTerm] {
        try await sql.raw("SELECT id, term, kind, alerts, created_by_id, created_at FROM watched_terms ORDER BY term").all().map(Self.term)
    }

    public func term(_ id: UUID) async throws -> WatchedTerm? {
        try await sql.raw("SELECT id, term, kind, alerts, created_by_id, created_at FROM watched_terms WHERE id = \(bind: id)").first()
            .map(Self.term)
    }

    static func term(_ row: any SQLRow) throws -> WatchedTerm {
        WatchedTerm(
            id: try row.decodeUUID(column: "id"), term: try row.decode(column: "term", as: String.self),
            kind: WatchedTermKind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .word,
            alerts: try row.decode(column: "alerts", as: Bool.self), createdByID: try row.decode(column: "created_by_id", as: UUID?.self),
            createdAt: try row.decode(column: "created_at", as: Date.self))
    }

    /// Adds a term; false when it is already watched.
    public func add(_ term: WatchedTerm) async throws -> Bool {
        try await sql.raw(
            """
            INSERT INTO watched_terms (id, term, kind, alerts, created_by_id, created_at)
            VALUES (\(bind: term.id), \(bind: term.term), \(bind: term.kind.rawValue), \(bind: term.alerts), \(bind: term.createdByID),
                    \(bind: term.createdAt))
            ON CONFLICT DO NOTHING RETURNING id
            """
        ).first() != nil
    }

    public func setAlerts(_ id: UUID, _ on: Bool) async throws {
        try await sql.raw("UPDATE watched_terms SET alerts = \(bind: on) WHERE id = \(bind: id)").run()
    }

    public func delete(term id: UUID) async throws {
        try await database.writeTransaction { tx in
            let sql = tx as! any SQLDatabase
            try await sql.raw("DELETE FROM term_mentions WHERE term_id = \(bind: id)").run()
            try await sql.raw("DELETE FROM watched_terms WHERE id = \(bind: id)").run()
        }
    }

    /// Each term's mentions since `since`.
    public func mentionCounts(since: Date) async throws -> [UUID: Int] {
        var counts: [UUID: Int] = [:]
        for row in try await sql.raw(
            "SELECT term_id, COUNT(*) AS n FROM term_mentions WHERE created_at >= \(bind: since) GROUP BY term_id"
        ).all() {
            counts[try row.decodeUUID(column: "term_id")] = try row.decode(column: "n", as: Int.self)
        }
        return counts
    }

    /// The latest posts behind a term (the caller keeps only those its viewer may read).
    public func mentions(of termID: UUID, limit: Int = 100) async throws -> [TermMention] {
        try await sql.raw(
            """
            SELECT m.post_id, m.topic_id, m.group_id, m.label, m.created_at FROM term_mentions m JOIN posts p ON p.id = m.post_id
            WHERE m.term_id = \(bind: termID) AND p.deleted_at IS NULL ORDER BY m.created_at DESC LIMIT \(bind: limit)
            """
        ).all().map { row in
            TermMention(
                postID: try row.decodeUUID(column: "post_id"), topicID: try row.decodeUUID(column: "topic_id"),
                groupID: try row.decode(column: "group_id", as: UUID?.self),
                label: SentimentLabel(rawValue: try row.decode(column: "label", as: String.self)) ?? .neutral,
                createdAt: try row.decode(column: "created_at", as: Date.self))
        }
    }

    // MARK: Sentiment figures

    /// Posts per week and sentiment since `since`: everywhere, in one group, or mentioning one term.
    public func sentimentWeeks(since: Date, groupID: UUID? = nil, termID: UUID? = nil) async throws -> [String: SentimentWeek] {
        let query: SQLQueryString
        if let termID {
            query =
                "SELECT week, label, COUNT(*) AS n FROM term_mentions WHERE term_id = \(bind: termID) AND created_at >= \(bind: since) GROUP BY week, label"
        } else if let groupID {
            query =
                "SELECT week, label, COUNT(*) AS n FROM post_sentiment WHERE group_id = \(bind: groupID) AND created_at >= \(bind: since) GROUP BY week, label"
        } else {
            query = "SELECT week, label, COUNT(*) AS n FROM post_sentiment WHERE created_at >= \(bind: since) GROUP BY week, label"
        }
        var weeks: [String: SentimentWeek] = [:]
        for row in try await sql.raw(query).all() {
            let week = try row.decode(column: "week", as: String.self)
            let count = try row.decode(column: "n", as: Int.self)
            var entry = weeks[week] ?? SentimentWeek(week: week)
            switch SentimentLabel(rawValue: try row.decode(column: "label", as: String.self)) {
            case .positive: entry.positive += count
            case .negative: entry.negative += count
            case .neutral, nil: entry.neutral += count
            }
            weeks[week] = entry
        }
        return weeks
    }

    /// Posts by sentiment per group since `since` (nil: community-wide topics).
    public func sentimentByGroup(since: Date) async throws -> [UUID?: SentimentWeek] {
        var groups: [UUID?: SentimentWeek] = [:]
        for row in try await sql.raw(
            "SELECT group_id, label, COUNT(*) AS n FROM post_sentiment WHERE created_at >= \(bind: since) GROUP BY group_id, label"
        ).all() {
            let group = try row.decode(column: "group_id", as: UUID?.self)
            let count = try row.decode(column: "n", as: Int.self)
            var entry = groups[group] ?? SentimentWeek(week: "")
            switch SentimentLabel(rawValue: try row.decode(column: "label", as: String.self)) {
            case .positive: entry.positive += count
            case .negative: entry.negative += count
            case .neutral, nil: entry.neutral += count
            }
            groups[group] = entry
        }
        return groups
    }

    public func heardCount() async throws -> Int {
        try await sql.raw("SELECT COUNT(*) AS n FROM post_sentiment").first()?.decode(column: "n", as: Int.self) ?? 0
    }

    // MARK: Trending tags

    /// How many topics created in `from..<to` carry each tag, among topics in `readable` groups
    /// (nil: all) or community-wide.
    public func tagCounts(from: Date, to: Date, readable: Set<UUID>?) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try await sql.raw(
            """
            SELECT g.slug, t.group_id FROM topic_tags tt JOIN topics t ON t.id = tt.topic_id JOIN tags g ON g.id = tt.tag_id
            WHERE t.created_at >= \(bind: from) AND t.created_at < \(bind: to) AND t.deleted_at IS NULL AND t.hidden_at IS NULL
            """
        ).all() {
            if let readable, let group = try row.decode(column: "group_id", as: UUID?.self), !readable.contains(group) { continue }
            counts[try row.decode(column: "slug", as: String.self), default: 0] += 1
        }
        return counts
    }

    // MARK: Posts as the pages show them

    /// A post's place and opening words, for the lists behind a term and the insights board.
    public struct PostSnippet: Sendable, Equatable {
        public let postID: UUID
        public let topicID: UUID
        public let number: Int
        public let topicTitle: String
        public let authorName: String
        public let excerpt: String
    }

    public func snippets(of postIDs: [UUID]) async throws -> [UUID: PostSnippet] {
        var result: [UUID: PostSnippet] = [:]
        for chunk in postIDs.chunked(500) {
            for row in try await sql.raw(
                """
                SELECT p.id, p.topic_id, p.post_number, p.body, t.title, m.display_name FROM posts p
                JOIN topics t ON t.id = p.topic_id JOIN members m ON m.id = p.author_id
                WHERE p.id IN (\(SQLList(chunk.map { SQLBind($0) }))) AND p.deleted_at IS NULL AND t.deleted_at IS NULL
                """
            ).all() {
                let id = try row.decodeUUID(column: "id")
                let body = try row.decode(column: "body", as: String.self)
                result[id] = PostSnippet(
                    postID: id, topicID: try row.decodeUUID(column: "topic_id"),
                    number: try row.decode(column: "post_number", as: Int.self),
                    topicTitle: try row.decode(column: "title", as: String.self),
                    authorName: try row.decode(column: "display_name", as: String.self),
                    excerpt: body.count > 240 ? String(body.prefix(240)) + "…" : body)
            }
        }
        return result
    }

    // MARK: Insights

    public func insights(status: InsightStatus? = nil, limit: Int = 200) async throws -> [Insight] {
        let condition: SQLQueryString = status.map { "WHERE status = \(bind: $0.rawValue)" } ?? ""
        return try await sql.raw(
            """
            SELECT id, post_id, topic_id, kind, note, status, outcome, created_by_id, created_at FROM insights \(condition)
            ORDER BY created_at DESC LIMIT \(bind: limit)
            """
        ).all().map(Self.insight)
    }

    public func insight(_ id: UUID) async throws -> Insight? {
        try await sql.raw(
            "SELECT id, post_id, topic_id, kind, note, status, outcome, created_by_id, created_at FROM insights WHERE id = \(bind: id)"
        ).first().map(Self.insight)
    }

    static func insight(_ row: any SQLRow) throws -> Insight {
        Insight(
            id: try row.decodeUUID(column: "id"), postID: try row.decodeUUID(column: "post_id"),
            topicID: try row.decodeUUID(column: "topic_id"),
            kind: InsightKind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .problem,
            note: try row.decode(column: "note", as: String.self),
            status: InsightStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .open,
            outcome: try row.decode(column: "outcome", as: String?.self),
            createdByID: try row.decode(column: "created_by_id", as: UUID?.self),
            createdAt: try row.decode(column: "created_at", as: Date.self))
    }

    /// Marks a post as an insight, or changes the kind and note of the one it is already.
    public func mark(_ insight: Insight) async throws {
        try await database.writeTransaction { tx in
            let sql = tx as! any SQLDatabase
            if try await sql.raw("SELECT id FROM insights WHERE post_id = \(bind: insight.postID)").first() != nil {
                try await sql.raw(
                    "UPDATE insights SET kind = \(bind: insight.kind.rawValue), note = \(bind: insight.note) WHERE post_id = \(bind: insight.postID)"
                ).run()
            } else {
                try await sql.raw(
                    """
                    INSERT INTO insights (id, post_id, topic_id, kind, note, status, outcome, created_by_id, created_at)
                    VALUES (\(bind: insight.id), \(bind: insight.postID), \(bind: insight.topicID), \(bind: insight.kind.rawValue),
                            \(bind: insight.note), \(bind: insight.status.rawValue), \(bind: insight.outcome), \(bind: insight.createdByID),
                            \(bind: insight.createdAt))
                    """
                ).run()
            }
        }
    }

    public func setStatus(_ id: UUID, _ status: InsightStatus, outcome: String?) async throws {
        try await sql.raw("UPDATE insights SET status = \(bind: status.rawValue), outcome = \(bind: outcome) WHERE id = \(bind: id)").run()
    }

    public func delete(insight id: UUID) async throws {
        try await sql.raw("DELETE FROM insights WHERE id = \(bind: id)").run()
    }
}

extension ISO8601DateFormatter {
    /// With fractional seconds: the listening cursor must not round a post's moment down.
    static var precise: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}
