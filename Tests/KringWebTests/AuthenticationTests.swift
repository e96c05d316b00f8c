import Foundation
import KringCore
import KringStore
import KringTestSupport
import Testing
import Vapor

@testable import KringWeb

@Suite("Login, logout, sessions and CSRF")
struct AuthenticationTests {
    @Test func membersLogInWithHandleOrEmailAndOut() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "anna")
            for login in ["anna", "ANNA@kring.test"] {
                let browser = TestBrowser(app)
                try await browser.get("/login")
                let response = try await browser.post("/login", form: ["login": login, "password": TestAccounts.password])
                #expect(response.status == .seeOther)
                #expect(try await browser.follow(response).visibleText(id: "current-member") == "Anna Tester")
                let cookie = try #require(response.headers[.setCookie].first { $0.hasPrefix("kring_session=") })
                #expect(cookie.contains("HttpOnly"))
                #expect(cookie.contains("SameSite=Lax"))
                #expect(!cookie.contains("Secure"), "plain http base URL")
                let out = try await browser.post("/logout")
                #expect(out.status == .seeOther)
                let after = try await browser.follow(out)
                #expect(after.visibleText(id: "current-member") == nil)
                #expect(after.visibleText(id: "login-link") == "Log in")
            }
            #expect(try await app.repositories.activity.count(.login) == 2)
        }
    }

    @Test func theSessionIdChangesAtLoginAndDiesAtLogout() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            let anna = try await TestAccounts.member(app, handle: "anna")
            let browser = TestBrowser(app)
            try await browser.post("/login", form: ["login": "anna", "password": TestAccounts.password])
            let first = try #require(browser.cookies["kring_session"])
            try await browser.get("/")
            try await browser.post("/login", form: ["login": "anna", "password": TestAccounts.password])
            let second = try #require(browser.cookies["kring_session"])
            #expect(first != second)
            #expect(try await app.repositories.sessions.count(of: anna.id) == 1, "the old session was ended")

            let thief = TestBrowser(app)
            let stolen = try await thief.get("/settings/profile", headers: ["Cookie": "kring_session=\(first)"])
            #expect(stolen.status == .seeOther, "the old cookie no longer signs anyone in")
            try await browser.post("/logout")
            let replay = try await thief.get("/settings/profile", headers: ["Cookie": "kring_session=\(second)"])
            #expect(replay.status == .seeOther)
            #expect(replay.headers.first(name: .location)?.hasPrefix("/login") == true)
        }
    }

    @Test func wrongPasswordsAreRefusedAndThenRateLimited() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "anna")
            let browser = TestBrowser(app)
            try await browser.get("/login")
            let wrong = try await browser.post("/login", form: ["login": "anna", "password": "not the password"])
            #expect(wrong.status == .unauthorized)
            #expect(wrong.text.contains("The login name or password is wrong."))
            #expect(wrong.text.contains(#"value="anna""#))
            let unknown = try await browser.post("/login", form: ["login": "nobody", "password": "whatever it is"])
            #expect(unknown.text.contains("The login name or password is wrong."), "unknown accounts get the same answer")
            for _ in 0..<4 { try await browser.post("/login", form: ["login": "anna", "password": "still wrong!"]) }
            let locked = try await browser.post("/login", form: ["login": "anna", "password": TestAccounts.password])
            #expect(locked.status == .tooManyRequests)
            #expect(locked.text.contains("Too many failed attempts"))
            #expect(browser.cookies["kring_session"] == nil)
        }
    }

    @Test func formsWithoutAValidCSRFTokenAreRejected() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "anna")
            let browser = TestBrowser(app)
            try await browser.get("/login")
            let missing = try await browser.post("/login", form: ["login": "anna", "password": TestAccounts.password], csrf: "")
            #expect(missing.status == .forbidden)
            #expect(missing.headers.first(name: "Content-Security-Policy") != nil)
            #expect(browser.cookies["kring_session"] == nil)

            let other = TestBrowser(app)
            try await other.get("/login")
            let foreign = try await browser.post(
                "/login", form: ["login": "anna", "password": TestAccounts.password], csrf: other.csrfToken)
            #expect(foreign.status == .forbidden, "a token from another browser does not count")

            try await browser.post("/login", form: ["login": "anna", "password": TestAccounts.password])
            #expect(browser.cookies["kring_session"] != nil)
            let forged = try await browser.post("/settings/profile", form: ["display_name": "Hacked"], csrf: "forged-token")
            #expect(forged.status == .forbidden)
            #expect(try await app.repositories.members.find(handle: "anna")?.displayName == "Anna Tester")
            let staleAnonymousToken = try await browser.post("/settings/profile", form: ["display_name": "Hacked"], csrf: other.csrfToken)
            #expect(staleAnonymousToken.status == .forbidden)
        }
    }

    @Test func changingThePasswordSignsOutOtherBrowsers() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "anna")
            let laptop = TestBrowser(app)
            let phone = TestBrowser(app)
            for browser in [laptop, phone] {
                try await browser.post("/login", form: ["login": "anna", "password": TestAccounts.password])
            }
            try await laptop.get("/settings/password")
            let wrong = try await laptop.post(
                "/settings/password", form: ["current_password": "nope nope nope", "new_password": "a new long password"])
            #expect(wrong.status == .unprocessableEntity)
            #expect(wrong.visibleText(id: "current_password-error") == "This is not your current password.")
            let short = try await laptop.post(
                "/settings/password", form: ["current_password": TestAccounts.password, "new_password": "short"])
            #expect(short.visibleText(id: "new_password-error") == "The password needs at least 10 characters.")
            let changed = try await laptop.post(
                "/settings/password", form: ["current_password": TestAccounts.password, "new_password": "a new long password"])
            #expect(changed.status == .seeOther)
            #expect(try await laptop.get("/settings/profile").status == .ok, "this browser stays signed in")
            #expect(try await phone.get("/settings/profile").status == .seeOther, "the other browser was signed out")
            let old = TestBrowser(app)
            #expect(try await old.post("/login", form: ["login": "anna", "password": TestAccounts.password]).status == .unauthorized)
            #expect(try await old.post("/login", form: ["login": "anna", "password": "a new long password"]).status == .seeOther)
        }
    }

    @Test func aForgottenPasswordIsResetThroughAnEmailedLink() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "anna")
            let browser = TestBrowser(app)
            try await browser.get("/password/forgot")
            let unknown = try await browser.post("/password/forgot", form: ["email": "nobody@kring.test"])
            let known = try await browser.post("/password/forgot", form: ["email": "ANNA@kring.test"])
            #expect(unknown.status == .ok)
            #expect(known.status == .ok)
            #expect(
                HTMLText.visible(unknown.text) == HTMLText.visible(known.text).replacingOccurrences(of: "ANNA", with: "nobody"),
                "the answer does not reveal who is a member")
            let messages = try await app.repositories.outbox.list()
            #expect(messages.count == 1)
            let message = try #require(messages.first)
            #expect(message.recipient == "anna@kring.test")
            let path = try #require(TestBrowser.firstMatch(#"http://kring\.test(/password/reset/[A-Za-z0-9_-]+)"#, in: message.bodyText))
            let form = try await browser.get(path)
            #expect(form.text.contains(#"id="reset-form""#))
            let tooShort = try await browser.post(path, form: ["password": "short"])
            #expect(tooShort.status == .unprocessableEntity)
            let reset = try await browser.post(path, form: ["password": "my brand new password"])
            #expect(reset.status == .seeOther)
            #expect(try await browser.follow(reset).visibleText(id: "current-member") == "Anna Tester")
            let again = TestBrowser(app)
            #expect(try await again.get(path).status == .notFound, "a reset link works once")
            #expect(try await again.post("/login", form: ["login": "anna", "password": "my brand new password"]).status == .seeOther)
            #expect(try await app.repositories.activity.count(.passwordReset) == 1)
        }
    }

    @Test func cookiesAreSecureBehindHTTPS() async throws {
        let config = KringConfig(dataDirectory: URL(fileURLWithPath: "/tmp"), baseURL: "https://community.example.org/")
        #expect(config.usesHTTPS)
        #expect(config.baseURL == "https://community.example.org")
        #expect(config.bcryptCost == 12)
        #expect(KringConfig(dataDirectory: URL(fileURLWithPath: "/tmp"), bcryptCost: 4).bcryptCost == 12, "never below 12")
        let fromEnvironment = KringConfig.fromEnvironment(["KRING_PORT": "9000", "KRING_DATA_DIR": "/srv/kring"])
        #expect(fromEnvironment.port == 9000)
        #expect(fromEnvironment.dataDirectory.path == "/srv/kring")
        #expect(fromEnvironment.baseURL == "http://127.0.0.1:9000")
        #expect(fromEnvironment.databaseURL == nil)
    }
}
