import Foundation
import KringCore
import KringStore
import KringTestSupport
import SQLKit
import Testing
import VaporTesting

@testable import KringWeb

/// The member update, nudges and the one-click unsubscribe: per member's visibility and choices,
/// once per period, within the team's frequency caps.
@Suite("Member mail")
struct MemberMailTests {
    static let rendered = MetricsFixture.rendered
    static func utc(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test func theMonthlyUpdateShowsEachMemberWhatTheyMayReadOnceAndTheirUnsubscribeLinkWorks() async throws {
        // The community began in October: November is its first whole month.
        let clock = TestClockWeb(start: Self.utc("2026-10-20T10:00:00Z"))
        try await withKringApp(clock: clock.kringClock) { app in
            try await TestAccounts.setUpCommunity(app, language: .nl)
            let chef = try await TestAccounts.member(app, handle: "chef", role: .manager)
            clock.advance(21 * 86_400)
            let anna = try await TestAccounts.member(app, handle: "anna")
            _ = try await TestAccounts.member(app, handle: "bram")
            let carla = try await TestAccounts.member(app, handle: "carla")
            let dirk = try await TestAccounts.member(app, handle: "dirk")
            try await app.repositories.memberMail.setChoices(
                MailChoices(memberUpdate: .weekly, nudges: true, announcements: true), of: carla.id)
            try await app.repositories.memberMail.setChoices(
                MailChoices(memberUpdate: .never, nudges: true, announcements: true), of: dirk.id)
            let secret = try await app.repositories.groups.create(
                NewGroup(name: "Bestuur", description: "", welcomeMessage: "", visibility: .secret), by: chef.actor)
            try await app.repositories.groups.setMembership(secret.id, memberID: anna.id, role: .member, status: .active, invitedBy: nil)
            let open = try await app.repositories.groups.create(
                NewGroup(name: "Moestuin", description: "", welcomeMessage: "", visibility: .open), by: chef.actor)
            let busy = try await app.repositories.topics.create(
                NewTopic(groupID: open.id, title: "Tomaten in november", kind: .discussion, body: "Wie oogst er nog?", tags: []),
                rendered: Self.rendered, by: anna)
            try await app.repositories.topics.reply(to: busy, body: "Ik!", rendered: Self.rendered, replyTo: nil, by: chef)
            _ = try await app.repositories.topics.create(
                NewTopic(groupID: secret.id, title: "Geheim begrotingsplan", kind: .discussion, body: "Alleen voor het bestuur", tags: []),
                rendered: Self.rendered, by: chef)
            _ = try await app.repositories.events.create(
                EventDraft(
                    groupID: secret.id, title: "Bestuursdiner", description: "", startsAt: Self.utc("2026-12-12T18:00:00Z"),
                    endsAt: Self.utc("2026-12-12T21:00:00Z"), timeZone: "Europe/Amsterdam", location: "Utrecht", onlineURL: "",
                    capacity: nil),
                by: chef)

            // The team writes a note; the preview shows it as Bram would get it: no secret group.
            let manager = try await signedIn(app, "chef")
            #expect(
                try await manager.post("/cockpit/mail/update", form: ["update_enabled": "1", "note": String(repeating: "x", count: 2_001)])
                    .status == .unprocessableEntity)
            #expect(try await app.repositories.memberUpdateSettings().note.isEmpty, "nothing saved")
            #expect(
                try await manager.post("/cockpit/mail/update", form: ["update_enabled": "1", "note": "Kom naar de <ledenavond>!"]).status
                    == .seeOther)
            // Nothing goes out in November itself (October was not a whole month); on 2 December the November update does, once.
            #expect(try await app.listMail.sendMemberUpdates() == 0)
            clock.advance(22 * 86_400)
            // The preview is what goes out: November's update as Bram gets it, no secret group, no live unsubscribe link.
            let preview = try await signedIn(app, "chef").get("/cockpit/mail?preview=bram")
            let previewText = try #require(preview.visibleText(id: "update-preview"))
            #expect(previewText.contains("Kom naar de <ledenavond>!") && previewText.contains("Tomaten in november"))
            #expect(!previewText.contains("Geheim") && !previewText.contains("Bestuursdiner"))
            #expect(previewText.contains("/unsubscribe/…"))
            #expect(
                try await signedIn(app, "chef").get("/cockpit/mail?preview=niemand").visibleText(id: "form-error") != nil,
                "an unknown member is said so")
            let sent = try await app.listMail.sendMemberUpdates()
            #expect(try await app.listMail.sendMemberUpdates() == 0, "the job running twice mails once")
            let updates = try await app.repositories.outbox.list().filter { $0.kind == "member_update" }
            #expect(sent == updates.count)
            func update(_ handle: String) -> OutboxMessage? { updates.first { $0.recipient == "\(handle)@kring.test" } }
            let annas = try #require(update("anna"))
            let brams = try #require(update("bram"))
            #expect(annas.subject.contains("november 2026"), "Dutch month name: \(annas.subject)")
            #expect(annas.bodyText.contains("Geheim begrotingsplan") && annas.bodyText.contains("Bestuursdiner"))
            #expect(annas.bodyText.contains("Tomaten in november (1 reactie)"))
            #expect(
                brams.bodyText.contains("Tomaten in november") && !brams.bodyText.contains("Geheim") && !brams.bodyText.contains("Bestuur"))
            #expect(brams.bodyText.contains("Kom naar de <ledenavond>!"))
            #expect(brams.bodyText.contains("Anna Tester (@anna)"), "new members to welcome")
            #expect(!brams.bodyText.contains("@chef"), "Chef joined in October")
            #expect(brams.bodyText.contains("deze maandelijkse update"))
            #expect(update("dirk") == nil, "Dirk chose never")
            #expect(update("carla") == nil, "Carla chose the weekly digest")

            // The mail carries a one-click unsubscribe (RFC 8058) that works without signing in or a form token.
            let raw = MailFormatter.rfc5322(brams, from: MailSender(name: "Kring", address: "kring@kring.test"))
            let link = try #require(brams.unsubscribeURL)
            #expect(raw.contains("List-Unsubscribe: <\(link)>") && raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"))
            let path = String(link.dropFirst("http://kring.test".count))
            let stranger = TestBrowser(app)
            let page = try await stranger.get(path)
            #expect(page.status == .ok && page.visibleText(id: "unsubscribe-question")?.contains("bram@kring.test") == true)
            #expect(
                try await app.repositories.memberMail.choices(of: brams.recipientID(app)).memberUpdate == .monthly, "a GET changes nothing")
            let done = try await stranger.post(path, form: ["List-Unsubscribe": "One-Click"], csrf: "")
            #expect(done.status == .ok)
            let bram = try #require(try await app.repositories.members.find(handle: "bram"))
            #expect(try await app.repositories.memberMail.choices(of: bram.id).memberUpdate == .never)
            // A link altered to name another member or list is refused.
            let forged = path.replacingOccurrences(of: ".", with: "x.")
            #expect(try await stranger.post(forged, form: [:], csrf: "").status == .notFound)
            #expect(try await app.repositories.memberMail.choices(of: anna.id).memberUpdate == .monthly)

            // Bram's settings page shows the choice, and he can switch to weekly there.
            let settings = try await signedIn(app, "bram")
            let form = try await settings.get("/settings/notifications")
            #expect(form.text.contains(#"<option value="never" selected>"#))
            #expect(
                try await settings.post("/settings/notifications", form: ["member_update": "weekly", "nudges": "0", "announcements": "1"])
                    .status == .seeOther)
            #expect(
                try await app.repositories.memberMail.choices(of: bram.id)
                    == MailChoices(memberUpdate: .weekly, nudges: false, announcements: true))
        }
    }

    @Test func nudgesGoOnlyWhenOnAndStopAfterUnansweredOnes() async throws {
        let clock = TestClockWeb(start: Self.utc("2026-11-10T10:00:00Z"))
        try await withKringApp(clock: clock.kringClock) { app in
            try await TestAccounts.setUpCommunity(app)
            let eva = try await TestAccounts.member(app, handle: "eva")
            let fred = try await TestAccounts.member(app, handle: "fred")
            try await app.repositories.memberMail.setChoices(
                MailChoices(memberUpdate: .monthly, nudges: false, announcements: true), of: fred.id)
            // The engagement job put both at risk; Eva was last seen a while ago.
            let sql = try #require(app.db as? any SQLDatabase)
            for member in [eva, fred] {
                try await sql.raw(
                    """
                    INSERT INTO member_engagement (id, member_id, score, level, previous_score, previous_level, segments, recent_posts, computed_at)
                    VALUES (\(bind: UUID()), \(bind: member.id), 2, 'observer', 20, 'regular', ',at_risk,', 0, \(bind: clock.kringClock.now()))
                    """
                ).run()
            }
            try await sql.raw("UPDATE members SET last_seen_at = \(bind: Self.utc("2026-09-01T10:00:00Z")) WHERE id = \(bind: eva.id)")
                .run()

            #expect(try await app.listMail.sendNudges() == 0, "off until the team turns nudges on")
            let manager = try await signedIn(app, "admin")
            #expect(
                try await manager.post("/cockpit/mail/nudges", form: ["nudges_enabled": "1", "nudge_days": "3", "nudge_max": "2"]).status
                    == .unprocessableEntity)
            #expect(try await app.repositories.nudgePolicy() == .standard, "nothing saved")
            #expect(
                try await manager.post("/cockpit/mail/nudges", form: ["nudges_enabled": "1", "nudge_days": "30", "nudge_max": "2"]).status
                    == .seeOther)

            #expect(try await app.listMail.sendNudges() == 1, "Eva, not Fred who turned nudges off")
            #expect(try await app.listMail.sendNudges() == 0, "not twice")
            clock.advance(10 * 86_400)
            #expect(try await app.listMail.sendNudges() == 0, "not within 30 days")
            clock.advance(21 * 86_400)
            #expect(try await app.listMail.sendNudges() == 1, "the second after 31 days")
            clock.advance(31 * 86_400)
            #expect(try await app.listMail.sendNudges() == 0, "two unanswered nudges: Eva is left in peace")
            // She comes back, drifts away again: nudges may start over.
            try await sql.raw("UPDATE members SET last_seen_at = \(bind: clock.kringClock.now()) WHERE id = \(bind: eva.id)").run()
            clock.advance(31 * 86_400)
            #expect(try await app.listMail.sendNudges() == 1)
            let nudges = try await app.repositories.outbox.list().filter { $0.kind == "nudge" }
            #expect(nudges.count == 3 && nudges.allSatisfy { $0.recipient == "eva@kring.test" })
            #expect(nudges.allSatisfy { $0.unsubscribeURL?.contains("/unsubscribe/") == true && $0.bodyText.contains($0.unsubscribeURL!) })

            // Her one click stops them.
            let link = try #require(nudges.first?.unsubscribeURL)
            #expect(try await TestBrowser(app).post(String(link.dropFirst("http://kring.test".count)), csrf: "").status == .ok)
            clock.advance(62 * 86_400)
            #expect(try await app.listMail.sendNudges() == 0)
            let page = try await signedIn(app, "admin").get("/cockpit/mail")
            #expect(page.visibleText(id: "nudge-at-risk")?.contains("2") == true)
        }
    }
}

extension OutboxMessage {
    func recipientID(_ app: Application) async throws -> UUID {
        try #require(try await app.repositories.members.find(email: recipient)).id
    }
}
