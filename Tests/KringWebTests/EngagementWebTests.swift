import Foundation
import KringCore
import KringTestSupport
import Testing
import VaporTesting

@testable import KringStore
@testable import KringWeb

/// Engagement scores, segments and the champions page on a community whose history is written
/// as it happened, against figures worked out by hand.
@Suite("Engagement, segments and champions")
struct EngagementWebTests {
    static let now = MetricsFixture.utc("2026-04-15T12:00:00Z")
    static let zone = MetricsFixture.zone
    static let settings = EngagementSettings(championFrom: 15, regularFrom: 5, participantFrom: 1)

    /// cham answers two of asker's questions (accepted) and replies eight more times in April: 10 + 2·3 = 16.
    /// reg opens four topics in April: 4·1.5 = 6. risk opened six in January and was last here then:
    /// 9 · 0.9³ = 6.561 now, 9 · 0.81 = 7.29 at the end of March. lurk visits yesterday and never posts;
    /// newbie joined five days ago. The staff member's forty replies count for no one.
    static func build(_ app: Application) async throws -> (cham: Member, asker: Member) {
        try await TestAccounts.setUpCommunity(app)
        // Thresholds for a community with a month of history.
        try await app.repositories.engagement.setSettings(Self.settings)
        let at = MetricsFixture.at
        let member = MetricsFixture.member
        let cham = try await member(app, "cham", "2025-05-01T10:00:00Z", false)
        let asker = try await member(app, "asker", "2025-05-01T10:00:00Z", false)
        let reg = try await member(app, "reg", "2025-05-01T10:00:00Z", false)
        let risk = try await member(app, "risk", "2025-05-01T10:00:00Z", false)
        let lurk = try await member(app, "lurk", "2025-05-01T10:00:00Z", false)
        _ = try await member(app, "newbie", "2026-04-10T10:00:00Z", false)
        let staff = try await member(app, "staffer", "2025-05-01T10:00:00Z", true)
        let rendered = MetricsFixture.rendered
        func topic(_ author: Member, _ title: String, _ kind: TopicKind, _ time: String, tags: [String] = []) async throws -> UUID {
            try await at(app, time).topics.create(
                NewTopic(groupID: nil, title: title, kind: kind, body: "Tekst", tags: tags), rendered: rendered, by: author)
        }
        func reply(_ author: Member, _ topic: UUID, _ time: String) async throws {
            try await at(app, time).topics.reply(to: topic, body: "Antwoord", rendered: rendered, replyTo: nil, by: author)
        }
        for number in 1...2 {
            let question = try await topic(asker, "Vraag \(number)", .question, "2026-04-0\(number)T09:00:00Z", tags: ["warmtepomp"])
            try await reply(cham, question, "2026-04-0\(number)T10:00:00Z")
            let answer = try #require(try await app.repositories.topics.postID(topicID: question, number: 2))
            try await at(app, "2026-04-0\(number)T11:00:00Z").topics.acceptAnswer(topicID: question, postID: answer, by: asker.actor)
        }
        let chat = try await topic(asker, "Kletshoek", .discussion, "2026-04-03T09:00:00Z")
        for number in 1...8 { try await reply(cham, chat, "2026-04-0\(number)T12:00:00Z") }
        for number in 1...40 { try await reply(staff, chat, "2026-04-0\(number % 9 + 1)T13:00:00Z") }
        for number in 1...4 { _ = try await topic(reg, "Idee \(number)", .discussion, "2026-04-0\(number)T15:00:00Z") }
        for number in 1...6 { _ = try await topic(risk, "Januari \(number)", .discussion, "2026-01-0\(number)T15:00:00Z") }
        try await at(app, "2026-04-14T08:00:00Z").members.touchLastSeen(of: lurk, dayStart: MetricsFixture.utc("2026-04-13T22:00:00Z"))
        return (cham, asker)
    }

    @Test func scoresLevelsAndSegmentsFollowTheHistory() async throws {
        try await withKringApp(clock: .fixed(Self.now)) { app in
            _ = try await Self.build(app)
            let engagement = app.repositories.engagement
            #expect(
                try await engagement.refresh(timeZone: Self.zone) == 6, "six members; not the staff member nor the administrator (staff)")
            func standing(_ handle: String) async throws -> MemberStanding {
                let all = try await engagement.standings(segment: nil, limit: 100).rows
                return try #require(all.first { $0.member.handle == handle }, "\(handle)")
            }
            let cham = try await standing("cham")
            #expect(abs(cham.score - 16) < 1e-9)
            #expect(cham.level == .champion && cham.previousLevel == .observer)
            #expect(cham.segments == [.champion])
            let reg = try await standing("reg")
            #expect(abs(reg.score - 6) < 1e-9 && reg.level == .regular)
            let risk = try await standing("risk")
            #expect(abs(risk.score - 6.561) < 1e-9)
            #expect(abs(risk.previousScore - 7.29) < 1e-9)
            #expect(risk.segments == [.regular, .atRisk])
            let lurk = try await standing("lurk")
            #expect(abs(lurk.score - 0.1) < 1e-9, "one visit")
            #expect(lurk.segments == [.lurker])
            #expect(try await standing("newbie").segments == [.newcomer])
            #expect(try await engagement.standings(segment: nil, limit: 100).rows.contains { $0.member.handle == "staffer" } == false)
            #expect(try await engagement.standings(segment: nil, limit: 1).rows.map(\.member.handle) == ["cham"], "highest score first")
            #expect(try await engagement.standings(segment: .atRisk).rows.map(\.member.handle) == ["risk"])
            #expect(try await engagement.standings(segment: nil, order: .rising, limit: 1).rows.map(\.member.handle) == ["cham"])

            let sizes = try await engagement.sizes()
            #expect(sizes.levels[.champion] == 1 && sizes.levels[.regular] == 2)
            #expect(sizes.segments[.atRisk] == 1 && sizes.segments[.lurker] == 1 && sizes.segments[.newcomer] == 1)
            let funnel = try await engagement.funnel()
            #expect(funnel.count == 12)
            #expect(funnel.last?.month == "2026-04")
            #expect(funnel.last?.levels[.champion] == 1)
            #expect(funnel.first { $0.month == "2026-01" }?.levels[.regular] == 1, "risk was a regular in January")
            #expect(funnel.first { $0.month == "2026-03" }?.levels[.champion] ?? 0 == 0)
            #expect(funnel.first { $0.month == "2026-04" }?.levels.values.reduce(0, +) == 6, "newbie counts from April")
            #expect(funnel.first { $0.month == "2026-03" }?.levels.values.reduce(0, +) == 5)
        }
    }

    @Test func theDailyRollupsGiveTheSameScoresAsTheLog() async throws {
        try await withKringApp(clock: .fixed(Self.now)) { app in
            _ = try await Self.build(app)
            try await app.repositories.engagement.refresh(timeZone: Self.zone)
            let direct = try await app.repositories.engagement.standings(segment: nil, limit: 100).rows
            try await app.repositories.rollups.catchUp(timeZone: Self.zone)
            try await app.repositories.engagement.refresh(timeZone: Self.zone)
            let rolled = try await app.repositories.engagement.standings(segment: nil, limit: 100).rows
            #expect(rolled.map(\.member.handle) == direct.map(\.member.handle))
            for (a, b) in zip(rolled, direct) { #expect(abs(a.score - b.score) < 1e-9, "\(a.member.handle)") }
        }
    }

    @Test func managersSeeTheMembersPageAndItsListsMembersDoNot() async throws {
        try await withKringApp(clock: .fixed(Self.now)) { app in
            _ = try await Self.build(app)
            try await TestAccounts.member(app, handle: "chef", role: .manager)
            let browser = try await signedIn(app, "chef")
            let page = try await browser.get("/cockpit/members")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("@cham"), "scores are computed on the first visit")
            #expect(page.body.string.contains("id=\"chart-funnel\""))
            let risky = try await browser.get("/cockpit/members?segment=at_risk")
            #expect(risky.body.string.contains("@risk") && !risky.body.string.contains("@cham"))
            #expect(try await browser.get("/cockpit/members?segment=everyone").status == .badRequest)
            let csv = try await browser.get("/cockpit/members.csv?segment=champion")
            #expect(csv.headers.contentType?.description.hasPrefix("text/csv") == true)
            let lines = csv.body.string.split(separator: "\r\n").map(String.init)
            #expect(lines.first?.hasPrefix("handle,name,level,score") == true)
            #expect(lines.dropFirst() == ["cham,Cham,champion,16,0,10,2025-05-01,,champion"])
            let champions = try await browser.get("/cockpit/champions")
            #expect(champions.status == .ok)
            #expect(champions.body.string.contains("id=\"table-helpers\""))
            #expect(champions.body.string.contains("warmtepomp"), "cham is the expert on the tag of the questions he answered")

            try await TestAccounts.member(app, handle: "lid")
            let member = try await signedIn(app, "lid")
            for path in ["/cockpit/members", "/cockpit/members.csv", "/cockpit/champions", "/cockpit/members/settings"] {
                #expect(try await member.get(path).status == .forbidden, "\(path)")
            }
            #expect(try await browser.get("/members/cham").body.string.contains("id=\"profile-engagement\""), "the team sees the standing")
            #expect(try await member.get("/members/cham").body.string.contains("profile-engagement") == false, "members do not")
        }
    }

    @Test func weightsAndLevelsAreEditedWholeOrNotAtAll() async throws {
        try await withKringApp(clock: .fixed(Self.now)) { app in
            _ = try await Self.build(app)
            try await TestAccounts.member(app, handle: "chef", role: .manager)
            let browser = try await signedIn(app, "chef")
            let refused = try await browser.post(
                "/cockpit/members/settings",
                form: ["weight_topic": "4", "weight_reply": "-2", "champion_from": "3", "regular_from": "5", "participant_from": "1"])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("A weight is a number from 0 to 100."))
            #expect(try await app.repositories.engagement.settings() == Self.settings, "nothing saved")
            let saved = try await browser.post(
                "/cockpit/members/settings",
                form: ["weight_topic": "4", "champion_from": "15", "regular_from": "5", "participant_from": "1"])
            #expect(saved.status == .seeOther)
            let reg = try await app.repositories.engagement.standings(segment: .champion, limit: 10).rows.first {
                $0.member.handle == "reg"
            }
            #expect(reg.map { abs($0.score - 16) < 1e-9 } == true, "four topics at 4 points: a champion now")
        }
    }

    @Test func theChampionsFiguresComeFromTheGraph() async throws {
        try await withKringApp(clock: .fixed(Self.now)) { app in
            let (cham, asker) = try await Self.build(app)
            let report = try await app.repositories.champions.report(now: Self.now)
            #expect(report.helpers.first?.member.id == cham.id)
            #expect(report.helpers.first?.acceptedAnswers == 2 && report.helpers.first?.replies == 10)
            // cham replied to asker ten times, the staff member forty times: asker draws the attention.
            #expect(report.influencers.first?.member.id == asker.id)
            #expect(report.influencers.contains { $0.member.handle == "staffer" } == false, "staff are not ranked")
            // staffer and cham only meet through asker.
            #expect(report.bridges.map(\.member.id) == [asker.id])
            let expertise = try #require(report.expertise.first)
            #expect(expertise.tagSlug == "warmtepomp")
            #expect(expertise.experts.map(\.member.id) == [cham.id])
            #expect(abs(expertise.experts[0].z - 2.0.squareRoot()) < 1e-9, "two answers, no questions: 2 ÷ √2")
        }
    }

    @Test func customSegmentsAreSavedWithTheirFiltersAndListed() async throws {
        try await withKringApp(clock: .fixed(Self.now)) { app in
            _ = try await Self.build(app)
            try await TestAccounts.member(app, handle: "chef", role: .manager)
            let browser = try await signedIn(app, "chef")
            _ = try await browser.get("/cockpit/members")
            let empty = try await browser.post("/cockpit/members/segments", form: ["name": "Niets"])
            #expect(empty.status == .unprocessableEntity, "a segment needs a filter")
            #expect(empty.body.string.contains("Choose at least one filter."))
            let wrong = try await browser.post(
                "/cockpit/members/segments", form: ["name": "Fout", "joined_from": "2026-02-30", "min_posts": "-1"])
            #expect(wrong.status == .unprocessableEntity)
            #expect(try await app.repositories.engagement.savedSegments().isEmpty, "nothing saved")

            let saved = try await browser.post(
                "/cockpit/members/segments",
                form: ["name": "Actieve veteranen", "level": "regular", "joined_before": "2025-12-31", "min_posts": "1"])
            #expect(saved.status == .seeOther)
            let segment = try #require(try await app.repositories.engagement.savedSegments().first)
            #expect(segment.filter.minLevel == .regular && segment.filter.minRecentPosts == 1)
            // cham and reg are regulars or better and posted lately; risk's posts are from January.
            let list = try await browser.get("/cockpit/members?saved=\(segment.id.uuidString.lowercased())")
            #expect(list.status == .ok)
            #expect(list.body.string.contains("@cham") && list.body.string.contains("@reg)") && !list.body.string.contains("@risk"))
            #expect(list.body.string.contains("Actieve veteranen"))
            let csv = try await browser.get("/cockpit/members.csv?saved=\(segment.id.uuidString.lowercased())")
            #expect(csv.body.string.split(separator: "\r\n").count == 3, "a header and two members")
            #expect(try await browser.get("/cockpit/members?saved=\(UUID().uuidString)").status == .notFound)
            #expect(
                try await browser.post("/cockpit/members/segments/\(segment.id.uuidString.lowercased())/delete").status == .seeOther)
            #expect(try await app.repositories.engagement.savedSegments().isEmpty)
        }
    }

    @Test func aSegmentIsMessagedAndInvited() async throws {
        try await withKringApp(clock: .fixed(Self.now)) { app in
            _ = try await Self.build(app)
            let chef = try await TestAccounts.member(app, handle: "chef", role: .manager)
            let browser = try await signedIn(app, "chef")
            _ = try await browser.get("/cockpit/members")

            let refused = try await browser.post(
                "/cockpit/members/message", form: ["segment": "regular", "subject": " ", "message": "Hoi"])
            #expect(refused.status == .unprocessableEntity)
            #expect(try await app.repositories.outbox.list().filter { $0.kind == "segment_message" }.isEmpty)
            let sent = try await browser.post(
                "/cockpit/members/message", form: ["segment": "regular", "subject": "Dank je wel", "message": "Fijn dat je er bent."])
            #expect(sent.status == .seeOther)
            let mails = try await app.repositories.outbox.list().filter { $0.kind == "segment_message" }
            #expect(Set(mails.map(\.recipient)) == ["reg@kring.test", "risk@kring.test"])
            #expect(mails.allSatisfy { $0.subject == "Dank je wel" && $0.bodyText.hasPrefix("Fijn dat je er bent.") })
            #expect(try await browser.get("/cockpit/members?segment=regular").body.string.contains("on its way to 2 members"))

            let open = try await app.repositories.groups.create(
                NewGroup(name: "Vrijwilligers", description: "", welcomeMessage: "", visibility: .open), by: chef.actor)
            let invited = try await browser.post("/cockpit/members/invite-group", form: ["segment": "regular", "group": open.slug])
            #expect(invited.status == .seeOther)
            for handle in ["reg", "risk"] {
                let member = try #require(try await app.repositories.members.find(handle: handle))
                #expect(try await app.repositories.groups.membership(of: member.id, in: open.id)?.status == .invited, "\(handle)")
            }
            let cham = try #require(try await app.repositories.members.find(handle: "cham"))
            #expect(try await app.repositories.groups.membership(of: cham.id, in: open.id) == nil, "not in the segment")
            #expect(
                try await browser.post("/cockpit/members/invite-group", form: ["segment": "regular", "group": "nergens"]).status
                    == .unprocessableEntity)

            let secret = try await app.repositories.groups.create(
                NewGroup(name: "Bestuur", description: "", welcomeMessage: "", visibility: .secret), by: chef.actor)
            func event(_ title: String, in group: Group?) async throws -> Event {
                try await app.repositories.events.create(
                    EventDraft(
                        groupID: group?.id, title: title, description: "", startsAt: Self.now.addingTimeInterval(7 * 86_400),
                        endsAt: Self.now.addingTimeInterval(7 * 86_400 + 7200), timeZone: "Europe/Amsterdam", location: "Utrecht",
                        onlineURL: "", capacity: nil),
                    by: chef)
            }
            let meeting = try await event("Ledenavond", in: nil)
            let board = try await event("Bestuursvergadering", in: secret)
            let reg = try #require(try await app.repositories.members.find(handle: "reg"))
            _ = try await app.repositories.events.rsvp(meeting.id, member: reg, .going)
            for target in [meeting, board] {
                let response = try await browser.post(
                    "/cockpit/members/invite-event", form: ["segment": "regular", "event": target.id.uuidString.lowercased()])
                #expect(response.status == .seeOther)
            }
            let risk = try #require(try await app.repositories.members.find(handle: "risk"))
            let riskSees = try await app.repositories.notifications.list(for: try await Viewer.load(risk.actor, on: app.db))
            #expect(riskSees.filter { $0.kind == .eventInvitation }.count == 1, "the meeting, not the secret group's board")
            let regSees = try await app.repositories.notifications.list(for: try await Viewer.load(reg.actor, on: app.db))
            #expect(regSees.filter { $0.kind == .eventInvitation }.isEmpty, "reg answered already")
            try await app.notificationMail.sendImmediate()
            #expect(try await app.repositories.outbox.list(recipient: "risk@kring.test").contains { $0.subject.contains("Ledenavond") })
        }
    }

    @Test func theAPIListsScoresAndKeepsSettingsAndSegments() async throws {
        try await withKringApp(clock: .fixed(Self.now)) { app in
            _ = try await Self.build(app)
            try await TestAccounts.member(app, handle: "chef", role: .manager)
            let manager = try await APITests.token(app, login: "chef")
            let member = try await APITests.token(app, login: "asker")
            func send(_ method: HTTPMethod, _ path: String, _ token: String, _ json: String? = nil) async throws -> (
                status: HTTPStatus, object: [String: Any]
            ) {
                try await SpacesAPITests.send(app, method, path, token: token, json: json)
            }
            for path in ["/api/v1/engagement/members", "/api/v1/engagement/summary", "/api/v1/engagement/champions", "/api/v1/segments"] {
                #expect(try await send(.GET, path, member).status == .forbidden, "\(path)")
            }
            let champions = try await send(.GET, "/api/v1/engagement/members?segment=champion", manager)
            #expect(champions.status == .ok)
            #expect(champions.object["total"] as? Int == 1)
            let first = try #require((champions.object["members"] as? [[String: Any]])?.first)
            #expect(first["handle"] as? String == "cham" && first["score"] as? Double == 16)
            #expect(try await send(.GET, "/api/v1/engagement/members?segment=sometimes", manager).status == .badRequest)
            #expect(try await send(.GET, "/api/v1/engagement/members?limit=0", manager).status == .badRequest)
            let summary = try await send(.GET, "/api/v1/engagement/summary", manager)
            #expect((summary.object["levels"] as? [String: Int])?["champion"] == 1)
            #expect((summary.object["funnel"] as? [Any])?.count == 12)
            let helpers = try await send(.GET, "/api/v1/engagement/champions", manager)
            #expect(((helpers.object["helpers"] as? [[String: Any]])?.first?["handle"] as? String) == "cham")

            let disordered = try await send(.PUT, "/api/v1/engagement/settings", manager, #"{"championFrom": 2, "regularFrom": 5}"#)
            #expect(disordered.status == .unprocessableEntity)
            #expect((disordered.object["errors"] as? [[String: Any]])?.first?["field"] as? String == "championFrom")
            #expect(
                try await send(.PUT, "/api/v1/engagement/settings", manager, #"{"weights": {"lurking": 1}}"#).status == .unprocessableEntity
            )
            let changed = try await send(.PUT, "/api/v1/engagement/settings", manager, #"{"weights": {"topic": 4}}"#)
            #expect(changed.status == .ok)
            #expect((changed.object["weights"] as? [String: Double])?["topic"] == 4)
            let reg = try await send(.GET, "/api/v1/engagement/members?segment=champion&limit=10", manager)
            #expect((reg.object["members"] as? [[String: Any]])?.contains { $0["handle"] as? String == "reg" } == true, "recomputed")

            #expect(try await send(.POST, "/api/v1/segments", manager, #"{"name": "Leeg", "filters": {}}"#).status == .unprocessableEntity)
            #expect(
                try await send(.POST, "/api/v1/segments", manager, #"{"name": "Fout", "filters": {"group": "nergens"}}"#).status
                    == .unprocessableEntity)
            let created = try await send(
                .POST, "/api/v1/segments", manager,
                #"{"name": "Nieuw en actief", "filters": {"joinedFrom": "2026-04-01", "level": "observer"}}"#)
            #expect(created.status == .created)
            let id = try #require(created.object["id"] as? String)
            #expect((created.object["filters"] as? [String: Any])?["joinedFrom"] as? String == "2026-04-01")
            let listed = try await send(.GET, "/api/v1/engagement/members?saved=\(id)", manager)
            // newbie joined on 10 April, chef today; everyone else long before.
            #expect(
                Set((listed.object["members"] as? [[String: Any]])?.compactMap { $0["handle"] as? String } ?? []) == ["chef", "newbie"])
            #expect(((try await send(.GET, "/api/v1/segments", manager)).object["segments"] as? [Any])?.count == 1)
            #expect(try await send(.DELETE, "/api/v1/segments/\(id)", manager).status == .noContent)
            #expect(try await send(.DELETE, "/api/v1/segments/\(id)", manager).status == .notFound)
        }
    }
}
