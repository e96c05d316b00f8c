import Foundation
import KringCore
import KringStore
import KringTestSupport
import Testing
import Vapor

@testable import KringWeb

@Suite("Dutch and English")
struct LanguageTests {
    @Test func theBrowserLanguageIsUsedWhenNobodyChose() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app, language: .en)
            let dutch = try await TestBrowser(app, acceptLanguage: "nl-BE,nl;q=0.9,en;q=0.5").get("/login")
            #expect(dutch.text.contains(#"<html lang="nl">"#))
            #expect(dutch.text.contains("Wachtwoord vergeten?"))
            let english = try await TestBrowser(app, acceptLanguage: "en-GB").get("/login")
            #expect(english.text.contains("Forgot your password?"))
            let german = try await TestBrowser(app, acceptLanguage: "de-DE").get("/login")
            #expect(german.text.contains(#"<html lang="en">"#), "unsupported: the community default")
        }
    }

    @Test func theCommunityDefaultAppliesWithoutAPreference() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app, language: .nl)
            let page = try await TestBrowser(app).get("/register")
            #expect(page.text.contains("Word lid"))
        }
    }

    @Test func aMembersChoiceBeatsTheBrowser() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app, language: .en)
            try await TestAccounts.member(app, handle: "anna", profile: MemberProfile(preferredLanguage: .nl))
            let browser = TestBrowser(app, acceptLanguage: "en-US")
            try await browser.post("/login", form: ["login": "anna", "password": TestAccounts.password])
            let home = try await browser.get("/")
            #expect(home.visibleText(id: "logout-button") == "Uitloggen")
            let switched = try await browser.post("/language", form: ["language": "en", "return_to": "/settings/profile"])
            #expect(switched.headers.first(name: .location) == "/settings/profile")
            #expect(try await app.repositories.members.find(handle: "anna")?.profile.preferredLanguage == .en)
            #expect(try await browser.get("/").visibleText(id: "logout-button") == "Log out")
        }
    }

    @Test func visitorsSwitchLanguageWithACookie() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app, language: .en)
            let browser = TestBrowser(app, acceptLanguage: "en")
            try await browser.get("/")
            let switched = try await browser.post("/language", form: ["language": "nl", "return_to": "/login"])
            #expect(switched.status == .seeOther)
            #expect(browser.cookies["kring_lang"] == "nl")
            #expect(try await browser.get("/login").visibleText(id: "login-link") == "Inloggen")
            #expect(try await browser.post("/language", form: ["language": "klingon"]).status == .unprocessableEntity)
            let offsite = try await browser.post("/language", form: ["language": "en", "return_to": "https://evil.example/"])
            #expect(offsite.headers.first(name: .location) == "/")
        }
    }

    @Test func datesAndNumbersFollowTheLanguage() async throws {
        let catalog = try Catalog.bundled()
        let amsterdam = try #require(TimeZone(identifier: "Europe/Amsterdam"))
        let date = Date(timeIntervalSince1970: 1_790_000_000)
        let dutch = Localizer(language: .nl, catalog: catalog, timeZone: amsterdam)
        let english = Localizer(language: .en, catalog: catalog, timeZone: amsterdam)
        #expect(dutch.date(date) == "21 september 2026")
        #expect(english.date(date) == "21 September 2026")
        #expect(dutch.number(1_234_567) == "1.234.567")
        #expect(english.number(1_234_567) == "1,234,567")
        #expect(dutch.plural("home.members", count: 1) == "lid")
        #expect(dutch.plural("home.members", count: 2) == "leden")
        #expect(dutch.number(999) == "999" && dutch.number(-1_000) == "-1.000")
        // Placeholders are filled once: a value is not searched again, unknown names and a stray brace stay.
        #expect(Localizer.fill("{a} en {b}, {c} {", ["a": "x", "b": "{a}"]) == "x en {a}, {c} {")
    }

    @Test func bothLanguagesHaveEveryMessage() throws {
        let catalog = try Catalog.bundled()
        let english = catalog.keys(for: .en)
        let dutch = catalog.keys(for: .nl)
        #expect(english.subtracting(dutch).isEmpty, "missing in Dutch: \(english.subtracting(dutch).sorted())")
        #expect(dutch.subtracting(english).isEmpty, "missing in English: \(dutch.subtracting(english).sorted())")
        #expect(english.count > 200)
    }

    @Test func everyMessageTheCodeAsksForExists() throws {
        let catalog = try Catalog.bundled()
        let keys = catalog.keys(for: .en)
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/KringWeb")
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        var used = Set<String>()
        let pattern = try NSRegularExpression(pattern: #"\bt\("([a-z_]+(?:\.[a-z_0-9]+)+)""#)
        for file in files where file.pathExtension == "swift" {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                if let range = Range(match.range(at: 1), in: text) { used.insert(String(text[range])) }
            }
        }
        #expect(used.count > 100)
        #expect(used.subtracting(keys).isEmpty, "used but not in the catalog: \(used.subtracting(keys).sorted())")
        for role in Role.allCases { #expect(keys.contains("role.\(role.rawValue)")) }
        for status in MemberStatus.allCases { #expect(keys.contains("status.\(status.rawValue)")) }
        for mode in RegistrationMode.allCases { #expect(keys.contains("registration_mode.\(mode.rawValue)")) }
        for access in ReadAccess.allCases { #expect(keys.contains("read_access.\(access.rawValue)")) }
        for status in OutboxMessage.Status.allCases { #expect(keys.contains("mail.status.\(status.rawValue)")) }
    }
}
