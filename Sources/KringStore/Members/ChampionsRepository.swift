import FluentKit
import Foundation
import KringCore
import SQLKit

/// What the champions page shows (METRICS.md, "Reach / influence", "Expertise").
public struct ChampionsReport: Sendable {
    public struct Helper: Sendable {
        public let member: MemberRef
        /// Answers of theirs accepted in the period, and replies to other members' topics.
        public let acceptedAnswers: Int
        public let replies: Int
    }

    public struct Influencer: Sendable {
        public let member: MemberRef
        /// Distinct people they interacted with, either way.
        public let degree: Int
        public let pageRank: Double
        public let betweenness: Double
        /// Groups (and the community-wide space) where they replied, reacted or were answered.
        public let groups: Int
    }

    public struct Expert: Sendable {
        public let member: MemberRef
        public let answers: Int
        public let questions: Int
        public let z: Double
    }

    public struct TagExperts: Sendable {
        public let tagName: String
        public let tagSlug: String
        public let experts: [Expert]
    }

    public var since: Date
    public var people = 0
    public var interactions = 0
    public var helpers: [Helper] = []
    public var influencers: [Influencer] = []
    public var bridges: [Influencer] = []
    public var expertise: [TagExperts] = []
}

/// The champions page's figures, computed from posts and reactions of a recent period: who helps,
/// who is central in the reply/reaction graph, who bridges groups, who knows what.
public struct ChampionsRepository: Sendable {
    let database: any Database
    let clock: KringClock

    public init(database: any Database, clock: KringClock) {
        self.database = database
        self.clock = clock
    }

    /// The figures over the `days` before `now`; each list holds at most `limit` members, staff and bots left out.
    public func report(now: Date, days: Int = 90, limit: Int = 10) async throws -> ChampionsReport {
        let since = now.addingTimeInterval(-Double(days) * 86_400)
        var report = ChampionsReport(since: since)
        guard let sql = database as? any SQLDatabase else { return report }
        let people = try await memberRefs(sql)
        let ranked = Set(people.filter { !$0.value.excluded }.keys)

        // Who helps: answers accepted in the period and replies to others' topics.
        var accepted: [UUID: Int] = [:]
        for row in try await sql.raw(
            """
            SELECT p.author_id, COUNT(DISTINCT p.id) AS n FROM activity_events e
            JOIN topics t ON t.solution_post_id = e.subject_id JOIN posts p ON p.id = e.subject_id
            WHERE e.kind = \(bind: ActivityKind.solutionAccepted.rawValue) AND e.occurred_at >= \(bind: since)
            AND p.deleted_at IS NULL AND t.deleted_at IS NULL AND p.author_id <> t.author_id GROUP BY p.author_id
            """
        ).all() {
            accepted[try row.decodeUUID(column: "author_id")] = try row.decode(column: "n", as: Int.self)
        }
        var replies: [UUID: Int] = [:]
        for row in try await sql.raw(
            """
            SELECT p.author_id, COUNT(*) AS n FROM posts p JOIN topics t ON t.id = p.topic_id
            WHERE p.post_number > 1 AND p.created_at >= \(bind: since) AND p.author_id <> t.author_id
            AND p.deleted_at IS NULL AND t.deleted_at IS NULL GROUP BY p.author_id
            """
        ).all() {
            replies[try row.decodeUUID(column: "author_id")] = try row.decode(column: "n", as: Int.self)
        }
        report.helpers = Set(accepted.keys).union(replies.keys).intersection(ranked)
            .map { ChampionsReport.Helper(member: people[$0]!.ref, acceptedAnswers: accepted[$0] ?? 0, replies: replies[$0] ?? 0) }
            .sorted { ($0.acceptedAnswers, $0.replies, $1.member.handle) > ($1.acceptedAnswers, $1.replies, $0.member.handle) }
            .prefix(limit).map { $0 }

        // The graph: a reply points at the post it answers (or the topic's author), a reaction at the post's author.
        let edges = try await sql.raw(
            """
            SELECT p.author_id AS source, COALESCE(q.author_id, t.author_id) AS target, t.group_id AS group_id
            FROM posts p JOIN topics t ON t.id = p.topic_id LEFT JOIN posts q ON q.id = p.reply_to_post_id
            WHERE p.post_number > 1 AND p.created_at >= \(bind: since) AND p.deleted_at IS NULL AND t.deleted_at IS NULL
            UNION ALL
            SELECT r.member_id AS source, p.author_id AS target, t.group_id AS group_id
            FROM reactions r JOIN posts p ON p.id = r.post_id JOIN topics t ON t.id = p.topic_id
            WHERE r.created_at >= \(bind: since) AND p.deleted_at IS NULL AND t.deleted_at IS NULL
            """
        ).all()
        var index: [UUID: Int] = [:]
        var nodes: [UUID] = []
        var pairs: [(Int, Int)] = []
        var groups: [Int: Set<UUID?>] = [:]
        func node(_ id: UUID) -> Int {
            if let known = index[id] { return known }
            index[id] = nodes.count
            nodes.append(id)
            return nodes.count - 1
        }
        for row in edges {
            let source = try row.decodeUUID(column: "source")
            let target = try row.decodeUUID(column: "target")
            guard people[source]?.isBot == false, people[target]?.isBot == false, source != target else { continue }
            let (from, to) = (node(source), node(target))
            pairs.append((from, to))
            let group = try? row.decodeUUID(column: "group_id")
            groups[from, default: []].insert(group)
            groups[to, default: []].insert(group)
        }
        var graph = InteractionGraph(nodeCount: nodes.count)
        for (from, to) in pairs { graph.add(from: from, to: to) }
        report.people = nodes.count
        report.interactions = pairs.count
        let degrees = graph.degrees()
        let ranks = graph.pageRank()
        let betweenness = graph.betweenness()
        let measured = nodes.indices.filter { ranked.contains(nodes[$0]) }.map { position in
            ChampionsReport.Influencer(
                member: people[nodes[position]]!.ref, degree: degrees[position], pageRank: ranks[position],
                betweenness: betweenness[position], groups: groups[position]?.count ?? 0)
        }
        report.influencers = measured.sorted { ($0.pageRank, $1.member.handle) > ($1.pageRank, $0.member.handle) }.prefix(limit).map { $0 }
        report.bridges = measured.filter { $0.betweenness > 0 }
            .sorted { ($0.betweenness, $1.member.handle) > ($1.betweenness, $0.member.handle) }.prefix(limit).map { $0 }
        report.expertise = try await expertise(sql, since: since, people: people, ranked: ranked)
        return report
    }

    /// Per tag of the period's questions, the members with the highest positive z-score, busiest tags first.
    func expertise(_ sql: any SQLDatabase, since: Date, people: [UUID: Person], ranked: Set<UUID>, tags: Int = 12, perTag: Int = 3)
        async throws -> [ChampionsReport.TagExperts]
    {
        var answers: [UUID: [UUID: Int]] = [:]
        var questions: [UUID: [UUID: Int]] = [:]
        for row in try await sql.raw(
            """
            SELECT tt.tag_id, p.author_id AS member_id, COUNT(DISTINCT p.topic_id) AS n FROM posts p
            JOIN topics t ON t.id = p.topic_id JOIN topic_tags tt ON tt.topic_id = t.id
            WHERE t.kind = \(bind: TopicKind.question.rawValue) AND p.post_number > 1 AND p.author_id <> t.author_id
            AND p.created_at >= \(bind: since) AND p.deleted_at IS NULL AND t.deleted_at IS NULL
            GROUP BY tt.tag_id, p.author_id
            """
        ).all() {
            answers[try row.decodeUUID(column: "tag_id"), default: [:]][try row.decodeUUID(column: "member_id")] =
                try row.decode(column: "n", as: Int.self)
        }
        for row in try await sql.raw(
            """
            SELECT tt.tag_id, t.author_id AS member_id, COUNT(*) AS n FROM topics t JOIN topic_tags tt ON tt.topic_id = t.id
            WHERE t.kind = \(bind: TopicKind.question.rawValue) AND t.created_at >= \(bind: since) AND t.deleted_at IS NULL
            GROUP BY tt.tag_id, t.author_id
            """
        ).all() {
            questions[try row.decodeUUID(column: "tag_id"), default: [:]][try row.decodeUUID(column: "member_id")] =
                try row.decode(column: "n", as: Int.self)
        }
        var names: [UUID: (name: String, slug: String)] = [:]
        for row in try await sql.raw("SELECT id, name, slug FROM tags").all() {
            names[try row.decodeUUID(column: "id")] = (
                try row.decode(column: "name", as: String.self), try row.decode(column: "slug", as: String.self)
            )
        }
        let busiest = answers.keys.sorted {
            (answers[$0]!.values.reduce(0, +), names[$1]?.slug ?? "") > (answers[$1]!.values.reduce(0, +), names[$0]?.slug ?? "")
        }
        return busiest.compactMap { tag -> ChampionsReport.TagExperts? in
            guard let name = names[tag] else { return nil }
            let asked = questions[tag] ?? [:]
            let experts = (answers[tag] ?? [:]).keys.filter(ranked.contains).map { member in
                let given = answers[tag]?[member] ?? 0
                let taken = asked[member] ?? 0
                return ChampionsReport.Expert(
                    member: people[member]!.ref, answers: given, questions: taken, z: Expertise.zScore(answers: given, questions: taken))
            }
            .filter { $0.z > 0 }.sorted { ($0.z, $1.member.handle) > ($1.z, $0.member.handle) }.prefix(perTag).map { $0 }
            return experts.isEmpty ? nil : ChampionsReport.TagExperts(tagName: name.name, tagSlug: name.slug, experts: experts)
        }.prefix(tags).map { $0 }
    }

    struct Person {
        let ref: MemberRef
        let isBot: Bool
        /// Staff, bots and accounts no longer active are not ranked.
        let excluded: Bool
    }

    func memberRefs(_ sql: any SQLDatabase) async throws -> [UUID: Person] {
        var people: [UUID: Person] = [:]
        for row in try await sql.raw("SELECT id, handle, display_name, status, is_staff, is_bot FROM members").all() {
            let id = try row.decodeUUID(column: "id")
            let isBot = try row.decode(column: "is_bot", as: Bool.self)
            let isStaff = try row.decode(column: "is_staff", as: Bool.self)
            let isActive = try row.decode(column: "status", as: String.self) == MemberStatus.active.rawValue
            people[id] = Person(
                ref: MemberRef(
                    id: id, handle: try row.decode(column: "handle", as: String.self),
                    displayName: try row.decode(column: "display_name", as: String.self)),
                isBot: isBot,
                excluded: isBot || isStaff || !isActive)
        }
        return people
    }
}

extension ChampionsRepository {
    /// People a member could meet: active members (bots left out) sharing interests or expertise with
    /// them, not counting those they already replied or reacted to, or who did so to them.
    public func peopleToMeet(for memberID: UUID, limit: Int = 5) async throws -> [(member: MemberRef, reasons: [PeopleToMeet.Reason])] {
        guard let sql = database as? any SQLDatabase else { return [] }
        var tags: [UUID: PeopleToMeet.Tags] = [:]
        var refs: [UUID: MemberRef] = [:]
        // The member's unsolved questions of the last 90 days that anyone may read, with their tags.
        var questions: [UUID: PeopleToMeet.OpenQuestion] = [:]
        for row in try await sql.raw(
            """
            SELECT t.id, t.title, g.name AS tag FROM topics t JOIN topic_tags tt ON tt.topic_id = t.id JOIN tags g ON g.id = tt.tag_id
            LEFT JOIN groups gr ON gr.id = t.group_id
            WHERE t.author_id = \(bind: memberID) AND t.kind = \(bind: TopicKind.question.rawValue) AND t.solution_post_id IS NULL
            AND t.deleted_at IS NULL AND t.hidden_at IS NULL AND t.created_at >= \(bind: clock.now().addingTimeInterval(-90 * 86_400))
            AND (t.group_id IS NULL OR gr.visibility = \(bind: GroupVisibility.open.rawValue))
            """
        ).all() {
            let id = try row.decodeUUID(column: "id")
            let title = try row.decode(column: "title", as: String.self)
            let tag = try row.decode(column: "tag", as: String.self)
            questions[id] = PeopleToMeet.OpenQuestion(title: title, tags: (questions[id]?.tags ?? []).union([tag]))
        }
        let questionTags = Array(Set(questions.values.flatMap(\.tags)))
        let expertsOnQuestions: SQLQueryString =
            questionTags.isEmpty
            ? "" : " OR (mt.kind = \(bind: MemberTagKind.expertise.rawValue) AND t.name IN (\(SQLList(questionTags.map { SQLBind($0) }))))"
        // Only members who share at least one tag with this one, or know about their questions, are read.
        for row in try await sql.raw(
            """
            SELECT mt.member_id, mt.kind, t.name, m.handle, m.display_name FROM member_tags mt
            JOIN tags t ON t.id = mt.tag_id JOIN members m ON m.id = mt.member_id
            WHERE m.status = \(bind: MemberStatus.active.rawValue) AND m.is_bot = \(bind: false)
            AND (mt.tag_id IN (SELECT tag_id FROM member_tags WHERE member_id = \(bind: memberID))\(expertsOnQuestions))
            """
        ).all() {
            let id = try row.decodeUUID(column: "member_id")
            let name = try row.decode(column: "name", as: String.self)
            if try row.decode(column: "kind", as: String.self) == MemberTagKind.expertise.rawValue {
                tags[id, default: .init()].expertise.insert(name)
            } else {
                tags[id, default: .init()].interests.insert(name)
            }
            refs[id] = MemberRef(
                id: id, handle: try row.decode(column: "handle", as: String.self),
                displayName: try row.decode(column: "display_name", as: String.self))
        }
        var known = Set<UUID>()
        for row in try await sql.raw(
            """
            SELECT q.author_id AS other FROM posts p JOIN posts q ON q.id = p.reply_to_post_id WHERE p.author_id = \(bind: memberID)
            UNION SELECT t.author_id AS other FROM posts p JOIN topics t ON t.id = p.topic_id WHERE p.author_id = \(bind: memberID)
            UNION SELECT p.author_id AS other FROM posts p JOIN topics t ON t.id = p.topic_id WHERE t.author_id = \(bind: memberID)
            UNION SELECT p.author_id AS other FROM reactions r JOIN posts p ON p.id = r.post_id WHERE r.member_id = \(bind: memberID)
            UNION SELECT r.member_id AS other FROM reactions r JOIN posts p ON p.id = r.post_id WHERE p.author_id = \(bind: memberID)
            """
        ).all() {
            known.insert(try row.decodeUUID(column: "other"))
        }
        let open = questions.values.sorted { $0.title < $1.title }
        return PeopleToMeet.suggestions(for: memberID, tags: tags, known: known, questions: open, limit: limit).compactMap { suggestion in
            refs[suggestion.id].map { ($0, suggestion.reasons) }
        }
    }
}
