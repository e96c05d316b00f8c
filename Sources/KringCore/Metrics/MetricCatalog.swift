import Foundation

/// One figure the cockpit reports, defined once for the dashboard, its CSV and `/api/v1/metrics`.
public struct MetricDefinition: Sendable {
    public enum Unit: String, Sendable {
        case count, percent, hours, decimal
    }

    /// Which way is good, to colour the comparison with the previous period.
    public enum Direction: String, Sendable {
        case up, down, neutral
    }

    public enum Section: String, CaseIterable, Sendable {
        case growth, engagement, responsiveness, participation, events, ideas, moderation
    }

    public let id: String
    public let section: Section
    public let unit: Unit
    public let good: Direction
    public let value: @Sendable (CommunityFigures) -> Double?
}

/// The cockpit's headline figures, in the order the dashboard shows them.
public enum MetricCatalog {
    private static func count(_ value: Int) -> Double? { Double(value) }

    public static let all: [MetricDefinition] = [
        MetricDefinition(id: "signups", section: .growth, unit: .count, good: .up) { count($0.signups) },
        MetricDefinition(id: "new_contributors", section: .growth, unit: .count, good: .up) { count($0.newContributors) },
        MetricDefinition(id: "mau", section: .growth, unit: .count, good: .up) { count($0.mau) },
        MetricDefinition(id: "inactive_members", section: .growth, unit: .count, good: .down) { count($0.inactiveMembers) },
        MetricDefinition(id: "average_dau", section: .engagement, unit: .decimal, good: .up) { $0.visitors.averageDAU },
        MetricDefinition(id: "stickiness", section: .engagement, unit: .percent, good: .up) { $0.visitors.stickiness },
        MetricDefinition(id: "engaged_members", section: .engagement, unit: .count, good: .up) { count($0.engagedMembers) },
        MetricDefinition(id: "page_views", section: .engagement, unit: .count, good: .up) { $0.pageViews.map(Double.init) },
        MetricDefinition(id: "posts", section: .engagement, unit: .count, good: .up) { count($0.content.posts) },
        MetricDefinition(id: "topics", section: .engagement, unit: .count, good: .up) { count($0.content.topics) },
        MetricDefinition(id: "replies", section: .engagement, unit: .count, good: .up) { count($0.content.replies) },
        MetricDefinition(id: "events_created", section: .engagement, unit: .count, good: .up) { count($0.content.events) },
        MetricDefinition(id: "ideas_submitted", section: .engagement, unit: .count, good: .up) { count($0.content.ideas) },
        MetricDefinition(id: "documents_shared", section: .engagement, unit: .count, good: .up) { count($0.content.documents) },
        MetricDefinition(id: "member_generated_share", section: .engagement, unit: .percent, good: .up) { $0.memberGeneratedShare },
        MetricDefinition(id: "median_first_response_hours", section: .responsiveness, unit: .hours, good: .down) { $0.medianResponseHours },
        MetricDefinition(id: "mean_first_response_hours", section: .responsiveness, unit: .hours, good: .down) { $0.meanResponseHours },
        MetricDefinition(id: "unanswered_topics", section: .responsiveness, unit: .count, good: .down) { count($0.unanswered.count) },
        MetricDefinition(id: "first_topics_answered_24h", section: .responsiveness, unit: .percent, good: .up) {
            $0.firstTopicsAnsweredShare
        },
        MetricDefinition(id: "solved_rate", section: .responsiveness, unit: .percent, good: .up) { $0.solvedRate },
        MetricDefinition(id: "active_members", section: .participation, unit: .count, good: .up) { count($0.participation.activeMembers) },
        MetricDefinition(id: "lurker_share", section: .participation, unit: .percent, good: .neutral) {
            $0.participation.share($0.participation.lurkers)
        },
        MetricDefinition(id: "contributor_share", section: .participation, unit: .percent, good: .up) {
            $0.participation.share($0.participation.contributors)
        },
        MetricDefinition(id: "superuser_share", section: .participation, unit: .percent, good: .neutral) {
            $0.participation.share($0.participation.superusers)
        },
        MetricDefinition(id: "top1_share", section: .participation, unit: .percent, good: .down) { $0.participation.top1Share },
        MetricDefinition(id: "top10_share", section: .participation, unit: .percent, good: .down) { $0.participation.top10Share },
        MetricDefinition(id: "gini", section: .participation, unit: .decimal, good: .down) { $0.participation.gini },
        MetricDefinition(id: "absence_factor", section: .participation, unit: .count, good: .up) { count($0.participation.absenceFactor) },
        MetricDefinition(id: "events_held", section: .events, unit: .count, good: .up) { count($0.eventsHeld) },
        MetricDefinition(id: "attendance_rate", section: .events, unit: .percent, good: .up) { $0.attendanceRate },
        MetricDefinition(id: "ideas_routed", section: .ideas, unit: .count, good: .neutral) {
            count($0.departments.reduce(0) { $0 + $1.routed })
        },
        MetricDefinition(id: "ideas_median_response_hours", section: .ideas, unit: .hours, good: .down) {
            Statistics.median($0.departmentResponseHours)
        },
        MetricDefinition(id: "flags_raised", section: .moderation, unit: .count, good: .neutral) { count($0.moderation.flagsRaised) },
        MetricDefinition(id: "flags_settled", section: .moderation, unit: .count, good: .up) { count($0.moderation.flagsSettled) },
        MetricDefinition(id: "flags_upheld_share", section: .moderation, unit: .percent, good: .neutral) { $0.moderation.upheldShare },
        MetricDefinition(id: "median_hours_to_resolve", section: .moderation, unit: .hours, good: .down) {
            $0.moderation.medianHoursToResolve
        },
        MetricDefinition(id: "sanctions_imposed", section: .moderation, unit: .count, good: .down) {
            count($0.moderation.sanctionsImposed)
        },
    ]

    public static func section(_ section: MetricDefinition.Section) -> [MetricDefinition] { all.filter { $0.section == section } }
}
