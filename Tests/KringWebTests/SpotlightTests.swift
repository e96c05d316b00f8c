import Foundation
import KringCore
import KringStore
import KringTestSupport
import Testing
import VaporTesting

@testable import KringWeb

/// Promoting members: the spotlight on the home page, badges by hand and by rule, and experts
/// suggested to members with an open question.
@Suite("Spotlight and badges")
struct SpotlightTests {
    static let rendered = MetricsFixture.rendered

    @Test func theTeamPutsAMemberInTheSpotlightAndGrantsBadgesByHandAndByRule() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            _ = try await TestAccounts.member(app, handle: "chef", role: .manager)
            let anna = try await TestAccounts.member(app, handle: "anna")
            let bram = try await TestAccounts.member(app, handle: "bram")
            let manager = try await signedIn(app, "chef")

            #expect(
                try await manager.post("/cockpit/champions/spotlight", form: ["spotlight_handle": "@niemand", "spotlight_text": "x"]).status
                    == .unprocessableEntity)
            #expect(
                try await manager.post(
                    "/cockpit/champions/spotlight", form: ["spotlight_handle": "@Anna", "spotlight_text": "Beantwoordt <elke> vraag"]
                ).status == .seeOther)
            var home = try await signedIn(app, "bram").get("/")
            #expect(home.visibleText(id: "home-spotlight")?.contains("Anna Tester") == true)
            #expect(home.visibleText(id: "home-spotlight")?.contains("Beantwoordt <elke> vraag") == true, "shown as text")

            // By hand: on her profile.
            #expect(
                try await manager.post(
                    "/cockpit/champions/badges", form: ["badge_handle": "anna", "badge_name": "Gastvrouw", "badge_level": "platinum"]
                ).status == .unprocessableEntity)
            #expect(
                try await manager.post(
                    "/cockpit/champions/badges", form: ["badge_handle": "anna", "badge_name": "Gastvrouw", "badge_level": "gold"]
                ).status == .seeOther)
            let profile = try await manager.get("/members/anna")
            #expect(profile.visibleText(id: "profile-badges")?.contains("Gastvrouw") == true)
            let bramsBrowser = try await signedIn(app, "bram")
            home = try await bramsBrowser.get("/")
            #expect(home.visibleText(id: "home-spotlight")?.contains("Gastvrouw") == true, "her badges show with her")
            #expect(try await TestBrowser(app).get("/").visibleText(id: "home-spotlight") == nil, "not to visitors who may not see members")

            // By rule: two replies make a "Helper"; awarded at once, once.
            let topic = try await app.repositories.topics.create(
                NewTopic(groupID: nil, title: "Hoe werkt dit?", kind: .question, body: "Vraag", tags: []), rendered: Self.rendered, by: bram
            )
            for _ in 0..<2 {
                try await app.repositories.topics.reply(to: topic, body: "Zo!", rendered: Self.rendered, replyTo: nil, by: anna)
            }
            try await app.repositories.topics.reply(to: topic, body: "Dank", rendered: Self.rendered, replyTo: nil, by: bram)
            #expect(
                try await manager.post(
                    "/cockpit/champions/badge-rules",
                    form: ["rule_name": "Helper", "rule_level": "bronze", "rule_metric": "replies", "rule_threshold": "0"]
                ).status == .unprocessableEntity)
            #expect(try await app.repositories.badges.rules().isEmpty)
            #expect(
                try await manager.post(
                    "/cockpit/champions/badge-rules",
                    form: ["rule_name": "Helper", "rule_level": "bronze", "rule_metric": "replies", "rule_threshold": "2"]
                ).status == .seeOther)
            #expect(try await app.repositories.badges.summary(of: anna.id).map(\.name).sorted() == ["Gastvrouw", "Helper"])
            #expect(try await app.repositories.badges.summary(of: bram.id).isEmpty, "one reply is not two")
            #expect(try await app.repositories.badges.applyRules(at: Date()) == 0, "nobody twice")
            try await app.repositories.topics.reply(to: topic, body: "Nog een", rendered: Self.rendered, replyTo: nil, by: bram)
            #expect(try await app.repositories.badges.applyRules(at: Date()) == 1)
            #expect(try await app.repositories.badges.summary(of: bram.id).map(\.name) == ["Helper"])
            let page = try await manager.get("/cockpit/champions")
            let rule = try #require(try await app.repositories.badges.rules().first)
            #expect(page.visibleText(id: "rule-\(rule.id.uuidString.lowercased())")?.contains("2") == true)

            // Clearing the spotlight.
            #expect(
                try await manager.post("/cockpit/champions/spotlight", form: ["spotlight_handle": "", "spotlight_text": ""]).status
                    == .seeOther)
            #expect(try await bramsBrowser.get("/").visibleText(id: "home-spotlight") == nil)
        }
    }

    @Test func anExpertOnAMembersOpenQuestionIsSuggestedToMeet() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            let anna = try await TestAccounts.member(app, handle: "anna")
            _ = try await TestAccounts.member(app, handle: "bram", profile: MemberProfile(expertise: ["warmtepomp"]))
            _ = try await TestAccounts.member(app, handle: "carla", profile: MemberProfile(expertise: ["breien"]))
            _ = try await app.repositories.topics.create(
                NewTopic(
                    groupID: nil, title: "Welke warmtepomp past bij een jaren-30-huis?", kind: .question, body: "Advies gezocht",
                    tags: ["warmtepomp"]),
                rendered: Self.rendered, by: anna)
            let home = try await signedIn(app, "anna").get("/")
            let meet = try #require(home.visibleText(id: "home-meet"))
            #expect(meet.contains("Bram Tester") && meet.contains("Welke warmtepomp past bij een jaren-30-huis?"))
            #expect(!meet.contains("Carla"))
        }
    }
}
