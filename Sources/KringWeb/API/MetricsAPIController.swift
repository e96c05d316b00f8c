import KringCore
import KringStore
import Vapor

struct MetricsPeriodDTO: Content {
    let kind: String
    let start: Date
    let end: Date
    let timeZone: String
}

struct MetricValueDTO: Content {
    let id: String
    let section: String
    let unit: String
    /// Which way is good: up, down or neutral.
    let good: String
    let value: Double?
    let previousValue: Double?
}

struct MetricsDayDTO: Content {
    let date: String
    let dau: Int
    let wau: Int
    let mau: Int
    let engagedMembers: Int
    let signups: Int
    let posts: Int
}

struct CohortDTO: Content {
    let start: String
    let members: Int
    let returnedDay1: Int?
    let returnedWithin7: Int?
    let returnedWithin30: Int?
    let returnedWithin90: Int?
    let postedWithin30: Int?
}

struct DepartmentFiguresDTO: Content {
    let name: String
    let ideasRouted: Int
    let responded: Int
    let medianHoursToResponse: Double?
}

struct ParticipationDTO: Content {
    let activeMembers: Int
    let lurkers: Int
    let contributors: Int
    let superusers: Int
    let lorenz: [[Double]]
}

struct ModerationFiguresDTO: Content {
    let flagsRaised: Int
    let flagsSettled: Int
    let upheldShare: Double?
    let medianHoursToResolve: Double?
    let queueSize: Int
    let sanctionsImposed: Int
}

struct MetricsDTO: Content {
    let period: MetricsPeriodDTO
    let previousPeriod: MetricsPeriodDTO
    let group: String?
    let metrics: [MetricValueDTO]
    let daily: [MetricsDayDTO]
    let cohortUnit: String
    let cohorts: [CohortDTO]
    let participation: ParticipationDTO
    let departments: [DepartmentFiguresDTO]
    let unansweredTopics: [UUID]
    let moderation: ModerationFiguresDTO
}

/// Every cockpit figure for other tools, with the same definitions, selection and numbers as the
/// dashboard and its CSV (community managers and administrators).
struct MetricsAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.grouped("api", "v1").get("metrics", use: metrics)
    }

    private func period(_ period: MetricPeriod) -> MetricsPeriodDTO {
        MetricsPeriodDTO(kind: period.kind.rawValue, start: period.start, end: period.end, timeZone: period.timeZone.identifier)
    }

    @Sendable func metrics(request: Request) async throws -> MetricsDTO {
        let data = try await request.cockpitData(strict: true)
        let current = data.current
        let day = CockpitSelection.dayFormatter(current.period.timeZone)
        let elapsed = CockpitCSV.elapsedDays(current.period, now: request.repositories.clock.now())
        return MetricsDTO(
            period: period(current.period), previousPeriod: period(data.previous.period), group: data.selection.group?.slug,
            metrics: MetricCatalog.all.map { metric in
                MetricValueDTO(
                    id: metric.id, section: metric.section.rawValue, unit: metric.unit.rawValue, good: metric.good.rawValue,
                    value: metric.value(current), previousValue: metric.value(data.previous))
            },
            daily: current.period.dayStarts.prefix(elapsed).enumerated().map { index, date in
                MetricsDayDTO(
                    date: day.string(from: date), dau: current.visitors.dau[index], wau: current.visitors.wau[index],
                    mau: current.visitors.mau[index], engagedMembers: current.engagedByDay[index], signups: current.signupsByDay[index],
                    posts: current.postsByDay[index])
            },
            cohortUnit: current.cohortUnit.rawValue,
            cohorts: current.cohorts.map { cohort in
                CohortDTO(
                    start: day.string(from: cohort.start), members: cohort.size, returnedDay1: cohort.returnedDay1,
                    returnedWithin7: cohort.returnedWithin7, returnedWithin30: cohort.returnedWithin30,
                    returnedWithin90: cohort.returnedWithin90, postedWithin30: cohort.postedWithin30)
            },
            participation: ParticipationDTO(
                activeMembers: current.participation.activeMembers, lurkers: current.participation.lurkers,
                contributors: current.participation.contributors, superusers: current.participation.superusers,
                lorenz: current.participation.lorenz.map { [$0.people, $0.share] }),
            departments: current.departments.map {
                DepartmentFiguresDTO(name: $0.name, ideasRouted: $0.routed, responded: $0.responded, medianHoursToResponse: $0.medianHours)
            },
            unansweredTopics: current.unanswered.map(\.id),
            moderation: ModerationFiguresDTO(
                flagsRaised: current.moderation.flagsRaised, flagsSettled: current.moderation.flagsSettled,
                upheldShare: current.moderation.upheldShare,
                medianHoursToResolve: current.moderation.medianHoursToResolve, queueSize: data.moderation.queueSize,
                sanctionsImposed: current.moderation.sanctionsImposed))
    }
}
