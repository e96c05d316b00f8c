import Foundation
import KringCore
import KringStore
import KringTestSupport
import Testing
import Vapor

@testable import KringWeb

@Suite("Topics and replies")
struct TopicTests {
    @Test func membersAskAnswerReactAndAccept() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            for handle in ["anna", "bram", "carla"] { try await TestAccounts.member(app, handle: handle) }
            let anna = try await signedIn(app, "anna")
            let slug = try await createGroup(anna, name: "Warmtepompen", visibility: .open)
            let bram = try await signedIn(app, "bram")
            try await bram.post("/g/\(slug)/join")
            let topic = try await createTopic(
                anna, group: slug, title: "Welke warmtepomp voor een jaren-30 huis?", body: "Wij twijfelen tussen **hybride** en volledig.",
                kind: .question, tags: "Warmtepomp, isolatie")
            let page = try await bram.get(topic)
            #expect(page.text.contains("<strong>hybride</strong>"))
            #expect(page.text.contains(#"class="badge badge-question""#))
            #expect(page.text.contains(">warmtepomp</a>"))
            let replied = try await bram.post("\(topic)/replies", form: ["body": "Begin met isoleren, @anna. Dan volstaat hybride."])
            #expect(replied.status == .seeOther)
            #expect(replied.headers.first(name: .location) == "\(topic)#post-2")
            let afterReply = try await anna.get(topic)
            #expect(afterReply.text.contains(#"<a href="/members/anna" class="mention">@anna</a>"#))
            #expect(afterReply.text.contains(#"id="accept-2""#), "the asker may accept")
            let notifications = try await anna.get("/notifications")
            #expect(notifications.text.contains("Bram Tester replied in"))
            #expect(notifications.text.contains("Bram Tester mentioned you in"))
            let postID = try #require(TestBrowser.firstMatch(#"name="post" value="([0-9A-F-]+)""#, in: afterReply.text))
            #expect(try await bram.post("\(topic)/accept", form: ["post": postID]).status == .forbidden, "only the asker or a moderator")
            #expect(try await anna.post("\(topic)/accept", form: ["post": postID]).status == .seeOther)
            let solved = try await bram.get(topic)
            #expect(solved.text.contains(#"id="solved-badge""#))
            #expect(solved.text.contains("is-solution"))
            #expect(try await bram.get("/notifications").text.contains("accepted your answer"))
            #expect(try await anna.get("/topics?filter=solved").text.contains("Welke warmtepomp"))
            #expect(!(try await anna.get("/topics?filter=unanswered").text.contains("Welke warmtepomp")))

            let reactionPost = try #require(TestBrowser.firstMatch(#"/posts/([0-9a-f-]+)/react"#, in: solved.text))
            #expect(try await bram.post("/posts/\(reactionPost)/react", form: ["kind": "thanks"]).status == .seeOther)
            let reacted = try await anna.get(topic)
            #expect(reacted.text.contains("Thanks: Bram Tester"), "who reacted is visible")
            try await bram.post("/posts/\(reactionPost)/react", form: ["kind": "thanks"])
            #expect(!(try await anna.get(topic).text.contains("Thanks: Bram Tester")), "a second press takes it back")
            #expect(try await bram.post("/posts/\(reactionPost)/react", form: ["kind": "love"]).status == .unprocessableEntity)
            let carla = try await signedIn(app, "carla")
            #expect(
                try await carla.post("\(topic)/replies", form: ["body": "Ik ook!"]).status == .forbidden,
                "non-members of the group do not post")
        }
    }

    @Test func editsKeepHistoryAndDeletesAreRestorable() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "anna")
            try await TestAccounts.member(app, handle: "bram")
            try await TestAccounts.member(app, handle: "mod", role: .moderator)
            let anna = try await signedIn(app, "anna")
            let topic = try await createTopic(anna, group: nil, title: "Eerste versie van de titel", body: "Oorspronkelijke tekst")
            let page = try await anna.get(topic)
            let postID = try #require(TestBrowser.firstMatch(#"/posts/([0-9a-f-]+)/edit"#, in: page.text))
            let bram = try await signedIn(app, "bram")
            #expect(try await bram.get("/posts/\(postID)/edit").status == .forbidden)
            try await anna.get("/posts/\(postID)/edit")
            let edited = try await anna.post(
                "/posts/\(postID)/edit", form: ["title": "Verbeterde titel", "body": "Nieuwe tekst", "tags": "zon"])
            #expect(edited.status == .seeOther)
            let after = try await bram.get(topic)
            #expect(after.text.contains("Verbeterde titel"))
            #expect(after.text.contains("Nieuwe tekst"))
            #expect(after.text.contains(#"class="post-edited""#))
            let history = try await bram.get("/posts/\(postID)/history")
            #expect(history.text.contains("Oorspronkelijke tekst"))
            #expect(history.text.contains("Eerste versie van de titel"))

            try await bram.post("\(topic)/replies", form: ["body": "Een reactie die weg moet"])
            let withReply = try await bram.get(topic)
            let replyID = try #require(TestBrowser.firstMatch(#"/posts/([0-9a-f-]+)/delete"#, in: withReply.text))
            #expect(try await anna.post("/posts/\(replyID)/delete").status == .forbidden, "not someone else's reply")
            #expect(try await bram.post("/posts/\(replyID)/delete").status == .seeOther)
            #expect(!(try await anna.get(topic).text.contains("Een reactie die weg moet")))
            #expect(!(try await anna.get(topic).text.contains(#"id="post-2""#)), "gone for members")
            let moderator = try await signedIn(app, "mod")
            #expect(try await moderator.get(topic).text.contains("Een reactie die weg moet"), "moderators still see it")
            #expect(try await bram.post("/posts/\(replyID)/restore").status == .notFound, "only moderators see and restore it")
            #expect(try await moderator.post("/posts/\(replyID)/restore").status == .seeOther)
            #expect(try await anna.get(topic).text.contains("Een reactie die weg moet"))

            #expect(try await anna.post("/posts/\(postID)/delete").status == .seeOther, "deleting the opening post deletes the topic")
            #expect(try await bram.get(topic).status == .notFound)
            #expect(!(try await bram.get("/search?q=Verbeterde").text.contains("Verbeterde titel")))
            #expect(try await moderator.get(topic).status == .ok)
            try await moderator.post("/posts/\(postID)/restore")
            #expect(try await bram.get(topic).status == .ok)
            #expect(try await bram.get("/search?q=verbeterde").text.contains("Verbeterde titel"), "back in the index")
        }
    }

    @Test func listsPaginateAndTrackUnread() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "anna")
            try await TestAccounts.member(app, handle: "bram")
            let anna = try await signedIn(app, "anna")
            let member = try #require(try await app.repositories.members.find(handle: "anna"))
            for index in 1...35 {
                _ = try await app.repositories.topics.create(
                    NewTopic(
                        groupID: nil, title: "Onderwerp nummer \(index)", kind: .discussion, body: "Tekst \(index)",
                        tags: index % 2 == 0 ? ["even"] : []),
                    rendered: UserMarkdown.render("Tekst \(index)"), by: member)
            }
            let first = try await anna.get("/topics")
            #expect(first.text.contains("Onderwerp nummer 35"))
            #expect(!first.text.contains("Onderwerp nummer 5<"))
            let next = try #require(TestBrowser.firstMatch(#"href="(/topics\?after=[^"]+)""#, in: first.text))
            let second = try await anna.get(next.replacingOccurrences(of: "&amp;", with: "&"))
            #expect(second.text.contains("Onderwerp nummer 1<"))
            #expect(!second.text.contains("Onderwerp nummer 35"), "no topic twice")
            #expect(!second.text.contains(#"id="more-topics""#))

            let bram = try await signedIn(app, "bram")
            #expect(try await bram.get("/topics").text.contains("unread-badge"), "never opened: new")
            let tagPage = try await bram.get("/tags/even")
            #expect(tagPage.text.contains("Onderwerp nummer 2<"))
            #expect(!tagPage.text.contains("Onderwerp nummer 3<"))
            let topicPath = try #require(
                TestBrowser.firstMatch(#"href="(/t/[0-9a-f-]+)" class="topic-title">Onderwerp nummer 35<"#, in: first.text))
            try await bram.get(topicPath)
            try await anna.post("\(topicPath)/replies", form: ["body": "Nieuw antwoord"])
            let list = try await bram.get("/topics")
            #expect(list.text.contains("1 new"))
            let again = try await bram.get(topicPath)
            #expect(again.text.contains(#"id="new-since-last-visit""#))
        }
    }

    @Test func userMarkdownNeverBecomesScript() {
        let attacks = [
            "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[click](javascript:alert(1))", "[x](JaVaScRiPt:alert(1))",
            "![i](javascript:alert(1))", "[x](\"onmouseover=\"alert(1))", "<a href=\"javascript:alert(1)\">x</a>", "<svg onload=alert(1)>",
            "[x](data:text/html;base64,PHNjcmlwdD4=)", "<iframe src=//evil></iframe>", "`<script>`", "<div style=\"x\" onclick=\"y\">",
            "[x](jav&#x09;ascript:alert(1))", "<<script>>", "<a href='x' onclick='y'>", "&lt;script&gt;",
        ]
        for attack in attacks {
            let html = UserMarkdown.render(attack).html
            #expect(!html.lowercased().contains("<script"), "\(attack) → \(html)")
            #expect(
                html.range(of: #"=\s*["']?\s*javascript:"#, options: [.regularExpression, .caseInsensitive]) == nil,
                "no javascript: URL in an attribute: \(attack) → \(html)")
            #expect(
                html.range(of: #"<[^>]*\son[a-z]+\s*="#, options: [.regularExpression, .caseInsensitive]) == nil, "\(attack) → \(html)")
            #expect(!html.contains("<iframe"), "\(attack) → \(html)")
            #expect(!html.contains("<svg"), "\(attack) → \(html)")
            #expect(!html.contains("data:text"), "\(attack) → \(html)")
        }
        let link = UserMarkdown.render("[Kring](https://example.org/a?b=1&c=2)").html
        #expect(link.contains(#"<a href="https://example.org/a?b=1&amp;c=2" rel="nofollow ugc noopener">Kring</a>"#))
        #expect(UserMarkdown.render("# Kop\n\ntekst").html.contains("<h3>Kop</h3>"), "headings stay below the page title")
        #expect(UserMarkdown.render("a & b < c").html.contains("a &amp; b &lt; c"))
        #expect(UserMarkdown.render("```\n<b>code</b>\n```").html.contains("&lt;b&gt;code&lt;/b&gt;"))
        // Ink 0.6 never returned from an unclosed tag; such text now renders at once, as text.
        #expect(UserMarkdown.render("if a <p b then $p_a<p_c$").html == "<p>if a &lt;p b then $p<em>a&lt;p</em>c$</p>")
        #expect(UserMarkdown.render("`x <p y` and <b>bold</b>").html == "<p><code>x &lt;p y</code> and &lt;b&gt;bold&lt;/b&gt;</p>")
        #expect(
            UserMarkdown.render("mail me: anna@example.org").html.contains("anna@example.org")
                && !UserMarkdown.render("mail me: anna@example.org").html.contains("/members/example"), "e-mail addresses are not mentions")
    }
}
