import FluentKit
import Foundation
import KringCore

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

        progress("Creating the community…")
        let adminMember = try await CommunityRepository(database: database, clock: .fixed(start)).setUp(community, administrator: admin)
        let managerMember = try await MemberRepository(database: database, clock: .fixed(start)).create(manager, at: start)

        // Members: joined over the months with growth; weights heavy-tailed.
        progress("Members…")
        var ids: [UUID] = [adminMember.id, managerMember.id]
        var joined: [Date] = [start, start]
        var staff: [Bool] = [true, true]
        var weights: [Double] = [1, 5]
        var memberRows: [MemberRecord] = []
        let total = max(0, plan.members - 2)
        for index in 0..<total {
            let record = MemberRecord()
            record.id = UUID()
            let position = pow(Double.random(in: 0..<1, using: &random), 0.75)
            let at = start.addingTimeInterval(position * span)
            let name =
                "\(Self.firstNames[index % Self.firstNames.count]) \(Self.lastNames[(index / Self.firstNames.count) % Self.lastNames.count])"
            record.handle = String(format: "lid-%06d", index + 1)
            record.displayName = name
            record.email = "lid-\(index + 1)@generated.kring.example"
            record.passwordHash = admin.passwordHash
            record.role = Role.member.rawValue
            record.isStaff = index % 200 == 0
            record.isBot = false
            record.cockpitAccess = false
            record.status = MemberStatus.active.rawValue
            record.bio = ""
            record.organisation = ""
            record.createdAt = at
            record.updatedAt = at
            memberRows.append(record)
            ids.append(record.id!)
            joined.append(at)
            staff.append(record.isStaff)
            // Pareto(1.16) is the 80/20 shape: most weight with a few; a third only ever read.
            weights.append(random.next() % 3 == 0 ? 0.02 : random.pareto(alpha: 1.16))
            if memberRows.count == 20_000 || index + 1 == total {
                try await insert(memberRows)
                memberRows.removeAll(keepingCapacity: true)
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
        var membershipRows: [MembershipRecord] = []
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
                let membership = MembershipRecord()
                membership.groupID = record.id!
                membership.memberID = ids[member]
                membership.role = (member == 1 ? GroupRole.manager : GroupRole.member).rawValue
                membership.status = MembershipStatus.active.rawValue
                membership.createdAt = max(joined[member], record.createdAt)
                membershipRows.append(membership)
                count += 1
            }
            record.memberCount = count
            groupRows.append(record)
            groups.append((record.id!, entry.visibility))
        }
        try await insert(groupRows)
        try await insert(membershipRows)
        summary.groups = groups.count

        // Topics, replies, reactions and their activity events, written as time goes by.
        progress("Topics and replies…")
        let topicCount = max(1, plan.posts / 8)
        var topicRows: [TopicRecord] = []
        var postRows: [PostRecord] = []
        var reactionRows: [ReactionRecord] = []
        var eventRows: [ActivityEventRecord] = []
        var posts = 0
        func event(_ kind: ActivityKind, _ member: Int, _ at: Date, subject: UUID? = nil, type: String? = nil, group: UUID? = nil) {
            let record = ActivityEventRecord()
            record.id = UUID()
            record.actorID = ids[member]
            record.actorIsStaff = staff[member]
            record.actorIsBot = false
            record.kind = kind.rawValue
            record.subjectType = type
            record.subjectID = subject
            record.groupID = group
            record.occurredAt = at
            eventRows.append(record)
        }
        func flush(force: Bool = false) async throws {
            guard force || postRows.count >= 20_000 else { return }
            let (topics, posts, reactions, events) = (topicRows, postRows, reactionRows, eventRows)
            try await database.writeTransaction { tx in
                try await Self.insert(topics, on: tx)
                try await Self.insert(posts, on: tx)
                try await Self.insert(reactions, on: tx)
                try await Self.insert(events, on: tx)
            }
            summary.topics += topicRows.count
            summary.posts += postRows.count
            summary.reactions += reactionRows.count
            summary.events += eventRows.count
            topicRows.removeAll(keepingCapacity: true)
            postRows.removeAll(keepingCapacity: true)
            reactionRows.removeAll(keepingCapacity: true)
            eventRows.removeAll(keepingCapacity: true)
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
            let topic = TopicRecord()
            let topicID = UUID()
            topic.id = topicID
            topic.groupID = group?.id
            topic.authorID = ids[author]
            topic.title = Self.titles[index % Self.titles.count] + " (\(index + 1))"
            let isQuestion = random.next() % 10 < 4
            topic.kind = (isQuestion ? TopicKind.question : TopicKind.discussion).rawValue
            topic.isPinned = false
            topic.createdAt = createdAt
            topic.updatedAt = createdAt
            // Replies: about 7 per topic on average, a long tail, 15 % none at all.
            let mean = Double(budget - remainingTopics) / Double(remainingTopics)
            let replies =
                random.next() % 100 < 15 ? 0 : min(budget - 1, Int(Double.random(in: 0..<1, using: &random) * 2 * max(0, mean) / 0.85))
            var lastAt = createdAt
            var lastPoster = author
            var firstResponse: Date?
            var answerIDs: [UUID] = []
            for number in 1...(replies + 1) {
                let post = PostRecord()
                let postID = UUID()
                post.id = postID
                post.topicID = topicID
                let poster = number == 1 ? author : people.draw(&random, before: lastAt)
                post.authorID = ids[poster]
                post.postNumber = number
                let body = bodies[Int(random.next() % UInt64(bodies.count))]
                post.body = body.markdown
                post.bodyHTML = body.html
                post.renderVersion = body.renderVersion
                if number > 1 {
                    // First answers in hours (median about three), later replies spread over days.
                    let hours =
                        number == 2 ? exp(Double.random(in: -1.5..<3.7, using: &random)) : Double.random(in: 0.1..<48, using: &random)
                    lastAt = min(now, lastAt.addingTimeInterval(hours * 3600))
                    if poster != author, firstResponse == nil { firstResponse = lastAt }
                    if poster != author { answerIDs.append(postID) }
                }
                post.createdAt = lastAt
                post.updatedAt = lastAt
                postRows.append(post)
                lastPoster = poster
                event(number == 1 ? .topicCreated : .replyCreated, poster, lastAt, subject: postID, type: "post", group: group?.id)
                // Reactions: about one for every two posts, from active members.
                if random.next() % 2 == 0 {
                    let reactor = people.draw(&random, before: lastAt)
                    if reactor != poster {
                        let reaction = ReactionRecord()
                        reaction.postID = postID
                        reaction.memberID = ids[reactor]
                        reaction.kind = ReactionKind.like.rawValue
                        reaction.createdAt = min(now, lastAt.addingTimeInterval(3600))
                        reactionRows.append(reaction)
                        event(.reactionAdded, reactor, reaction.createdAt, subject: postID, type: "post", group: group?.id)
                    }
                }
            }
            posts += replies + 1
            topic.replyCount = replies
            topic.lastPostNumber = replies + 1
            topic.lastPostedAt = lastAt
            topic.lastPosterID = ids[lastPoster]
            topic.firstResponseAt = firstResponse
            if isQuestion, let answer = answerIDs.first, random.next() % 2 == 0 { topic.solutionPostID = answer }
            topicRows.append(topic)
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
                let events = eventRows
                try await database.writeTransaction { tx in try await Self.insert(events, on: tx) }
                summary.events += eventRows.count
                eventRows.removeAll(keepingCapacity: true)
                progress(ProgressBar.line("events", summary.events, of: plan.events))
            }
        }
        if !eventRows.isEmpty {
            try await Self.insert(eventRows, on: database)
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

    private func insert<M: Model>(_ rows: [M]) async throws {
        try await database.writeTransaction { tx in try await Self.insert(rows, on: tx) }
    }

    /// Multi-row inserts of 500 (within SQLite's and PostgreSQL's limits on bound values).
    static func insert<M: Model>(_ rows: [M], on database: any Database) async throws {
        for batch in rows.chunked(500) { try await batch.create(on: database) }
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
