import Foundation
import KringCore
import KringStore
import KringTestSupport
import Testing
import Vapor

@testable import KringWeb

@Suite("Ideas and the feedback loop")
struct IdeaTests {
    /// Submits an idea through the form and returns its path.
    private func submitIdea(_ browser: TestBrowser, title: String, description: String) async throws -> String {
        try await browser.get("/ideas/new")
        let response = try await browser.post("/ideas", form: ["title": title, "description": description, "tags": "app"])
        #expect(response.status == .seeOther)
        return try #require(response.headers.first(name: .location))
    }

    @Test func membersSubmitAndVoteAndTheListSortsByVotes() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            for handle in ["anna", "bram", "carla"] { try await TestAccounts.member(app, handle: handle) }
            let anna = try await signedIn(app, "anna")
            try await anna.get("/ideas/new")
            let bad = try await anna.post("/ideas", form: ["title": "", "description": "Iets"])
            #expect(bad.status == .unprocessableEntity)
            #expect(try await app.repositories.ideas.list().isEmpty, "nothing half-written")
            let quiet = try await submitIdea(anna, title: "Donkere modus in de app", description: "Fijn voor de avond.")
            let popular = try await submitIdea(anna, title: "Laadpalen bij het buurthuis", description: "Voor **elektrische** deelauto's.")

            for handle in ["bram", "carla"] {
                let voter = try await signedIn(app, handle)
                try await voter.get(popular)
                #expect(try await voter.post("\(popular)/vote").status == .seeOther)
            }
            let bram = try await signedIn(app, "bram")
            try await bram.get(quiet)
            try await bram.post("\(quiet)/vote")
            try await bram.get(quiet)
            try await bram.post("\(quiet)/vote")
            let page = try await bram.get(quiet)
            #expect(page.visibleText(id: "idea-votes") == "0 votes", "a second click withdraws the vote")
            #expect(page.visibleText(id: "idea-discussion-empty") == "No comments yet. What do you think of this idea?")

            let list = try await TestBrowser(app).get("/ideas").text
            let first = try #require(list.range(of: "Laadpalen bij het buurthuis"))
            let second = try #require(list.range(of: "Donkere modus in de app"))
            #expect(first.lowerBound < second.lowerBound, "most votes first")
            #expect(list.contains("2 votes"))
            let shown = try await TestBrowser(app).get(popular).text
            #expect(shown.contains("<strong>elektrische</strong>"), "the description is rendered Markdown")
        }
    }

    @Test func liaisonsAnswerOfficiallyAndSubmitterAndVotersHearOfIt() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "manon", role: .manager)
            for handle in ["anna", "bram", "lisa", "carla"] { try await TestAccounts.member(app, handle: handle) }
            let anna = try await signedIn(app, "anna")
            let path = try await submitIdea(anna, title: "Laadpalen bij het buurthuis", description: "Voor deelauto's.")
            let bram = try await signedIn(app, "bram")
            try await bram.get(path)
            try await bram.post("\(path)/vote")

            try await bram.get(path)
            let empty = try await bram.post("\(path)/comments", form: ["body": " "])
            #expect(empty.status == .unprocessableEntity)
            #expect(empty.text.contains("Withdraw vote"), "the page shown again with the error still knows bram voted")
            let manon = try await signedIn(app, "manon")
            try await manon.get("/admin/departments")
            #expect(
                try await manon.post("/admin/departments", form: ["name": "Facilitair", "description": "Gebouwen"]).status == .seeOther)
            let department = try #require(try await app.repositories.ideas.departments().first)
            try await manon.get("/admin/departments")
            #expect(try await manon.post("/admin/departments/\(department.id)/liaisons", form: ["handle": "@lisa"]).status == .seeOther)
            try await manon.get(path)
            #expect(try await manon.post("\(path)/route", form: ["department": department.id.uuidString]).status == .seeOther)

            let carla = try await signedIn(app, "carla")
            try await carla.get(path)
            #expect(try await carla.post("\(path)/comments", form: ["body": "Goed plan", "official": "1"]).status == .forbidden)
            #expect(try await carla.post("\(path)/route", form: ["department": department.id.uuidString]).status == .forbidden)
            #expect(try await carla.post("\(path)/comments", form: ["body": "Goed plan!"]).status == .seeOther)

            let lisa = try await signedIn(app, "lisa")
            try await lisa.get(path)
            let response = try await lisa.post(
                "\(path)/comments", form: ["body": "We plaatsen er twee in het voorjaar.", "official": "1", "status": "planned"])
            #expect(response.status == .seeOther)
            let idea = try #require(try await app.repositories.ideas.find(UUID(uuidString: String(path.dropFirst(7)))!))
            #expect(idea.status == .planned)
            let page = try await TestBrowser(app).get(path)
            #expect(page.text.contains("We plaatsen er twee in het voorjaar."))
            #expect(page.text.contains("Planned"))
            for (handle, browser) in [("anna", anna), ("bram", bram)] {
                let notes = try await browser.get("/notifications").text
                #expect(notes.contains("Lisa Tester responded to “Laadpalen bij het buurthuis”"), "\(handle) is told")
            }
            #expect(!(try await carla.get("/notifications").text.contains("responded to")), "a commenter who did not vote is not")
            #expect(try await app.repositories.activity.count(.ideaRouted) == 1, "routing is measured for department response times")
            #expect(try await app.repositories.activity.count(.ideaResponded) == 1)
            #expect(page.text.contains(#"id="official-responses""#), "the official response stands apart from the comments")

            // The status moves forward (or to declined), never back to new or from done to planned.
            let backToNew = try await lisa.post("\(path)/comments", form: ["body": "Toch niet.", "official": "1", "status": "new"])
            #expect(backToNew.status == .unprocessableEntity)
            #expect(backToNew.text.contains("cannot move to that status"))
            #expect(
                try await lisa.post("\(path)/comments", form: ["body": "Ze staan er!", "official": "1", "status": "done"]).status
                    == .seeOther)
            #expect(
                try await lisa.post("\(path)/comments", form: ["body": "Terug naar gepland", "official": "1", "status": "planned"]).status
                    == .unprocessableEntity)
            #expect(try await app.repositories.ideas.find(idea.id)?.status == .done)
            #expect(try await app.repositories.activity.count(.ideaStatusChanged) == 2, "planned, then done")
            #expect(try await app.repositories.ideas.comments(of: idea.id).count == 3, "the refused responses left nothing behind")
            #expect(try await TestBrowser(app).get("/ideas?status=done").text.contains("Laadpalen bij het buurthuis"))
            #expect(!(try await TestBrowser(app).get("/ideas?status=new").text.contains("Laadpalen bij het buurthuis")))
        }
    }
}
