import Foundation
import KringCore
import KringStore
import KringTestSupport
import Testing
import Vapor

@testable import KringWeb

@Suite("Goals")
struct GoalTests {
    static let now = MetricsFixture.utc("2026-03-25T12:00:00Z")

    static func goalForm(_ fields: [String: String]) -> [String: String] {
        [
            "title": "Meer betrokken leden", "measure": "metric:engaged_members", "figure_name": "", "group": "", "target": "3",
            "direction": "up", "starts_at": "2026-01-01", "deadline": "2026-06-30", "owner": "",
        ].merging(fields) { $1 }
    }

    @Test func goalsFollowACockpitFigureOrABusinessFigureToTheirDeadline() async throws {
        try await withKringApp(clock: .fixed(Self.now)) { app in
            _ = try await MetricsFixture.build(app)
            try await TestAccounts.member(app, handle: "chef", role: .manager)
            try await TestAccounts.member(app, handle: "lid")
            #expect(try await signedIn(app, "lid").get("/goals").status == .forbidden, "members do not see the goals")

            let manager = try await signedIn(app, "chef")
            #expect(try await manager.get("/goals").visibleText(id: "no-goals")?.hasPrefix("No goals yet.") == true)

            // A cockpit figure: engaged members were 0 in January, 1 in February (anna) and 3 so far in March.
            let created = try await manager.post("/goals", form: Self.goalForm([:]))
            #expect(created.status == .seeOther)
            let page = try await manager.get("/goals")
            let goal = try #require(try await app.repositories.goals.list().first)
            let id = goal.id.uuidString.lowercased()
            #expect(page.visibleText(id: "goal-now-\(id)") == "3")
            #expect(page.visibleText(id: "goal-status-\(id)") == "On track", "rising from 0 past 3 well before June")
            #expect(page.text.contains(#"id="goal-trend-\#(id)""#), "a sparkline shows the trend")
            #expect(goal.ownerID == (try await app.repositories.members.find(handle: "chef"))?.id, "the one who set it owns it by default")
            let stored = try await app.repositories.goals.snapshots(scope: "community", months: ["2026-01", "2026-02", "2026-03"])
            #expect(stored.keys.sorted() == ["2026-01", "2026-02"], "finished months are kept, the running one is not")
            #expect(stored["2026-02"]?["engaged_members"] == .some(1))

            // A business figure, entered as CSV: support tickets fall by 50 a month.
            let badCSV = try await manager.post("/goals/figures", form: ["csv": "Support tickets,2026-01,500\nSupport tickets,januari,450"])
            #expect(badCSV.status == .unprocessableEntity)
            #expect(try await app.repositories.goals.figures().isEmpty, "a wrong line saves nothing")
            let csv = "name,month,value\nSupport tickets,2026-01,500\nSupport tickets,2026-02,450\nSupport tickets,2026-03,400"
            #expect(try await manager.post("/goals/figures", form: ["csv": csv]).status == .seeOther)
            #expect(try await manager.get("/goals/figures").visibleText(id: "figures-table")?.contains("Support tickets2026-03400") == true)
            for (target, expected) in [("300", "On track"), ("0", "Off track")] {
                try await manager.post(
                    "/goals",
                    form: Self.goalForm([
                        "title": "Minder tickets naar \(target)", "measure": "figure:", "figure_name": "Support tickets",
                        "direction": "down",
                        "target": target, "owner": "@lid",
                    ]))
                let goal = try #require(try await app.repositories.goals.list().first { $0.title == "Minder tickets naar \(target)" })
                #expect(goal.measure == .figure("Support tickets"))
                #expect(goal.higherIsBetter == false)
                let status = try await manager.get("/goals").visibleText(id: "goal-status-\(goal.id.uuidString.lowercased())")
                #expect(status == expected, "target \(target)")
            }

            // Bad input gets a message and sets nothing.
            let count = try await app.repositories.goals.list().count
            let backwards = try await manager.post("/goals", form: Self.goalForm(["deadline": "2025-12-01"]))
            #expect(backwards.status == .unprocessableEntity)
            #expect(backwards.visibleText(id: "deadline-error") == "The deadline must come after the start.")
            #expect(try await manager.post("/goals", form: Self.goalForm(["owner": "@niemand"])).status == .unprocessableEntity)
            #expect(try await manager.post("/goals", form: Self.goalForm(["measure": "metric:nonsense"])).status == .unprocessableEntity)
            #expect(try await manager.post("/goals", form: Self.goalForm(["target": "veel"])).status == .unprocessableEntity)
            #expect(try await app.repositories.goals.list().count == count)

            // Archiving takes it off the page.
            #expect(try await manager.post("/goals/\(id)/archive").status == .seeOther)
            #expect(!(try await manager.get("/goals").text.contains("goal-\(id)")))
        }
    }

    @Test func goalsThroughTheAPI() async throws {
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
            #expect(try await send(.GET, "/api/v1/goals", member).status == .forbidden)
            for (month, value) in [("2026-01", 500), ("2026-02", 450), ("2026-03", 400)] {
                #expect(
                    try await send(.PUT, "/api/v1/business-figures/Support%20tickets/\(month)", manager, #"{"value":\#(value)}"#).status
                        == .noContent)
            }
            #expect(
                try await send(.PUT, "/api/v1/business-figures/Support%20tickets/maart", manager, #"{"value":1}"#).status == .badRequest)
            let goal = """
                {"title":"Minder tickets","measure":"figure:Support tickets","target":300,"direction":"down",\
                "startsAt":"2026-01-01","deadline":"2026-06-30"}
                """
            let created = try await send(.POST, "/api/v1/goals", manager, goal)
            #expect(created.status == .created)
            #expect(created.object["status"] as? String == "on_track")
            #expect((created.object["points"] as? [[String: Any]])?.map { $0["value"] as? Double } == [500, 450, 400])
            #expect(created.object["owner"] as? String == "chef")
            let backwards = goal.replacingOccurrences(of: "2026-06-30", with: "2025-06-30")
            #expect(try await send(.POST, "/api/v1/goals", manager, backwards).status == .conflict)
            #expect(
                try await send(
                    .POST, "/api/v1/goals", manager, goal.replacingOccurrences(of: "figure:Support tickets", with: "metric:nope")
                ).status == .unprocessableEntity)
            let listed = try await send(.GET, "/api/v1/goals", manager)
            let id = try #require((listed.object["goals"] as? [[String: Any]])?.first?["id"] as? String)
            #expect(try await send(.DELETE, "/api/v1/goals/\(id)", manager).status == .noContent)
            #expect((try await send(.GET, "/api/v1/goals", manager).object["goals"] as? [Any])?.isEmpty == true)
        }
    }
}
