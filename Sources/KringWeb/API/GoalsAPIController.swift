import KringCore
import KringStore
import Vapor

struct GoalPointDTO: Content {
    let at: Date
    let value: Double
}

struct GoalDTO: Content {
    let id: UUID
    let title: String
    /// `metric:<cockpit figure id>` or `figure:<business figure name>`.
    let measure: String
    let group: String?
    let target: Double
    let higherIsBetter: Bool
    let startsAt: Date
    let deadline: Date
    let owner: String?
    let status: String
    let latest: Double?
    let projected: Double?
    let points: [GoalPointDTO]
}

struct GoalListDTO: Content {
    let goals: [GoalDTO]
}

struct GoalCreateRequest: Content {
    var title: String
    var measure: String
    var target: Double
    var startsAt: String
    var deadline: String
    var group: String?
    var owner: String?
    /// Business figures only: "up" (default) or "down".
    var direction: String?
}

struct BusinessFigureRequest: Content {
    var value: Double
}

/// Goals and business figures in `/api/v1`, for the community management team's own tools.
struct GoalsAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let api = routes.grouped("api", "v1")
        api.get("goals", use: list)
        api.post("goals", use: create)
        api.delete("goals", ":goal", use: archive)
        api.put("business-figures", ":name", ":month", use: setFigure)
    }

    @Sendable func list(request: Request) async throws -> GoalListDTO {
        try request.authorize(.readCockpit)
        return try await Self.dtos(try await request.goalStandings(), request)
    }

    static func dtos(_ standings: [GoalStanding], _ request: Request) async throws -> GoalListDTO {
        let slugs = try await request.groupSlugs(standings.map(\.goal.groupID))
        return GoalListDTO(
            goals: standings.map { standing in
                let goal = standing.goal
                return GoalDTO(
                    id: goal.id, title: goal.title, measure: goal.measure.key, group: goal.groupID.flatMap { slugs[$0] },
                    target: goal.target,
                    higherIsBetter: goal.higherIsBetter, startsAt: goal.startsAt, deadline: goal.deadline, owner: standing.owner,
                    status: standing.status.rawValue, latest: standing.points.last?.value, projected: standing.projected,
                    points: standing.points.map { GoalPointDTO(at: $0.at, value: $0.value) })
            })
    }

    @Sendable func create(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        try request.rejectNulls(in: ["title", "measure", "target", "startsAt", "deadline"])
        let body = try request.content.decode(GoalCreateRequest.self)
        let measure = body.measure.hasPrefix("figure:") ? "figure:" : body.measure
        let goal: Goal
        do {
            goal = try await request.goal(
                from: GoalsController.GoalForm(
                    title: body.title, measure: measure, figure_name: String(body.measure.dropFirst("figure:".count)), group: body.group,
                    target: String(body.target), direction: body.direction, starts_at: body.startsAt, deadline: body.deadline,
                    owner: body.owner))
        } catch let failure as ValidationFailure {
            // Well-formed values that do not fit the community or each other: a missing group, an
            // unknown owner, a deadline before the start. What is malformed stays a 422.
            if failure.errors.contains(where: { $0.field == "group" }) { throw Abort(.notFound, reason: "No such group.") }
            if failure.errors.contains(where: { $0.field == "owner" || $0.code == "goal.deadline_before_start" }) {
                throw Abort(.conflict, reason: "The deadline must come after the start, and the owner must be an active member.")
            }
            throw failure
        }
        try await request.repositories.goals.create(goal, by: request.context.actor)
        try await request.audit("goal.create", subjectType: "goal", subjectID: goal.id, label: goal.title, after: goal.measure.key)
        let standing = try await request.repositories.goalStandings(timeZone: request.communityTimeZone, only: [goal.id])
        guard let created = try await Self.dtos(standing, request).goals.first else {
            throw Abort(.internalServerError)
        }
        let response = try await created.encodeResponse(status: .created, for: request)
        response.headers.replaceOrAdd(name: .location, value: "/api/v1/goals/\(goal.id.uuidString.lowercased())")
        return response
    }

    @Sendable func archive(request: Request) async throws -> HTTPStatus {
        try request.authorize(.viewCockpit)
        guard let id = request.parameters.get("goal", as: UUID.self), let goal = try await request.repositories.goals.find(id) else {
            throw Abort(.notFound, reason: "No such goal.")
        }
        try await request.repositories.goals.archive(id, by: request.context.actor)
        try await request.audit("goal.archive", subjectType: "goal", subjectID: id, label: goal.title)
        return .noContent
    }

    /// Sets one month's value of a business figure (the path's `name` and `month` as `YYYY-MM`).
    @Sendable func setFigure(request: Request) async throws -> HTTPStatus {
        try request.authorize(.viewCockpit)
        try request.rejectNulls(in: ["value"])
        let name = request.parameters.get("name") ?? ""
        let month = request.parameters.get("month") ?? ""
        let value = try request.content.decode(BusinessFigureRequest.self).value
        guard let row = BusinessFigures.row(name: name, month: month, value: value) else {
            throw Abort(.badRequest, reason: "The name has 1 to 60 characters and the month is YYYY-MM.")
        }
        try await request.repositories.goals.setFigure(row.name, month: row.month, value: row.value)
        return .noContent
    }
}
