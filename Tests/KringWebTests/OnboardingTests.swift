import Foundation
import KringCore
import KringStore
import KringTestSupport
import Testing
import VaporTesting

@testable import KringWeb

/// Onboarding: the newcomer's checklist and welcome, the funnel and newcomer care in the cockpit.
@Suite("Onboarding")
struct OnboardingTests {
    static let rendered = MetricsFixture.rendered

    @Test func aNewcomerSeesTheWelcomeAndTicksOffTheirFirstSteps() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "chef", role: .manager)
            try await TestAccounts.member(app, handle: "wietske")
            let manager = try await signedIn(app, "chef")
            _ = try await manager.get("/cockpit/onboarding")
            let refused = try await manager.post(
                "/cockpit/onboarding/welcome", form: ["welcome_text": "Fijn dat je er bent!", "welcome_from": "@niemand"])
            #expect(refused.status == .unprocessableEntity)
            #expect(try await app.repositories.welcomeMessage() == nil, "nothing saved")
            let saved = try await manager.post(
                "/cockpit/onboarding/welcome",
                form: ["welcome_text": "Fijn dat je er bent!\n\nStel je voor in de groep <Nieuw>.", "welcome_from": "@Wietske"])
            #expect(saved.status == .seeOther)

            // Registration mails the welcome, signed by Wietske.
            let visitor = TestBrowser(app)
            _ = try await visitor.get("/register")
            let registered = try await visitor.post(
                "/register",
                form: ["handle": "nina", "display_name": "Nina", "email": "nina@kring.test", "password": "een lang wachtwoord"])
            #expect(registered.status == .seeOther)
            let mail = try #require(try await app.repositories.outbox.list(recipient: "nina@kring.test").first { $0.kind == "welcome" })
            #expect(mail.bodyText.contains("Fijn dat je er bent!") && mail.bodyText.contains("— Wietske Tester"))

            var home = try await visitor.get("/")
            #expect(home.visibleText(id: "welcome-message")?.contains("Stel je voor in de groep <Nieuw>.") == true, "shown as text")
            #expect(home.visibleText(id: "welcome-message")?.contains("Wietske Tester") == true)
            for step in OnboardingStep.allCases {
                #expect(home.text.contains(#"<li class="" id="step-\#(step.rawValue)">"#), "\(step) still to do")
            }
            let nina = try #require(try await app.repositories.members.find(handle: "nina"))
            _ = try await app.repositories.topics.create(
                NewTopic(groupID: nil, title: "Hallo, ik ben Nina", kind: .discussion, body: "Nieuw hier", tags: []),
                rendered: Self.rendered,
                by: nina)
            home = try await visitor.get("/")
            #expect(home.text.contains(#"<li class="is-done" id="step-introduce">"#))
            #expect(home.text.contains(#"<li class="" id="step-reply">"#))
            #expect(try await app.repositories.onboarding.steps(of: nina.id) == [.introduce])
        }
    }

    @Test func theCockpitCountsTheFunnelAndListsUnansweredFirstTopics() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "chef", role: .manager)
            let veteran = try await MetricsFixture.member(app, "veteraan", joined: "2024-01-01T10:00:00Z")
            let anna = try await TestAccounts.member(app, handle: "anna", profile: MemberProfile(bio: "Ik kweek tomaten."))
            let bram = try await TestAccounts.member(app, handle: "bram")
            _ = try await TestAccounts.member(app, handle: "carla")
            let group = try await app.repositories.groups.create(
                NewGroup(name: "Moestuin", description: "", welcomeMessage: "", visibility: .open), by: anna.actor)
            let annasTopic = try await app.repositories.topics.create(
                NewTopic(groupID: group.id, title: "Tomaten in de schaduw?", kind: .question, body: "Lukt dat?", tags: []),
                rendered: Self.rendered, by: anna)
            let veteransTopic = try await app.repositories.topics.create(
                NewTopic(groupID: nil, title: "Oud nieuws", kind: .discussion, body: "x", tags: []), rendered: Self.rendered, by: veteran)
            try await app.repositories.topics.reply(to: veteransTopic, body: "Ja!", rendered: Self.rendered, replyTo: nil, by: bram)

            let funnel = try await app.repositories.onboarding.funnel(
                joinedFrom: Date().addingTimeInterval(-90 * 86_400), to: Date().addingTimeInterval(60))
            // anna, bram, carla and chef joined lately; the veteran long ago and the administrator is staff.
            #expect(funnel.joined == 4)
            #expect(funnel.completed == [.profile: 1, .group: 1, .introduce: 1, .reply: 1, .reaction: 0])
            #expect(funnel.share(.reply) == 0.25)

            let manager = try await signedIn(app, "chef")
            var page = try await manager.get("/cockpit/onboarding")
            #expect(page.status == .ok)
            #expect(page.text.contains(#"id="tab-cockpit-onboarding" aria-current="page""#), "a tab of the cockpit")
            #expect(page.visibleText(id: "step-introduce")?.contains("25") == true)
            #expect(page.visibleText(id: "care-list")?.contains("Tomaten in de schaduw?") == true, "anna's first question waits")
            #expect(page.visibleText(id: "care-list")?.contains("Oud nieuws") != true, "not a newcomer's")

            try await app.repositories.topics.reply(to: annasTopic, body: "Ja, met sla.", rendered: Self.rendered, replyTo: nil, by: bram)
            page = try await manager.get("/cockpit/onboarding")
            #expect(page.visibleText(id: "care-empty") != nil, "answered: off the list")

            let member = try await signedIn(app, "carla")
            #expect(try await member.get("/cockpit/onboarding").status == .forbidden)
        }
    }

    @Test func theTeamIntroducesMembersWhoShareInterestsAndHaveNotMet() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "chef", role: .manager)
            let anna = try await TestAccounts.member(app, handle: "anna", profile: MemberProfile(interests: ["moestuin", "zonnepanelen"]))
            try await TestAccounts.member(app, handle: "bram", profile: MemberProfile(expertise: ["zonnepanelen"]))
            let carla = try await TestAccounts.member(app, handle: "carla", profile: MemberProfile(interests: ["moestuin"]))
            try await TestAccounts.member(app, handle: "dirk", profile: MemberProfile(interests: ["moestuin", "zonnepanelen"]))
            try await TestAccounts.member(app, handle: "erik", profile: MemberProfile(interests: ["breien"]))
            // anna answered dirk already: they have met.
            let dirk = try #require(try await app.repositories.members.find(handle: "dirk"))
            let topic = try await app.repositories.topics.create(
                NewTopic(groupID: nil, title: "Panelen op een plat dak", kind: .question, body: "?", tags: []), rendered: Self.rendered,
                by: dirk)
            try await app.repositories.topics.reply(to: topic, body: "Kan prima.", rendered: Self.rendered, replyTo: nil, by: anna)

            let suggestions = try await app.repositories.champions.peopleToMeet(for: anna.id)
            #expect(suggestions.map(\.member.handle) == ["bram", "carla"], "the expert first; not dirk, not erik")

            let home = try await signedIn(app, "anna").get("/")
            #expect(home.visibleText(id: "home-meet")?.contains("expert on zonnepanelen") == true)

            let manager = try await signedIn(app, "chef")
            let profile = try await manager.get("/members/anna")
            #expect(profile.visibleText(id: "people-to-meet")?.contains("Bram Tester") == true)
            #expect(try await signedIn(app, "carla").get("/members/anna").text.contains("people-to-meet") == false, "the team's view only")
            let introduced = try await manager.post("/members/anna/introduce", form: ["other": "bram", "note": "Jullie moeten praten."])
            #expect(introduced.status == .seeOther)
            let toAnna = try #require(
                try await app.repositories.outbox.list(recipient: "anna@kring.test").first { $0.kind == "introduction" })
            #expect(toAnna.subject == "Meet Bram Tester" && toAnna.bodyText.contains("Jullie moeten praten."))
            #expect(toAnna.bodyText.contains("expert on zonnepanelen"))
            #expect(try await app.repositories.outbox.list(recipient: "bram@kring.test").contains { $0.kind == "introduction" })
            #expect(try await manager.post("/members/anna/introduce", form: ["other": "anna"]).status == .unprocessableEntity)
            #expect(try await signedIn(app, "carla").post("/members/anna/introduce", form: ["other": "bram"]).status == .forbidden)
            _ = carla
        }
    }
}
