import Foundation
import KringCore
import KringStore
import KringTestSupport
import Testing
import Vapor

@testable import KringWeb

@Suite("Moderation")
struct ModerationTests {
    /// A community with an author, three flaggers and a moderator, and one reply to flag.
    static func scene(_ app: Application) async throws -> (topic: String, replyID: String, author: TestBrowser) {
        try await TestAccounts.setUpCommunity(app)
        for handle in ["auteur", "fenna", "gert", "hans", "ilse"] { try await TestAccounts.member(app, handle: handle) }
        try await TestAccounts.member(app, handle: "mod", role: .moderator)
        let starter = try await signedIn(app, "ilse")
        let topic = try await createTopic(starter, group: nil, title: "Tips voor de buurtmarkt", body: "Wie helpt zaterdag?")
        let author = try await signedIn(app, "auteur")
        try await author.post("\(topic)/replies", form: ["body": "KOOP GOEDKOPE HORLOGES spamlink"])
        let page = try await author.get(topic)
        let replyID = try #require(TestBrowser.firstMatch(#"/posts/([0-9a-f-]+)/delete"#, in: page.text))
        return (topic, replyID, author)
    }

    @Test func enoughFlagsHideAPostUntilAModeratorDecides() async throws {
        try await withKringApp { app in
            let (topic, replyID, author) = try await Self.scene(app)
            #expect(
                try await author.post("/posts/\(replyID)/flag", form: ["reason": "spam"]).status == .forbidden,
                "nobody flags their own post")
            for (index, handle) in ["fenna", "gert", "hans"].enumerated() {
                let flagger = try await signedIn(app, handle)
                let page = try await flagger.get(topic)
                #expect(page.text.contains(#"id="flag-2""#))
                let response = try await flagger.post("/posts/\(replyID)/flag", form: ["reason": "spam", "note": "reclame"])
                #expect(response.status == .seeOther)
                let hidden = !(try await TestBrowser(app).get(topic).text.contains("HORLOGES"))
                #expect(hidden == (index == 2), "hidden at the third distinct flag, not before (flag \(index + 1))")
            }
            #expect(try await author.get(topic).text.contains(#"id="hidden-2""#), "the author sees why it is gone")
            #expect(!(try await TestBrowser(app).get("/search?q=horloges").text.contains("Reply")))
            let again = try await signedIn(app, "fenna")
            try await again.get(topic)
            try await again.post("/posts/\(replyID)/flag", form: ["reason": "offensive"])
            let moderator = try await signedIn(app, "mod")
            let queue = try await moderator.get("/moderation")
            #expect(queue.text.contains("KOOP GOEDKOPE HORLOGES"))
            #expect(queue.text.contains("Review queue: 1 item"), "one item, however many flags")
            #expect(try await author.get("/moderation").status == .forbidden)
            #expect(try await moderator.post("/moderation/posts/\(replyID)/keep").status == .seeOther)
            #expect(try await TestBrowser(app).get(topic).text.contains("HORLOGES"), "kept: shown again")
            let fenna = try await signedIn(app, "fenna")
            #expect(try await fenna.get("/notifications").text.contains("left the post up"))
            #expect(try await moderator.get("/moderation").text.contains(#"id="queue-empty""#))

            // A second round: now the flags are upheld and the post is deleted.
            for handle in ["gert", "hans", "ilse"] {
                let flagger = try await signedIn(app, handle)
                try await flagger.get(topic)
                try await flagger.post("/posts/\(replyID)/flag", form: ["reason": "spam"])
            }
            let second = try await moderator.get("/moderation")
            #expect(second.text.contains("0% of their flags upheld"), "earlier dismissals lower a flagger's reliability")
            #expect(try await moderator.post("/moderation/posts/\(replyID)/delete", form: ["note": "spam"]).status == .seeOther)
            #expect(!(try await TestBrowser(app).get(topic).text.contains("HORLOGES")))
            #expect(try await author.get("/notifications").text.contains("hid or removed something you wrote"))
            #expect(try await app.repositories.audit.list().map(\.action).contains("flags.delete"))
        }
    }

    @Test func silencedMembersReadButDoNotWriteUntilTheEnd() async throws {
        let clock = TestClockWeb()
        try await withKringApp(clock: clock.kringClock) { app in
            let (topic, _, author) = try await Self.scene(app)
            let moderator = try await signedIn(app, "mod")
            try await moderator.get("/moderation/members/auteur")
            let bad = try await moderator.post(
                "/moderation/members/auteur/sanctions", form: ["kind": "silence", "days": "0", "reason": ""])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.text.contains(#"id="days-error""#))
            #expect(bad.text.contains(#"id="reason-error""#))
            let imposed = try await moderator.post(
                "/moderation/members/auteur/sanctions", form: ["kind": "silence", "days": "3", "reason": "Reclame, zie huisregel 3"])
            #expect(imposed.status == .seeOther)
            let page = try await author.get(topic)
            #expect(page.text.contains(#"id="sanction-banner""#))
            #expect(page.text.contains("Reclame, zie huisregel 3"))
            #expect(!page.text.contains(#"id="reply-form""#), "no reply form while silenced")
            let blocked = try await author.post("\(topic)/replies", form: ["body": "Nog meer reclame"])
            #expect(blocked.status == .forbidden)
            #expect(blocked.text.contains("You can read but not post until"))
            #expect(try await author.get("/settings/standing").text.contains("silence"))
            let mail = try #require(try await app.repositories.outbox.list(recipient: "auteur@kring.test").first { $0.kind == "sanction" })
            #expect(mail.bodyText.contains("/appeal/"))
            clock.advance(3 * 86_400 + 1)
            #expect(
                try await author.post("\(topic)/replies", form: ["body": "Sorry, het komt niet meer voor"]).status == .seeOther,
                "ends by itself")
            #expect(try await app.repositories.audit.list(action: "sanction.silence").count == 1)
        }
    }

    @Test func suspensionsEndSessionsAndBansBlockReRegistration() async throws {
        try await withKringApp { app in
            let (_, _, author) = try await Self.scene(app)
            let moderator = try await signedIn(app, "mod")
            try await moderator.get("/moderation/members/auteur")
            try await moderator.post(
                "/moderation/members/auteur/sanctions", form: ["kind": "suspension", "days": "7", "reason": "Herhaalde spam"])
            #expect(try await author.get("/settings/profile").status == .seeOther, "signed out at once")
            let login = try await TestBrowser(app).post("/login", form: ["login": "auteur", "password": TestAccounts.password])
            #expect(login.status == .forbidden)
            #expect(login.text.contains("Herhaalde spam"))

            let mail = try #require(try await app.repositories.outbox.list(recipient: "auteur@kring.test").first { $0.kind == "sanction" })
            let appeal = try #require(TestBrowser.firstMatch(#"http://kring\.test(/appeal/[A-Za-z0-9_-]+)"#, in: mail.bodyText))
            let visitor = TestBrowser(app)
            #expect(try await visitor.get(appeal).text.contains(#"id="appeal-form""#))
            #expect(try await visitor.post(appeal, form: ["text": "Het was een vergissing"]).status == .seeOther)
            #expect(try await app.repositories.outbox.list(recipient: "admin@kring.test").contains { $0.kind == "appeal" })

            #expect(
                try await moderator.post("/moderation/members/admin/sanctions", form: ["kind": "ban", "reason": "x"]).status == .forbidden,
                "not above one's rank")
            let admin = try await signedIn(app, "admin")
            try await admin.get("/moderation/members/auteur")
            try await admin.post("/moderation/members/auteur/sanctions", form: ["kind": "ban", "reason": "Blijvende spam"])
            let again = TestBrowser(app)
            try await again.get("/register")
            let register = try await again.post(
                "/register",
                form: [
                    "handle": "auteur2", "display_name": "Nieuw", "email": "auteur@kring.test", "password": "een lang wachtwoord",
                ])
            #expect(register.status == .unprocessableEntity)
            #expect(register.text.contains("cannot register here"))
            let history = try await admin.get("/moderation/members/auteur")
            let banID = try #require(TestBrowser.firstMatch(#"/moderation/sanctions/([0-9A-F-]+)/lift"#, in: history.text))
            try await admin.post("/moderation/sanctions/\(banID)/lift")
            #expect(
                try await again.post(
                    "/register",
                    form: [
                        "handle": "auteur2", "display_name": "Nieuw", "email": "auteur@kring.test", "password": "een lang wachtwoord",
                    ]
                ).status == .unprocessableEntity, "the suspension still stands, but the address is no longer blocked: it is simply taken")
        }
    }

    @Test func everyStaffActionLandsInTheAuditLog() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "mia")
            let admin = try await signedIn(app, "admin")
            try await admin.get("/admin/members")
            try await admin.post("/admin/members/mia", form: ["role": "moderator", "is_staff": "1"])
            try await admin.get("/admin/settings")
            try await admin.post(
                "/admin/settings",
                form: [
                    "community_name": "Nieuwe naam", "tagline": "", "default_language": "nl", "registration_mode": "open",
                    "read_access": "public",
                    "time_zone": "Europe/Amsterdam",
                ])
            try await admin.get("/moderation")
            #expect(try await admin.post("/moderation/settings", form: ["flag_threshold": "0"]).status == .unprocessableEntity)
            try await admin.post(
                "/moderation/settings",
                form: [
                    "flag_threshold": "5", "newcomer_held_posts": "1", "newcomer_max_links": "2", "posts_per_minute": "5",
                    "posts_per_hour": "60",
                ])
            #expect(try await app.repositories.community.moderationSettings().flagThreshold == 5)
            let log = try await admin.get("/admin/audit")
            #expect(log.text.contains("member.access"))
            #expect(
                log.text.contains(
                    "role=member; staff=false; bot=false; cockpit=false → role=moderator; staff=true; bot=false; cockpit=false"))
            #expect(log.text.contains("community_name=Nieuwe naam"))
            #expect(log.text.contains("settings.moderation"))
            let filtered = try await admin.get("/admin/audit?action=member.access")
            #expect(!filtered.text.contains("<code>settings.moderation</code>"))
            #expect(filtered.text.contains("<code>member.access</code>"))
            var csv = ""
            try await app.testing().test(
                .GET, "/admin/audit.csv", headers: ["Cookie": "kring_session=\(admin.cookies["kring_session"] ?? "")"]
            ) { response in
                #expect(response.headers.contentType?.subType == "csv")
                csv = response.body.string
            }
            #expect(csv.hasPrefix("time,actor,action,subject_type,subject,reason,before,after"))
            #expect(csv.contains("member.access"))
            let mia = try await signedIn(app, "mia")
            #expect(try await mia.get("/admin/audit").status == .forbidden, "moderators do not read the log")
        }
    }

    @Test func csvFieldsAreQuotedAndDefused() {
        #expect(CSV.field("plain") == "plain")
        #expect(CSV.field("a,b") == "\"a,b\"")
        #expect(CSV.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSV.field("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
    }
}
