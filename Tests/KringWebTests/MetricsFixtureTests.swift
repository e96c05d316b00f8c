import Foundation
import KringCore
import KringStore
import KringTestSupport
import SQLKit
import Testing
import Vapor

@testable import KringWeb

/// A small community in March 2026 (Amsterdam time) whose every figure was worked out by hand.
/// The expected numbers below are written out, not computed.
enum MetricsFixture {
    static let zone = TimeZone(identifier: "Europe/Amsterdam")!
    static let march = MetricPeriod.containing(utc("2026-03-15T12:00:00Z"), kind: .month, timeZone: zone)

    static func utc(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    struct Built {
        let group: Group
        let topics: [String: UUID]
    }

    /// Repositories whose clock reads `time`, to write history as it happened.
    static func at(_ app: Application, _ time: String) -> Repositories {
        Repositories(database: app.db, clock: .fixed(utc(time)))
    }

    static let rendered = RenderedBody(html: "<p>x</p>", version: 1)

    static func member(_ app: Application, _ handle: String, joined: String, staff: Bool = false) async throws -> Member {
        try await at(app, joined).members.create(
            NewMember(
                handle: handle, displayName: handle.capitalized, email: "\(handle)@kring.test", passwordHash: TestAccounts.passwordHash,
                isStaff: staff, status: .active))
    }

    static func build(_ app: Application) async throws -> Built {
        try await TestAccounts.setUpCommunity(app)
        let anna = try await member(app, "anna", joined: "2025-06-01T10:00:00Z")
        let bram = try await member(app, "bram", joined: "2025-06-02T10:00:00Z")
        let carla = try await member(app, "carla", joined: "2025-06-03T10:00:00Z")
        let dirk = try await member(app, "dirk", joined: "2026-03-10T09:00:00Z")
        let sam = try await member(app, "sam", joined: "2026-03-05T09:00:00Z", staff: true)
        let group = try await at(app, "2025-06-01T11:00:00Z").groups.create(
            NewGroup(name: "Warmtepompen", description: "", welcomeMessage: "", visibility: .open), by: anna.actor)

        func topic(_ author: Member, _ title: String, _ kind: TopicKind, _ time: String, inGroup: Bool = false) async throws -> UUID {
            try await at(app, time).topics.create(
                NewTopic(groupID: inGroup ? group.id : nil, title: title, kind: kind, body: "Vraag", tags: []), rendered: rendered,
                by: author)
        }
        func reply(_ author: Member, _ topic: UUID, _ time: String) async throws {
            try await at(app, time).topics.reply(to: topic, body: "Antwoord", rendered: rendered, replyTo: nil, by: author)
        }
        // Before March: anna's first topic, answered by dirk in March.
        let t5 = try await topic(anna, "Oud onderwerp uit februari", .discussion, "2026-02-27T10:00:00Z")
        // T1: anna asks, bram answers after two hours, and the answer is accepted.
        let t1 = try await topic(anna, "Welke warmtepomp voor een jaren-dertigwoning?", .question, "2026-03-02T10:00:00Z", inGroup: true)
        try await reply(bram, t1, "2026-03-02T12:00:00Z")
        let answer = try #require(try await app.repositories.topics.postID(topicID: t1, number: 2))
        try await at(app, "2026-03-02T13:00:00Z").topics.acceptAnswer(topicID: t1, postID: answer, by: anna.actor)
        // T2: dirk's first topic at 23:30 local time; anna answers ten minutes after midnight.
        let t2 = try await topic(dirk, "Hallo, ik ben nieuw hier", .discussion, "2026-03-11T22:30:00Z")
        try await reply(anna, t2, "2026-03-11T23:10:00Z")
        try await reply(dirk, t5, "2026-03-12T10:00:00Z")
        // T3: bram's first topic; only his own follow-up and a reply that was deleted.
        let t3 = try await topic(bram, "Geluid van de buitenunit", .question, "2026-03-20T08:00:00Z", inGroup: true)
        try await reply(anna, t3, "2026-03-20T08:30:00Z")
        let deleted = try #require(try await app.repositories.topics.postID(topicID: t3, number: 2))
        try await app.repositories.topics.delete(postID: deleted, by: anna.actor)
        try await reply(bram, t3, "2026-03-20T09:00:00Z")
        // T4: by staff, answered by anna: counts as content, not in responsiveness.
        let t4 = try await topic(sam, "Onderhoud aan het forum", .discussion, "2026-03-21T09:00:00Z")
        try await reply(anna, t4, "2026-03-21T10:00:00Z")

        // Visits: one per member per local day.
        for (who, time) in [
            (anna, "2026-02-20T10:00:00Z"), (anna, "2026-03-01T10:00:00Z"), (anna, "2026-03-02T09:00:00Z"), (bram, "2026-03-02T11:00:00Z"),
            (sam, "2026-03-02T11:00:00Z"), (dirk, "2026-03-10T09:05:00Z"), (dirk, "2026-03-11T20:00:00Z"), (anna, "2026-03-11T23:05:00Z"),
            (carla, "2026-03-15T12:00:00Z"),
        ] {
            try await at(app, time).activity.record(.visit, by: who.actor)
        }

        // An event on 14 March: anna and bram going, only anna came.
        let event = try await at(app, "2026-03-01T10:00:00Z").events.create(
            EventDraft(
                groupID: nil, title: "Bezoek aan een warmtepomphuis", description: "", startsAt: utc("2026-03-14T13:00:00Z"),
                endsAt: utc("2026-03-14T15:00:00Z"), timeZone: "Europe/Amsterdam", location: "Utrecht", onlineURL: "", capacity: nil),
            by: sam)
        try await at(app, "2026-03-02T10:00:00Z").events.rsvp(event.id, member: anna, .going)
        try await at(app, "2026-03-02T11:00:00Z").events.rsvp(event.id, member: bram, .going)
        try await at(app, "2026-03-14T13:05:00Z").events.checkIn(event.id, memberID: anna.id, true)

        // An idea routed on 5 March, answered officially a day later.
        try await app.repositories.ideas.saveDepartment(name: "Product", description: "")
        let department = try #require(try await app.repositories.ideas.departments().first)
        let idea = try await at(app, "2026-03-04T10:00:00Z").ideas.submit(
            title: "Een app voor de meterstand", description: "Graag", tags: [], by: bram)
        try await at(app, "2026-03-05T10:00:00Z").ideas.route(idea, to: department.id, by: sam.actor)
        try await at(app, "2026-03-06T10:00:00Z").ideas.comment(
            idea, body: "Komt eraan", html: "", official: true, status: .planned, by: sam)
        return Built(group: group, topics: ["t1": t1, "t2": t2, "t3": t3, "t4": t4, "t5": t5])
    }
}

@Suite("Metrics on a hand-computed community")
struct MetricsFixtureTests {
    @Test func everyFigureMatchesTheHandComputedFixture() async throws {
        try await withKringApp { app in
            let built = try await MetricsFixture.build(app)
            let figures = try await app.repositories.metrics.figures(for: MetricsFixture.march)

            // Growth: dirk joined in March (sam is staff).
            #expect(figures.signups == 1)
            #expect(figures.newContributors == 2, "bram and dirk posted for the first time; anna posted in February")
            // Engagement.
            var dau = Array(repeating: 0, count: 31)
            dau[0] = 1  // 1 March: anna
            dau[1] = 2  // 2 March: anna, bram (sam is staff)
            dau[9] = 1  // 10 March: dirk
            dau[10] = 1  // 11 March: dirk (20:00 UTC is 21:00 local)
            dau[11] = 1  // 12 March: anna at 00:05 local
            dau[14] = 1  // 15 March: carla
            #expect(figures.visitors.dau == dau)
            #expect(figures.visitors.wau[11] == 2, "6–12 March: dirk and anna")
            #expect(figures.visitors.mau.last == 4, "2–31 March: anna, bram, dirk, carla")
            #expect(figures.visitors.mau.first == 1, "30 Jan–1 March: anna (20 February and 1 March)")
            #expect(figures.engagedMembers == 3, "anna, bram and dirk posted; sam is staff")
            #expect(figures.content.topics == 4)
            #expect(figures.content.replies == 5, "the deleted reply does not count")
            #expect(figures.content.events == 1)
            #expect(figures.content.ideas == 1)
            #expect(figures.postsAll == 9)
            #expect(figures.memberGeneratedShare == 8.0 / 9.0)
            // Responsiveness over T1, T2, T3 (T4 is by staff).
            #expect(figures.topicsCreated == 3)
            #expect(figures.responseHours.sorted() == [40.0 / 60.0, 2.0])
            #expect(figures.medianResponseHours == (40.0 / 60.0 + 2.0) / 2)
            #expect(figures.unanswered.map(\.id) == [built.topics["t3"]], "only bram answered bram; anna's reply was deleted")
            #expect(figures.firstTopics == 2, "dirk's T2 and bram's T3; anna started in February")
            #expect(figures.firstTopicsAnsweredWithin24h == 1)
            #expect(figures.questions == 2)
            #expect(figures.solvedQuestions == 1)
            // Participation: anna 3 posts, bram 3, dirk 2; carla only read.
            #expect(figures.participation.activeMembers == 4)
            #expect(figures.participation.lurkers == 1)
            #expect(figures.participation.superusers == 1)
            #expect(figures.participation.contributors == 2)
            #expect(figures.participation.absenceFactor == 2, "3 + 3 of 8 posts is the first half")
            // sorted 2,3,3: 2·(1·2 + 2·3 + 3·3) ÷ (3·8) − 4/3 = 34/24 − 32/24 = 1/12
            #expect(abs((figures.participation.gini ?? 0) - 1.0 / 12.0) < 1e-9)
            // Events and ideas.
            #expect(figures.eventsHeld == 1)
            #expect(figures.eventsGoing == 2)
            #expect(figures.eventsCheckedIn == 1)
            #expect(figures.departments.map(\.name) == ["Product"])
            #expect(figures.departments.first?.medianHours == 24)
            // Retention over the twelve months to March: anna, bram and carla joined in June 2025 and
            // were not seen in the 90 days after; dirk (March) came back and posted on his second day.
            #expect(figures.cohorts.map(\.size) == [3, 1])
            #expect(figures.cohorts.first?.returnedWithin90 == 0)
            #expect(figures.cohorts.last?.returnedDay1 == 1)
            #expect(figures.cohorts.last?.returnedWithin7 == 1)
            #expect(figures.cohorts.last?.postedWithin30 == 1)

            // The group filter: T1 and T3 live in the group.
            let inGroup = try await app.repositories.metrics.figures(for: MetricsFixture.march, groupID: built.group.id)
            #expect(inGroup.content.topics == 2)
            #expect(inGroup.content.replies == 2)
            #expect(inGroup.questions == 2)
            #expect(inGroup.solvedQuestions == 1)
            #expect(inGroup.unanswered.map(\.id) == [built.topics["t3"]])
            #expect(inGroup.content.events == 0)
        }
    }
}

extension MetricsFixtureTests {
    @Test func botsCountForNoOneAndTheirRepliesAnswerNoOne() async throws {
        try await withKringApp { app in
            let built = try await MetricsFixture.build(app)
            let before = try await app.repositories.metrics.figures(for: MetricsFixture.march)
            let bot = try await MetricsFixture.at(app, "2026-03-01T08:00:00Z").members.create(
                NewMember(
                    handle: "feedbot", displayName: "Feed bot", email: "bot@kring.test", passwordHash: TestAccounts.passwordHash,
                    isBot: true))
            try await MetricsFixture.at(app, "2026-03-03T10:00:00Z").activity.record(.visit, by: bot.actor)
            let t3 = try #require(built.topics["t3"])
            try await MetricsFixture.at(app, "2026-03-20T08:05:00Z").topics.reply(
                to: t3, body: "Automatisch antwoord", rendered: MetricsFixture.rendered, replyTo: nil, by: bot)
            #expect(try await app.repositories.activity.count(.visit, actorID: bot.id) == 1, "the bot's visit is in the log")

            let after = try await app.repositories.metrics.figures(for: MetricsFixture.march)
            #expect(after.signups == before.signups, "a bot is no new member")
            #expect(after.visitors == before.visitors, "nor a visitor")
            #expect(after.engagedMembers == before.engagedMembers)
            #expect(after.participation == before.participation)
            #expect(after.unanswered.map(\.id) == [t3], "the bot's reply answers no one")
            #expect(after.responseHours == before.responseHours)
            #expect(after.content.replies == before.content.replies + 1, "its post is content")
            #expect(after.memberGeneratedShare == 8.0 / 10.0, "but not member-generated")
            // The rollups keep bots apart too.
            try await app.repositories.rollups.catchUp(timeZone: MetricsFixture.zone)
            #expect(try await app.repositories.metrics.figures(for: MetricsFixture.march) == after)
        }
    }

    @Test func aPeriodStillRunningCountsOnlyItsDaysSoFar() async throws {
        try await withKringApp { app in
            _ = try await MetricsFixture.build(app)
            let twelfth = MetricsRepository(database: app.db, clock: .fixed(MetricsFixture.utc("2026-03-12T12:00:00Z")))
            let figures = try await twelfth.figures(for: MetricsFixture.march)
            #expect(figures.visitors.days.count == 12, "1 to 12 March")
            #expect(figures.mau == 3, "11 February–12 March: anna, bram, dirk; not 0 for a day still to come")
            #expect(figures.visitors.averageDAU == 0.5, "1 + 2 + 1 + 1 + 1 visitors over 12 days")
            #expect(figures.signupsByDay.count == 12)
        }
    }

    @Test func inactiveMembersDidNothingInTheChosenInterval() async throws {
        try await withKringApp { app in
            let built = try await MetricsFixture.build(app)
            let february = MetricPeriod.containing(MetricsFixture.utc("2026-02-15T12:00:00Z"), kind: .month, timeZone: MetricsFixture.zone)
            let quiet = try await app.repositories.metrics.figures(for: february, inactiveDays: 30)
            #expect(quiet.inactiveMembers == 2, "bram and carla, silent since June; anna visited and posted; dirk had not joined")
            let march = try await app.repositories.metrics.figures(for: MetricsFixture.march, inactiveDays: 30)
            #expect(march.inactiveMembers == 0, "everyone who joined before 2 March did something since")
            let inGroup = try await app.repositories.metrics.figures(for: february, groupID: built.group.id, inactiveDays: 30)
            #expect(inGroup.inactiveMembers == 1, "anna, who created the group, did nothing in it in February")
        }
    }
}

@Suite("Daily rollups")
struct RollupTests {
    @Test func figuresFromTheRollupsEqualTheDirectComputationAndTheJobCatchesUp() async throws {
        try await withKringApp { app in
            let built = try await MetricsFixture.build(app)
            let zone = MetricsFixture.zone
            let direct = MetricsRepository(database: app.db, clock: .system, usesRollups: false)
            let expected = try await direct.figures(for: MetricsFixture.march)
            let expectedInGroup = try await direct.figures(for: MetricsFixture.march, groupID: built.group.id)

            // The job ran until 12 March, then the server was down; the days after come from the log.
            let midMarch = ActivityRollups(database: app.db, clock: .fixed(MetricsFixture.utc("2026-03-12T08:00:00Z")))
            #expect(try await midMarch.catchUp(timeZone: zone) > 250, "from the first event in June 2025")
            #expect(
                try await midMarch.rolledThrough(timeZone: zone) == MetricsFixture.utc("2026-03-10T23:00:00Z"),
                "11 March is the last finished day")
            #expect(
                try await app.repositories.metrics.figures(for: MetricsFixture.march) == expected, "rollups up to 11 March, the log after")

            // Back up: it catches up from where it stopped, and running again changes nothing.
            let caughtUp = try await app.repositories.rollups.catchUp(timeZone: zone)
            #expect(caughtUp > 250, "every day since 12 March 2026")
            #expect(try await app.repositories.rollups.catchUp(timeZone: zone) == 0, "idempotent")
            #expect(try await app.repositories.metrics.figures(for: MetricsFixture.march) == expected)
            #expect(try await app.repositories.metrics.figures(for: MetricsFixture.march, groupID: built.group.id) == expectedInGroup)
            // The cockpit really reads the rollups: with the raw visits gone, only the direct computation changes.
            try await (app.db as! any SQLDatabase).raw("DELETE FROM activity_events WHERE kind = 'visit'").run()
            #expect(try await direct.figures(for: MetricsFixture.march).visitors.dau.allSatisfy { $0 == 0 })
            let fromRollups = try await app.repositories.metrics.figures(for: MetricsFixture.march)
            #expect(fromRollups.visitors == expected.visitors, "DAU, WAU and MAU per day from visitors_daily")
            #expect(fromRollups.participation.activeMembers == expected.participation.activeMembers)
            #expect(fromRollups.cohorts == expected.cohorts, "first returns from member_first_days")
            #expect(fromRollups.cohorts.contains { ($0.returnedWithin90 ?? 0) > 0 }, "the fixture has returns to lose")

            // Another time zone cuts days differently: everything is rolled up again.
            let tokyo = TimeZone(identifier: "Asia/Tokyo")!
            #expect(try await app.repositories.rollups.rolledThrough(timeZone: tokyo) == nil)
            try await app.repositories.rollups.catchUp(timeZone: tokyo)
            let inTokyo = MetricPeriod.containing(MetricsFixture.utc("2026-03-15T12:00:00Z"), kind: .month, timeZone: tokyo)
            #expect(try await app.repositories.metrics.figures(for: inTokyo) == (try await direct.figures(for: inTokyo)))
        }
    }
}

@Suite("Finished periods' figures kept a while")
struct FinishedPeriodCacheTests {
    /// Counts how often the figures were computed.
    actor Computations {
        var count = 0
        func figures(_ period: MetricPeriod) -> CommunityFigures {
            count += 1
            return CommunityFigures(
                period: period, visitors: VisitorSeries(days: [], dau: [], wau: [], mau: []),
                participation: CommunityMaths.participation(everyone: count, postCounts: []))
        }
    }

    @Test func aFinishedPeriodIsComputedOnceInTenMinutesAndARunningOneEveryTime() async throws {
        let cache = FinishedPeriodCache()
        let computations = Computations()
        let february = MetricPeriod.containing(MetricsFixture.utc("2026-02-15T12:00:00Z"), kind: .month, timeZone: MetricsFixture.zone)
        let now = MetricsFixture.utc("2026-03-15T12:00:00Z")
        func ask(_ period: MetricPeriod, at time: Date, group: UUID? = nil, days: Int = 90) async throws -> Int {
            try await cache.figures(for: period, groupID: group, inactiveDays: days, now: time) { await computations.figures(period) }
                .participation.activeMembers
        }
        #expect(try await ask(february, at: now) == 1)
        #expect(try await ask(february, at: now.addingTimeInterval(599)) == 1, "the same figures within ten minutes")
        #expect(try await ask(february, at: now, group: UUID()) == 2, "another group is another entry")
        #expect(try await ask(february, at: now, days: 30) == 3, "and so is another inactivity interval")
        #expect(try await ask(february, at: now.addingTimeInterval(601)) == 4, "computed again after ten minutes")
        #expect(try await ask(MetricsFixture.march, at: now) == 5, "March is still running")
        #expect(try await ask(MetricsFixture.march, at: now) == 6, "and is computed every time")
    }

    @Test func requestsForTheSameFiguresAtTheSameTimeShareOneComputation() async throws {
        let cache = FinishedPeriodCache()
        let computations = Computations()
        let now = MetricsFixture.utc("2026-03-15T12:00:00Z")
        let ask: @Sendable () async throws -> Int = {
            try await cache.figures(for: MetricsFixture.march, groupID: nil, inactiveDays: 90, keeps: false, now: now) {
                try await Task.sleep(for: .milliseconds(300))
                return await computations.figures(MetricsFixture.march)
            }.participation.activeMembers
        }
        async let first = ask()
        async let second = ask()
        async let third = ask()
        #expect(try await [first, second, third] == [1, 1, 1], "three requests, one computation")
        #expect(try await ask() == 2, "a later request computes afresh")
    }
}
