import Foundation
import KringCore
import KringStore
import KringTestSupport
import Testing
import Vapor

@testable import KringWeb

@Suite("HTML safety, headers, mail and health")
struct SecurityAndMailTests {
    static let hostile = #"<img src=x onerror=alert(1)>"><script>alert(2)</script>&lt;b&gt;"#

    @Test func theHTMLBuilderEscapesTextAndAttributes() {
        let node = H.div(.class(#"a" onmouseover="x"#), .title("it's <b>")) { Self.hostile }
        let html = node.render()
        #expect(!html.contains("<script>"))
        #expect(!html.contains("<img"))
        #expect(html.contains(#"class="a&quot; onmouseover=&quot;x""#))
        #expect(html.contains(#"title="it&#39;s &lt;b&gt;""#))
        #expect(html.contains("&amp;lt;b&amp;gt;"), "typed entities show as typed")
    }

    @Test func onlySafeURLsReachLinks() {
        #expect(SafeURL(external: "javascript:alert(1)") == nil)
        #expect(SafeURL(external: " JavaScript:alert(1)") == nil)
        #expect(SafeURL(external: "data:text/html,<script>") == nil)
        #expect(SafeURL(external: "https://example.org/a?b=c")?.value == "https://example.org/a?b=c")
        #expect(SafeURL(external: "mailto:a@example.org") != nil)
        #expect(SafeURL(path: "//evil.example") == nil)
        #expect(SafeURL(path: "/\\evil.example") == nil)
        #expect(SafeURL(path: "/members/anna")?.value == "/members/anna")
        #expect(SafeURL.fragment("main\"><script>").value == "#mainscript")
        #expect(SafeURL.fragment("post-12_b").value == "#post-12_b")
        #expect(SafeURL.fragment("vraag-één").value == "#vraag-één", "letters of any script stay")
        #expect(SafeURL(path: "/a\u{7F}b") == nil && SafeURL(path: "/a\nb") == nil && SafeURL(path: "members") == nil)
        #expect(SafeURL(path: "/t/é?q=a%20b#x")?.value == "/t/é?q=a%20b#x")
    }

    @Test func secretTokensAreURLSafeRandomAndHashedAsLowercaseHex() {
        let tokens = (0..<200).map { _ in SecretToken.generate() }
        #expect(Set(tokens).count == 200)
        for token in tokens {
            #expect(token.count == 43, "32 bytes in unpadded base64")
            #expect(token.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }, "\(token)")
        }
        #expect(tokens.contains { $0.contains("-") } && tokens.contains { $0.contains("_") }, "+ and / are mapped, not dropped")
        #expect(SecretToken.generate(prefix: "kr_").hasPrefix("kr_"))
        #expect(Data([0xfb, 0xff, 0xbf]).base64URLEncoded() == "-_-_")
        #expect(Data([0xff]).base64URLEncoded() == "_w")
        #expect(SecretToken.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func memberTextIsNeverMarkup() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "eve")
            let eve = TestBrowser(app)
            try await eve.post("/login", form: ["login": "eve", "password": TestAccounts.password])
            try await eve.get("/settings/profile")
            let saved = try await eve.post(
                "/settings/profile",
                form: [
                    "display_name": "<img src=x onerror=alert(1)>", "bio": Self.hostile, "organisation": Self.hostile,
                    "interests": "<svg onload=alert(3)>",
                    "expertise": "", "preferred_language": "",
                ])
            #expect(saved.status == .seeOther)
            let pages = ["/members/eve", "/members", "/", "/settings/profile"]
            let viewer = TestBrowser(app)
            try await viewer.post("/login", form: ["login": "admin", "password": TestAccounts.password])
            for path in pages + ["/admin/members"] {
                for browser in [eve, viewer] {
                    let html = try await browser.get(path).text
                    #expect(!html.contains("<script>alert"), "\(path)")
                    #expect(!html.contains("<img src=x"), "\(path)")
                    #expect(!html.contains("<svg onload"), "\(path)")
                }
            }
            let profile = try await viewer.get("/members/eve")
            #expect(profile.text.contains("&lt;img src=x onerror=alert(1)&gt;"), "shown as text")
        }
    }

    @Test func everyKindOfResponseCarriesTheSecurityHeaders() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            for path in ["/", "/login", "/no-such-page", "/css/kring.css", "/api/v1/me", "/api/v1/openapi.json", "/healthz"] {
                try await app.testing().test(.GET, path) { response in
                    let policy = response.headers.first(name: "Content-Security-Policy") ?? ""
                    #expect(policy.contains("default-src 'self'"), "\(path)")
                    #expect(!policy.contains("unsafe-inline"), "\(path)")
                    #expect(response.headers.first(name: "X-Content-Type-Options") == "nosniff", "\(path)")
                    #expect(response.headers.first(name: "X-Request-Id") != nil, "\(path)")
                }
            }
            try await app.testing().test(.GET, "/no-such-page") { response in
                #expect(response.status == .notFound)
                #expect(response.body.string.contains("Page not found"))
            }
            try await app.testing().test(.GET, "/css/kring.css") { response in
                #expect(response.status == .ok)
                #expect(response.headers.contentType?.subType == "css")
            }
        }
    }

    @Test func healthAndReadiness() async throws {
        try await withKringApp { app in
            try await app.testing().test(.GET, "/healthz") { response in
                #expect(response.status == .ok)
                #expect(response.body.string.contains("ok"))
            }
            try await app.testing().test(.GET, "/readyz") { response in
                #expect(response.status == .ok)
                #expect(response.body.string.contains("ready"))
            }
        }
    }

    @Test func theOutboxWritesEmlFilesAndRetriesFailures() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            let member = try await TestAccounts.member(app, handle: "anna", profile: MemberProfile(preferredLanguage: .nl))
            try await app.repositories.outbox.enqueue(
                NewOutboxMessage(
                    kind: "test", recipient: member.email, recipientName: "Anna Tester", subject: "Hallo Änna",
                    bodyText: "Regel één\nRegel twee"))
            let folder = app.kring.config.mailDirectory
            #expect(try await app.outboxDelivery.deliverDue() == 1)
            let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".eml") }
            #expect(files.count == 1)
            let eml = try String(contentsOf: folder.appendingPathComponent(files[0]), encoding: .utf8)
            #expect(eml.contains("To: Anna Tester <anna@kring.test>"))
            #expect(eml.contains("Subject: =?utf-8?B?"))
            #expect(mailPart("text/plain", of: eml) == "Regel één\r\nRegel twee")
            #expect(mailPart("text/html", of: eml)?.contains("<p>Regel één<br>\r\nRegel twee</p>") == true)
            #expect(try await app.repositories.outbox.list(status: .sent).count == 1)

            let down = CapturingMailTransport()
            down.failing = true
            try await app.repositories.outbox.enqueue(
                NewOutboxMessage(kind: "test", recipient: "b@kring.test", recipientName: "B", subject: "S", bodyText: "B"))
            let failing = OutboxDelivery(
                repositories: app.repositories, transport: down, sender: MailSender(name: "K", address: "k@kring.test"), logger: app.logger)
            #expect(try await failing.deliverDue() == 0)
            let waiting = try #require(try await app.repositories.outbox.list(status: .pending).first)
            #expect(waiting.attempts == 1)
            #expect(waiting.lastError?.contains("SMTP down") == true)
        }
    }

    @Test func adminsReadTheMailLogWithoutLiveResetLinks() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "anna")
            let visitor = TestBrowser(app)
            try await visitor.get("/password/forgot")
            try await visitor.post("/password/forgot", form: ["email": "anna@kring.test"])
            let message = try #require(try await app.repositories.outbox.list().first)
            let admin = TestBrowser(app)
            try await admin.post("/login", form: ["login": "admin", "password": TestAccounts.password])
            let log = try await admin.get("/admin/mail")
            #expect(log.text.contains("anna@kring.test"))
            #expect(log.text.contains(message.subject))
            let detail = try await admin.get("/admin/mail/\(message.id.uuidString)")
            #expect(detail.status == .ok)
            #expect(detail.text.contains("/password/reset/…"))
            let token = try #require(TestBrowser.firstMatch(#"/password/reset/([A-Za-z0-9_-]+)"#, in: message.bodyText))
            #expect(!detail.text.contains(token))
            let member = TestBrowser(app)
            try await member.post("/login", form: ["login": "anna", "password": TestAccounts.password])
            #expect(try await member.get("/admin/mail").status == .forbidden)
        }
    }

    @Test func membersManageTheirAccessTokensInSettings() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "anna")
            let browser = TestBrowser(app)
            try await browser.post("/login", form: ["login": "anna", "password": TestAccounts.password])
            try await browser.get("/settings/tokens")
            #expect(try await browser.post("/settings/tokens", form: ["name": ""]).status == .unprocessableEntity)
            let created = try await browser.post("/settings/tokens", form: ["name": "Rapportage"])
            let token = try #require(created.visibleText(id: "new-token"))
            var headers = HTTPHeaders()
            headers.bearerAuthorization = BearerAuthorization(token: token)
            try await app.testing().test(.GET, "/api/v1/me", headers: headers) { response in #expect(response.status == .ok) }
            let list = try await browser.get("/settings/tokens")
            #expect(list.text.contains("Rapportage"))
            #expect(!list.text.contains(token), "the secret is shown once")
            let id = try #require(TestBrowser.firstMatch(#"/settings/tokens/([0-9A-F-]+)/revoke"#, in: list.text))
            #expect(try await browser.post("/settings/tokens/\(id)/revoke").status == .seeOther)
            try await app.testing().test(.GET, "/api/v1/me", headers: headers) { response in #expect(response.status == .unauthorized) }
            let other = TestBrowser(app)
            try await TestAccounts.member(app, handle: "bram")
            try await other.post("/login", form: ["login": "bram", "password": TestAccounts.password])
            #expect(try await other.post("/settings/tokens/\(id)/revoke").status == .notFound)
        }
    }

    @Test func profilesAreEditedWithValidation() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "anna")
            let browser = TestBrowser(app)
            try await browser.post("/login", form: ["login": "anna", "password": TestAccounts.password])
            try await browser.get("/settings/profile")
            let bad = try await browser.post(
                "/settings/profile",
                form: [
                    "display_name": "", "bio": String(repeating: "x", count: 2001), "interests": "ok", "preferred_language": "xx",
                ])
            #expect(bad.status == .unprocessableEntity)
            for field in ["display_name", "bio", "preferred_language"] { #expect(bad.text.contains(#"id="\#(field)-error""#)) }
            let good = try await browser.post(
                "/settings/profile",
                form: [
                    "display_name": "Anna de Vries", "bio": "Eerste alinea.\n\nTweede alinea.", "organisation": "Coöperatie Zon",
                    "interests": "duurzaamheid, zonnepanelen", "expertise": "isolatie", "preferred_language": "nl",
                ])
            #expect(good.status == .seeOther)
            #expect(try await browser.follow(good).text.contains("Profiel opgeslagen."))
            let profile = try await TestBrowser(app).get("/members/anna")
            #expect(profile.text.contains("<h1>Anna de Vries</h1>"))
            #expect(profile.text.contains(#"<li class="tag">duurzaamheid</li>"#))
            #expect(profile.text.contains("Coöperatie Zon"))
            #expect(profile.text.contains("<p>Tweede alinea.</p>"))
        }
    }
}
