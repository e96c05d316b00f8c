import Foundation
import KringCore
import KringStore
import KringTestSupport
import Testing
import Vapor

@testable import KringWeb

@Suite("Demo community")
struct DemoTests {
    @Test func theDemoIsALivingCommunityWithWorkingLogins() async throws {
        try await withKringApp { app in
            let lines = LockedLines()
            let count = try await DemoCommunity(
                repositories: app.repositories, memberCount: 60, fileStorage: app.kring.fileStorage, progress: { lines.append($0) }
            )
            .fill(passwordHash: TestAccounts.passwordHash)
            #expect(count == 60)
            #expect(!lines.all.isEmpty, "progress is reported")
            let settings = try #require(try await app.repositories.community.settings())
            #expect(settings.name == "Energie Samen")
            #expect(try await app.repositories.members.count(status: .pending) > 0, "some members wait for approval")
            #expect(try await app.repositories.activity.count(.visit) > 60, "months of visits")
            let interests = try await app.repositories.tags.popular(kind: .interest, limit: 5)
            #expect(interests.count == 5)
            let members = try await app.repositories.members.list(status: .active, limit: 100)
            #expect(Set(members.map { Calendar.current.component(.month, from: $0.createdAt) }).count > 3, "joined over months")
            #expect(try await app.repositories.activity.count(.checkIn) > 0, "past events have attendance")
            #expect(try await app.repositories.activity.count(.pollVoted) > 0)
            let ideas = try await app.repositories.ideas.list()
            #expect(ideas.count == DemoCommunity.demoIdeas.count)
            #expect(Set(ideas.map(\.status)).isSuperset(of: [.new, .planned, .declined]), "ideas at every stage of the feedback loop")
            #expect(try await app.repositories.activity.count(.ideaResponded) == 3)
            let solar = try #require(try await app.repositories.groups.find(slug: "zonnepanelen"))
            let documents = try await app.repositories.documents.library(ofGroup: solar.id, viewer: .anonymous)
            #expect(documents.count == DemoCommunity.demoDocuments.count)
            let minutes = try #require(documents.first { $0.current.kind == .pdf })
            #expect(minutes.versions.count == 2, "a document with a version history")
            let download = try await TestBrowser(app).get("/documents/\(minutes.id.uuidString.lowercased())/download")
            #expect(download.body.string.hasPrefix("%PDF-1.4") && download.body.string.contains("vastgesteld"))
            let calendar = try await TestBrowser(app).get("/events").text
            #expect(calendar.contains("Warmtescan-avond"), "upcoming events are listed")
            for login in DemoCommunity.logins {
                let browser = TestBrowser(app)
                let response = try await browser.post("/login", form: ["login": login.handle, "password": TestAccounts.password])
                #expect(response.status == .seeOther, "\(login.handle) can log in")
            }
        }
    }
}

final class LockedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}
