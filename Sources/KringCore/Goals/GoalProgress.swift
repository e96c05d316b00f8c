import Foundation

/// Where a goal stands: on track, at risk, off track while it runs; achieved or missed after.
public enum GoalStatus: String, Codable, CaseIterable, Sendable {
    case onTrack = "on_track"
    case atRisk = "at_risk"
    case offTrack = "off_track"
    case achieved
    case missed
    /// Too few measurements to project (fewer than two).
    case unknown
}

/// One measurement of a goal's figure: its value for a period that ended at `at`.
public struct GoalPoint: Sendable, Equatable {
    public let at: Date
    public let value: Double

    public init(at: Date, value: Double) {
        self.at = at
        self.value = value
    }
}

/// How a goal's status is judged, written out on the goals page as "how is this computed?":
///
/// 1. Fit a straight line through the measurements so far (least squares over time).
/// 2. Read the line at the deadline: the projected value.
/// 3. Compare the progress it projects, from the first measurement to the deadline, with the
///    progress the target needs: at least all of it is **on track**, at least 80 % **at risk**,
///    less **off track**. For a figure that should go down (time to first response, say) the
///    same holds with the direction turned round.
/// 4. After the deadline the last measurement decides: **achieved** or **missed**.
public enum GoalProgress {
    /// Share of the needed progress that still counts as "at risk" rather than "off track".
    public static let atRiskShare = 0.8

    /// The least-squares line through the points, read at `date`; nil for fewer than two points
    /// or points all at one moment.
    public static func projection(of points: [GoalPoint], at date: Date) -> Double? {
        guard points.count >= 2 else { return nil }
        let xs = points.map { $0.at.timeIntervalSince1970 / 86_400 }
        let ys = points.map(\.value)
        let meanX = xs.reduce(0, +) / Double(xs.count)
        let meanY = ys.reduce(0, +) / Double(ys.count)
        let spread = xs.reduce(0) { $0 + ($1 - meanX) * ($1 - meanX) }
        guard spread > 0 else { return nil }
        let slope = zip(xs, ys).reduce(0) { $0 + ($1.0 - meanX) * ($1.1 - meanY) } / spread
        return meanY + slope * (date.timeIntervalSince1970 / 86_400 - meanX)
    }

    /// The goal's status at `now` (see the type's description).
    public static func status(points: [GoalPoint], target: Double, deadline: Date, higherIsBetter: Bool, now: Date) -> GoalStatus {
        let sorted = points.sorted { $0.at < $1.at }
        guard let first = sorted.first, let last = sorted.last else { return .unknown }
        let sign = higherIsBetter ? 1.0 : -1.0
        if now >= deadline {
            return sign * (last.value - target) >= 0 ? .achieved : .missed
        }
        if sign * (last.value - target) >= 0, sorted.count < 2 { return .onTrack }
        guard let projected = projection(of: sorted, at: deadline) else { return .unknown }
        let needed = sign * (target - first.value)
        let projectedProgress = sign * (projected - first.value)
        // Already at or past the target at the start: on track while the line stays there.
        guard needed > 0 else { return sign * (projected - target) >= 0 ? .onTrack : .atRisk }
        let share = projectedProgress / needed
        if share >= 1 { return .onTrack }
        return share >= atRiskShare ? .atRisk : .offTrack
    }
}

/// What a goal measures: a cockpit figure (by its id in `MetricCatalog`) or a business figure
/// that managers enter per month (leads, conversions, newsletter subscribers, support tickets…).
public enum GoalMeasure: Sendable, Equatable, Hashable {
    case metric(String)
    case figure(String)

    /// Stored as `metric:<id>` or `figure:<name>`.
    public var key: String {
        switch self {
        case .metric(let id): "metric:" + id
        case .figure(let name): "figure:" + name
        }
    }

    public init?(key: String) {
        if key.hasPrefix("metric:"), MetricCatalog.all.contains(where: { $0.id == key.dropFirst(7) }) {
            self = .metric(String(key.dropFirst(7)))
        } else if key.hasPrefix("figure:"), key.count > 7 {
            self = .figure(String(key.dropFirst(7)))
        } else {
            return nil
        }
    }
}

/// A measurable goal: a figure, a target, a deadline, an owner, optionally one group.
public struct Goal: Sendable, Equatable, Identifiable {
    public let id: UUID
    public var title: String
    public var measure: GoalMeasure
    public var groupID: UUID?
    public var target: Double
    public var higherIsBetter: Bool
    public var startsAt: Date
    public var deadline: Date
    public var ownerID: UUID?

    public init(
        id: UUID, title: String, measure: GoalMeasure, groupID: UUID?, target: Double, higherIsBetter: Bool, startsAt: Date,
        deadline: Date, ownerID: UUID?
    ) {
        self.id = id
        self.title = title
        self.measure = measure
        self.groupID = groupID
        self.target = target
        self.higherIsBetter = higherIsBetter
        self.startsAt = startsAt
        self.deadline = deadline
        self.ownerID = ownerID
    }
}

/// Checks on a new goal, with the field that is wrong.
public enum GoalRules {
    public static func validate(title: String, target: String, startsAt: Date?, deadline: Date?) throws(ValidationFailure) -> (
        title: String, target: Double, startsAt: Date, deadline: Date
    ) {
        var errors = FieldErrorCollector()
        let title = MemberRules.singleLine(title)
        if title.count < 3 { errors.add("title", "required") } else if title.count > 150 { errors.add("title", "too_long") }
        let number = Double(target.replacingOccurrences(of: ",", with: ".").trimmingCharacters(in: .whitespaces))
        if number == nil || !(number?.isFinite ?? false) { errors.add("target", "number.invalid") }
        if startsAt == nil { errors.add("starts_at", "datetime.invalid") }
        if deadline == nil { errors.add("deadline", "datetime.invalid") }
        if let startsAt, let deadline, deadline <= startsAt { errors.add("deadline", "goal.deadline_before_start") }
        try errors.throwIfAny()
        return (title, number!, startsAt!, deadline!)
    }
}
