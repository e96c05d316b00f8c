import Foundation
import KringCore
import KringStore
import KringTestSupport
import Testing
import VaporTesting

@testable import KringWeb

/// The content calendar: planning, gaps, and scheduled items publishing themselves at their minute.
@Suite("Content calendar")
struct ContentCalendarTests {
    static func utc(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test func aScheduledPostPublishesItselfAtItsMinuteAndOnlyOnce() async throws {
        // Tuesday 1 December 2026, 09:00 in Amsterdam.
        let clock = TestClockWeb(start: Self.utc("2026-12-01T08:00:00Z"))
        try await withKringApp(clock: clock.kringClock) { app in
            let admin = try await TestAccounts.setUpCommunity(app)
            let chef = try await TestAccounts.member(app, handle: "chef", role: .manager)
            _ = try await TestAccounts.member(app, handle: "wietske")
            let group = try await app.repositories.groups.create(
                NewGroup(name: "Moestuin", description: "", welcomeMessage: "", visibility: .open), by: admin.actor)
            let browser = try await signedIn(app, "chef")
            #expect(try await browser.get("/cockpit/calendar?month=2026-13").status == .badRequest)

            // Scheduled without a text: refused, nothing saved.
            var form = [
                "title": "Oogstfeest aangekondigd", "kind": "post", "status": "scheduled", "owner": "@wietske", "group": group.slug,
                "scheduled_at": "2026-12-10T09:30", "body": "",
            ]
            let refused = try await browser.post("/cockpit/calendar", form: form)
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.text.contains(#"id="body-error""#))
            #expect(try await app.repositories.contentCalendar.items(from: .distantPast, to: .distantFuture).isEmpty)

            // Scheduled for a moment already past: refused ("Publish now" is for that).
            form["body"] = "Tekst"
            form["scheduled_at"] = "2026-11-20T09:30"
            let past = try await browser.post("/cockpit/calendar", form: form)
            #expect(past.status == .unprocessableEntity && past.text.contains(#"id="scheduled_at-error""#))
            form["scheduled_at"] = "2026-12-10T09:30"
            form["body"] = "Op **zaterdag** oogsten we samen. <script>alert(1)</script>"
            #expect(try await browser.post("/cockpit/calendar", form: form).status == .seeOther)
            let item = try #require(try await app.repositories.contentCalendar.items(from: .distantPast, to: .distantFuture).first)
            #expect(item.scheduledAt == Self.utc("2026-12-10T08:30:00Z"), "09:30 in the community's zone")

            // The month shows it on its day; weeks ahead with nothing planned are gaps, this one is not.
            let page = try await browser.get("/cockpit/calendar?month=2026-12")
            #expect(page.visibleText(id: "day-2026-12-10")?.contains("Oogstfeest aangekondigd") == true)
            #expect(page.text.contains(#"<tr class="is-gap" id="week-2026-W51">"#))
            #expect(page.text.contains(#"<tr class="" id="week-2026-W50">"#))
            #expect(page.visibleText(id: "calendar-gaps") != nil)

            // One minute early nothing happens; at its minute it is published, as Wietske, once.
            clock.advance(9 * 86_400 + 29 * 60)
            #expect(try await app.contentPublisher.publishDue() == 0)
            clock.advance(60)
            #expect(try await app.contentPublisher.publishDue() == 1)
            #expect(try await app.contentPublisher.publishDue() == 0)
            let published = try #require(try await app.repositories.contentCalendar.find(item.id))
            #expect(published.status == .published && published.publishedAt == Self.utc("2026-12-10T08:30:00Z"))
            let topicID = try #require(published.publishedAs.flatMap { UUID(uuidString: String($0.dropFirst("topic:".count))) })
            let topic = try await TestBrowser(app).get("/t/\(topicID.uuidString.lowercased())")
            #expect(topic.status == .ok && topic.text.contains("<strong>zaterdag</strong>") && !topic.text.contains("<script>alert"))
            #expect(topic.text.contains("Wietske Tester"))
            let list = try await app.repositories.topics.list(viewer: .anonymous, groupID: group.id)
            #expect(list.topics.map(\.title) == ["Oogstfeest aangekondigd"])

            // An announcement is pinned; an event item becomes an event.
            _ = chef
            let announcement = [
                "title": "Nieuwe huisregels", "kind": "announcement", "status": "scheduled", "owner": "chef", "group": "",
                "scheduled_at": "2026-12-10T09:31", "body": "Lees ze even door.",
            ]
            #expect(try await browser.post("/cockpit/calendar", form: announcement).status == .seeOther)
            let event = [
                "title": "Winterborrel", "kind": "event", "status": "scheduled", "owner": "chef", "group": group.slug,
                "scheduled_at": "2026-12-10T09:31", "body": "Gezellig", "event_starts_at": "2026-12-18T19:00",
                "event_ends_at": "2026-12-18T22:00", "location": "Kas 3",
            ]
            let badEvent = event.merging(["event_ends_at": "2026-12-18T18:00"]) { $1 }
            #expect(try await browser.post("/cockpit/calendar", form: badEvent).status == .unprocessableEntity)
            #expect(try await browser.post("/cockpit/calendar", form: event).status == .seeOther)
            clock.advance(60)
            #expect(try await app.contentPublisher.publishDue() == 2)
            let pinned = try await app.repositories.topics.list(viewer: .anonymous, pinnedOnly: true)
            #expect(pinned.topics.map(\.title) == ["Nieuwe huisregels"])
            let events = try await app.repositories.events.list(viewer: .anonymous)
            #expect(events.map(\.title) == ["Winterborrel"] && events.first?.location == "Kas 3")
        }
    }

    @Test func anItemThatCannotBePublishedGoesBackToDraftWithTheReason() async throws {
        let clock = TestClockWeb(start: Self.utc("2026-12-01T08:00:00Z"))
        try await withKringApp(clock: clock.kringClock) { app in
            try await TestAccounts.setUpCommunity(app)
            _ = try await TestAccounts.member(app, handle: "chef", role: .manager)
            let leaver = try await TestAccounts.member(app, handle: "vertrekker")
            let browser = try await signedIn(app, "chef")
            let form = [
                "title": "Blog van Vertrekker", "kind": "post", "status": "scheduled", "owner": "vertrekker", "group": "",
                "scheduled_at": "2026-12-02T09:00", "body": "Tekst",
            ]
            #expect(try await browser.post("/cockpit/calendar", form: form).status == .seeOther)
            try await app.repositories.members.setAccount(of: leaver.id, status: .rejected, by: .anonymous)
            clock.advance(2 * 86_400)
            #expect(try await app.contentPublisher.publishDue() == 0)
            let item = try #require(try await app.repositories.contentCalendar.items(from: .distantPast, to: .distantFuture).first)
            #expect(item.status == .draft && item.lastError == "owner_gone")
            let page = try await browser.get("/cockpit/calendar/\(item.id.uuidString.lowercased())")
            #expect(page.visibleText(id: "item-error")?.contains("no longer an active member") == true)
            #expect(try await app.repositories.topics.list(viewer: .anonymous).topics.isEmpty)
        }
    }
}
