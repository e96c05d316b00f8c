import Foundation
import KringCore
import KringStore
import KringTestSupport
import Testing
import Vapor

@testable import KringWeb

@Suite("Stack Exchange import")
struct ImportTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let realDump = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../shared/data/stackexchange/quantumcomputing.stackexchange.com").standardizedFileURL

    static func run(_ app: Application, _ directory: URL) async throws -> StackExchangeImport.Summary {
        try await StackExchangeImport(repositories: app.repositories, directory: directory, progress: { _ in }).run()
    }

    @Test func aSmallDumpBecomesMembersTopicsRepliesAndLikesWithTheirOwnDates() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            let dump = Self.fixtures.appendingPathComponent("mini.stackexchange.com")
            let summary = try await Self.run(app, dump)
            #expect(summary.members == 4)
            #expect(summary.questions == 2)
            #expect(summary.answers == 2)
            #expect(summary.comments == 2)
            #expect(summary.accepted == 1)
            #expect(summary.likes == 3, "up-votes only; the down-vote and the acceptance vote are not likes")
            #expect(summary.skipped == 2, "a comment and a vote on a deleted post")
            #expect(summary.badges == 5, "the badge of a user not in the dump is left out")
            #expect(summary.tagsDescribed == 1, "simulation has an excerpt; qudit has none and unused-tag no topics")
            #expect(
                try await app.repositories.tags.find(slug: "simulation")?.description == "Simulating one computer _on another_.",
                "the tag wiki excerpt describes the tag")

            let ada = try #require(try await app.repositories.members.find(handle: "ada-lovelace-7"))
            #expect(ada.createdAt == StackExchangeDump.date("2018-03-12T16:50:00.000"))
            #expect(ada.profile.bio == "Writes **programs**.")
            #expect(try await app.repositories.members.find(handle: "emile-noether-9")?.displayName == "Émile Noether")
            let adaProfile = try await TestBrowser(app).get("/members/ada-lovelace-7")
            #expect(adaProfile.visibleText(id: "profile-badges") == "BadgesNice Question ×2InformedStudent", "most often first")
            #expect(
                try await app.repositories.members.find(handle: "community-system1")?.isBot == true,
                "the system account is a bot, not a member")

            let browser = TestBrowser(app)
            let list = try await browser.get("/topics")
            let path = try #require(TestBrowser.firstMatch(#"href="(/t/[0-9a-f-]+)"[^>]*>Can a Turing machine"#, in: list.text))
            let page = try await browser.get(path)
            #expect(page.status == .ok)
            let order = ["Can a", "Define ", "Only slowly", "Yes, with", "Thanks, that helps"].map { page.text.range(of: $0)?.lowerBound }
            #expect(order.allSatisfy { $0 != nil } && order.compactMap { $0 } == order.compactMap { $0 }.sorted(), "replies in time order")
            #expect(page.text.contains(#"href="https://quantumcomputing.stackexchange.com"#) == false)
            #expect(page.text.contains("https://mini.stackexchange.com/q/1"), "each post links its original (CC BY-SA)")
            #expect(page.text.contains("https://mini.stackexchange.com/users/7"))
            #expect(page.text.contains("Gone Person (deleted account)"), "answers by deleted accounts keep the name left behind")
            #expect(page.text.contains("badge-solved") || page.text.contains("solution"), "the accepted answer is marked")
            #expect(page.text.contains("$p_a&lt;p_c$") || page.text.contains("&lt;p"), "maths with < stays text")

            // History: the activity log carries the original times; nobody was notified about the past.
            let figures = try await app.repositories.metrics.figures(
                for: try #require(
                    MetricPeriod.custom(
                        from: StackExchangeDump.date("2018-03-01T12:00:00.000")!,
                        through: StackExchangeDump.date("2018-03-31T12:00:00.000")!, timeZone: .gmt)))
            #expect(figures.signups == 3, "Ada, Émile and the lurker; the system account is a bot")
            #expect(figures.content.topics == 2)
            #expect(figures.content.replies == 4)
            #expect(figures.unanswered.map(\.title) == ["What is a qudit, exactly?"])
            #expect(figures.solvedQuestions == 1)
            #expect(
                figures.responseHours.first.map { abs($0 - (29 * 60 + 14.55) / 3600) < 0.01 } == true, "the comment 29 minutes after asking"
            )
            let ada_ = try await Viewer.load(ada.actor, on: app.db)
            #expect(try await app.repositories.notifications.list(for: ada_).isEmpty)

            // Again: nothing new.
            #expect(try await Self.run(app, dump) == StackExchangeImport.Summary(skipped: 2))
        }
    }

    @Test func brokenDumpsGetAClearError() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            let broken = FileManager.default.temporaryDirectory.appendingPathComponent("broken-\(UUID().uuidString).stackexchange.com")
            try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: broken) }
            await #expect(throws: StackExchangeDump.Failure.self) { try await Self.run(app, broken) }
            try "<users><row Id=\"1\" DisplayName=\"x\" CreationDate=\"2018-01-01T00:00:00\"></users>".write(
                to: broken.appendingPathComponent("Users.xml"), atomically: true, encoding: .utf8)
            do {
                _ = try await Self.run(app, broken)
                Issue.record("a malformed file must fail")
            } catch let failure as StackExchangeDump.Failure {
                #expect(failure.description.hasPrefix("Users.xml is not a well-formed dump file (line 1)"), "\(failure.description)")
            }
        }
    }

    /// The real community (612 questions, ~5,000 posts): its figures must agree with each other.
    /// SQLite only: the import takes a couple of minutes in a debug build.
    @Test(.enabled(if: TestDatabase.postgresURL == nil && FileManager.default.fileExists(atPath: realDump.path)))
    func theQuantumComputingCommunityYieldsConsistentFigures() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            let summary = try await Self.run(app, Self.realDump)
            #expect(summary.questions == 612)
            #expect(summary.answers == 1060)
            #expect(summary.comments + summary.skipped >= 3413 - 200)
            let zone = TimeZone(identifier: "Europe/Amsterdam")!
            let whole = try #require(
                MetricPeriod.custom(
                    from: StackExchangeDump.date("2018-03-01T12:00:00")!, through: StackExchangeDump.date("2018-09-30T12:00:00")!,
                    timeZone: zone))
            let figures = try await app.repositories.metrics.figures(for: whole)
            #expect(figures.content.topics == 612)
            #expect(figures.content.replies == summary.answers + summary.comments)
            #expect(figures.unanswered.count + figures.responseHours.count == figures.topicsCreated, "unanswered + answered = questions")
            #expect(figures.questions == figures.topicsCreated, "every topic is a question")
            #expect(figures.solvedQuestions <= summary.accepted)
            #expect(figures.cohorts.reduce(0) { $0 + $1.size } == figures.signups, "the cohort table's sizes sum to the signups")
            #expect(
                figures.participation.lurkers + figures.participation.contributors + figures.participation.superusers
                    == figures.participation.activeMembers)
            #expect(figures.engagedMembers <= figures.participation.activeMembers)
            #expect((figures.participation.gini ?? 0) > 0.5, "a few people write most answers")
        }
    }
}
