import Foundation
import KringCore
import KringTestSupport
import SQLKit
import Testing
import Vapor

@testable import KringStore
@testable import KringWeb

@Suite("Cockpit")
struct CockpitTests {
    static let march = "period=month&date=2026-03-15"

    @Test func managersSeeTheHandComputedFiguresOnTheDashboardInTheCSVAndInTheAPI() async throws {
        try await withKringApp { app in
            let built = try await MetricsFixture.build(app)
            try await TestAccounts.member(app, handle: "chef", role: .manager)
            try await TestAccounts.member(app, handle: "lid")
            let member = try await signedIn(app, "lid")
            #expect(try await member.get("/cockpit").status == .forbidden)
            #expect(try await member.get("/cockpit.csv").status == .forbidden)
            #expect(try await TestBrowser(app).get("/cockpit").status != .ok)

            let manager = try await signedIn(app, "chef")
            let page = try await manager.get("/cockpit?\(Self.march)")
            #expect(page.status == .ok)
            #expect(page.visibleText(id: "cockpit-period")?.hasPrefix("1 March 2026 to 31 March 2026") == true)
            #expect(HTMLText.visible(HTMLText.element(id: "metric-signups", in: page.text) ?? "") == "1Sign-ups▲ up from 0")
            #expect(page.text.contains(#"class="trend trend-good""#), "more sign-ups than in February is good")
            #expect(page.visibleText(id: "unanswered-topics")?.contains("Geluid van de buitenunit") == true)
            #expect(page.text.contains(#"<svg viewBox="0 0 640 220" role="img""#), "charts are accessible SVG")
            #expect(page.text.contains(#"<title id="chart-visitors-title">Visitors: DAU, WAU and MAU</title>"#))
            #expect(page.visibleText(id: "cohort-table")?.contains("March 2026") == true)
            #expect(page.text.contains("How is this computed?"))

            // CSV = dashboard: every headline figure in the CSV, formatted, is the number on its card.
            let csv = try await manager.get("/cockpit.csv?table=summary&\(Self.march)")
            #expect(csv.headers.first(name: .contentType) == "text/csv; charset=utf-8")
            let rows = csv.text.split(separator: "\r\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            #expect(rows.first == ["metric", "section", "unit", "value", "previous_value"])
            let values = Dictionary(uniqueKeysWithValues: rows.dropFirst().map { ($0[0], $0[3]) })
            #expect(values["signups"] == "1")
            #expect(values["median_first_response_hours"] == "1.3333")
            #expect(values["member_generated_share"] == "0.8889")
            #expect(values["absence_factor"] == "2")
            let t = Localizer(language: .en, catalog: try Catalog.bundled(), timeZone: MetricsFixture.zone)
            for metric in MetricCatalog.all {
                let shown = HTMLText.visible(
                    TestBrowser.firstMatch(#"id="metric-\#(metric.id)"><span class="stat-number">([^<]*)<"#, in: page.text) ?? "?")
                let fromCSV = values[metric.id].flatMap { $0.isEmpty ? nil : Double($0) }
                #expect(
                    shown == CockpitViews.format(fromCSV, metric.unit, t),
                    "\(metric.id): dashboard \(shown) vs CSV \(values[metric.id] ?? "")")
            }
            let daily = try await manager.get("/cockpit.csv?table=daily&\(Self.march)")
            #expect(daily.text.contains("2026-03-02,2,2,2,2,0,2\r\n"), "2 March: anna and bram visited, engaged and posted")
            #expect(try await manager.get("/cockpit.csv?table=nonsense").status == .badRequest)
            #expect(
                try await manager.get("/cockpit.csv?table=events&\(Self.march)").text
                    == "events_held,said_going,checked_in,attendance_rate\r\n1,2,1,0.5000\r\n", "the dashboard's attendance line")
            let lorenz = try await manager.get("/cockpit.csv?table=lorenz&\(Self.march)").text.components(separatedBy: "\r\n")
            #expect(lorenz.first == "share_of_posters,share_of_posts")
            #expect(lorenz.dropLast().last == "1,1", "the curve ends where everyone wrote everything")
            #expect(lorenz.contains("0.3333,0.2500"), "dirk, a third of those who posted, wrote 2 of the 8 posts")
            #expect(
                try await manager.get("/cockpit.csv?table=moderation&\(Self.march)").text.hasSuffix("\r\n0,0,0,,0,0\r\n"),
                "no flags in March")

            // The API: the same numbers.
            let token = try await APITests.token(app, login: "chef")
            let api = try await SpacesAPITests.send(app, .GET, "/api/v1/metrics?\(Self.march)", token: token)
            #expect(api.status == .ok)
            let metrics = try #require(api.object["metrics"] as? [[String: Any]])
            for metric in metrics {
                let id = try #require(metric["id"] as? String)
                let value = metric["value"] as? Double
                #expect(CockpitCSV.number(value) == values[id], "\(id) in the API and the CSV")
            }
            #expect((api.object["daily"] as? [[String: Any]])?.count == 31)
            #expect((api.object["unansweredTopics"] as? [String])?.map { $0.lowercased() } == [built.topics["t3"]!.uuidString.lowercased()])
            let inGroup = try await SpacesAPITests.send(
                app, .GET, "/api/v1/metrics?\(Self.march)&group=\(built.group.slug)", token: token)
            #expect(inGroup.object["group"] as? String == built.group.slug)
            #expect(try await SpacesAPITests.send(app, .GET, "/api/v1/metrics?period=fortnight", token: token).status == .badRequest)
            #expect(
                try await SpacesAPITests.send(app, .GET, "/api/v1/metrics?to=", token: token).status == .badRequest, "the API is strict")
            #expect(
                try await manager.get("/cockpit?period=month&date=2026-03-15&from=&to=").status == .ok, "the form sends unused days empty")
            #expect(try await SpacesAPITests.send(app, .GET, "/api/v1/metrics?group=nergens", token: token).status == .notFound)
            #expect(
                try await SpacesAPITests.send(app, .GET, "/api/v1/metrics", token: try await APITests.token(app, login: "lid")).status
                    == .forbidden)
        }
    }

    /// The running month's figures take seconds on a large community: they are kept for requests
    /// that find the database as it was, and follow any write at once, from whatever process.
    @Test func theRunningPeriodIsKeptUntilTheDatabaseIsWritten() async throws {
        try await withKringApp(clock: .fixed(MetricsFixture.utc("2026-03-20T12:00:00Z"))) { app in
            _ = try await MetricsFixture.build(app)
            try await TestAccounts.member(app, handle: "chef", role: .manager)
            let manager = try await signedIn(app, "chef")
            func posts() async throws -> String? {
                let csv = try await manager.get("/cockpit.csv?table=summary").text
                return csv.split(separator: "\r\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
                    .first { $0.first == "posts" }.map { String($0[3]) }
            }
            // The first request opens the cockpit's own connections (on SQLite a change of `data_version`).
            _ = try await posts()
            let before = try #require(try await posts())
            let sql = app.db as! any SQLDatabase
            let computed = await app.kring.finishedPeriods.computations
            #expect(try await posts() == before)
            if sql.dialect.name == "sqlite" {
                // (On PostgreSQL the test suites share one server, whose write position moves with theirs.)
                #expect(await app.kring.finishedPeriods.computations == computed, "nothing written: the same figures, not computed again")
            }

            // A reply written past this process (another Kring process, a script): the next request counts it.
            try await sql.raw(
                """
                INSERT INTO posts (id, topic_id, author_id, post_number, body, body_html, render_version, created_at, updated_at)
                SELECT \(sql.newUUIDExpression), topic_id, author_id, post_number + 1000, body, body_html, render_version, created_at, updated_at
                FROM posts WHERE created_at >= \(bind: MetricsFixture.march.start) AND created_at < \(bind: MetricsFixture.march.end)
                AND deleted_at IS NULL AND hidden_at IS NULL LIMIT 1
                """
            ).run()
            #expect(try await posts() == String(Int(before)! + 1))
            #expect(await app.kring.finishedPeriods.computations > computed)
        }
    }

    @Test func periodsStepBackAndCustomRangesAreNormalised() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "chef", role: .manager)
            let manager = try await signedIn(app, "chef")
            let week = try await manager.get("/cockpit?period=week&date=2026-11-25")
            #expect(
                week.visibleText(id: "cockpit-period")?.hasPrefix("23 November 2026 to 29 November 2026") == true, "weeks start on Monday")
            #expect(week.text.contains(#"href="/cockpit?period=week&amp;date=2026-11-16""#), "a link to the week before")
            let custom = try await manager.get("/cockpit?period=custom&from=2026-11-20&to=2026-11-10")
            #expect(custom.visibleText(id: "cockpit-period")?.hasPrefix("10 November 2026 to 20 November 2026") == true, "swapped")
            #expect(try await manager.get("/cockpit?period=month&date=25-11-2026").status == .badRequest)
            let empty = try await manager.get("/cockpit")
            #expect(empty.status == .ok)
            #expect(empty.visibleText(id: "no-unanswered") != nil, "a helpful empty state")

            // Page views are counted in memory, per day, and written in batches.
            let visitor = TestBrowser(app)
            for path in ["/", "/groups", "/nowhere", "/api/v1/community"] { try await visitor.get(path) }
            try await app.pageViews.flush(to: app.db)
            let today = MetricPeriod.containing(Date(), kind: .day, timeZone: TimeZone(identifier: "Europe/Amsterdam")!)
            let views = try await app.repositories.metrics.figures(for: today).pageViews ?? 0
            #expect(views >= 2 && views <= 8, "two pages for the visitor (not the 404 or the API) plus the manager's: \(views)")
            let before = views
            try await visitor.get("/")
            try await app.pageViews.flush(to: app.db)
            #expect(try await app.repositories.metrics.figures(for: today).pageViews == before + 1)
        }
    }
}
