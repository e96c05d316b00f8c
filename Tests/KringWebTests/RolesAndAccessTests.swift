import Foundation
import KringCore
import KringStore
import KringTestSupport
import Testing
import Vapor

@testable import KringWeb

@Suite("Roles, administration and read access")
struct RolesAndAccessTests {
    static func signedIn(_ app: Application, _ handle: String) async throws -> TestBrowser {
        let browser = TestBrowser(app)
        let response = try await browser.post("/login", form: ["login": handle, "password": TestAccounts.password])
        #expect(response.status == .seeOther, "\(handle) logs in")
        return browser
    }

    @Test func eachRoleSeesItsOwnPartOfAdministration() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "mia")
            try await TestAccounts.member(app, handle: "mod", role: .moderator)
            try await TestAccounts.member(app, handle: "manon", role: .manager)
            let expectations: [(String?, [String: HTTPStatus])] = [
                (nil, ["/admin": .seeOther, "/admin/settings": .seeOther, "/admin/mail": .seeOther, "/members": .seeOther]),
                ("mia", ["/admin": .forbidden, "/admin/members": .forbidden, "/admin/settings": .forbidden, "/members": .ok]),
                ("mod", ["/admin": .forbidden, "/admin/invites": .forbidden, "/members": .ok]),
                (
                    "manon",
                    ["/admin": .ok, "/admin/members": .ok, "/admin/invites": .ok, "/admin/settings": .forbidden, "/admin/mail": .forbidden]
                ),
                ("admin", ["/admin": .ok, "/admin/members": .ok, "/admin/invites": .ok, "/admin/settings": .ok, "/admin/mail": .ok]),
            ]
            for (handle, pages) in expectations {
                let browser = handle == nil ? TestBrowser(app) : try await Self.signedIn(app, handle!)
                for (path, status) in pages {
                    let response = try await browser.get(path)
                    #expect(response.status == status, "\(handle ?? "visitor") GET \(path)")
                    if status == .forbidden { #expect(response.headers.first(name: "Content-Security-Policy") != nil) }
                }
            }
            let member = try await Self.signedIn(app, "mia")
            #expect(try await member.post("/admin/members/mod", form: ["role": "admin"]).status == .forbidden)
            #expect(try await app.repositories.members.find(handle: "mod")?.role == .moderator, "nothing changed")
            let manager = try await Self.signedIn(app, "manon")
            try await manager.get("/admin/members")
            #expect(try await manager.post("/admin/members/mia", form: ["role": "admin"]).status == .forbidden, "only admins assign roles")
        }
    }

    @Test func adminsAssignRolesAndTheStaffBadge() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "mia")
            let admin = try await Self.signedIn(app, "admin")
            try await admin.get("/admin/members")
            let updated = try await admin.post("/admin/members/mia", form: ["role": "moderator", "is_staff": "1"])
            #expect(updated.status == .seeOther)
            let mia = try #require(try await app.repositories.members.find(handle: "mia"))
            #expect(mia.role == .moderator)
            #expect(mia.isStaff)
            let profile = try await TestBrowser(app).get("/members/mia")
            #expect(profile.text.contains("badge-staff"))
            #expect(profile.text.contains(">Moderator<"))
            #expect(try await admin.post("/admin/members/mia", form: ["role": "overlord"]).status == .unprocessableEntity)
            // An integration's account is marked a bot: badged, and left out of the figures.
            try await TestAccounts.member(app, handle: "feedbot")
            try await admin.post("/admin/members/feedbot", form: ["role": "member", "is_staff": "0", "is_bot": "1"])
            #expect(try await app.repositories.members.find(handle: "feedbot")?.isBot == true)
            #expect(try await TestBrowser(app).get("/members/feedbot").text.contains("badge-bot"))
            #expect(try await admin.get("/admin/members?q=feedbot").text.contains(#"id="bot-feedbot" name="is_bot" value="1" checked"#))
            let demoteSelf = try await admin.post("/admin/members/admin", form: ["role": "member"])
            #expect(demoteSelf.status == .conflict, "the last administrator stays")
            #expect(try await app.repositories.members.find(handle: "admin")?.role == .admin)
            #expect(try await app.repositories.activity.count(.roleChange) == 1)
        }
    }

    @Test func adminsChangeCommunitySettings() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            let admin = try await Self.signedIn(app, "admin")
            let page = try await admin.get("/admin/settings")
            #expect(page.text.contains(#"id="settings-form""#))
            let bad = try await admin.post(
                "/admin/settings",
                form: [
                    "community_name": "", "tagline": "", "default_language": "nl", "registration_mode": "maybe", "read_access": "public",
                    "time_zone": "Moon/Crater",
                ])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.text.contains(#"id="registration_mode-error""#))
            #expect(bad.text.contains(#"id="time_zone-error""#))
            #expect(try await app.repositories.community.settings()?.name == "Testgemeenschap", "nothing half-written")
            let good = try await admin.post(
                "/admin/settings",
                form: [
                    "community_name": "Buurtkracht", "tagline": "Samen sterker", "default_language": "nl", "registration_mode": "approval",
                    "read_access": "members", "time_zone": "Europe/Amsterdam",
                ])
            #expect(good.status == .seeOther)
            let settings = try #require(try await app.repositories.community.settings())
            #expect(
                settings
                    == CommunitySettings(
                        name: "Buurtkracht", tagline: "Samen sterker", defaultLanguage: .nl, registrationMode: .approval,
                        readAccess: .members,
                        timeZone: "Europe/Amsterdam"))
        }
    }

    @Test func membersOnlyCommunitiesShowVisitorsNothingButTheDoor() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app, readAccess: .members)
            try await TestAccounts.member(app, handle: "anna", profile: MemberProfile(bio: "Private words"))
            let visitor = TestBrowser(app)
            let home = try await visitor.get("/")
            #expect(home.status == .seeOther)
            #expect(home.headers.first(name: .location) == "/login")
            let profile = try await visitor.get("/members/anna")
            #expect(profile.headers.first(name: .location) == "/login?next=%2Fmembers%2Fanna")
            #expect(!profile.text.contains("Private words"))
            #expect(try await visitor.get("/login").status == .ok)
            #expect(try await visitor.get("/register").status == .ok)
            #expect(try await visitor.get("/password/forgot").status == .ok)
            let api = try await visitor.get("/api/v1/members/anna")
            #expect(api.status == .unauthorized)
            #expect(!api.text.contains("Private words"))
            let login = try await visitor.post(
                "/login", form: ["login": "anna", "password": TestAccounts.password, "next": "/members/anna"])
            #expect(login.headers.first(name: .location) == "/members/anna", "back to where the visitor was going")
            #expect(try await visitor.follow(login).text.contains("Private words"))
        }
    }

    @Test func loginNeverRedirectsToAnotherSite() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            for next in ["https://evil.example", "//evil.example", "/\\evil.example", "javascript:alert(1)"] {
                let browser = TestBrowser(app)
                try await browser.get("/login?next=\(TestBrowserEncoding.encode(next))")
                let response = try await browser.post("/login", form: ["login": "admin", "password": TestAccounts.password, "next": next])
                #expect(response.headers.first(name: .location) == "/", "next=\(next)")
            }
        }
    }

    @Test func privateProfileFieldsAreForTheMemberAndAdminsOnly() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "anna")
            try await TestAccounts.member(app, handle: "bram")
            let bram = try await Self.signedIn(app, "bram")
            #expect(!(try await bram.get("/members/anna").text.contains("anna@kring.test")))
            #expect(!(try await TestBrowser(app).get("/members/anna").text.contains("anna@kring.test")))
            let anna = try await Self.signedIn(app, "anna")
            #expect(try await anna.get("/members/anna").text.contains("anna@kring.test"))
            let admin = try await Self.signedIn(app, "admin")
            #expect(try await admin.get("/members/anna").text.contains("anna@kring.test"))
        }
    }
}

enum TestBrowserEncoding {
    static func encode(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value
    }
}
