import Foundation
import KringCore
import KringStore
import KringTestSupport
import Testing
import Vapor

@testable import KringWeb

/// Signs a member in with the test password.
func signedIn(_ app: Application, _ handle: String) async throws -> TestBrowser {
    let browser = TestBrowser(app)
    let response = try await browser.post("/login", form: ["login": handle, "password": TestAccounts.password])
    #expect(response.status == .seeOther, "\(handle) logs in")
    return browser
}

/// Creates a group through the page and returns its slug.
func createGroup(_ browser: TestBrowser, name: String, visibility: GroupVisibility, welcome: String = "") async throws -> String {
    try await browser.get("/groups/new")
    let response = try await browser.post(
        "/groups", form: ["name": name, "description": "About \(name)", "welcome_message": welcome, "visibility": visibility.rawValue])
    #expect(response.status == .seeOther)
    return String(try #require(response.headers.first(name: .location)).dropFirst(3))
}

/// Starts a topic through the page and returns its path.
func createTopic(_ browser: TestBrowser, group: String?, title: String, body: String, kind: TopicKind = .discussion, tags: String = "")
    async throws -> String
{
    try await browser.get("/topics/new")
    let response = try await browser.post(
        "/topics", form: ["group": group ?? "", "title": title, "body": body, "kind": kind.rawValue, "tags": tags])
    #expect(response.status == .seeOther, "topic \(title) created")
    return try #require(response.headers.first(name: .location))
}

@Suite("Groups")
struct GroupTests {
    @Test func openGroupsAreJoinedAtOnceAndWelcomeNewcomers() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "anna")
            try await TestAccounts.member(app, handle: "bram")
            let anna = try await signedIn(app, "anna")
            let slug = try await createGroup(
                anna, name: "Zonnepanelen Oost", visibility: .open, welcome: "Fijn dat je er bent, **welkom**!")
            #expect(slug == "zonnepanelen-oost")
            let bram = try await signedIn(app, "bram")
            let before = try await bram.get("/g/\(slug)")
            #expect(before.text.contains(#"id="join-group""#))
            #expect(!before.text.contains(#"id="group-welcome""#))
            #expect(try await bram.post("/g/\(slug)/join").status == .seeOther)
            let after = try await bram.get("/g/\(slug)")
            #expect(after.text.contains(#"id="group-welcome""#))
            #expect(after.text.contains("<strong>welkom</strong>"))
            #expect(after.text.contains(#"id="leave-group""#))
            #expect(try await app.repositories.groups.find(slug: slug)?.memberCount == 2)
            #expect(try await bram.post("/g/\(slug)/leave").status == .seeOther)
            #expect(try await app.repositories.groups.find(slug: slug)?.memberCount == 1)
            let members = try await anna.get("/g/\(slug)/members")
            #expect(members.text.contains("Group manager"))
        }
    }

    @Test func closedGroupsTakeRequestsThatManagersDecide() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "anna")
            try await TestAccounts.member(app, handle: "bram")
            let anna = try await signedIn(app, "anna")
            let slug = try await createGroup(anna, name: "Bestuur", visibility: .closed)
            _ = try await createTopic(anna, group: slug, title: "Vergadering maandag", body: "Geheime agenda: begroting")
            let bram = try await signedIn(app, "bram")
            let page = try await bram.get("/g/\(slug)")
            #expect(page.status == .ok, "a closed group is visible")
            #expect(page.text.contains(#"id="members-only""#))
            #expect(!page.text.contains("Vergadering maandag"), "its topics are not")
            try await bram.post("/g/\(slug)/join")
            #expect(try await bram.get("/g/\(slug)").text.contains(#"id="request-pending""#))
            let managerView = try await anna.get("/g/\(slug)/members")
            #expect(managerView.text.contains(#"id="join-requests""#))
            let notifications = try await anna.get("/notifications")
            #expect(notifications.text.contains("asks to join"))
            #expect(try await anna.post("/g/\(slug)/members/bram/approve").status == .seeOther)
            #expect(try await bram.get("/g/\(slug)").text.contains("Vergadering maandag"))
            #expect(try await bram.get("/notifications").text.contains("You are now a member"))
            #expect(try await bram.post("/g/\(slug)/members/anna/remove").status == .forbidden, "members do not manage")
        }
    }

    @Test func secretGroupsAreInvisibleUntilInvited() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "anna")
            try await TestAccounts.member(app, handle: "bram")
            let anna = try await signedIn(app, "anna")
            let slug = try await createGroup(anna, name: "Geheime club", visibility: .secret)
            let bram = try await signedIn(app, "bram")
            #expect(try await bram.get("/g/\(slug)").status == .notFound)
            #expect(!(try await bram.get("/groups").text.contains("Geheime club")))
            #expect(try await bram.post("/g/\(slug)/join").status == .notFound)
            try await anna.get("/g/\(slug)/members")
            #expect(try await anna.post("/g/\(slug)/invite", form: ["invitee": "@bram"]).status == .seeOther)
            let invited = try await bram.get("/g/\(slug)")
            #expect(invited.status == .ok)
            #expect(invited.text.contains(#"id="accept-invitation""#))
            #expect(try await bram.get("/groups").text.contains("Geheime club"))
            try await bram.post("/g/\(slug)/invitation/accept")
            #expect(try await app.repositories.groups.find(slug: slug)?.memberCount == 2)
            let unknown = try await anna.post("/g/\(slug)/invite", form: ["invitee": "nobody-here"])
            #expect(unknown.status == .unprocessableEntity)
            #expect(try await anna.post("/g/\(slug)/invite", form: ["invitee": "new.person@example.org"]).status == .seeOther)
            #expect(try await app.repositories.outbox.list(recipient: "new.person@example.org").count == 1)
        }
    }

    @Test func archivedGroupsAreReadOnlyAndUnlisted() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "anna")
            let anna = try await signedIn(app, "anna")
            let slug = try await createGroup(anna, name: "Oud project", visibility: .open)
            let topic = try await createTopic(anna, group: slug, title: "Afgeronde zonneweide", body: "Het project is klaar")
            try await anna.get("/g/\(slug)/edit")
            #expect(try await anna.post("/g/\(slug)/archive").status == .seeOther)
            #expect(!(try await anna.get("/groups").text.contains("Oud project")))
            #expect(try await anna.get("/groups?archived=1").text.contains("Oud project"))
            let page = try await anna.get(topic)
            #expect(page.status == .ok)
            #expect(!page.text.contains(#"id="reply-form""#))
            #expect(try await anna.post("\(topic)/replies", form: ["body": "nog iets"]).status == .forbidden)
            #expect(try await anna.get("/search?q=zonneweide").text.contains("Afgeronde zonneweide"), "still searchable")
            #expect(!(try await anna.get("/topics").text.contains("Afgeronde zonneweide")), "not in the latest list")
            try await anna.post("/g/\(slug)/restore")
            #expect(try await anna.get("/groups").text.contains("Oud project"))
        }
    }

    @Test func groupFormsValidate() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "anna")
            let anna = try await signedIn(app, "anna")
            try await anna.get("/groups/new")
            let bad = try await anna.post("/groups", form: ["name": "", "visibility": "invisible"])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.text.contains(#"id="name-error""#))
            #expect(bad.text.contains(#"id="visibility-error""#))
            #expect(try await app.repositories.groups.list(for: .anonymous).isEmpty)
            #expect(try await TestBrowser(app).post("/groups", form: ["name": "Visitors", "visibility": "open"]).status == .unauthorized)
            #expect(try await app.repositories.groups.find(slug: "visitors") == nil)
        }
    }
}
