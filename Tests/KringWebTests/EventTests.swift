import Foundation
import KringCore
import KringStore
import KringTestSupport
import Testing
import Vapor

@testable import KringWeb

@Suite("Events")
struct EventTests {
    static func createEvent(
        _ browser: TestBrowser, group: String = "", title: String, capacity: String = "", start: String = "2030-06-01T19:30"
    ) async throws -> String {
        try await browser.get("/events/new")
        let response = try await browser.post(
            "/events",
            form: [
                "group": group, "title": title, "description": "Met **koffie**", "starts_at": start, "ends_at": "2030-06-01T22:00",
                "time_zone": "Europe/Amsterdam", "location": "Buurthuis De Kring", "online_url": "", "capacity": capacity,
            ])
        #expect(response.status == .seeOther, "event \(title) created")
        return String(try #require(response.headers.first(name: .location)))
    }

    @Test func aFullEventHasAWaitlistThatMovesUp() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            for handle in ["org", "anna", "bram", "carla"] { try await TestAccounts.member(app, handle: handle) }
            let organiser = try await signedIn(app, "org")
            let path = try await Self.createEvent(organiser, title: "Repaircafé", capacity: "2")
            let page = try await TestBrowser(app).get(path)
            #expect(page.text.contains("<strong>koffie</strong>"))
            #expect(page.visibleText(id: "event-when")?.contains("(Europe/Amsterdam)") == true)
            var browsers: [String: TestBrowser] = [:]
            for handle in ["anna", "bram", "carla"] {
                let browser = try await signedIn(app, handle)
                browsers[handle] = browser
                try await browser.get(path)
                try await browser.post("\(path)/rsvp", form: ["status": "going"])
            }
            #expect(try await browsers["carla"]!.get(path).text.contains("You are on the waitlist"))
            #expect(try await TestBrowser(app).get(path).visibleText(id: "event-places") == "2 of 2 places taken · 1 on the waitlist")
            try await browsers["anna"]!.post("\(path)/rsvp", form: ["status": "not_going"])
            #expect(try await browsers["carla"]!.get(path).visibleText(id: "my-answer") == "You are going.", "moved up")
            #expect(try await browsers["carla"]!.get("/notifications").text.contains("A place came free"))
            #expect(try await TestBrowser(app).get(path).visibleText(id: "event-places") == "2 of 2 places taken")

            let attendees = try await organiser.get("\(path)/attendees")
            #expect(attendees.status == .ok)
            #expect(attendees.text.contains(#"id="attendee-carla""#))
            #expect(try await browsers["bram"]!.get("\(path)/attendees").status == .forbidden, "only organisers")
            try await organiser.post("\(path)/checkin/carla", form: ["present": "1"])
            #expect(try await organiser.get("\(path)/attendees").visibleText(id: "attendance") == "1 of 2 going checked in.")
            #expect(try await app.repositories.activity.count(.checkIn) == 1)
            #expect(try await browsers["bram"]!.post("\(path)/rsvp", form: ["status": "waitlisted"]).status == .unprocessableEntity)
        }
    }

    @Test func coOrganisersRunTheEventWithItsCreator() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            for handle in ["anna", "bram", "carla"] { try await TestAccounts.member(app, handle: handle) }
            let anna = try await signedIn(app, "anna")
            try await anna.get("/events/new")
            let form = [
                "title": "Buurtborrel", "description": "", "starts_at": "2030-06-01T19:00", "ends_at": "2030-06-01T22:00",
                "time_zone": "Europe/Amsterdam", "location": "Het plein", "online_url": "", "capacity": "",
            ]
            let unknown = try await anna.post("/events", form: form.merging(["organisers": "@bram @niemand"]) { $1 })
            #expect(unknown.status == .unprocessableEntity)
            #expect(unknown.visibleText(id: "organisers-error") == "No member with that handle, and not an e-mail address.")
            let created = try await anna.post("/events", form: form.merging(["organisers": "@Bram"]) { $1 })
            let path = try #require(created.headers.first(name: .location))
            #expect(try await anna.get(path).visibleText(id: "event-organisers") == "Anna Tester, Bram Tester")
            let bram = try await signedIn(app, "bram")
            #expect(try await bram.get(path + "/attendees").status == .ok, "a co-organiser sees the attendees")
            #expect(try await signedIn(app, "carla").get(path + "/attendees").status == .forbidden)
            try await anna.get(path + "/edit")
            #expect(try await anna.post(path + "/edit", form: form.merging(["organisers": ""]) { $1 }).status == .seeOther)
            #expect(try await bram.get(path + "/attendees").status == .forbidden, "removed again")
            // Calendar apps take the change: SEQUENCE goes up with every change, and a cancellation says so.
            #expect(try await anna.get(path + "/calendar.ics").text.contains("SEQUENCE:1\r\n"))
            try await anna.post(path + "/cancel")
            let cancelled = try await anna.get(path + "/calendar.ics").text
            #expect(cancelled.contains("SEQUENCE:2\r\n") && cancelled.contains("STATUS:CANCELLED\r\n"))
        }
    }

    @Test func eventFormsValidate() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "org")
            let organiser = try await signedIn(app, "org")
            try await organiser.get("/events/new")
            let bad = try await organiser.post(
                "/events",
                form: [
                    "title": "", "starts_at": "2030-06-01T19:30", "ends_at": "2030-06-01T18:00", "time_zone": "Mars/Base",
                    "online_url": "javascript:alert(1)", "capacity": "-4",
                ])
            #expect(bad.status == .unprocessableEntity)
            for field in ["title", "time_zone", "online_url", "capacity"] {
                #expect(bad.text.contains(#"id="\#(field)-error""#), "\(field)")
            }
            let reversed = try await organiser.post(
                "/events",
                form: [
                    "title": "Omgekeerd", "starts_at": "2030-06-01T19:30", "ends_at": "2030-06-01T18:00", "time_zone": "Europe/Amsterdam",
                ])
            #expect(reversed.text.contains(#"id="ends_at-error""#))
            #expect(try await app.repositories.events.list(viewer: .anonymous).isEmpty, "nothing half-written")
        }
    }

    @Test func eventsFollowTheirGroupsVisibilityEverywhere() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "org")
            try await TestAccounts.member(app, handle: "outsider")
            let organiser = try await signedIn(app, "org")
            let slug = try await createGroup(organiser, name: "Kernteam", visibility: .closed)
            let path = try await Self.createEvent(organiser, group: slug, title: "Vergadering kernteam")
            _ = try await Self.createEvent(organiser, title: "Open buurtborrel")
            let outsider = try await signedIn(app, "outsider")
            #expect(try await outsider.get(path).status == .notFound)
            #expect(!(try await outsider.get("/events").text.contains("Vergadering kernteam")))
            #expect(try await outsider.get("/events").text.contains("Open buurtborrel"))
            #expect(!(try await outsider.get("/events/calendar?month=2030-06").text.contains("Vergadering kernteam")))
            #expect(try await outsider.get("/events/calendar?month=2030-06").text.contains("Open buurtborrel"))
            #expect(try await outsider.get("/g/\(slug)/events.ics").status == .notFound)
            #expect(try await outsider.get("\(path)/calendar.ics").status == .notFound)

            // The organiser's personal feed has both; the outsider's has neither until they answer.
            let settings = try await organiser.get("/settings/calendar")
            let feed = try #require(TestBrowser.firstMatch(#"http://kring\.test(/calendar/[A-Za-z0-9_-]+/events\.ics)"#, in: settings.text))
            let ics = try await TestBrowser(app).get(feed)
            #expect(ics.headers.contentType?.description.hasPrefix("text/calendar") == true)
            #expect(ics.text.contains("SUMMARY:Vergadering kernteam"))
            #expect(ics.text.contains("SUMMARY:Open buurtborrel"))
            #expect(ics.text.contains("\r\n"))
            #expect(ics.text.contains("DTSTART:20300601T173000Z"), "19:30 in Amsterdam summer time is 17:30 UTC")
            try await organiser.post("/settings/calendar")
            #expect(try await TestBrowser(app).get(feed).status == .notFound, "a renewed address retires the old one")
            #expect(try await TestBrowser(app).get("/calendar/not-a-token/events.ics").status == .notFound)
        }
    }

    @Test func remindersGoToThoseGoingADayAhead() async throws {
        let clock = TestClockWeb()
        try await withKringApp(clock: clock.kringClock) { app in
            try await TestAccounts.setUpCommunity(app)
            let organiser = try await TestAccounts.member(app, handle: "org")
            let anna = try await TestAccounts.member(app, handle: "anna")
            let now = clock.kringClock.now()
            let event = try await app.repositories.events.create(
                EventDraft(
                    groupID: nil, title: "Klusdag", description: "", startsAt: now.addingTimeInterval(3 * 86_400),
                    endsAt: now.addingTimeInterval(3 * 86_400 + 7200), timeZone: "Europe/Amsterdam", location: "", onlineURL: "",
                    capacity: nil),
                by: organiser)
            try await app.repositories.events.rsvp(event.id, member: anna, .going)
            #expect(try await app.repositories.events.takeDueReminders(within: 86_400).isEmpty, "too early")
            clock.advance(2 * 86_400 + 3600)
            // Two processes' background jobs run at the same moment: the reminder still goes out once.
            async let first = app.repositories.events.takeDueReminders(within: 86_400)
            async let second = app.repositories.events.takeDueReminders(within: 86_400)
            let due = try await first + second
            #expect(due.map(\.memberIDs) == [[anna.id]])
            #expect(try await app.repositories.events.takeDueReminders(within: 86_400).isEmpty, "once")
            let annaSees = try await Viewer.load(anna.actor, on: app.db)
            #expect(try await app.repositories.notifications.list(for: annaSees).filter { $0.kind == .eventReminder }.count == 1)
            #expect(try await app.notificationMail.sendImmediate() == 1)
            #expect(try await app.repositories.outbox.list(recipient: "anna@kring.test").first?.subject.contains("Klusdag") == true)
        }
    }

    @Test func iCalendarLinesAreEscapedAndFolded() {
        let long = String(repeating: "Zonnepanelen en warmtepompen; ", count: 5)
        let document = ICalendar.document(
            name: "Test",
            entries: [
                ICalendar.Entry(
                    uid: "x@kring", title: long, description: "Regel 1\nRegel 2, met komma", startsAt: Date(timeIntervalSince1970: 0),
                    endsAt: Date(timeIntervalSince1970: 3600), location: "", url: "", isCancelled: true,
                    updatedAt: Date(timeIntervalSince1970: 0))
            ],
            now: Date(timeIntervalSince1970: 0))
        for line in document.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 75, "\(line)") }
        #expect(document.contains("DESCRIPTION:Regel 1\\nRegel 2\\, met komma"))
        #expect(document.contains("STATUS:CANCELLED"))
        #expect(document.contains("\r\n Zonnepanelen") || document.contains("\r\n "), "long lines are folded")
        #expect(RSVPRules.resolve(requested: .going, capacity: 2, goingWithoutMember: 2) == .waitlisted)
        #expect(RSVPRules.resolve(requested: .going, capacity: nil, goingWithoutMember: 99) == .going)
        #expect(RSVPRules.promotions(capacity: 3, going: 1, waiting: 5) == 2)
    }
}
