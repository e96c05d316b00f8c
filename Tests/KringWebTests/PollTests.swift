import Foundation
import KringCore
import KringStore
import KringTestSupport
import Testing
import Vapor

@testable import KringWeb

@Suite("Polls")
struct PollTests {
    @Test func aPollClosesByItselfAtItsClosingTime() async throws {
        let clock = TestClockWeb()
        try await withKringApp(clock: clock.kringClock) { app in
            try await TestAccounts.setUpCommunity(app)
            let anna = try await TestAccounts.member(app, handle: "anna")
            try await TestAccounts.member(app, handle: "bram")
            let pollID = try await app.repositories.polls.create(
                NewPoll(
                    topicID: nil, groupID: nil, question: "Welke dag?", options: ["Zaterdag", "Zondag"], allowsMultiple: false,
                    isAnonymous: true, resultsVisibility: .afterClose, closesAt: clock.kringClock.now().addingTimeInterval(3600)),
                by: anna)
            let bram = try await signedIn(app, "bram")
            let page = try await bram.get("/polls/\(pollID.uuidString.lowercased())")
            #expect(page.text.contains(#"id="results-hidden-\#(pollID.uuidString.lowercased())""#), "results only after closing")
            let option = try #require(TestBrowser.firstMatch(#"name="option\[\]" value="([0-9A-F-]+)""#, in: page.text))
            clock.advance(3601)
            let late = try await bram.post("/polls/\(pollID.uuidString.lowercased())/vote", form: ["option[]": option])
            #expect(late.status == .conflict, "the closing time has passed")
            let bramMember = try #require(try await app.repositories.members.find(handle: "bram"))
            await #expect(throws: StoreError.self, "the repository refuses it too") {
                try await app.repositories.polls.vote(pollID, choices: [UUID(uuidString: option)!], by: bramMember)
            }
            let closed = try await bram.get("/polls/\(pollID.uuidString.lowercased())")
            #expect(closed.text.contains(#"id="results-\#(pollID.uuidString.lowercased())""#), "results show once it has closed")
            #expect(try await app.repositories.activity.count(.pollVoted) == 0)
        }
    }

    @Test func oneVoteEachChangeableUntilClosedWithResultsAfterVoting() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            for handle in ["anna", "bram"] { try await TestAccounts.member(app, handle: handle) }
            let anna = try await signedIn(app, "anna")
            let topic = try await createTopic(anna, group: nil, title: "Nieuwe naam voor de coöperatie", body: "Wat vinden jullie?")
            let topicID = String(topic.dropFirst(3))
            try await anna.get("/polls/new?topic=\(topicID)")
            let bad = try await anna.post(
                "/polls", form: ["topic": topicID, "question": "Welke naam?", "options": "Zonnekracht\nzonnekracht"])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.visibleText(id: "options-error") == "Each option only once.")
            let created = try await anna.post(
                "/polls",
                form: [
                    "topic": topicID, "question": "Welke naam?", "options": "Zonnekracht\nEnergie Samen\nBuurtstroom",
                    "results": "after_vote",
                ])
            #expect(created.status == .seeOther)
            let page = try await anna.get(topic)
            let pollID = try #require(TestBrowser.firstMatch(#"/polls/([0-9a-f-]+)/vote"#, in: page.text))
            let options = try #require(
                NSRegularExpression(pattern: #"name="option\[\]" value="([0-9A-F-]+)""#).matches(
                    in: page.text, range: NSRange(page.text.startIndex..., in: page.text)
                ).map { String(page.text[Range($0.range(at: 1), in: page.text)!]) })
            #expect(options.count == 3)

            let bram = try await signedIn(app, "bram")
            let before = try await bram.get("/polls/\(pollID)")
            #expect(before.text.contains(#"id="results-hidden-\#(pollID)""#), "results only after voting")
            #expect(try await bram.post("/polls/\(pollID)/vote", form: [:]).status == .unprocessableEntity)
            #expect(try await bram.post("/polls/\(pollID)/vote", form: ["option[]": options[0]]).status == .seeOther)
            let after = try await bram.get("/polls/\(pollID)")
            #expect(after.text.contains(#"id="results-\#(pollID)""#))
            let section = try #require(TestBrowser.firstMatch(#"(<ul class="poll-results".*?</ul>)"#, in: after.text))
            #expect(section.contains("Bram Tester"), "not anonymous: voters are named with the results")
            try await bram.post("/polls/\(pollID)/vote", form: ["option[]": options[1]])
            let poll = try #require(try await app.repositories.polls.find(UUID(uuidString: pollID)!, viewer: .anonymous))
            #expect(poll.options.map(\.votes) == [0, 1, 0], "a changed vote replaces the old one")
            #expect(poll.voterCount == 1)
            #expect(try await bram.post("/polls/\(pollID)/close").status == .forbidden)
            #expect(try await anna.post("/polls/\(pollID)/close").status == .seeOther)
            #expect(try await bram.post("/polls/\(pollID)/vote", form: ["option[]": options[2]]).status == .conflict, "closed")
            #expect(
                try await TestBrowser(app).get("/polls/\(pollID)").text.contains(#"id="results-\#(pollID)""#),
                "everyone sees results after closing")
            #expect(try await app.repositories.activity.count(.pollVoted) == 2)
        }
    }

    @Test func anonymousMultipleChoicePollsInGroupsFollowTheGroup() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            for handle in ["anna", "bram", "carla"] { try await TestAccounts.member(app, handle: handle) }
            let anna = try await signedIn(app, "anna")
            let slug = try await createGroup(anna, name: "Kerngroep", visibility: .closed)
            try await anna.get("/polls/new?group=\(slug)")
            let created = try await anna.post(
                "/polls",
                form: [
                    "group": slug, "question": "Welke avonden kun je?", "options": "Maandag\nDinsdag\nWoensdag", "multiple": "1",
                    "anonymous": "1",
                    "results": "after_close",
                ])
            let path = try #require(created.headers.first(name: .location))
            let page = try await anna.get(path)
            let options = try #require(
                NSRegularExpression(pattern: #"value="([0-9A-F-]{36})" id="option-"#).matches(
                    in: page.text, range: NSRange(page.text.startIndex..., in: page.text)
                ).map { String(page.text[Range($0.range(at: 1), in: page.text)!]) })
            let bram = try await signedIn(app, "bram")
            #expect(try await bram.get(path).status == .notFound, "closed group: not a member")
            let member = try #require(try await app.repositories.members.find(handle: "bram"))
            let group = try #require(try await app.repositories.groups.find(slug: slug))
            try await app.repositories.groups.setMembership(group.id, memberID: member.id, role: .member, status: .active, invitedBy: nil)
            try await bram.get(path)
            try await bram.post("\(path)/vote", form: ["option[]": options[0]])
            #expect(try await bram.get(path).text.contains(#"id="results-hidden-"#), "results after closing only")
            try await anna.post("\(path)/close")
            let results = try await bram.get(path)
            let section = try #require(TestBrowser.firstMatch(#"(<ul class="poll-results".*?</ul>)"#, in: results.text))
            #expect(section.contains("Maandag"))
            #expect(!section.contains("Bram Tester"), "anonymous: no names with the results")
            #expect(try await TestBrowser(app).get("/polls").text.contains("Welke avonden") == false, "not listed for outsiders")
        }
    }
}
