import Foundation
import KringCore
import KringStore
import KringTestSupport
import Testing
import VaporTesting

@testable import KringWeb

/// Listening: watched terms with alerts and trend, sentiment per group, rising tags, and the
/// insights board that turns posts into calendar items and ideas.
@Suite("Listening")
struct ListeningTests {
    static let rendered = MetricsFixture.rendered
    static func utc(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test func aWatchedTermAlertsItsWatcherForNewVisiblePostsAndShowsItsTrend() async throws {
        let clock = TestClockWeb(start: Self.utc("2026-11-02T09:00:00Z"))
        try await withKringApp(clock: clock.kringClock) { app in
            let admin = try await TestAccounts.setUpCommunity(app, language: .nl)
            let chef = try await TestAccounts.member(app, handle: "chef", role: .manager)
            let anna = try await TestAccounts.member(app, handle: "anna")
            let open = try await app.repositories.groups.create(
                NewGroup(name: "Klantenservice", description: "", welcomeMessage: "", visibility: .open), by: admin.actor)
            // An old post: in the trend once the term is watched, never an alert.
            _ = try await app.repositories.topics.create(
                NewTopic(
                    groupID: open.id, title: "Wachtrij in oktober", kind: .discussion, body: "De wachtrij was erg vervelend.", tags: []),
                rendered: Self.rendered, by: anna)
            #expect(try await app.listeningJob.run() == 1)
            clock.advance(7 * 86_400)

            let browser = try await signedIn(app, "chef")
            #expect(
                try await browser.post("/cockpit/listening/terms", form: ["term": "twee woorden", "kind": "word", "alerts": "1"]).status
                    == .unprocessableEntity)
            let added = try await browser.post("/cockpit/listening/terms", form: ["term": "Wachtrij", "kind": "word", "alerts": "1"])
            #expect(added.status == .seeOther)
            #expect(
                try await browser.post("/cockpit/listening/terms", form: ["term": "wachtrij", "kind": "word"]).status
                    == .unprocessableEntity, "watched already")
            let term = try #require(try await app.repositories.listening.terms().first)
            #expect(term.term == "wachtrij" && term.alerts && term.createdByID == chef.id)
            #expect(try await app.repositories.listening.mentionCounts(since: .distantPast)[term.id] == 1, "its past is counted at once")

            // New posts: one praising (another form of the word), one held for moderation, one without the term.
            let praise = try await app.repositories.topics.create(
                NewTopic(
                    groupID: open.id, title: "Bedankt", kind: .discussion, body: "De wachtrijen zijn nu heel kort, fantastisch!", tags: []),
                rendered: Self.rendered, by: anna)
            let held = try await app.repositories.topics.create(
                NewTopic(groupID: open.id, title: "Verborgen", kind: .discussion, body: "Die wachtrij, wat een ramp", tags: []),
                rendered: Self.rendered, by: anna)
            try await app.repositories.moderation.hold(
                postID: try #require(try await app.repositories.topics.postID(topicID: held, number: 1)), reason: "test")
            _ = try await app.repositories.topics.create(
                NewTopic(groupID: nil, title: "Iets anders", kind: .discussion, body: "Over het weer", tags: []), rendered: Self.rendered,
                by: anna)
            #expect(try await app.listeningJob.run() == 3)
            #expect(try await app.listeningJob.run() == 0, "each post is heard once")

            let alerts = try await app.repositories.notifications.list(for: try await Viewer.load(chef.actor, on: app.db))
                .filter { $0.kind == .watchedTerm }
            #expect(alerts.count == 1 && alerts.first?.topicID == praise, "only the visible new post")
            #expect(
                try await app.repositories.notifications.list(for: try await Viewer.load(admin.actor, on: app.db)).allSatisfy {
                    $0.kind != .watchedTerm
                }, "the watcher only")

            let page = try await browser.get("/cockpit/listening/terms/\(term.id.uuidString.lowercased())")
            #expect(page.status == .ok)
            #expect(
                page.visibleText(id: "term-summary")?.contains("2 vermeldingen") == true, "\(page.visibleText(id: "term-summary") ?? "")")
            #expect(page.text.contains(#"id="chart-mentions""#) && page.text.contains(#"id="chart-term-sentiment""#))
            // The shares per week: the praise week is all positive, the October complaint all negative.
            let shares = try #require(page.visibleText(id: "term-shares"))
            #expect(shares.contains("100%") && shares.contains("0%"), "\(shares)")
            let posts = try #require(page.visibleText(id: "mention-list"))
            #expect(posts.contains("Bedankt") && posts.contains("Wachtrij in oktober") && !posts.contains("Verborgen"))
            #expect(
                page.text.contains(#"class="mention sentiment-positive""#) && page.text.contains(#"class="mention sentiment-negative""#))

            let overview = try await browser.get("/cockpit/listening")
            #expect(overview.text.contains(#"id="chart-sentiment""#))
            #expect(overview.visibleText(id: "sentiment-by-group")?.contains("Klantenservice") == true)
            #expect(overview.visibleText(id: "term-\(term.id.uuidString.lowercased())")?.contains("2") == true)

            // Alerts off: no more notifications.
            #expect(try await browser.post("/cockpit/listening/terms/\(term.id.uuidString.lowercased())/alerts").status == .seeOther)
            _ = try await app.repositories.topics.create(
                NewTopic(groupID: open.id, title: "Weer de wachtrij", kind: .discussion, body: "De wachtrij", tags: []),
                rendered: Self.rendered, by: anna)
            try await app.listeningJob.run()
            #expect(
                try await app.repositories.notifications.list(for: try await Viewer.load(chef.actor, on: app.db)).filter {
                    $0.kind == .watchedTerm
                }.count == 1)
        }
    }

    @Test func risingTagsCompareWithThePeriodBefore() async throws {
        let clock = TestClockWeb(start: Self.utc("2026-10-01T09:00:00Z"))
        try await withKringApp(clock: clock.kringClock) { app in
            try await TestAccounts.setUpCommunity(app)
            let anna = try await TestAccounts.member(app, handle: "anna")
            _ = try await TestAccounts.member(app, handle: "chef", role: .manager)
            func post(_ title: String, tags: [String]) async throws {
                _ = try await app.repositories.topics.create(
                    NewTopic(groupID: nil, title: title, kind: .discussion, body: "Tekst", tags: tags), rendered: Self.rendered, by: anna)
            }
            try await post("Oud onderwerp een", tags: ["facturen"])
            try await post("Oud onderwerp twee", tags: ["facturen", "app"])
            clock.advance(35 * 86_400)
            for index in 1...3 { try await post("Nieuw onderwerp \(index)", tags: ["app"]) }
            try await post("Factuurvraag", tags: ["facturen"])
            let page = try await signedIn(app, "chef").get("/cockpit/listening")
            let trending = try #require(page.visibleText(id: "trending-table"))
            #expect(trending.contains("#app") && !trending.contains("#facturen"), "facturen fell from 2 to 1")
            #expect(page.visibleText(id: "trending-app")?.contains("+200") == true, "\(page.visibleText(id: "trending-app") ?? "")")
        }
    }

    @Test func anInsightBecomesACalendarItemOrAnIdeaForADepartment() async throws {
        try await withKringApp { app in
            let admin = try await TestAccounts.setUpCommunity(app)
            _ = try await TestAccounts.member(app, handle: "chef", role: .manager)
            let anna = try await TestAccounts.member(app, handle: "anna")
            try await app.repositories.ideas.saveDepartment(name: "Product", description: "")
            let topic = try await app.repositories.topics.create(
                NewTopic(
                    groupID: nil, title: "Export naar Excel mist", kind: .discussion, body: "Ik wil mijn gegevens exporteren.", tags: []),
                rendered: Self.rendered, by: anna)
            let second = try await app.repositories.topics.create(
                NewTopic(groupID: nil, title: "Compliment voor de helpdesk", kind: .discussion, body: "Snel geholpen!", tags: []),
                rendered: Self.rendered, by: anna)
            let browser = try await signedIn(app, "chef")
            let topicPage = try await browser.get("/t/\(topic.uuidString.lowercased())")
            #expect(topicPage.text.contains(#"id="insight-form-1""#), "the team can mark a post")
            #expect(
                !(try await signedIn(app, "anna").get("/t/\(topic.uuidString.lowercased())")).text.contains("insight-form"),
                "members cannot")
            let postID = try #require(try await app.repositories.topics.postID(topicID: topic, number: 1))
            let secondPost = try #require(try await app.repositories.topics.postID(topicID: second, number: 1))
            #expect(
                try await browser.post("/cockpit/insights", form: ["post": postID.uuidString, "kind": "wish", "note": "Vaker gevraagd"])
                    .status == .seeOther)
            #expect(
                try await browser.post("/cockpit/insights", form: ["post": secondPost.uuidString, "kind": "success", "note": ""]).status
                    == .seeOther)
            #expect(
                try await browser.post("/cockpit/insights", form: ["post": secondPost.uuidString, "kind": "nonsense"]).status.code >= 400)

            var board = try await browser.get("/cockpit/insights")
            #expect(board.visibleText(id: "column-wish")?.contains("Export naar Excel mist") == true)
            #expect(board.visibleText(id: "column-success")?.contains("Compliment voor de helpdesk") == true)
            let insights = try await app.repositories.listening.insights()
            let wish = try #require(insights.first { $0.kind == .wish })
            let success = try #require(insights.first { $0.kind == .success })

            // To the content calendar: an idea with the post linked.
            let planned = try await browser.post("/cockpit/insights/\(success.id.uuidString.lowercased())/plan")
            #expect(planned.status == .seeOther)
            let item = try #require(try await app.repositories.contentCalendar.unscheduled().first)
            #expect(
                item.status == .idea && item.title.contains("Compliment voor de helpdesk")
                    && item.notes.contains("/t/\(second.uuidString.lowercased())"))
            #expect(planned.headers.first(name: .location) == "/cockpit/calendar/\(item.id.uuidString.lowercased())")

            // To a department: an idea, routed.
            let department = try #require(try await app.repositories.ideas.departments().first)
            let routed = try await browser.post(
                "/cockpit/insights/\(wish.id.uuidString.lowercased())/route",
                form: ["department": department.id.uuidString, "title": "Gegevens exporteren naar Excel"])
            #expect(routed.status == .seeOther)
            let idea = try #require(try await app.repositories.ideas.list().first)
            #expect(idea.title == "Gegevens exporteren naar Excel" && idea.departmentID == department.id)
            #expect(idea.description.contains("Vaker gevraagd") && idea.description.contains("/t/\(topic.uuidString.lowercased())#post-1"))
            board = try await browser.get("/cockpit/insights")
            #expect(board.visibleText(id: "insights-empty") != nil, "both handled")
            #expect(try await app.repositories.listening.insight(wish.id)?.status == .routed)
            _ = admin
        }
    }
}
