import Foundation
import KringCore
import KringStore
import KringTestSupport
import NIOConcurrencyHelpers
import SQLKit
import Testing
import Vapor

@testable import KringWeb

/// Pages kept for signed-out visitors: served with each visitor's own form token, never stale
/// after a write (through this process, or straight into the database as another process would),
/// kept apart by language, and never for members or visitors with a message waiting.
@Suite("Pages cached for signed-out visitors")
struct AnonymousPageCacheTests {
    /// A Kring app whose page cache works as in production: on PostgreSQL that needs the LISTEN
    /// connection that background processes run (tests do not start them by default).
    static func withCachingApp(clock: KringClock = .system, _ body: (Application) async throws -> Void) async throws {
        try await withKringApp(clock: clock) { app in
            let live = LiveSource()
            if TestDatabase.postgresURL != nil {
                try await live.didBootAsync(app)
                var waited = 0
                while await app.anonymousPages.version.current() == nil, waited < 100 {
                    try await Task.sleep(for: .milliseconds(50))
                    waited += 1
                }
            }
            do {
                try await body(app)
            } catch {
                await live.shutdownAsync(app)
                throw error
            }
            await live.shutdownAsync(app)
        }
    }

    static func scene(_ app: Application) async throws -> (topic: String, anna: TestBrowser) {
        try await TestAccounts.setUpCommunity(app)
        try await TestAccounts.member(app, handle: "anna")
        let anna = try await signedIn(app, "anna")
        let topic = try await createTopic(anna, group: nil, title: "Zonnepanelen op een plat dak", body: "Wie heeft ervaring?")
        return (topic, anna)
    }

    static func cacheState(_ response: TestingHTTPResponse) -> String? {
        response.headers.first(name: AnonymousPageCacheMiddleware.header)
    }

    static func csrf(_ response: TestingHTTPResponse) -> String? {
        TestBrowser.firstMatch(#"name="_csrf" value="([^"]+)""#, in: response.text)
    }

    @Test func eachVisitorGetsTheStoredPageWithTheirOwnFormToken() async throws {
        try await Self.withCachingApp { app in
            let (topic, anna) = try await Self.scene(app)
            let first = try await TestBrowser(app).get(topic)
            #expect(first.status == .ok)
            #expect(Self.cacheState(first) == "miss")
            let visitor = TestBrowser(app)
            let second = try await visitor.get(topic)
            #expect(Self.cacheState(second) == "hit")
            #expect(second.text.contains("Wie heeft ervaring?"))
            let firstToken = try #require(Self.csrf(first))
            let secondToken = try #require(Self.csrf(second))
            #expect(firstToken != secondToken, "a form token is never shared between visitors")
            #expect(
                first.text.replacingOccurrences(of: firstToken, with: "T") == second.text.replacingOccurrences(of: secondToken, with: "T"))
            // The cached page's token is the visitor's own: the language form works.
            let switched = try await visitor.post("/language", form: ["language": "nl", "return_to": topic], csrf: secondToken)
            #expect(switched.status == .seeOther)
            #expect(try await visitor.get(topic).text.contains(#"<html lang="nl""#))

            let member = try await anna.get(topic)
            #expect(Self.cacheState(member) == nil, "members' pages are their own")
            #expect(member.text.contains("Sign out") || member.text.contains("logout"))
        }
    }

    @Test func aWriteShowsAtOnceWhereverItWasMade() async throws {
        try await Self.withCachingApp { app in
            let (topic, anna) = try await Self.scene(app)
            _ = try await TestBrowser(app).get(topic)
            #expect(Self.cacheState(try await TestBrowser(app).get(topic)) == "hit")

            try await anna.post("\(topic)/replies", form: ["body": "Wij hebben oost-west gelegd."])
            let afterReply = try await TestBrowser(app).get(topic)
            #expect(afterReply.text.contains("oost-west"), "a reply through this process shows at once")

            let memberPage = try await anna.get(topic).text
            let replyID = try #require(
                memberPage.ranges(of: #/posts/([0-9a-f-]+)/delete/#).last.map { String(memberPage[$0].dropFirst(6).dropLast(7)) })
            #expect(Self.cacheState(try await TestBrowser(app).get(topic)) == "hit")
            #expect(try await anna.post("/posts/\(replyID)/delete").status == .seeOther)
            let afterDelete = try await TestBrowser(app).get(topic)
            #expect(!afterDelete.text.contains("oost-west"), "a removed reply is gone for visitors at once")

            // Another process (or a command) writes straight into the database.
            #expect(Self.cacheState(try await TestBrowser(app).get(topic)) == "hit")
            let sql = try #require(app.db as? any SQLDatabase)
            try await sql.raw("UPDATE topics SET title = \(bind: "Zonnepanelen op een schuin dak")").run()
            var seen = false
            for _ in 0..<40 where !seen {
                seen = try await TestBrowser(app).get(topic).text.contains("op een schuin dak")
                if !seen { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(seen, "a change made outside this process reaches visitors")
        }
    }

    /// What a signed-in member's requests keep between them (`RequestContextCache`: the menu, their
    /// account, the unread count) follows writes made elsewhere, including the notifications that
    /// announce no change on PostgreSQL.
    @Test func membersSeeChangesMadeElsewhereAtOnce() async throws {
        try await Self.withCachingApp { app in
            let (topic, anna) = try await Self.scene(app)
            try await TestAccounts.member(app, handle: "bram")
            try await signedIn(app, "bram").post("\(topic)/replies", form: ["body": "Wij hebben oost-west gelegd."])
            #expect(try await anna.get("/").visibleText(id: "unread-count") == "1")
            // (PostgreSQL announces the reply a moment later: wait for that, so what follows is kept.)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await anna.get("/").visibleText(id: "unread-count") == "1", "the same while nothing changed")

            // Another process (or a job) reads her notifications, renames her and adds a menu entry.
            let annaID = try #require(try await app.repositories.members.find(handle: "anna")).id
            try await app.repositories.notifications.markRead(nil, for: annaID)
            #expect(try await anna.get("/").visibleText(id: "unread-count") == nil, "read elsewhere: no badge")
            let sql = try #require(app.db as? any SQLDatabase)
            try await sql.raw("UPDATE members SET display_name = \(bind: "Anna Anders") WHERE handle = \(bind: "anna")").run()
            try await app.repositories.navigation.addMenuItem(labelEN: "Energy desk", labelNL: "Energieloket", path: "/p/loket")
            func showsBoth(_ page: String) -> Bool { page.contains("Anna Anders") && page.contains("/p/loket") }
            var page = ""
            for _ in 0..<40 where !showsBoth(page) {
                page = try await anna.get("/").text
                if !showsBoth(page) { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(page.contains("Anna Anders"), "her new name in the header")
            #expect(page.contains(#"href="/p/loket""#), "the new menu entry")
        }
    }

    /// Kept request contexts belong to one content version: a change forgets them, and a request that
    /// began before the change neither reads nor keeps anything.
    @Test func keptRequestContextsBelongToOneContentVersion() {
        let cache = RequestContextCache()
        let before = ContentVersion.Stamp(generation: 3, database: 7)
        let after = ContentVersion.Stamp(generation: 3, database: 8)
        let chrome = RequestContextCache.Chrome(community: nil, menu: [], hasHouseRules: true)
        cache.keep(chrome, at: before)
        #expect(cache.chrome(at: before)?.hasHouseRules == true)
        #expect(cache.chrome(at: after) == nil, "the content changed")
        cache.keep(chrome, at: before)
        #expect(cache.chrome(at: before) == nil, "a late request keeps nothing")
        #expect(after.isLater(than: before) && !before.isLater(than: after) && !before.isLater(than: before))
    }

    @Test func languagesMessagesAndTimeKeepPagesApart() async throws {
        let now = NIOLockedValueBox(Date())
        try await Self.withCachingApp(clock: KringClock { now.withLockedValue { $0 } }) { app in
            let (topic, _) = try await Self.scene(app)
            let english = try await TestBrowser(app, acceptLanguage: "en").get(topic)
            let dutch = try await TestBrowser(app, acceptLanguage: "nl").get(topic)
            #expect(Self.cacheState(dutch) == "miss", "another language is another page")
            #expect(english.text.contains(#"<html lang="en""#))
            #expect(dutch.text.contains(#"<html lang="nl""#))
            #expect(Self.cacheState(try await TestBrowser(app, acceptLanguage: "nl").get(topic)) == "hit")

            let withMessage = try await TestBrowser(app, acceptLanguage: "nl").get(
                topic, headers: ["Cookie": "\(CookieName.flash)=flash.saved"])
            #expect(Self.cacheState(withMessage) == nil, "a page with a message is the visitor's own")

            now.withLockedValue { $0 = $0.addingTimeInterval(app.anonymousPages.lifetime + 1) }
            #expect(Self.cacheState(try await TestBrowser(app, acceptLanguage: "nl").get(topic)) == "miss", "kept pages expire")
            #expect(Self.cacheState(try await TestBrowser(app, acceptLanguage: "nl").get("/t/00000000-0000-0000-0000-000000000000")) == nil)
        }
    }

    @Test func theFirstVisitorToMissRendersAndTheOthersWaitForThatPage() async throws {
        let cache = AnonymousPageCache(version: ContentVersion(listening: false))
        let page = ByteBuffer(string: "<p>TOKEN</p><i>TOKEN</i>")
        let stamp = ContentVersion.Stamp(generation: 0, database: 0)
        guard case .render = await cache.turn(for: "/login") else {
            Issue.record("a page never kept renders")
            return
        }
        guard case .render = await cache.turn(for: "/login") else {
            Issue.record("and its visitors do not wait for each other")
            return
        }
        _ = cache.store("/t/1", body: page, token: "TOKEN", headers: [:], timeZone: .gmt, version: stamp, now: Date())
        cache.removeAll()  // a change: the next visitor renders it again
        guard case .render = await cache.turn(for: "/t/1") else {
            Issue.record("the first visitor renders")
            return
        }
        let waiting = Task { await cache.turn(for: "/t/1") }
        try await Task.sleep(for: .milliseconds(100))
        let entry = cache.store("/t/1", body: page, token: "TOKEN", headers: [:], timeZone: .gmt, version: stamp, now: Date())
        cache.finishRender("/t/1", entry: entry)
        guard case .rendered(let shared?) = await waiting.value else {
            Issue.record("the second visitor gets the first one's page")
            return
        }
        #expect(String(buffer: AnonymousPageCache.assemble(shared, token: "mine")) == "<p>mine</p><i>mine</i>")
        guard case .render = await cache.turn(for: "/t/1") else {
            Issue.record("once rendered, the next miss renders again")
            return
        }
        cache.finishRender("/t/1", entry: nil)
    }
}
