import Foundation

/// Flags and sanctions in a period: moderation health.
public struct ModerationFigures: Sendable, Equatable {
    public var flagsRaised = 0
    /// Flags decided in the period, and of those how many the moderators agreed with.
    public var flagsSettled = 0
    public var flagsUpheld = 0
    /// Hours from each settled flag to its decision.
    public var hoursToResolve: [Double] = []
    /// Sanctions imposed in the period (community-wide even with a group chosen: sanctions are).
    public var sanctionsImposed = 0

    public init() {}

    public var upheldShare: Double? { Statistics.ratio(flagsUpheld, flagsSettled) }
    public var medianHoursToResolve: Double? { Statistics.median(hoursToResolve) }
}

/// Choices that shape a figure's definition.
public enum MetricsSettings {
    /// CHAOSS leaves the interval to the user; a quarter is a common choice.
    public static let defaultInactiveDays = 90
    public static let inactiveDayChoices = [30, 60, 90, 180, 365]
}

/// Everything the cockpit shows for one period (and optionally one group), computed by
/// `MetricsRepository` with the definitions of METRICS.md.
public struct CommunityFigures: Sendable, Equatable {
    public struct ContentVolume: Sendable, Equatable {
        public var topics = 0
        public var replies = 0
        public var events = 0
        public var ideas = 0
        public var documents = 0

        public init() {}
        public var posts: Int { topics + replies }
    }

    public struct OpenTopic: Sendable, Equatable, Identifiable {
        public let id: UUID
        public let title: String
        public let createdAt: Date

        public init(id: UUID, title: String, createdAt: Date) {
            self.id = id
            self.title = title
            self.createdAt = createdAt
        }
    }

    public struct DepartmentResponse: Sendable, Equatable {
        public let name: String
        /// Ideas routed to the department in the period.
        public let routed: Int
        /// Of those, how many have had an official response.
        public let responded: Int
        /// Hours from routing to the first official response, over those responded to.
        public let medianHours: Double?
        /// Each routed idea's hours to its first official response.
        public let responseHours: [Double]

        public init(name: String, routed: Int, responded: Int, medianHours: Double?, responseHours: [Double] = []) {
            self.name = name
            self.routed = routed
            self.responded = responded
            self.medianHours = medianHours
            self.responseHours = responseHours
        }
    }

    public let period: MetricPeriod
    // Growth
    public var signups = 0
    public var signupsByDay: [Int] = []
    public var newContributors = 0
    /// Members (not staff or bots) who joined before the interval and did nothing in the
    /// `inactiveDays` days up to the period's end (or up to now, for a period still running).
    public var inactiveMembers = 0
    public var inactiveDays = MetricsSettings.defaultInactiveDays
    // Engagement
    public var visitors: VisitorSeries
    public var engagedMembers = 0
    public var engagedByDay: [Int] = []
    public var content = ContentVolume()
    public var postsByDay: [Int] = []
    /// Pages viewed by anyone (members and visitors); community-wide, so nil with a group chosen.
    public var pageViews: Int?
    public var postsByNonStaff = 0
    public var postsAll = 0
    // Responsiveness
    public var topicsCreated = 0
    public var responseHours: [Double] = []
    public var unanswered: [OpenTopic] = []
    public var firstTopics = 0
    public var firstTopicsAnsweredWithin24h = 0
    public var questions = 0
    public var solvedQuestions = 0
    // Retention and participation
    public var cohortUnit: PeriodKind = .month
    public var cohorts: [Cohort] = []
    public var participation: ParticipationSummary
    // Events and ideas
    public var eventsHeld = 0
    public var eventsGoing = 0
    public var eventsCheckedIn = 0
    /// Of those who said they would come, how many checked in (walk-ins count as came, not here).
    public var eventsGoingCheckedIn = 0
    public var departments: [DepartmentResponse] = []
    // Moderation
    public var moderation = ModerationFigures()

    public init(period: MetricPeriod, visitors: VisitorSeries, participation: ParticipationSummary) {
        self.period = period
        self.visitors = visitors
        self.participation = participation
    }

    public var memberGeneratedShare: Double? { Statistics.ratio(postsByNonStaff, postsAll) }
    public var medianResponseHours: Double? { Statistics.median(responseHours) }
    public var meanResponseHours: Double? { Statistics.mean(responseHours) }
    public var firstTopicsAnsweredShare: Double? { Statistics.ratio(firstTopicsAnsweredWithin24h, firstTopics) }
    public var solvedRate: Double? { Statistics.ratio(solvedQuestions, questions) }
    /// The share of "going" answers that turned into a check-in (at most 100 %).
    public var attendanceRate: Double? { Statistics.ratio(eventsGoingCheckedIn, eventsGoing) }
    /// Hours from routing to the first official response, over every department.
    public var departmentResponseHours: [Double] { departments.flatMap(\.responseHours) }
    /// MAU on the period's last day.
    public var mau: Int { visitors.mau.last ?? 0 }
}
