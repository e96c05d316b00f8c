import Foundation
import KringCore
import KringStore
import KringTestSupport
import Testing
import Vapor

@testable import KringWeb

@Suite("Automatic defences")
struct DefenceTests {
    static func setModeration(_ app: Application, _ change: (inout ModerationSettings) -> Void) async throws {
        var settings = try await app.repositories.community.moderationSettings()
        change(&settings)
        try await app.repositories.community.setModerationSettings(settings)
    }

    @Test func watchedWordsActAndTheDryRunCountsAKnownFixture() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "anna")
            try await TestAccounts.member(app, handle: "mod", role: .moderator)
            let anna = try await signedIn(app, "anna")
            // The fixture: three posts mention casino-like words, one does not.
            let topic = try await createTopic(anna, group: nil, title: "Buurtfeest plannen", body: "Wie neemt de casinotafel mee?")
            try await anna.post("\(topic)/replies", form: ["body": "Het Casino in de stad is dicht"])
            try await anna.post("\(topic)/replies", form: ["body": "casino's zijn niet mijn ding"])
            try await anna.post("\(topic)/replies", form: ["body": "Ik bak taart"])

            let moderator = try await signedIn(app, "mod")
            try await moderator.get("/moderation/words")
            let dry = try await moderator.post("/moderation/words/dry-run", form: ["pattern": "casino*", "action": "block", "days": "7"])
            #expect(dry.status == .ok)
            #expect(dry.visibleText(id: "dry-run-count") == "3 posts would have been caught: Refuse the post.")
            #expect(try await app.repositories.watchedWords.all().isEmpty, "a dry run changes nothing")
            let exact = try await moderator.post(
                "/moderation/words/dry-run", form: ["pattern": "Casino", "action": "flag", "case_sensitive": "1", "days": "7"])
            #expect(exact.visibleText(id: "dry-run-count") == "1 post would have been caught: Flag for review.")

            for (pattern, action, extra) in [
                ("casino*", "block", [String: String]()), ("gratis", "censor", ["replacement": "***"]), ("bitcoin", "approve", [:]),
                ("ruzie", "flag", [:]), ("zonnepane*", "tag", ["tag": "zonne-energie"]),
            ] {
                let saved = try await moderator.post(
                    "/moderation/words", form: ["pattern": pattern, "action": action].merging(extra) { $1 })
                #expect(saved.status == .seeOther, "\(pattern) saved")
            }
            let blocked = try await anna.post("\(topic)/replies", form: ["body": "Kom naar het casino!"])
            #expect(blocked.status == .unprocessableEntity)
            #expect(blocked.text.contains("not allowed here"))
            try await anna.post("\(topic)/replies", form: ["body": "Gratis koffie voor iedereen"])
            #expect(try await TestBrowser(app).get(topic).text.contains("*** koffie"), "censored")
            try await anna.post("\(topic)/replies", form: ["body": "Betaal met bitcoin"])
            #expect(!(try await TestBrowser(app).get(topic).text.contains("bitcoin")), "held for approval")
            try await anna.post("\(topic)/replies", form: ["body": "Geen ruzie maken"])
            #expect(try await TestBrowser(app).get(topic).text.contains("Geen ruzie maken"), "flagged posts stay up")
            let tagged = try await createTopic(anna, group: nil, title: "Zonnepanelen op de school", body: "De zonnepanelen liggen er")
            #expect(try await anna.get(tagged).text.contains(">zonne-energie</a>"))
            let queue = try await moderator.get("/moderation")
            #expect(queue.text.contains("Betaal met bitcoin"))
            #expect(queue.text.contains("Watched word: ruzie"))

            var csv = ""
            try await app.testing().test(
                .GET, "/moderation/words/export.csv", headers: ["Cookie": "kring_session=\(moderator.cookies["kring_session"] ?? "")"]
            ) { response in
                csv = response.body.string
            }
            #expect(csv.contains("casino*,block,0,"))
            #expect(csv.split(separator: "\r\n").count == 6)
            let bad = try await moderator.post("/moderation/words/import", form: ["csv": "pattern,action\nspam,explode\n"])
            #expect(bad.status == .unprocessableEntity)
            #expect(
                try await moderator.post(
                    "/moderation/words/import",
                    form: ["csv": "pattern,action,case_sensitive,replacement,tag,enabled\r\n\"loterij, prijs\",flag,0,,,1\r\n"]
                ).status == .seeOther)
            #expect(try await app.repositories.watchedWords.all().contains { $0.pattern == "loterij, prijs" })
        }
    }

    @Test func newcomersLinksAndDuplicatesWaitForAModerator() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "nieuw")
            try await TestAccounts.member(app, handle: "mod", role: .moderator)
            try await Self.setModeration(app) {
                $0.newcomerHeldPosts = 1
                $0.newcomerMaxLinks = 1
            }
            let newcomer = try await signedIn(app, "nieuw")
            try await newcomer.get("/topics/new")
            let created = try await newcomer.post(
                "/topics", form: ["title": "Hallo allemaal", "body": "Ik ben nieuw hier", "kind": "discussion"])
            let topic = try #require(created.headers.first(name: .location))
            #expect(try await newcomer.follow(created).text.contains("waits for a moderator"))
            #expect(try await TestBrowser(app).get(topic).status == .notFound, "others do not see it yet")
            #expect(try await newcomer.get(topic).text.contains(#"id="hidden-1""#), "the author does")
            let moderator = try await signedIn(app, "mod")
            let queue = try await moderator.get("/moderation")
            #expect(queue.text.contains("newcomer's post"))
            let postID = try #require(TestBrowser.firstMatch(#"/moderation/posts/([0-9a-f-]+)/keep"#, in: queue.text))
            try await moderator.post("/moderation/posts/\(postID)/keep")
            #expect(try await TestBrowser(app).get(topic).status == .ok, "approved")

            try await newcomer.post("\(topic)/replies", form: ["body": "Kijk op https://a.example en https://b.example"])
            #expect(!(try await TestBrowser(app).get(topic).text.contains("a.example")), "too many links for a newcomer")
            #expect(try await moderator.get("/moderation").text.contains("many links from a newcomer"))
            let other = try await createTopic(moderator, group: nil, title: "Ander onderwerp", body: "Iets anders")
            try await newcomer.post("\(topic)/replies", form: ["body": "Koop mijn fiets, goedkoop!"])
            try await newcomer.post("\(other)/replies", form: ["body": "Koop mijn fiets, goedkoop!"])
            #expect(try await moderator.get("/moderation").text.contains("same text in another topic"))
        }
    }

    @Test func postingTooFastGetsAClear429() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "snel")
            try await TestAccounts.member(app, handle: "mod", role: .moderator)
            try await Self.setModeration(app) { $0.postsPerMinute = 2 }
            let member = try await signedIn(app, "snel")
            let topic = try await createTopic(member, group: nil, title: "Snelle vragen", body: "Een")
            #expect(try await member.post("\(topic)/replies", form: ["body": "Twee"]).status == .seeOther)
            let third = try await member.post("\(topic)/replies", form: ["body": "Drie"])
            #expect(third.status == .tooManyRequests)
            #expect(third.headers.first(name: .retryAfter) == "60")
            #expect(third.text.contains("posting very quickly"))

            try await Self.setModeration(app) { $0.postsPerMinute = 600 }
            let moderator = try await signedIn(app, "mod")
            try await moderator.get(topic)
            #expect(try await moderator.post("\(topic)/slow-mode", form: ["seconds": "3600"]).status == .seeOther)
            let other = try await signedIn(app, "admin")
            #expect(try await other.post("\(topic)/replies", form: ["body": "Ik mag"]).status == .seeOther, "staff are not slowed")
            let slow = try await signedIn(app, "snel")
            try await slow.get(topic)
            #expect(try await slow.post("\(topic)/replies", form: ["body": "Eerste in slow mode"]).status == .seeOther)
            let again = try await slow.post("\(topic)/replies", form: ["body": "Tweede in slow mode"])
            #expect(again.status == .tooManyRequests)
            #expect(again.text.contains("slow mode"))
        }
    }

    @Test func quietTopicsAreSuggestedAndArchivedInBulk() async throws {
        let clock = TestClockWeb()
        try await withKringApp(clock: clock.kringClock) { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "mod", role: .moderator)
            let earlier = try await signedIn(app, "mod")
            let old = try await createTopic(earlier, group: nil, title: "Oude vraag uit het voorjaar", body: "Lang geleden")
            clock.advance(200 * 86_400)
            let moderator = try await signedIn(app, "mod")  // the first session expired meanwhile
            let fresh = try await createTopic(moderator, group: nil, title: "Verse vraag van vandaag", body: "Net gesteld")
            let page = try await moderator.get("/moderation/archive?months=6")
            #expect(page.text.contains("Oude vraag uit het voorjaar"))
            #expect(!page.text.contains("Verse vraag van vandaag"))
            let id = try #require(TestBrowser.firstMatch(#"name="topic_([0-9A-F-]+)""#, in: page.text))
            #expect(try await moderator.post("/moderation/archive", form: ["topic_\(id)": "1"]).status == .seeOther)
            let archived = try await moderator.get(old)
            #expect(archived.text.contains(#"id="topic-archived""#))
            #expect(!archived.text.contains(#"id="reply-form""#), "read-only")
            #expect(!(try await moderator.get("/topics").text.contains("Oude vraag")), "out of the lists")
            #expect(try await moderator.get("/search?q=voorjaar").text.contains("Oude vraag"), "still findable")
            #expect(try await moderator.get(fresh).text.contains(#"id="reply-form""#))
            #expect(try await app.repositories.audit.list(action: "archive.bulk").count == 1)
        }
    }

    @Test func profilesCanBeFlaggedAndCleared() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "spammer", profile: MemberProfile(bio: "Bezoek mijn webwinkel!!!"))
            try await TestAccounts.member(app, handle: "anna")
            try await TestAccounts.member(app, handle: "mod", role: .moderator)
            let anna = try await signedIn(app, "anna")
            try await anna.get("/members/spammer")
            #expect(try await anna.post("/members/spammer/flag", form: ["reason": "spam"]).status == .seeOther)
            #expect(try await anna.post("/members/anna/flag", form: ["reason": "spam"]).status == .notFound, "not oneself")
            let moderator = try await signedIn(app, "mod")
            let queue = try await moderator.get("/moderation")
            #expect(queue.text.contains(#"id="review-profile-spammer""#))
            try await moderator.post("/moderation/profiles/spammer/clear")
            #expect(try await app.repositories.members.find(handle: "spammer")?.profile.bio == "")
            #expect(try await anna.get("/notifications").text.contains("agreed with your flag"))
        }
    }

    @Test func membersAcceptTheHouseRulesAndAgainAfterAChange() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "manon", role: .manager)
            try await TestAccounts.member(app, handle: "oud")
            try await app.repositories.navigation.savePage(slug: "huisregels", title: "Huisregels", body: "Wees aardig.")
            let visitor = TestBrowser(app)
            let form = try await visitor.get("/register")
            #expect(form.text.contains(#"id="accept_rules""#))
            let refused = try await visitor.post(
                "/register",
                form: [
                    "handle": "nieuw", "display_name": "Nieuw", "email": "nieuw@kring.test", "password": "een lang wachtwoord",
                ])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.text.contains(#"id="accept_rules-error""#))
            #expect(
                try await visitor.post(
                    "/register",
                    form: [
                        "handle": "nieuw", "display_name": "Nieuw", "email": "nieuw@kring.test", "password": "een lang wachtwoord",
                        "accept_rules": "1",
                    ]
                ).status == .seeOther)

            let manager = try await signedIn(app, "manon")
            try await manager.get("/moderation")
            try await manager.post("/moderation/rules/publish")
            #expect(try await app.repositories.community.moderationSettings().rulesVersion == 1)
            let member = try await signedIn(app, "oud")
            let home = try await member.get("/")
            #expect(home.text.contains(#"id="rules-banner""#))
            try await member.get("/topics/new")
            let blocked = try await member.post("/topics", form: ["title": "Mag ik iets vragen?", "body": "Vraag", "kind": "discussion"])
            #expect(blocked.status == .forbidden)
            #expect(try await member.get("/rules").text.contains("Wees aardig."))
            try await member.post("/rules/accept")
            #expect(!(try await member.get("/").text.contains(#"id="rules-banner""#)))
            try await member.get("/topics/new")
            #expect(
                try await member.post("/topics", form: ["title": "Mag ik iets vragen?", "body": "Vraag", "kind": "discussion"]).status
                    == .seeOther)
        }
    }

    @Test func registrationBurstsFromOneAddressWaitForApproval() async throws {
        // A stopped clock: the burst window is a fixed hour, and a run across the hour's end would reset the count.
        try await withKringApp(clock: .fixed(ISO8601DateFormatter().date(from: "2026-06-01T10:15:00Z")!)) { app in
            try await TestAccounts.setUpCommunity(app)
            for index in 1...5 {
                let visitor = TestBrowser(app)
                visitor.extraHeaders.add(name: .xForwardedFor, value: "203.0.113.7")
                try await visitor.get("/register")
                try await visitor.post(
                    "/register",
                    form: [
                        "handle": "bot\(index)", "display_name": "Bot \(index)", "email": "bot\(index)@kring.test",
                        "password": "een lang wachtwoord",
                    ])
            }
            #expect(try await app.repositories.members.find(handle: "bot3")?.status == .active)
            let fourth = try #require(try await app.repositories.members.find(handle: "bot4"))
            #expect(fourth.status == .pending)
            #expect(fourth.pendingReason == "registration_burst")
            let admin = try await signedIn(app, "admin")
            let queue = try await admin.get("/moderation")
            #expect(queue.text.contains("many sign-ups from one address"))
        }
    }
}
