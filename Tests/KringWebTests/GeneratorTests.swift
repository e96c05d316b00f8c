import Foundation
import KringCore
import KringTestSupport
import SQLKit
import Testing
import Vapor

@testable import KringStore
@testable import KringWeb

@Suite("Generated community")
struct GeneratorTests {
    /// What `kring generate` writes, at a small size: the shape the benchmarks rely on, and a
    /// community the pages and the cockpit read like any other.
    @Test func theGeneratorWritesARealisticCommunityThatThePagesRead() async throws {
        try await withKringApp { app in
            let lines = LockedLines()
            let plan = GeneratorPlan(members: 500, posts: 4_000, events: 15_000, months: 6)
            let summary = try await GenerateCommand.generate(plan, on: app, passwordHash: TestAccounts.passwordHash) { lines.append($0) }
            #expect(lines.all.contains { $0.contains("posts") && $0.contains("100 %") }, "a progress bar per phase: \(lines.all)")
            let sql = app.db as! any SQLDatabase
            func number(_ query: SQLQueryString) async throws -> Int {
                try await sql.raw(query).first()!.decode(column: "n", as: Int.self)
            }

            #expect(summary.members == 500)
            #expect(try await number("SELECT COUNT(*) AS n FROM members") == 500)
            #expect(try await number("SELECT COUNT(*) AS n FROM posts") == summary.posts)
            #expect(summary.posts == 4_000)
            #expect(try await number("SELECT COUNT(*) AS n FROM activity_events") == 15_000, "the log holds the planned events: \(summary)")
            #expect(try await number("SELECT COUNT(*) AS n FROM reactions") == summary.reactions)

            // Heavy-tailed: a tenth of the members write most posts, and many never post at all.
            let perAuthor = try await sql.raw("SELECT COUNT(*) AS n FROM posts GROUP BY author_id ORDER BY n DESC").all()
                .map { try $0.decode(column: "n", as: Int.self) }
            #expect(perAuthor.prefix(50).reduce(0, +) * 2 > summary.posts, "the most active tenth wrote over half: \(perAuthor.prefix(5))")
            #expect(perAuthor.count < 300, "over 40 % only read (\(perAuthor.count) of 500 posted)")

            // Groups of each visibility, one archived; months of history; replies hours after the question.
            let groups = try await GroupRecord.query(on: app.db).all()
            #expect(Set(groups.map(\.visibility)) == Set(GroupVisibility.allCases.map(\.rawValue)))
            #expect(groups.contains { $0.isArchived })
            let zone = TimeZone(identifier: "Europe/Amsterdam")!
            let topics = try await TopicRecord.query(on: app.db).all()
            let months = Set(topics.map { MetricPeriod.containing($0.createdAt, kind: .month, timeZone: zone).start })
            #expect(months.count >= 6, "topics in each month of the history")
            let delays = topics.compactMap { topic in topic.firstResponseAt.map { $0.timeIntervalSince(topic.createdAt) / 3600 } }.sorted()
            let median = delays[delays.count / 2]
            #expect(median > 0.5 && median < 24, "a first answer after hours, not seconds or weeks (median \(median) h)")
            #expect(topics.contains { $0.solutionPostID != nil } && topics.contains { $0.replyCount == 0 }, "solved and unanswered")

            // Rolled up, in rows like Fluent's own: the cockpit reads them.
            #expect(summary.rolledUpDays > 150)
            let rolled = try await sql.raw("SELECT id FROM activity_daily").all().map { try $0.decode(column: "id", as: UUID.self) }
            #expect(rolled.count > 1_000 && Set(rolled).count == rolled.count, "a fresh id for every rolled-up row")
            if sql.dialect.name == "sqlite" {
                #expect(
                    try await number("SELECT COUNT(*) AS n FROM activity_daily WHERE typeof(id) = 'text' AND id = upper(id)")
                        == rolled.count,
                    "ids stored as the upper-case text Fluent writes")
            }

            let manager = TestBrowser(app)
            #expect(
                try await manager.post("/login", form: ["login": "gen-manager", "password": TestAccounts.password]).status == .seeOther)
            let cockpit = try await manager.get("/cockpit")
            #expect(cockpit.status == .ok)
            let busiest = try #require(topics.max { $0.replyCount < $1.replyCount })
            let page = try await TestBrowser(app).get("/t/\(busiest.id!.uuidString.lowercased())")
            #expect(page.status == .ok && page.text.contains(busiest.title), "a generated topic reads like any other")
        }
    }
}
