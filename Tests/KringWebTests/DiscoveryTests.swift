import Foundation
import KringCore
import KringTestSupport
import SQLKit
import Testing
import Vapor

@testable import KringStore
@testable import KringWeb

@Suite("Search, tags, notifications, pages and menu")
struct DiscoveryTests {
    @Test func searchStemsDutchAndEnglishAndFindsEveryKind() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(
                app, handle: "anna", profile: MemberProfile(bio: "Ik help buren met isolatie", interests: ["zonnepanelen"]))
            let anna = try await signedIn(app, "anna")
            let slug = try await createGroup(anna, name: "Energiecoöperatie Noord", visibility: .open)
            let topic = try await createTopic(
                anna, group: slug, title: "Zonnepanelen op het schooldak", body: "De leerlingen legden de panelen op de woningen.")
            try await anna.post("\(topic)/replies", form: ["body": "Heat pumps are running smoothly since we installed them."])
            let expectations = [
                ("paneel", "Zonnepanelen op het schooldak"),  // Dutch plural found by singular
                ("woning", "Zonnepanelen op het schooldak"),
                ("pump", "Reply"),  // English plural found by singular, in a reply
                ("running installing", "Reply"),
                ("energiecooperatie", "Energiecoöperatie Noord"),  // Dutch folds the diaeresis
                ("isolatie", "Anna Tester"),
            ]
            for (query, expected) in expectations {
                let page = try await anna.get("/search?q=\(query.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)")
                #expect(page.text.contains(expected), "\(query) finds \(expected)")
            }
            let none = try await anna.get("/search?q=olifant")
            #expect(none.text.contains(#"id="no-results""#))
            let tricky = try await anna.get("/search?q=%22%29%20OR%20*%20NEAR(")
            #expect(tricky.status == .ok, "query syntax typed by people is not read as syntax")
            #expect(
                try await TestBrowser(app).get("/search?q=isolatie").text.contains("Anna Tester") == false, "visitors do not search people")

            // `kring reindex`: an index emptied (or never filled, as by `kring generate`) is rebuilt from the content.
            let sql = try #require(app.db as? any SQLDatabase)
            if sql.dialect.name != "postgresql" {
                try await sql.raw("DELETE FROM search_fts").run()
                try await sql.raw("DELETE FROM search_fts_map").run()
            }
            try await sql.raw("DELETE FROM search_documents").run()
            #expect(try await anna.get("/search?q=paneel").text.contains(#"id="no-results""#))
            let indexed = try await SearchIndex(database: app.db, clock: .system).rebuild(batchSize: 1)
            #expect(indexed >= 5, "group, members, topic and reply")
            for (query, expected) in expectations {
                let page = try await anna.get("/search?q=\(query.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)")
                #expect(page.text.contains(expected), "after the rebuild \(query) finds \(expected)")
            }
            #expect(try await SearchIndex(database: app.db, clock: .system).rebuild() == indexed, "a second rebuild leaves no duplicates")
            #expect(
                try await anna.get("/search?q=pump").text.components(separatedBy: #"class="search-result "#).count == 2, "one hit, not two")
        }
    }

    /// A search ranks the newest 2,000 matches: a common word's oldest matches drop out, a rare word
    /// is found however old. On PostgreSQL these are two routes (the newest documents walked first,
    /// or the full-text index), so both are taken here; a rebuilt index dates documents by their
    /// content, as live indexing does.
    @Test func searchRanksTheNewestMatchesOfACommonWordAndFindsARareOneAnywhere() async throws {
        try await withKringApp { app in
            let admin = try await TestAccounts.setUpCommunity(app)
            var topics = GeneratedRows(
                table: TopicRecord.schema,
                columns: [
                    "id", "author_id", "title", "kind", "is_pinned", "reply_count", "last_post_number", "last_posted_at", "created_at",
                    "updated_at",
                ])
            var posts = GeneratedRows(
                table: PostRecord.schema,
                columns: ["id", "topic_id", "author_id", "post_number", "body", "body_html", "render_version", "created_at", "updated_at"])
            let common = SearchIndex.rankedMatches + 100
            let start = Date(timeIntervalSince1970: 1_700_000_000)
            var ids: [UUID] = []
            for index in 0...common {
                let id = UUID()
                let at = start.addingTimeInterval(Double(index) * 600)
                let (title, body) =
                    index == 0
                    ? ("Les op de xylofoon", "Wie geeft er les in de buurt?") : ("Warmtepomp nummer \(index)", "Onze warmtepomp draait.")
                topics.append(id, admin.id, title, TopicKind.discussion.rawValue, false, 0, 1, at, at, at)
                posts.append(UUID(), id, admin.id, 1, body, "<p>\(body)</p>", 1, at, at)
                ids.append(id)
            }
            try await app.db.writeTransaction { [topics, posts] tx in
                try await topics.write(on: tx)
                try await posts.write(on: tx)
            }
            var index = SearchIndex(database: app.db, clock: .system)
            _ = try await index.rebuild()
            // The rare word's one document lies outside the newest documents PostgreSQL walks first.
            index.probeWindow = 1_000

            let hits = try await index.search("warmtepomp", viewer: .anonymous, limit: 500)
            #expect(hits.count == 500)
            let oldest = Set(ids[1...100])
            #expect(hits.allSatisfy { !oldest.contains($0.refID) }, "the hundred oldest of 2,100 matches are not ranked")
            let rare = try await index.search("xylofoon", viewer: .anonymous)
            #expect(rare.map(\.refID) == [ids[0]], "the oldest topic of all is found by its own word")
        }
    }

    @Test func managersRenameDescribeAndMergeTags() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "anna")
            try await TestAccounts.member(app, handle: "manon", role: .manager)
            let anna = try await signedIn(app, "anna")
            _ = try await createTopic(anna, group: nil, title: "Over panelen en daken", body: "x y z", tags: "pv, zon")
            _ = try await createTopic(anna, group: nil, title: "Nog iets over zon", body: "a b c", tags: "zonne-energie")
            #expect(try await anna.get("/tags").text.contains(">pv<"))
            #expect(try await anna.post("/tags/pv", form: ["name": "panelen"]).status == .forbidden)
            let manon = try await signedIn(app, "manon")
            try await manon.get("/tags/pv")
            #expect(
                try await manon.post("/tags/pv", form: ["name": "zonnepanelen", "description": "Alles over pv-panelen"]).status == .seeOther
            )
            let renamed = try await anna.get("/tags/zonnepanelen")
            #expect(renamed.visibleText(id: "tag-description") == "Alles over pv-panelen")
            #expect(renamed.text.contains("Over panelen en daken"))
            try await manon.get("/tags/zonne-energie")
            #expect(try await manon.post("/tags/zonne-energie/merge", form: ["into": "zonnepanelen"]).status == .seeOther)
            let merged = try await anna.get("/tags/zonnepanelen")
            #expect(merged.text.contains("Nog iets over zon"))
            #expect(try await anna.get("/tags/zonne-energie").status == .notFound)
            #expect(try await manon.post("/tags/zon/merge", form: ["into": "bestaat-niet"]).status == .unprocessableEntity)
        }
    }

    @Test func notificationsArePreferredReadAndMailed() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "anna")
            try await TestAccounts.member(app, handle: "bram")
            let anna = try await signedIn(app, "anna")
            let topic = try await createTopic(anna, group: nil, title: "Wie weet iets van subsidies?", body: "Graag tips", kind: .question)
            let bram = try await signedIn(app, "bram")
            try await bram.post("\(topic)/replies", form: ["body": "Kijk bij het energieloket, @anna"])

            // Mentions are mailed at once by default; replies wait for the daily summary.
            let mail = app.notificationMail
            #expect(try await mail.sendImmediate() == 1)
            let mentionMail = try #require(try await app.repositories.outbox.list(recipient: "anna@kring.test").first)
            #expect(mentionMail.subject.contains("mentioned you"))
            #expect(mentionMail.bodyText.contains("http://kring.test\(topic)#post-2"))
            #expect(try await mail.sendImmediate() == 0, "nothing is mailed twice")

            let home = try await anna.get("/")
            #expect(home.visibleText(id: "unread-count") == "2")
            let list = try await anna.get("/notifications")
            let id = try #require(TestBrowser.firstMatch(#"href="/notifications/([0-9a-f-]+)""#, in: list.text))
            let open = try await anna.get("/notifications/\(id)")
            #expect(open.headers.first(name: .location)?.hasPrefix(topic) == true)
            #expect(try await anna.get("/").visibleText(id: "unread-count") == "1")

            try await anna.get("/settings/notifications")
            var form: [String: String] = [:]
            for kind in NotificationKind.allCases {
                form["app_\(kind.rawValue)"] = "1"
                form["email_\(kind.rawValue)"] = "never"
            }
            form["app_reaction"] = "0"
            #expect(try await anna.post("/settings/notifications", form: form).status == .seeOther)
            let post = try #require(TestBrowser.firstMatch(#"/posts/([0-9a-f-]+)/react"#, in: try await bram.get(topic).text))
            try await bram.post("/posts/\(post)/react", form: ["kind": "like"])
            #expect(!(try await anna.get("/notifications").text.contains("reacted to your post")), "switched off in the app")
            try await anna.post("/notifications/read")
            #expect(try await anna.get("/").visibleText(id: "unread-count") == nil)
            #expect(try await anna.post("/settings/notifications", form: ["email_reply": "hourly"]).status == .unprocessableEntity)
        }
    }

    @Test func dailySummariesCollectADayOfNotifications() async throws {
        let clock = TestClockWeb()
        try await withKringApp(clock: clock.kringClock) { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "anna")
            try await TestAccounts.member(app, handle: "bram")
            let anna = try await signedIn(app, "anna")
            let topic = try await createTopic(anna, group: nil, title: "Dagelijkse vraag", body: "Wie helpt?")
            let bram = try await signedIn(app, "bram")
            try await bram.post("\(topic)/replies", form: ["body": "Ik!"])
            try await bram.post("\(topic)/replies", form: ["body": "En nog iets"])
            #expect(try await app.notificationMail.sendDailySummaries() == 0, "not a day old yet")
            clock.advance(86_401)
            #expect(try await app.notificationMail.sendDailySummaries() == 1)
            let summary = try #require(
                try await app.repositories.outbox.list(recipient: "anna@kring.test").first { $0.kind == "daily_summary" })
            #expect(summary.bodyText.components(separatedBy: "replied in").count == 3, "both replies in one mail")
            #expect(try await app.notificationMail.sendDailySummaries() == 0)
        }
    }

    @Test func managersWriteLandingPagesAndTheMenu() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "anna")
            try await TestAccounts.member(app, handle: "manon", role: .manager)
            let anna = try await signedIn(app, "anna")
            #expect(try await anna.get("/admin/pages").status == .forbidden)
            let manon = try await signedIn(app, "manon")
            try await manon.get("/admin/pages")
            let saved = try await manon.post(
                "/admin/pages",
                form: [
                    "slug": "huisregels", "title": "Huisregels",
                    "body": "# Wees aardig\n\n[Meer](https://example.org) <script>alert(1)</script>",
                ])
            #expect(saved.headers.first(name: .location) == "/p/huisregels")
            let page = try await anna.get("/p/huisregels")
            #expect(page.text.contains("<h3>Wees aardig</h3>"))
            #expect(page.text.contains(#"<a href="https://example.org" rel="noopener">Meer</a>"#))
            #expect(!page.text.contains("<script>alert"))
            #expect(try await manon.post("/admin/pages", form: ["slug": "", "title": "", "body": ""]).status == .unprocessableEntity)

            try await manon.get("/admin/menu")
            #expect(
                try await manon.post("/admin/menu", form: ["label_en": "House rules", "label_nl": "Huisregels", "path": "/p/huisregels"])
                    .status == .seeOther)
            #expect(
                try await manon.post("/admin/menu", form: ["label_en": "Evil", "label_nl": "Kwaad", "path": "javascript:alert(1)"]).status
                    == .unprocessableEntity)
            let english = try await TestBrowser(app, acceptLanguage: "en").get("/")
            #expect(english.text.contains(#"<a href="/p/huisregels">House rules</a>"#))
            let dutch = try await TestBrowser(app, acceptLanguage: "nl").get("/")
            #expect(dutch.text.contains(#"<a href="/p/huisregels">Huisregels</a>"#))
        }
    }

    @Test func theHomePageShowsWhatIsHappeningAndWelcomesNewcomers() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "anna")
            let anna = try await signedIn(app, "anna")
            let slug = try await createGroup(anna, name: "Buurtmoestuin", visibility: .open)
            _ = try await createTopic(anna, group: slug, title: "Wie plant de tomaten?", body: "Het is mei!")
            let visitor = try await TestBrowser(app).get("/")
            #expect(visitor.text.contains("Wie plant de tomaten?"))
            #expect(visitor.text.contains("Buurtmoestuin"))
            let home = try await anna.get("/")
            #expect(home.text.contains(#"id="newcomer-start""#))
            #expect(home.text.contains(#"class="is-done""#), "joining a group is ticked off")
        }
    }
}

/// A movable clock for web tests.
final class TestClockWeb: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    init(start: Date = Date()) { current = start }

    func advance(_ seconds: TimeInterval) { lock.withLock { current += seconds } }
    var kringClock: KringClock { KringClock { [self] in lock.withLock { current } } }
}
