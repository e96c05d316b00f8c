import Foundation
import KringCore
import KringStore
import KringTestSupport
import Testing
import Vapor

@testable import KringWeb

/// The community manager's tasks 1–3: strategy, reports, advice and the inbox, maturity, successes.
@Suite("Strategy, reports, advice and maturity")
struct ManagementTests {
    /// Early April: March is the last finished month of the metrics fixture.
    static let now = MetricsFixture.utc("2026-04-02T10:00:00Z")

    @Test func aMonthlyReportCarriesTheCockpitsFiguresIsEvaluatedPublishedAndMailed() async throws {
        try await withKringApp(clock: .fixed(Self.now)) { app in
            _ = try await MetricsFixture.build(app)
            try await TestAccounts.member(app, handle: "chef", role: .manager)
            let manager = try await signedIn(app, "chef")
            #expect(
                try await manager.post("/reports/settings", form: ["recipients": "directie@example.org, niet-een-adres"]).status
                    == .unprocessableEntity)
            #expect(
                try await manager.post(
                    "/reports/settings", form: ["kinds[]": "monthly", "recipients": "Directie@example.org\nraad@example.org"]
                ).status == .seeOther)

            // The job drafts last month's report once, however often it runs.
            #expect(try await app.repositories.generateDueReports(timeZone: MetricsFixture.zone) == 1)
            #expect(try await app.repositories.generateDueReports(timeZone: MetricsFixture.zone) == 0)
            let reports = try await app.repositories.reports.list()
            #expect(reports.count == 1)
            let report = try #require(reports.first)
            #expect(report.kind == .monthly && report.periodStart == MetricsFixture.march.start && report.status == .draft)

            // Its figures are the cockpit's for March, and the period before.
            let march = try await app.repositories.metrics.figures(for: MetricsFixture.march)
            let february = try await app.repositories.metrics.figures(for: MetricsFixture.march.previous)
            for metric in MetricCatalog.all {
                let figure = try #require(report.content.figures.first { $0.id == metric.id })
                #expect(figure.value == metric.value(march), "\(metric.id)")
                #expect(figure.previous == metric.value(february), "\(metric.id) before")
            }
            let id = report.id.uuidString.lowercased()
            let page = try await manager.get("/reports/\(id)")
            let cockpit = try await manager.get("/cockpit?period=month&date=2026-03-01")
            let signups = try #require(cockpit.visibleText(id: "metric-signups"))
            #expect(signups.hasPrefix("1"), "the cockpit says one signup in March")
            #expect(page.visibleText(id: "figure-value-signups") == "1")
            #expect(page.visibleText(id: "report-status") == "Draft")
            #expect(
                page.text.contains("Welke warmtepomp voor een jaren-dertigwoning?"),
                "top content: the topic with most replies in an open group")
            let csv = try await manager.get("/reports/\(id)/csv")
            #expect(csv.headers.contentType?.subType == "csv")
            #expect(csv.text.contains("\r\nsignups,growth,count,1,"), "the CSV has the same figures")
            if ReportPDF.chromium() != nil {
                // The server's Chromium prints the report to PDF.
                let pdf = try await manager.get("/reports/\(id)/pdf")
                #expect(pdf.status == .ok)
                #expect(pdf.headers.contentType?.subType == "pdf")
                #expect(pdf.text.hasPrefix("%PDF"))
            }

            // Publishing needs an evaluation; then it is kept, mailed to the stakeholders, and can't be published twice.
            let empty = try await manager.post("/reports/\(id)/publish", form: ["evaluation": "  "])
            #expect(empty.status == .unprocessableEntity)
            #expect(empty.visibleText(id: "evaluation-error") == "Write the evaluation before you publish.")
            #expect(try await app.repositories.reports.find(report.id)?.status == .draft)
            #expect(try await manager.post("/reports/\(id)/evaluation", form: ["evaluation": "Een goede maand."]).status == .seeOther)
            #expect(
                try await manager.post("/reports/\(id)/publish", form: ["evaluation": "Een goede maand.\n\nMeer nieuwkomers."]).status
                    == .seeOther)
            let published = try #require(try await app.repositories.reports.find(report.id))
            #expect(published.status == .published && published.evaluation == "Een goede maand.\n\nMeer nieuwkomers.")
            let mails = try await app.repositories.outbox.list().filter { $0.kind == "report" }
            #expect(Set(mails.map(\.recipient)) == ["directie@example.org", "raad@example.org"])
            #expect(mails.first?.bodyText.contains("Meer nieuwkomers.") == true)
            #expect(mails.first?.bodyText.contains("/reports/\(id)") == true)
            #expect(try await app.repositories.reports.publish(report.id, evaluation: "Anders", by: .anonymous) == false)
            #expect(
                try await app.repositories.generateReport(
                    kind: .monthly, containing: MetricsFixture.march.start, timeZone: MetricsFixture.zone)
                    == .published(report.id), "a published report is not generated again")
            #expect(try await app.repositories.outbox.list().filter { $0.kind == "report" }.count == 2, "mailed once")

            // On demand: a weekly report of a week in March, a draft.
            let weekly = try await manager.post("/reports/generate", form: ["kind": "weekly", "date": "2026-03-11"])
            #expect(weekly.status == .seeOther)
            #expect(
                try await manager.post("/reports/generate", form: ["kind": "weekly", "date": "11-03-2026"]).status == .unprocessableEntity)
            #expect(try await app.repositories.reports.list().count == 2)
        }
    }

    @Test func aMonthlyReportComparesWithThePreviousMonthsStoredFigures() async throws {
        try await withKringApp(clock: .fixed(Self.now)) { app in
            _ = try await MetricsFixture.build(app)
            // The rollup job stores March, the last finished month, once it is over: the cockpit's figures.
            try await app.repositories.storeLastMonthSnapshot(timeZone: MetricsFixture.zone)
            let march = try await app.repositories.metrics.figures(for: MetricsFixture.march, withCohorts: false)
            let stored = try #require(try await app.repositories.goals.snapshots(scope: "community", months: ["2026-03"])["2026-03"])
            for metric in MetricCatalog.all {
                #expect(stored[metric.id] == .some(metric.value(march)), "\(metric.id)")
            }

            // April's report (the month so far) compares with March as stored, not computed again.
            var changed = stored
            changed["signups"] = .some(41)
            try await app.repositories.goals.storeSnapshot(scope: "community", month: "2026-03", values: changed)
            try await app.repositories.generateReport(kind: .monthly, containing: Self.now, timeZone: MetricsFixture.zone)
            let april = try #require(try await app.repositories.reports.list().first { $0.periodStart > MetricsFixture.march.start })
            #expect(april.content.figures.first { $0.id == "signups" }?.previous == 41)

            // March's report finds no February figures stored: it computes them and keeps them.
            #expect(try await app.repositories.goals.snapshots(scope: "community", months: ["2026-02"]).isEmpty)
            try await app.repositories.generateReport(kind: .monthly, containing: MetricsFixture.march.start, timeZone: MetricsFixture.zone)
            let february = try await app.repositories.metrics.figures(for: MetricsFixture.march.previous, withCohorts: false)
            let kept = try #require(try await app.repositories.goals.snapshots(scope: "community", months: ["2026-02"])["2026-02"])
            #expect(kept["signups"] == .some(MetricCatalog.all.first { $0.id == "signups" }?.value(february)))
        }
    }

    @Test func membersSeeNoneOfItUnlessGrantedAndAGrantOnlyReads() async throws {
        try await withKringApp(clock: .fixed(Self.now)) { app in
            _ = try await MetricsFixture.build(app)
            try await TestAccounts.member(app, handle: "beheer", role: .admin)
            try await TestAccounts.member(app, handle: "chef", role: .manager)
            let reader = try await TestAccounts.member(app, handle: "directeur")
            try await TestAccounts.member(app, handle: "lid")
            try await app.repositories.generateReport(kind: .monthly, containing: MetricsFixture.march.start, timeZone: MetricsFixture.zone)
            let draft = try #require(try await app.repositories.reports.list().first)

            let member = try await signedIn(app, "lid")
            for path in [
                "/cockpit", "/goals", "/reports", "/inbox", "/maturity", "/successes", "/strategy",
                "/reports/\(draft.id.uuidString.lowercased())",
            ] {
                #expect(try await member.get(path).status == .forbidden, "\(path) is not for members")
            }
            #expect(try await TestBrowser(app).get("/reports").status != .ok, "nor for visitors")

            // An admin grants the cockpit to a stakeholder: they read figures and published reports, and change nothing.
            let grant = try await signedIn(app, "beheer")
            #expect(
                try await grant.post(
                    "/admin/members/directeur", form: ["role": "member", "is_staff": "0", "is_bot": "0", "cockpit_access": "1"]
                ).status == .seeOther)
            #expect(try await app.repositories.members.find(id: reader.id)?.cockpitAccess == true)
            let stakeholder = try await signedIn(app, "directeur")
            #expect(try await stakeholder.get("/cockpit").status == .ok)
            #expect(try await stakeholder.get("/goals").status == .ok)
            let list = try await stakeholder.get("/reports")
            #expect(list.status == .ok)
            #expect(list.visibleText(id: "no-reports") == "No published reports yet.", "drafts are for the team")
            #expect(try await stakeholder.get("/reports/\(draft.id.uuidString.lowercased())").status == .notFound)
            for path in ["/inbox", "/maturity", "/strategy/edit"] {
                #expect(try await stakeholder.get(path).status == .forbidden, "\(path)")
            }
            #expect(try await stakeholder.post("/goals", form: GoalTests.goalForm([:])).status == .forbidden)
            #expect(try await stakeholder.post("/reports/generate", form: ["kind": "monthly", "date": "2026-03-01"]).status == .forbidden)
            #expect(try await stakeholder.get("/admin/audit").status == .forbidden, "the staff audit log stays with the team")
        }
    }

    @Test func theActionInboxTurnsFindingsIntoWorkThatStaysDone() async throws {
        try await withKringApp(clock: .fixed(Self.now)) { app in
            let built = try await MetricsFixture.build(app)
            try await TestAccounts.member(app, handle: "chef", role: .manager)
            try await TestAccounts.member(app, handle: "hulp", role: .manager)
            let manager = try await signedIn(app, "chef")

            // The fixture's only open topic from the last 30 days: bram's t3 (its one answer was deleted) — in March, so older than 24 h.
            let page = try await manager.get("/inbox")
            #expect(page.status == .ok)
            let items = try await app.repositories.advice.items()
            let t3 = built.topics["t3"]!.uuidString.lowercased()
            let unanswered = try #require(items.first { $0.rule == .unansweredTopic })
            #expect(unanswered.subjectKey == "topic:\(t3)", "a deleted reply answers no one")
            #expect(items.filter { $0.rule == .unansweredTopic }.count == 1)
            let id = unanswered.id.uuidString.lowercased()
            #expect(page.visibleText(id: "advice-\(id)")?.contains("“Geluid van de buitenunit” has had no answer for") == true)

            #expect(try await manager.post("/inbox/\(id)/assign", form: ["assignee": "hulp"]).status == .seeOther)
            #expect(
                try await manager.post("/inbox/\(id)/assign", form: ["assignee": "anna"]).status == .unprocessableEntity, "only the team")
            #expect(try await manager.get("/inbox").visibleText(id: "advice-state-\(id)") == "Open · assigned to @hulp")
            #expect(try await manager.post("/inbox/\(id)/snooze", form: ["days": "7"]).status == .seeOther)
            #expect(try await app.repositories.advice.items().contains { $0.id == unanswered.id } == false, "snoozed items wait")
            #expect(try await manager.get("/inbox?show=snoozed").text.contains("advice-\(id)"))
            #expect(try await manager.post("/inbox/\(id)/done").status == .seeOther)
            try await app.repositories.refreshAdvice(timeZone: MetricsFixture.zone)
            #expect(try await app.repositories.advice.item(unanswered.id)?.status == .done, "checking again does not reopen what is done")
            #expect(try await manager.post("/inbox/\(id)/explode").status == .badRequest)

            // Thresholds: a wrong one saves nothing; a right one changes what fires.
            let wrong = try await manager.post("/inbox/settings", form: ["unanswered_hours": "0", "flag_hours": "12"])
            #expect(wrong.status == .unprocessableEntity)
            #expect(try await app.repositories.advice.thresholds()[.flagHours] == 48)
            #expect(try await manager.post("/inbox/settings", form: ["flag_hours": "12"]).status == .seeOther)
            #expect(try await app.repositories.advice.thresholds()[.flagHours] == 12)
        }
    }

    @Test func theStrategyCanvasKeepsVersionsForTheReadersItNames() async throws {
        try await withKringApp(clock: .fixed(Self.now)) { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "chef", role: .manager)
            try await TestAccounts.member(app, handle: "lid")
            let manager = try await signedIn(app, "chef")
            let member = try await signedIn(app, "lid")
            #expect(try await manager.get("/strategy").visibleText(id: "no-strategy")?.hasPrefix("No strategy written yet.") == true)
            let form = [
                "purpose": "Klanten helpen elkaar met hun warmtepomp.", "audiences": "Eigenaren van een warmtepomp",
                "value_proposition": "",
                "approach": "own", "content_strategy": "", "activation_strategy": "", "success_measures": "MAU en opgeloste vragen",
                "team": "@chef builder\n@lid liaison Klantenservice", "readers": "manager",
            ]
            var unknown = form
            unknown["team"] = "@niemand translator"
            let refused = try await manager.post("/strategy", form: unknown)
            #expect(refused.status == .unprocessableEntity)
            #expect(try await app.repositories.strategy.current() == nil, "nothing is saved")
            #expect(try await manager.post("/strategy", form: form).status == .seeOther)
            #expect(try await member.get("/strategy").status == .forbidden, "readers: the team only")
            var open = form
            open["readers"] = "member"
            open["purpose"] = "Klanten en monteurs helpen elkaar."
            #expect(try await manager.post("/strategy", form: open).status == .seeOther)
            let shown = try await member.get("/strategy")
            #expect(shown.status == .ok)
            #expect(shown.visibleText(id: "strategy-purpose") == "PurposeKlanten en monteurs helpen elkaar.")
            #expect(shown.visibleText(id: "strategy-team")?.contains("@lid — department liaison (Klantenservice)") == true)
            #expect(
                try await member.get("/strategy/versions/1").visibleText(id: "strategy-purpose")
                    == "PurposeKlanten helpen elkaar met hun warmtepomp.")
            #expect(try await member.get("/strategy/history").visibleText(id: "strategy-versions")?.contains("Version 1 of") == true)
            #expect(try await member.get("/strategy/edit").status == .forbidden)
        }
    }

    @Test func theMaturityAssessmentAnswersWhatKringCanSeeAndKeepsHistory() async throws {
        let clock = TestClockWeb(start: Self.now)
        try await withKringApp(clock: clock.kringClock) { app in
            _ = try await MetricsFixture.build(app)
            try await TestAccounts.member(app, handle: "chef", role: .manager)
            let manager = try await signedIn(app, "chef")
            let form = try await manager.get("/maturity/new")
            #expect(form.visibleText(id: "criterion-tools.1.a")?.hasPrefix("✓ met") == true, "Kring is the community's own platform")
            #expect(form.visibleText(id: "criterion-strategy.1.a")?.hasPrefix("✗ not met") == true, "no strategy written yet")
            #expect(form.visibleText(id: "criterion-content.2.b")?.contains("1 events in 90 days.") == true, "the fixture's event in March")

            // Ticking a criterion Kring checks itself changes nothing: its own answer wins.
            #expect(
                try await manager.post("/maturity", form: ["tools.1.b": "1", "strategy.1.a": "1", "note": "Eerste meting"]).status
                    == .seeOther)
            let first = try #require(try await app.repositories.maturity.history().first)
            #expect(first.answers["strategy.1.a"] == false)
            #expect(first.answers["tools.1.b"] == true)
            #expect(first.stages[.tools] == 1, "tools stage 1: own platform (Kring) and findable (ticked)")
            #expect(first.stages[.strategy] == 0)
            let page = try await manager.get("/maturity")
            #expect(page.text.contains(#"id="maturity-radar""#), "a radar chart")
            #expect(page.visibleText(id: "stage-tools")?.contains("Stage 1: hierarchy") == true)
            #expect(page.visibleText(id: "step-tools.2.a") != nil, "the roadmap lists the next stage's criteria")
            #expect(page.text.contains("The Community Roundtable"), "the model is credited")

            try await app.repositories.strategy.save(
                {
                    var canvas = StrategyCanvas()
                    canvas.purpose = "Elkaar helpen"
                    return canvas
                }(), by: .anonymous)
            clock.advance(86_400)
            #expect(try await manager.post("/maturity", form: ["tools.1.b": "1", "strategy.1.b": "1"]).status == .seeOther)
            let history = try await app.repositories.maturity.history()
            #expect(history.count == 2)
            #expect(history.first?.stages[.strategy] == 1, "the canvas now answers strategy 1a")
            #expect(history.first?.answers["metrics.4.b"] == true, "assessed before, within the year")
            #expect(try await manager.get("/maturity").visibleText(id: "assessment-history") != nil)
        }
    }

    @Test func successStoriesAreLoggedWithCheckedEvidenceAndAppearInTheirReport() async throws {
        try await withKringApp(clock: .fixed(Self.now)) { app in
            let built = try await MetricsFixture.build(app)
            try await TestAccounts.member(app, handle: "chef", role: .manager)
            let manager = try await signedIn(app, "chef")
            let t1 = built.topics["t1"]!.uuidString.lowercased()
            let bad = try await manager.post(
                "/successes",
                form: [
                    "title": "Vraag opgelost", "story": "Bram hielp Anna.", "evidence": "javascript:alert(1)", "occurred_on": "2026-03-02",
                ])
            #expect(bad.status == .unprocessableEntity)
            #expect(try await app.repositories.strategy.stories().isEmpty)
            #expect(
                try await manager.post(
                    "/successes",
                    form: [
                        "title": "Klantvraag opgelost zonder ticket", "story": "Bram hielp Anna binnen twee uur.",
                        "value": "Eén supportticket minder",
                        "evidence": "/t/\(t1)\nhttps://example.org/case", "occurred_on": "2026-03-02",
                    ]
                ).status == .seeOther)
            let page = try await manager.get("/successes")
            #expect(page.text.contains(#"href="/t/\#(t1)""#))
            try await app.repositories.generateReport(kind: .monthly, containing: MetricsFixture.march.start, timeZone: MetricsFixture.zone)
            let report = try #require(try await app.repositories.reports.list().first)
            #expect(report.content.stories == [.init(title: "Klantvraag opgelost zonder ticket", value: "Eén supportticket minder")])
        }
    }

    @Test func aReportCarriesNoAdviceAboutASecretGroup() async throws {
        try await withKringApp(clock: .fixed(Self.now)) { app in
            let built = try await MetricsFixture.build(app)
            let anna = try #require(try await app.repositories.members.find(handle: "anna"))
            let secret = try await MetricsFixture.at(app, "2026-03-01T10:00:00Z").groups.create(
                NewGroup(name: "Bestuur", description: "", welcomeMessage: "", visibility: .secret), by: anna.actor)
            let hidden = try await MetricsFixture.at(app, "2026-03-25T10:00:00Z").topics.create(
                NewTopic(groupID: secret.id, title: "Vertrouwelijk: de begroting", kind: .discussion, body: "Vraag", tags: []),
                rendered: MetricsFixture.rendered, by: anna)
            try await app.repositories.refreshAdvice(timeZone: MetricsFixture.zone)
            let inbox = try await app.repositories.advice.items().filter { $0.rule == .unansweredTopic }.map(\.subjectKey)
            #expect(Set(inbox) == ["topic:\(built.topics["t3"]!.uuidString.lowercased())", "topic:\(hidden.uuidString.lowercased())"])
            try await app.repositories.generateReport(kind: .monthly, containing: MetricsFixture.march.start, timeZone: MetricsFixture.zone)
            let report = try #require(try await app.repositories.reports.list().first)
            let titles = report.content.nextSteps.compactMap { $0.details["title"] }
            #expect(titles.contains("Geluid van de buitenunit"), "advice about an open topic goes into the report")
            #expect(!titles.contains("Vertrouwelijk: de begroting"), "a secret group's topic stays in the team's inbox")
            #expect(!report.content.topTopics.contains { $0.title == "Vertrouwelijk: de begroting" })
        }
    }

    /// Found by fuzzing: where daylight saving time starts at midnight the day has no 00:00, and
    /// a valid date was refused as "not a date".
    @Test func daysWithoutAMidnightAreValidDates() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            let admin = try await APITests.token(app, login: "admin")
            func send(_ method: HTTPMethod, _ path: String, _ json: String? = nil) async throws -> HTTPStatus {
                try await SpacesAPITests.send(app, method, path, token: admin, json: json).status
            }
            #expect(try await send(.PATCH, "/api/v1/community", #"{"timeZone":"America/Sao_Paulo"}"#) == .ok)
            #expect(try await send(.POST, "/api/v1/reports", #"{"kind":"weekly","date":"1999-10-03"}"#) == .created)
            #expect(try await send(.GET, "/api/v1/metrics?period=day&date=1999-10-03") == .ok)
            #expect(try await send(.POST, "/api/v1/reports", #"{"kind":"weekly","date":"1999-02-29"}"#) == .unprocessableEntity)
        }
    }

    @Test func reportsAdviceAndAssessmentsThroughTheAPI() async throws {
        try await withKringApp(clock: .fixed(Self.now)) { app in
            _ = try await MetricsFixture.build(app)
            try await TestAccounts.member(app, handle: "chef", role: .manager)
            try await TestAccounts.member(app, handle: "lid")
            let manager = try await APITests.token(app, login: "chef")
            let member = try await APITests.token(app, login: "lid")
            func send(_ method: HTTPMethod, _ path: String, _ token: String?, _ json: String? = nil) async throws -> (
                status: HTTPStatus, object: [String: Any]
            ) {
                try await SpacesAPITests.send(app, method, path, token: token, json: json)
            }
            for path in ["/api/v1/reports", "/api/v1/advice", "/api/v1/assessments"] {
                #expect(try await send(.GET, path, member).status == .forbidden, "\(path)")
            }
            let created = try await send(.POST, "/api/v1/reports", manager, #"{"kind":"monthly","date":"2026-03-15"}"#)
            #expect(created.status == .created)
            #expect(created.object["status"] as? String == "draft")
            let id = try #require(created.object["id"] as? String)
            let signups = (created.object["figures"] as? [[String: Any]])?.first { $0["id"] as? String == "signups" }
            #expect(signups?["value"] as? Double == 1)
            #expect(
                try await send(.POST, "/api/v1/reports", manager, #"{"kind":"monthly","date":"2026-03-20"}"#).status == .ok,
                "the same period: refreshed")
            #expect(
                try await send(.POST, "/api/v1/reports", manager, #"{"kind":"yearly","date":"2026-03-20"}"#).status == .unprocessableEntity)
            #expect(try await send(.POST, "/api/v1/reports/\(id)/publish", manager, #"{"evaluation":" "}"#).status == .unprocessableEntity)
            let published = try await send(.POST, "/api/v1/reports/\(id)/publish", manager, #"{"evaluation":"Goed"}"#)
            #expect(published.object["status"] as? String == "published")
            #expect(try await send(.POST, "/api/v1/reports/\(id)/publish", manager, #"{"evaluation":"Goed"}"#).status == .conflict)
            #expect(try await send(.POST, "/api/v1/reports", manager, #"{"kind":"monthly","date":"2026-03-20"}"#).status == .conflict)
            #expect(((try await send(.GET, "/api/v1/reports", manager)).object["reports"] as? [Any])?.count == 1)

            try await app.repositories.refreshAdvice(timeZone: MetricsFixture.zone)
            let advice = try await send(.GET, "/api/v1/advice", manager)
            let item = try #require((advice.object["items"] as? [[String: Any]])?.first { $0["rule"] as? String == "unanswered_topic" })
            let itemID = try #require(item["id"] as? String)
            let done = try await send(.POST, "/api/v1/advice/\(itemID)", manager, #"{"action":"done"}"#)
            #expect(done.object["status"] as? String == "done")
            #expect(
                try await send(.POST, "/api/v1/advice/\(itemID)", manager, #"{"action":"snooze","days":0}"#).status == .unprocessableEntity)
            #expect(try await send(.GET, "/api/v1/advice?status=lost", manager).status == .badRequest)
            #expect(
                ((try await send(.GET, "/api/v1/advice?status=done", manager)).object["items"] as? [[String: Any]])?.map {
                    $0["id"] as? String
                }
                    == [itemID])

            #expect(
                try await send(.POST, "/api/v1/assessments", manager, #"{"answers":{"nonsense.9.z":true}}"#).status == .unprocessableEntity)
            let assessed = try await send(.POST, "/api/v1/assessments", manager, #"{"answers":{"tools.1.b":true},"note":"API"}"#)
            #expect(assessed.status == .created)
            #expect((assessed.object["stages"] as? [String: Any])?["tools"] as? Int == 1)
            #expect(((try await send(.GET, "/api/v1/assessments", manager)).object["assessments"] as? [Any])?.count == 1)
        }
    }
}

/// Each advice rule read from the database: a fixture that should fire it, and one beside it that should not.
@Suite("Advice rules on a community's data")
struct AdviceFactsTests {
    @Test func eachRuleFindsItsCaseInTheDatabaseAndNothingElse() async throws {
        try await withKringApp(clock: .fixed(ManagementTests.now)) { app in
            let built = try await MetricsFixture.build(app)
            let zone = MetricsFixture.zone
            func member(_ handle: String, joined: String) async throws -> Member {
                try await MetricsFixture.member(app, handle, joined: joined)
            }
            func topic(_ author: Member, _ title: String, _ time: String, group: UUID? = nil) async throws -> UUID {
                try await MetricsFixture.at(app, time).topics.create(
                    NewTopic(groupID: group, title: title, kind: .discussion, body: "Vraag", tags: []),
                    rendered: MetricsFixture.rendered, by: author)
            }
            func reply(_ author: Member, _ topic: UUID, _ time: String) async throws {
                try await MetricsFixture.at(app, time).topics.reply(
                    to: topic, body: "Antwoord", rendered: MetricsFixture.rendered, replyTo: nil, by: author)
            }
            let anna = try #require(try await app.repositories.members.find(handle: "anna"))
            // A newcomer whose first topic waits 50 hours; one who posted an hour ago.
            let nina = try await member("nina", joined: "2026-03-30T08:00:00Z")
            let ninasTopic = try await topic(nina, "Mijn eerste vraag", "2026-03-31T08:00:00Z")
            let otto = try await member("otto", joined: "2026-04-01T20:00:00Z")
            _ = try await topic(otto, "Net binnen", "2026-04-02T09:00:00Z")
            // A regular (ten days in February) quiet since; someone with five days is no regular.
            let rita = try await member("rita", joined: "2025-10-01T08:00:00Z")
            let sara = try await member("sara", joined: "2025-10-01T08:00:00Z")
            for day in 1...10 {
                try await MetricsFixture.at(app, String(format: "2026-02-%02dT10:00:00Z", day)).activity.record(.visit, by: rita.actor)
            }
            for day in 1...5 {
                try await MetricsFixture.at(app, String(format: "2026-02-%02dT10:00:00Z", day)).activity.record(.visit, by: sara.actor)
            }
            // A group with twelve posts early in February and none since.
            let quiet = try await MetricsFixture.at(app, "2026-01-10T10:00:00Z").groups.create(
                NewGroup(name: "Zonneboilers", description: "", welcomeMessage: "", visibility: .open), by: anna.actor)
            let old = try await topic(anna, "Zonneboiler en warmtepomp samen?", "2026-02-05T10:00:00Z", group: quiet.id)
            for hour in 0..<11 { try await reply(rita, old, String(format: "2026-02-06T%02d:00:00Z", hour + 8)) }
            // A flag three days old, and one from this morning.
            let post = try #require(try await app.repositories.topics.postID(topicID: ninasTopic, number: 1))
            _ = try await MetricsFixture.at(app, "2026-03-30T10:00:00Z").moderation.flag(
                postID: post, by: anna, reason: .spam, note: "", threshold: 99)
            let fresh = try #require(try await app.repositories.topics.postID(topicID: built.topics["t1"]!, number: 1))
            _ = try await MetricsFixture.at(app, "2026-04-02T08:00:00Z").moderation.flag(
                postID: fresh, by: sara, reason: .spam, note: "", threshold: 99)
            // An idea routed three weeks ago without an answer (the fixture's own idea was answered).
            let department = try #require(try await app.repositories.ideas.departments().first)
            let idea = try await MetricsFixture.at(app, "2026-03-10T10:00:00Z").ideas.submit(
                title: "Korting voor leden", description: "", tags: [], by: rita)
            try await MetricsFixture.at(app, "2026-03-11T10:00:00Z").ideas.route(idea, to: department.id, by: anna.actor)
            // Slower answers: a topic of 5 March answered twenty days later.
            let slow = try await topic(sara, "Wie weet dit?", "2026-03-05T10:00:00Z")
            try await reply(anna, slow, "2026-03-25T10:00:00Z")
            try await app.repositories.rollups.catchUp(timeZone: zone)

            try await app.repositories.refreshAdvice(timeZone: zone)
            let items = try await app.repositories.advice.items()
            func subjects(_ rule: AdviceRule) -> [String] { items.filter { $0.rule == rule }.map(\.subjectKey).sorted() }
            let key = { (id: UUID) in id.uuidString.lowercased() }
            #expect(
                subjects(.unansweredTopic) == ["topic:\(key(built.topics["t3"]!))", "topic:\(key(ninasTopic))"].sorted(),
                "t3 (its answer deleted) and nina's; otto's is an hour old")
            #expect(subjects(.newcomerUnanswered) == ["member:\(key(nina.id))"])
            #expect(
                subjects(.regularGoingQuiet).map { $0.components(separatedBy: ":").prefix(2).joined(separator: ":") } == [
                    "member:\(key(rita.id))"
                ])
            #expect(items.first { $0.rule == .groupFalling }?.details["name"] == "Zonneboilers")
            #expect(items.first { $0.rule == .groupFalling }?.details["suggestion"] == "archive")
            #expect(subjects(.groupFalling).count == 1)
            #expect(subjects(.flagWaiting).count == 1, "the three-day-old flag; this morning's can wait")
            #expect(subjects(.ideaWaiting) == ["idea:\(key(idea))"])
            #expect(subjects(.responseTimeRising).count == 1, "the median rose from 2 h (t1) to 240 h")
            #expect(subjects(.goalOffTrack).isEmpty, "no goals yet")

            // Answering nina clears both of her items by themselves.
            try await reply(anna, ninasTopic, "2026-04-02T09:30:00Z")
            try await app.repositories.refreshAdvice(timeZone: zone)
            #expect(
                try await app.repositories.advice.items(.cleared).map(\.rule).sorted { $0.rawValue < $1.rawValue } == [
                    .newcomerUnanswered, .unansweredTopic,
                ])
        }
    }
}
