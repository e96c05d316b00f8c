import KringCore
import KringStore
import Vapor

extension Repositories {
    public var goals: GoalRepository { GoalRepository(database: database, clock: clock) }
}

/// A goal with its measurements and where it stands, as the goals page and the API show it.
struct GoalStanding: Sendable {
    let goal: Goal
    let points: [GoalPoint]
    let projected: Double?
    let status: GoalStatus
    let unit: MetricDefinition.Unit
    let owner: String?
}

extension Request {
    /// The community's time zone (UTC before set-up).
    var communityTimeZone: TimeZone { TimeZone(identifier: context.community?.timeZone ?? "") ?? .gmt }

    func goalStandings() async throws -> [GoalStanding] { try await repositories.goalStandings(timeZone: communityTimeZone) }
}

extension Repositories {
    /// Every goal's measurements and status. Cockpit figures come per month: finished months from
    /// stored snapshots (computed once), the running month live; business figures as entered.
    /// `only` limits it to some goals (a goal just set), so that setting one does not measure them all.
    func goalStandings(timeZone zone: TimeZone, only: Set<UUID>? = nil) async throws -> [GoalStanding] {
        let repositories = self
        let goals = try await repositories.goals.list().filter { only?.contains($0.id) ?? true }
        let now = repositories.clock.now()
        let figures = try await repositories.goals.figures()
        let owners = try await repositories.members.handles(of: goals.compactMap(\.ownerID))
        var monthly = MonthlyMetrics(repositories: repositories, timeZone: zone, now: now)
        var result: [GoalStanding] = []
        for goal in goals {
            var points: [GoalPoint] = []
            var unit = MetricDefinition.Unit.count
            switch goal.measure {
            case .metric(let id):
                guard let metric = MetricCatalog.all.first(where: { $0.id == id }) else { continue }
                unit = metric.unit
                for month in MonthlyMetrics.months(from: goal.startsAt, to: min(now, goal.deadline), timeZone: zone) {
                    if let value = try await monthly.value(of: metric, month: month, groupID: goal.groupID) {
                        points.append(GoalPoint(at: min(now, month.end), value: value))
                    }
                }
            case .figure(let name):
                let calendar = MetricPeriod.calendar(zone)
                for entry in figures[name] ?? [] {
                    guard let start = LocalDay.start(of: entry.month + "-01", in: zone),
                        let end = calendar.date(byAdding: .month, value: 1, to: start), end > goal.startsAt, start < goal.deadline
                    else { continue }
                    points.append(GoalPoint(at: min(now, end), value: entry.value))
                }
            }
            result.append(
                GoalStanding(
                    goal: goal, points: points, projected: GoalProgress.projection(of: points, at: goal.deadline),
                    status: GoalProgress.status(
                        points: points, target: goal.target, deadline: goal.deadline, higherIsBetter: goal.higherIsBetter, now: now),
                    unit: unit, owner: goal.ownerID.flatMap { owners[$0] }))
        }
        return result
    }
}

/// Cockpit figures per calendar month for goals: a finished month is computed once and kept.
struct MonthlyMetrics {
    let repositories: Repositories
    let timeZone: TimeZone
    let now: Date
    private var live: [String: CommunityFigures] = [:]
    private var stored: [String: [String: Double?]] = [:]

    init(repositories: Repositories, timeZone: TimeZone, now: Date) {
        self.repositories = repositories
        self.timeZone = timeZone
        self.now = now
    }

    /// How a month's stored figures are filed: "2026-11".
    static func snapshotKey(of month: MetricPeriod) -> String {
        String(CockpitSelection.dayFormatter(month.timeZone).string(from: month.start).prefix(7))
    }

    /// The months from the one holding `from` through the one holding `to`, at most 36.
    static func months(from: Date, to: Date, timeZone: TimeZone) -> [MetricPeriod] {
        var result: [MetricPeriod] = []
        var month = MetricPeriod.containing(from, kind: .month, timeZone: timeZone)
        while month.start <= to, result.count < 36 {
            result.append(month)
            month = MetricPeriod.containing(month.end, kind: .month, timeZone: timeZone)
        }
        return result
    }

    mutating func value(of metric: MetricDefinition, month: MetricPeriod, groupID: UUID?) async throws -> Double? {
        let scope = groupID?.uuidString.lowercased() ?? "community"
        let key = Self.snapshotKey(of: month)
        let cacheKey = scope + "|" + key
        if month.end > now {
            if live[cacheKey] == nil {
                live[cacheKey] = try await repositories.figures(for: month, groupID: groupID, withCohorts: false)
            }
            return live[cacheKey].flatMap(metric.value)
        }
        if stored[cacheKey] == nil {
            stored[cacheKey] = try await repositories.finishedMonthValues(month, groupID: groupID)
        }
        return stored[cacheKey]?[metric.id] ?? nil
    }
}

/// The goals page (the champions dashboard of goals), business figures, and their forms.
struct GoalsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("goals", use: index)
        routes.post("goals", use: create)
        routes.post("goals", ":goal", "archive", use: archive)
        routes.get("goals", "figures", use: figures)
        routes.post("goals", "figures", use: saveFigures)
    }

    @Sendable func index(request: Request) async throws -> Response {
        try request.authorize(.readCockpit)
        return try await GoalViews.index(request, standings: try await request.goalStandings(), state: GoalViews.defaults(request))
    }

    struct GoalForm: Content {
        var title: String?
        var measure: String?
        var figure_name: String?
        var group: String?
        var target: String?
        var direction: String?
        var starts_at: String?
        var deadline: String?
        var owner: String?
    }

    @Sendable func create(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let form = try request.content.decode(GoalForm.self)
        do {
            let goal = try await request.goal(from: form)
            try await request.repositories.goals.create(goal, by: request.context.actor)
            try await request.audit("goal.create", subjectType: "goal", subjectID: goal.id, label: goal.title, after: goal.measure.key)
            return request.redirect(to: "/goals", flash: "flash.goal_saved")
        } catch let failure as ValidationFailure {
            let values = [
                "title": form.title ?? "", "measure": form.measure ?? "", "figure_name": form.figure_name ?? "", "group": form.group ?? "",
                "target": form.target ?? "", "direction": form.direction ?? "", "starts_at": form.starts_at ?? "",
                "deadline": form.deadline ?? "", "owner": form.owner ?? "",
            ]
            return try await GoalViews.index(
                request, standings: try await request.goalStandings(), state: FormState(values: values, errors: failure.errors),
                status: .unprocessableEntity)
        }
    }

    @Sendable func archive(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        guard let id = request.parameters.get("goal", as: UUID.self), let goal = try await request.repositories.goals.find(id) else {
            throw Abort(.notFound)
        }
        try await request.repositories.goals.archive(id, by: request.context.actor)
        try await request.audit("goal.archive", subjectType: "goal", subjectID: id, label: goal.title)
        return request.redirect(to: "/goals", flash: "flash.goal_archived")
    }

    @Sendable func figures(request: Request) async throws -> Response {
        try request.authorize(.readCockpit)
        return GoalViews.figures(request, figures: try await request.repositories.goals.figures(), state: FormState())
    }

    struct FiguresForm: Content {
        var csv: String?
    }

    /// Business figures as CSV lines `name,YYYY-MM,value`: all are saved, or none when a line is wrong.
    @Sendable func saveFigures(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let form = try request.content.decode(FiguresForm.self)
        do {
            let rows = try BusinessFigures.parse(form.csv ?? "")
            try await request.repositories.goals.setFigures(rows)
            try await request.audit("goal.figures", subjectType: "community", label: "business figures", after: "\(rows.count) values")
            return request.redirect(to: "/goals/figures", flash: "flash.figures_saved")
        } catch let failure as ValidationFailure {
            return GoalViews.figures(
                request, figures: try await request.repositories.goals.figures(),
                state: FormState(values: ["csv": form.csv ?? ""], errors: failure.errors), status: .unprocessableEntity)
        }
    }
}

/// Business figures typed or pasted as CSV.
enum BusinessFigures {
    /// Lines of `name,YYYY-MM,value` (a header line `name,month,value` is skipped; a decimal comma
    /// is fine in a quoted value). Throws on the first wrong line, naming the field `csv`.
    static func parse(_ text: String) throws(ValidationFailure) -> [(name: String, month: String, value: Double)] {
        var rows: [(name: String, month: String, value: Double)] = []
        for fields in CSV.rows(text) where !fields.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            if fields.map({ $0.lowercased() }) == ["name", "month", "value"] { continue }
            guard fields.count == 3,
                let value = Double(fields[2].replacingOccurrences(of: ",", with: ".").trimmingCharacters(in: .whitespaces)),
                let row = row(name: fields[0], month: fields[1], value: value)
            else { throw ValidationFailure(field: "csv", code: "csv.row") }
            rows.append(row)
        }
        guard !rows.isEmpty else { throw ValidationFailure(field: "csv", code: "required") }
        return rows
    }

    /// One value, checked: a name of 1–60 characters, a month as YYYY-MM, a finite number.
    static func row(name raw: String, month raw2: String, value: Double) -> (name: String, month: String, value: Double)? {
        let name = MemberRules.singleLine(raw)
        let month = raw2.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 60, month.range(of: #"^\d{4}-(0[1-9]|1[0-2])$"#, options: .regularExpression) != nil,
            value.isFinite
        else { return nil }
        return (name, month, value)
    }
}

extension Request {
    /// A new goal from the form, checked: a known figure, a number, days in order, an active owner.
    func goal(from form: GoalsController.GoalForm) async throws -> Goal {
        let zone = TimeZone(identifier: context.community?.timeZone ?? "") ?? .gmt
        var errors = FieldErrorCollector()
        let checked = errors.check { () throws(ValidationFailure) in
            try GoalRules.validate(
                title: form.title ?? "", target: form.target ?? "", startsAt: form.starts_at.flatMap { LocalDay.start(of: $0, in: zone) },
                deadline: form.deadline.flatMap { LocalDay.start(of: $0, in: zone) })
        }
        var measure: GoalMeasure?
        let raw = form.measure ?? ""
        if raw == "figure:" {
            let name = MemberRules.singleLine(form.figure_name ?? "")
            if name.isEmpty || name.count > 60 { errors.add("figure_name", "required") } else { measure = .figure(name) }
        } else if let known = GoalMeasure(key: raw) {
            measure = known
        } else {
            errors.add("measure", "choice.invalid")
        }
        var groupID: UUID?
        if let slug = form.group, !slug.isEmpty {
            if let group = try await repositories.groups.find(slug: slug) {
                groupID = group.id
            } else {
                errors.add("group", "choice.invalid")
            }
        }
        var ownerID: UUID?
        let handle = (form.owner ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "@ "))
        if !handle.isEmpty {
            if let owner = try await repositories.members.find(handle: handle.lowercased()), owner.status == .active {
                ownerID = owner.id
            } else {
                errors.add("owner", "invitee.unknown")
            }
        }
        try errors.throwIfAny()
        guard let checked, let measure else { throw Abort(.internalServerError) }
        let higherIsBetter: Bool
        switch measure {
        case .metric(let id): higherIsBetter = MetricCatalog.all.first { $0.id == id }?.good != .down
        case .figure: higherIsBetter = form.direction != "down"
        }
        return Goal(
            id: UUID(), title: checked.title, measure: measure, groupID: groupID, target: checked.target, higherIsBetter: higherIsBetter,
            startsAt: checked.startsAt, deadline: checked.deadline, ownerID: ownerID ?? context.member?.id)
    }
}
