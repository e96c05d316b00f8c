import FluentKit
import Foundation
import KringCore
import SQLKit

/// How large a generated community is.
public struct GeneratorPlan: Sendable {
    public var members: Int
    public var posts: Int
    /// Activity-log events in all (posts, reactions, sign-ups and logins included); the rest are visits.
    public var events: Int
    public var months: Int
    public var seed: UInt64

    public init(members: Int = 100_000, posts: Int = 1_000_000, events: Int = 5_000_000, months: Int = 12, seed: UInt64 = 7) {
        self.members = members
        self.posts = posts
        self.events = events
        self.months = months
        self.seed = seed
    }
}

/// A post body the generator may use, rendered once by the caller's Markdown renderer.
public struct GeneratedBody: Sendable {
    public let markdown: String
    public let html: String
    public let renderVersion: Int

    public init(markdown: String, html: String, renderVersion: Int) {
        self.markdown = markdown
        self.html = html
        self.renderVersion = renderVersion
    }
}

public struct GeneratorSummary: Sendable {
    public var members = 0
    public var groups = 0
    public var topics = 0
    public var posts = 0
    public var reactions = 0
    public var events = 0
    public var rolledUpDays = 0
}

/// Fills an empty database with a large, realistic community for benchmarks: a heavy-tailed
/// spread of activity (a few members do most, many only read), groups of each visibility, months
/// of history with growth, replies after realistic delays, unanswered and solved questions. Rows
/// go in with multi-row inserts in large transactions, so a million posts take minutes. The search
/// index is left to `kring` (it stems in Swift, which is the slow part) — topics are searchable
/// only when the caller indexes them.
public struct CommunityGenerator: Sendable {
    let database: any Database
    let clock: KringClock

    public init(database: any Database, clock: KringClock) {
        self.database = database
        self.clock = clock
    }

    /// Members' weights, cumulated, for drawing active members more often than quiet ones.
    struct WeightedMembers {
        let ids: [UUID]
        let joined: [Date]
        let staff: [Bool]
        let cumulative: [Double]

        func draw(_ random: inout SeededRandom, before date: Date? = nil) -> Int {
            for _ in 0..<8 {
                let target = Double.random(in: 0..<cumulative.last!, using: &random)
                var low = 0
                var high = cumulative.count - 1
                while low < high {
                    let middle = (low + high) / 2
                    if cumulative[middle] <= target { low = middle + 1 } else { high = middle }
                }
                if let date, joined[low] > date { continue }
                return low
            }
            return 0
        }
    }

    static let groupPlan: [(name: String, visibility: GroupVisibility, archived: Bool)] = [
        ("Zonnepanelen", .open, false), ("Warmtepompen", .open, false), ("Isolatie", .open, false), ("Laadpalen", .open, false),
        ("Subsidies en regelingen", .open, false), ("Buurtinitiatieven", .open, false), ("Vrijwilligers", .closed, false),
        ("Klantenpanel", .closed, false), ("Bestuur", .secret, false), ("Pilot thuisbatterij", .secret, false),
        ("Energiecafé 2024", .open, true), ("Nieuwkomers", .open, false),
    ]

    static let titles = [
        "Welke omvormer past bij twaalf panelen?", "Hybride warmtepomp in een jaren-dertigwoning", "Ervaringen met spouwmuurisolatie",
        "Laadpaal bij een huurhuis: hoe regel je dat?", "Subsidie voor vloerisolatie aanvragen", "Zonnepanelen op een plat dak",
        "Dynamisch energiecontract: de moeite waard?", "Geluid van de buitenunit 's nachts", "Thuisbatterij en salderen",
        "Energiecoach gezocht in Oost", "Which heat pump for a terraced house?", "Solar panels and the netting scheme",
        "Koken op inductie: welke pannen?", "Ventilatie na het isoleren", "Warmtenet in onze straat",
    ]

    /// Writes the community. `admin` and `manager` log in with `passwordHash`; every member shares it.
    public func run(
        _ plan: GeneratorPlan, community: CommunitySettings, admin: NewMember, manager: NewMember, bodies: [GeneratedBody],
        progress: @escaping @Sendable (String) -> Void
    ) async throws -> GeneratorSummary {
        precondition(!bodies.isEmpty, "the generator needs post bodies")
        var random = SeededRandom(seed: plan.seed)
        var summary = GeneratorSummary()
        let now = clock.now()
        let calendar = Calendar(identifier: .gregorian)
        let start = calendar.date(byAdding: .month, value: -plan.months, to: now)!
        let span = now.timeIntervalSince(start)

        if let sql = database as? any SQLDatabase, sql.dialect.name == "sqlite" {
            // The indexes keyed by random ids outgrow SQLite's default 2 MB of pages within a minute;
            // past that every insert read and wrote back pages of them (the large size slowed threefold).
            try await sql.raw("PRAGMA cache_size = -524288").run()
        }
        progress("Creating the community…")
        let adminMember = try await CommunityRepository(database: database, clock: .fixed(start)).setUp(community, administrator: admin)
        let managerMember = try await MemberRepository(database: database, clock: .fixed(start)).create(manager, at: start)
        // Setting up logged events of its own; they count towards the planned number.
        summary.events = try await ActivityEventRecord.query(on: database).count()

        // Members: joined over the months with growth; weights heavy-tailed.
        progress("Members…")
        var ids: [UUID] = [adminMember.id, managerMember.id]
        var joined: [Date] = [start, start]
        var staff: [Bool] = [true, true]
        var weights: [Double] = [1, 5]
        var memberRows = GeneratedRows(
            table: MemberRecord.schema,
            columns: [
                "id", "handle", "display_name", "email", "password_hash", "role", "is_staff", "is_bot", "cockpit_access", "status", "bio",
                "organisation", "created_at", "updated_at",
            ])
        let total = max(0, plan.members - 2)
        for index in 0..<total {
            let id = UUID()
            let position = pow(Double.random(in: 0..<1, using: &random), 0.75)
            let at = start.addingTimeInterval(position * span)
            let name =
                "\(Self.firstNames[index % Self.firstNames.count]) \(Self.lastNames[(index / Self.firstNames.count) % Self.lastNames.count])"
            let isStaff = index % 200 == 0
            memberRows.append(
                id, "lid-" + LocalDay.zeroPadded(index + 1, 6), name, "lid-\(index + 1)@generated.kring.example", admin.passwordHash,
                Role.member.rawValue, isStaff, false, false, MemberStatus.active.rawValue, "", "", at, at)
            ids.append(id)
            joined.append(at)
            staff.append(isStaff)
            // Pareto(1.16) is the 80/20 shape: most weight with a few; a third only ever read.
            weights.append(random.next() % 3 == 0 ? 0.02 : random.pareto(alpha: 1.16))
            if memberRows.count == 20_000 || index + 1 == total {
                try await database.writeTransaction { [memberRows] tx in try await memberRows.write(on: tx) }
                memberRows.removeAll()
                progress(ProgressBar.line("members", index + 3, of: plan.members))
            }
        }
        summary.members = ids.count
        var cumulative: [Double] = []
        cumulative.reserveCapacity(weights.count)
        var running = 0.0
        for weight in weights {
            running += weight
            cumulative.append(running)
        }
        let people = WeightedMembers(ids: ids, joined: joined, staff: staff, cumulative: cumulative)

        // Groups and memberships.
        progress("Groups…")
        var groups: [(id: UUID, visibility: GroupVisibility)] = []
        var groupRows: [GroupRecord] = []
        var membershipRows = GeneratedRows(
            table: MembershipRecord.schema, columns: ["id", "group_id", "member_id", "role", "status", "created_at"])
        var seen = Set<String>()
        for (index, entry) in Self.groupPlan.enumerated() {
            let record = GroupRecord()
            record.id = UUID()
            record.slug = entry.name.lowercased().replacingOccurrences(of: " ", with: "-")
            record.name = entry.name
            record.description = "Alles over \(entry.name.lowercased())."
            record.welcomeMessage = ""
            record.visibility = entry.visibility.rawValue
            record.isArchived = entry.archived
            record.createdByID = managerMember.id
            record.topicCount = 0
            record.createdAt = start.addingTimeInterval(Double(index) * 3600)
            record.updatedAt = record.createdAt
            record.lastActivityAt = now
            let size = entry.visibility == .open ? plan.members / 8 : plan.members / 100
            var count = 0
            for _ in 0..<size {
                let member = people.draw(&random)
                guard seen.insert("\(index)-\(member)").inserted else { continue }
                membershipRows.append(
                    UUID(), record.id!, ids[member], (member == 1 ? GroupRole.manager : GroupRole.member).rawValue,
                    MembershipStatus.active.rawValue, max(joined[member], record.createdAt))
                count += 1
            }
            record.memberCount = count
            groupRows.append(record)
            groups.append((record.id!, entry.visibility))
        }
        try await database.writeTransaction { [groupRows, membershipRows] tx in
            for batch in groupRows.chunked(500) { try await batch.create(on: tx) }
            try await membershipRows.write(on: tx)
        }
        summary.groups = groups.count

        // Topics, replies, reactions and their activity events, written as time goes by.
        progress("Topics and replies…")
        let topicCount = max(1, plan.posts / 8)
        var topicRows = GeneratedRows(
            table: TopicRecord.schema,
            columns: [
                "id", "group_id", "author_id", "title", "kind", "is_pinned", "solution_post_id", "reply_count", "last_post_number",
                "last_posted_at", "last_poster_id", "first_response_at", "created_at", "updated_at",
            ])
        var postRows = GeneratedRows(
            table: PostRecord.schema,
            columns: ["id", "topic_id", "author_id", "post_number", "body", "body_html", "render_version", "created_at", "updated_at"])
        var reactionRows = GeneratedRows(table: ReactionRecord.schema, columns: ["id", "post_id", "member_id", "kind", "created_at"])
        var eventRows = GeneratedRows(
            table: ActivityEventRecord.schema,
            columns: ["id", "actor_id", "actor_is_staff", "actor_is_bot", "kind", "subject_type", "subject_id", "group_id", "occurred_at"])
        var posts = 0
        func event(_ kind: ActivityKind, _ member: Int, _ at: Date, subject: UUID? = nil, type: String? = nil, group: UUID? = nil) {
            eventRows.append(UUID(), ids[member], staff[member], false, kind.rawValue, type, subject, group, at)
        }
        func flush(force: Bool = false) async throws {
            guard force || postRows.count >= 20_000 else { return }
            try await database.writeTransaction { [topicRows, postRows, reactionRows, eventRows] tx in
                for rows in [topicRows, postRows, reactionRows, eventRows] { try await rows.write(on: tx) }
            }
            summary.topics += topicRows.count
            summary.posts += postRows.count
            summary.reactions += reactionRows.count
            summary.events += eventRows.count
            topicRows.removeAll()
            postRows.removeAll()
            reactionRows.removeAll()
            eventRows.removeAll()
        }
        for index in 0..<topicCount {
            let remainingTopics = topicCount - index
            let budget = plan.posts - posts
            guard budget > 0 else { break }
            // Topic times spread evenly (a little more recent activity); authors must have joined.
            let createdAt = start.addingTimeInterval(pow(Double(index) / Double(topicCount), 0.9) * span * 0.995)
            let author = people.draw(&random, before: createdAt)
            let groupIndex = Int(random.next() % UInt64(groups.count + 2))
            let group = groupIndex < groups.count ? groups[groupIndex] : nil
            let topicID = UUID()
            let title = Self.titles[index % Self.titles.count] + " (\(index + 1))"
            let isQuestion = random.next() % 10 < 4
            // Replies: about 7 per topic on average, a long tail, 15 % none at all.
            let mean = Double(budget - remainingTopics) / Double(remainingTopics)
            var replies =
                random.next() % 100 < 15 ? 0 : min(budget - 1, Int(Double.random(in: 0..<1, using: &random) * 2 * max(0, mean) / 0.85))
            if remainingTopics == 1 { replies = budget - 1 }  // the last topic takes what is left: exactly the planned posts
            var lastAt = createdAt
            var lastPoster = author
            var firstResponse: Date?
            var answerIDs: [UUID] = []
            for number in 1...(replies + 1) {
                let postID = UUID()
                let poster = number == 1 ? author : people.draw(&random, before: lastAt)
                let body = bodies[Int(random.next() % UInt64(bodies.count))]
                if number > 1 {
                    // First answers in hours (median about three), later replies spread over days.
                    let hours =
                        number == 2 ? exp(Double.random(in: -1.5..<3.7, using: &random)) : Double.random(in: 0.1..<48, using: &random)
                    lastAt = min(now, lastAt.addingTimeInterval(hours * 3600))
                    if poster != author, firstResponse == nil { firstResponse = lastAt }
                    if poster != author { answerIDs.append(postID) }
                }
                postRows.append(postID, topicID, ids[poster], number, body.markdown, body.html, body.renderVersion, lastAt, lastAt)
                lastPoster = poster
                event(number == 1 ? .topicCreated : .replyCreated, poster, lastAt, subject: postID, type: "post", group: group?.id)
                // Reactions: about one for every two posts, from active members.
                if random.next() % 2 == 0 {
                    let reactor = people.draw(&random, before: lastAt)
                    if reactor != poster {
                        let reactedAt = min(now, lastAt.addingTimeInterval(3600))
                        reactionRows.append(UUID(), postID, ids[reactor], ReactionKind.like.rawValue, reactedAt)
                        event(.reactionAdded, reactor, reactedAt, subject: postID, type: "post", group: group?.id)
                    }
                }
            }
            posts += replies + 1
            let solution = isQuestion && !answerIDs.isEmpty && random.next() % 2 == 0 ? answerIDs.first : nil
            topicRows.append(
                topicID, group?.id, ids[author], title, (isQuestion ? TopicKind.question : TopicKind.discussion).rawValue, false, solution,
                replies, replies + 1, lastAt, ids[lastPoster], firstResponse, createdAt, createdAt)
            try await flush()
            if (index + 1) % 5_000 == 0 || index + 1 == topicCount { progress(ProgressBar.line("posts", posts, of: plan.posts)) }
        }
        try await flush(force: true)

        // Sign-ups, then visits until the log holds the planned number of events.
        progress("Visits…")
        for member in ids.indices { event(.signup, member, joined[member]) }
        let visits = max(0, plan.events - summary.events - eventRows.count)
        for index in 0..<visits {
            let member = people.draw(&random)
            let at = joined[member].addingTimeInterval(Double.random(in: 0..<1, using: &random) * now.timeIntervalSince(joined[member]))
            event(.visit, member, at)
            if eventRows.count >= 50_000 || index + 1 == visits {
                try await database.writeTransaction { [eventRows] tx in try await eventRows.write(on: tx) }
                summary.events += eventRows.count
                eventRows.removeAll()
                progress(ProgressBar.line("events", summary.events, of: plan.events))
            }
        }
        if eventRows.count > 0 {
            try await database.writeTransaction { [eventRows] tx in try await eventRows.write(on: tx) }
            summary.events += eventRows.count
        }
        for group in groupRows {
            let topics = try await TopicRecord.query(on: database).filter(\.$groupID == group.id).count()
            try await GroupRecord.query(on: database).filter(\.$id == group.id!).set(\.$topicCount, to: topics).update()
        }

        progress("Daily rollups…")
        let zone = TimeZone(identifier: community.timeZone) ?? .gmt
        summary.rolledUpDays = try await ActivityRollups(database: database, clock: clock).catchUp(timeZone: zone) { done, total in
            if done % 30 == 0 || done == total { progress(ProgressBar.line("days", done, of: total)) }
        }
        return summary
    }

    static let firstNames = [
        "Anna", "Bram", "Chantal", "Daan", "Eva", "Fleur", "Gijs", "Hanna", "Ilse", "Jesse", "Kim", "Lars", "Maud", "Niels", "Olivia",
        "Pieter", "Roos", "Sem", "Tess", "Umut", "Vera", "Wouter", "Yara", "Zoë", "Mohamed", "Fatima", "Priya", "Lucas", "Wei", "Mei",
    ]
    static let lastNames = [
        "de Vries", "Jansen", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos",
        "Peters", "Hendriks", "Dekker", "Brouwer", "Dijkstra", "Yilmaz", "El Amrani", "Kaya", "Chen", "Singh", "Martens", "Postma",
    ]
}

/// Rows of one table, written with plain multi-row `INSERT`s. Fluent's `create` reflects over each
/// model's properties for every row: a third of the generator's time went there.
struct GeneratedRows: Sendable {
    let table: String
    let columns: [String]
    private(set) var rows: [[any Encodable & Sendable]] = []

    init(table: String, columns: [String]) {
        self.table = table
        self.columns = columns
    }

    var count: Int { rows.count }

    /// One row: a value for each column, in the columns' order.
    mutating func append(_ values: any Encodable & Sendable...) {
        precondition(values.count == columns.count, "\(table): \(values.count) values for \(columns.count) columns")
        rows.append(values)
    }

    mutating func removeAll() { rows.removeAll(keepingCapacity: true) }

    /// As many rows per statement as fit 30,000 bound values (SQLite allows 32,766, PostgreSQL 65,535).
    func write(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { fatalError("the generator writes through SQL") }
        for batch in rows.chunked(max(1, 30_000 / columns.count)) {
            var insert = sql.insert(into: table).columns(columns)
            for row in batch { insert = insert.values(row) }
            try await insert.run()
        }
    }
}
