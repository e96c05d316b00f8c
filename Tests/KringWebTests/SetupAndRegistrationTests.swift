import Foundation
import KringCore
import KringStore
import KringTestSupport
import Testing
import Vapor

@testable import KringWeb

@Suite("Setup and registration")
struct SetupAndRegistrationTests {
    static let validSetup = [
        "community_name": "Energie Samen", "tagline": "Schone energie in de buurt", "default_language": "nl",
        "handle": "sanne", "display_name": "Sanne Bakker", "email": "sanne@kring.test", "password": "lange zin als wachtwoord",
    ]

    @Test func aFreshInstanceSendsEveryoneToSetup() async throws {
        try await withKringApp { app in
            let browser = TestBrowser(app)
            let home = try await browser.get("/")
            #expect(home.status == .seeOther)
            #expect(home.headers.first(name: .location) == "/setup")
            #expect(try await browser.get("/members").headers.first(name: .location) == "/setup")
            let setup = try await browser.get("/setup")
            #expect(setup.status == .ok)
            #expect(setup.text.contains(#"id="setup-form""#))
            let api = try await browser.get("/api/v1/community")
            #expect(api.status == .serviceUnavailable)
            #expect(api.headers.contentType?.description.hasPrefix("application/problem+json") == true)
        }
    }

    @Test func setupCreatesTheCommunityAndSignsTheAdministratorIn() async throws {
        try await withKringApp { app in
            let browser = TestBrowser(app)
            try await browser.get("/setup")
            let done = try await browser.post("/setup", form: Self.validSetup)
            #expect(done.status == .seeOther)
            #expect(browser.cookies["kring_session"] != nil)
            let home = try await browser.follow(done)
            #expect(home.visibleText(id: "current-member") == "Sanne Bakker")
            #expect(home.text.contains("<html lang=\"nl\">"), "the admin chose Dutch")
            #expect(home.text.contains("Je community staat klaar"))
            let admin = try #require(try await app.repositories.members.find(handle: "sanne"))
            #expect(admin.role == .admin)
            #expect(try await app.repositories.community.settings()?.defaultLanguage == .nl)
            #expect(try await browser.get("/setup").headers.first(name: .location) == "/", "setup runs once")
            let again = try await browser.post(
                "/setup", form: Self.validSetup.merging(["handle": "mallory", "email": "m@kring.test"]) { $1 })
            #expect(again.status == .seeOther)
            #expect(try await app.repositories.members.find(handle: "mallory") == nil)
        }
    }

    @Test func setupWithBadInputShowsEveryProblemAndWritesNothing() async throws {
        try await withKringApp { app in
            let browser = TestBrowser(app)
            try await browser.get("/setup")
            let response = try await browser.post(
                "/setup",
                form: [
                    "community_name": "", "default_language": "fr", "handle": "a b", "display_name": "X", "email": "nope",
                    "password": "short",
                ])
            #expect(response.status == .unprocessableEntity)
            for field in ["community_name", "default_language", "handle", "email", "password"] {
                #expect(response.text.contains(#"id="\#(field)-error""#), "\(field) is marked")
            }
            #expect(response.visibleText(id: "email-error") == "This does not look like an e-mail address.")
            #expect(response.text.contains(#"value="X""#), "typed values are kept")
            #expect(try await app.repositories.community.settings() == nil)
            #expect(try await app.repositories.members.count() == 0)
        }
    }

    @Test func membersRegisterAndAreSignedIn() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            let browser = TestBrowser(app)
            #expect(try await browser.get("/register").text.contains(#"id="register-form""#))
            let response = try await browser.post(
                "/register",
                form: [
                    "handle": "Anna_V", "display_name": "Anna de Vries", "email": "Anna@Example.org", "password": "een lang wachtwoord",
                ])
            #expect(response.status == .seeOther)
            let home = try await browser.follow(response)
            #expect(home.visibleText(id: "current-member") == "Anna de Vries")
            let anna = try #require(try await app.repositories.members.find(handle: "anna_v"))
            #expect(anna.email == "anna@example.org")
            #expect(anna.status == .active)
            #expect(anna.role == .member)
            let hash = try #require(try await app.repositories.members.passwordHash(of: anna.id))
            #expect(hash.hasPrefix("$2b$12$"), "bcrypt with cost 12")
            let mail = try await app.repositories.outbox.list(recipient: "anna@example.org")
            #expect(mail.map(\.kind) == ["welcome"])
        }
    }

    @Test func duplicateAndInvalidRegistrationsAreRefusedWithMessages() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "anna")
            let browser = TestBrowser(app)
            try await browser.get("/register")
            let duplicate = try await browser.post(
                "/register",
                form: [
                    "handle": "ANNA", "display_name": "Other Anna", "email": "anna@kring.test", "password": "een lang wachtwoord",
                ])
            #expect(duplicate.status == .unprocessableEntity)
            #expect(duplicate.visibleText(id: "handle-error") == "This handle is already taken.")
            #expect(duplicate.visibleText(id: "email-error") == "An account with this e-mail address already exists.")

            let invalid = try await browser.post("/register", form: ["handle": "", "display_name": "", "email": "x", "password": "x"])
            #expect(invalid.status == .unprocessableEntity)
            for field in ["handle", "display_name", "email", "password"] {
                #expect(invalid.text.contains(#"id="\#(field)-error""#))
            }
            #expect(invalid.text.contains(#"role="alert""#), "the error summary is announced")
            #expect(try await app.repositories.members.count() == 2, "admin and the first anna only")
            #expect(browser.cookies["kring_session"] == nil)
        }
    }

    @Test func approvalModeHoldsNewMembersUntilAManagerApproves() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app, registration: .approval)
            try await TestAccounts.member(app, handle: "manon", role: .manager)
            let visitor = TestBrowser(app)
            try await visitor.get("/register")
            let registered = try await visitor.post(
                "/register",
                form: [
                    "handle": "piet", "display_name": "Piet", "email": "piet@kring.test", "password": "een lang wachtwoord",
                ])
            #expect(registered.status == .ok)
            #expect(registered.text.contains(#"id="register-pending""#))
            #expect(visitor.cookies["kring_session"] == nil)
            let login = try await visitor.post("/login", form: ["login": "piet", "password": "een lang wachtwoord"])
            #expect(login.status == .forbidden)
            #expect(login.text.contains("waiting for approval"))
            let notices = try await app.repositories.outbox.list(status: .pending).filter { $0.kind == "approval_needed" }
            #expect(Set(notices.map(\.recipient)) == ["admin@kring.test", "manon@kring.test"])

            let manager = TestBrowser(app)
            try await manager.post("/login", form: ["login": "manon", "password": TestAccounts.password])
            let queue = try await manager.get("/admin/members?status=pending")
            #expect(queue.text.contains(#"id="approve-piet""#))
            let approved = try await manager.post("/admin/members/piet/approve")
            #expect(approved.status == .seeOther)
            #expect(try await app.repositories.members.find(handle: "piet")?.status == .active)
            #expect(try await app.repositories.outbox.list(recipient: "piet@kring.test").map(\.kind) == ["account_approved"])
            let retry = try await visitor.post("/login", form: ["login": "piet", "password": "een lang wachtwoord"])
            #expect(retry.status == .seeOther)
        }
    }

    @Test func inviteOnlyCommunitiesNeedAValidInvitation() async throws {
        try await withKringApp { app in
            let mail = CapturingMailTransport()
            try await TestAccounts.setUpCommunity(app, registration: .invite)
            let visitor = TestBrowser(app)
            let page = try await visitor.get("/register")
            #expect(page.text.contains(#"id="invite-only""#))
            #expect(!page.text.contains(#"id="register-form""#))
            let sneaky = try await visitor.post(
                "/register",
                form: [
                    "handle": "sneaky", "display_name": "S", "email": "s@kring.test", "password": "een lang wachtwoord",
                ])
            #expect(sneaky.text.contains(#"id="invite-only""#))
            #expect(try await app.repositories.members.find(handle: "sneaky") == nil)

            let admin = TestBrowser(app)
            try await admin.post("/login", form: ["login": "admin", "password": TestAccounts.password])
            let sent = try await admin.post("/admin/invites", form: ["emails": "Guest@kring.test, bad-address", "note": "Welkom!"])
            #expect(sent.status == .unprocessableEntity, "one bad address stops the batch")
            #expect(try await app.repositories.outbox.count() == 0)
            #expect(try await admin.post("/admin/invites", form: ["emails": "guest@kring.test", "note": "Welkom!"]).status == .seeOther)
            let delivery = OutboxDelivery(
                repositories: app.repositories, transport: mail, sender: MailSender(name: "K", address: "k@kring.test"), logger: app.logger)
            #expect(try await delivery.deliverDue() == 1)
            let invitation = try #require(mail.messages.first)
            #expect(invitation.subject.contains("Ada Admin"))
            let link = try #require(
                TestBrowser.firstMatch(#"http://kring\.test(/register\?invite=[A-Za-z0-9_-]+)"#, in: invitation.bodyText))
            let form = try await visitor.get(link)
            #expect(form.text.contains(#"value="guest@kring.test""#))
            let token = try #require(TestBrowser.firstMatch(#"invite=(.+)$"#, in: link))
            let joined = try await visitor.post(
                "/register",
                form: [
                    "handle": "guest", "display_name": "Guest", "email": "guest@kring.test", "password": "een lang wachtwoord",
                    "invite": token,
                ])
            #expect(joined.status == .seeOther)
            #expect(try await app.repositories.members.find(handle: "guest")?.status == .active)
            let reuse = TestBrowser(app)
            try await reuse.get(link)
            let second = try await reuse.post(
                "/register",
                form: [
                    "handle": "guest2", "display_name": "G", "email": "g2@kring.test", "password": "een lang wachtwoord", "invite": token,
                ])
            #expect(second.text.contains(#"id="invite-only""#))
            #expect(try await app.repositories.members.find(handle: "guest2") == nil)
        }
    }
}

/// Keeps delivered mail in memory for assertions.
final class CapturingMailTransport: MailTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var delivered: [OutboxMessage] = []
    var failing = false

    var messages: [OutboxMessage] { lock.withLock { delivered } }

    func deliver(_ message: OutboxMessage, from sender: MailSender) async throws {
        if lock.withLock({ failing }) { throw Abort(.serviceUnavailable, reason: "SMTP down") }
        lock.withLock { delivered.append(message) }
    }
}
