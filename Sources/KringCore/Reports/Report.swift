import Foundation

/// How often reports come: each kind covers one calendar period of the community's time zone.
public enum ReportKind: String, CaseIterable, Codable, Sendable {
    case weekly, monthly, quarterly

    public var period: PeriodKind {
        switch self {
        case .weekly: .week
        case .monthly: .month
        case .quarterly: .quarter
        }
    }
}

public enum ReportStatus: String, Codable, Sendable {
    case draft, published
}

/// What a report shows, fixed when it is generated, so that a published report keeps saying what
/// it said. Figures are the cockpit's for the same period.
public struct ReportContent: Codable, Sendable, Equatable {
    public struct Figure: Codable, Sendable, Equatable {
        /// A `MetricCatalog` id.
        public let id: String
        public let value: Double?
        public let previous: Double?
        public init(id: String, value: Double?, previous: Double?) {
            self.id = id
            self.value = value
            self.previous = previous
        }
    }

    public struct GoalLine: Codable, Sendable, Equatable {
        public let title: String
        public let status: String
        public let latest: Double?
        public let target: Double
        public init(title: String, status: String, latest: Double?, target: Double) {
            self.title = title
            self.status = status
            self.latest = latest
            self.target = target
        }
    }

    public struct TopTopic: Codable, Sendable, Equatable {
        public let id: UUID
        public let title: String
        public let replies: Int
        public let reactions: Int
        public init(id: UUID, title: String, replies: Int, reactions: Int) {
            self.id = id
            self.title = title
            self.replies = replies
            self.reactions = reactions
        }
    }

    /// A member who posted in the period's top tenth and not in the previous period's.
    public struct Champion: Codable, Sendable, Equatable {
        public let handle: String
        public let posts: Int
        public init(handle: String, posts: Int) {
            self.handle = handle
            self.posts = posts
        }
    }

    public struct Department: Codable, Sendable, Equatable {
        public let name: String
        public let routed: Int
        public let responded: Int
        public let medianHours: Double?
        public init(name: String, routed: Int, responded: Int, medianHours: Double?) {
            self.name = name
            self.routed = routed
            self.responded = responded
            self.medianHours = medianHours
        }
    }

    public struct Moderation: Codable, Sendable, Equatable {
        public let flagsRaised: Int
        public let flagsSettled: Int
        public let flagsUpheld: Int
        public let medianHoursToResolve: Double?
        public let sanctions: Int
        public init(flagsRaised: Int, flagsSettled: Int, flagsUpheld: Int, medianHoursToResolve: Double?, sanctions: Int) {
            self.flagsRaised = flagsRaised
            self.flagsSettled = flagsSettled
            self.flagsUpheld = flagsUpheld
            self.medianHoursToResolve = medianHoursToResolve
            self.sanctions = sanctions
        }
    }

    public struct Story: Codable, Sendable, Equatable {
        public let title: String
        public let value: String
        public init(title: String, value: String) {
            self.title = title
            self.value = value
        }
    }

    public struct Step: Codable, Sendable, Equatable {
        public let rule: String
        public let details: [String: String]
        public let link: String
        public init(rule: String, details: [String: String], link: String) {
            self.rule = rule
            self.details = details
            self.link = link
        }
    }

    public var figures: [Figure] = []
    /// Daily active members per day, for the chart.
    public var dailyActive: [Int] = []
    public var goals: [GoalLine] = []
    public var topTopics: [TopTopic] = []
    public var champions: [Champion] = []
    public var ideasSubmitted = 0
    public var departments: [Department] = []
    public var moderation = Moderation(flagsRaised: 0, flagsSettled: 0, flagsUpheld: 0, medianHoursToResolve: nil, sanctions: 0)
    public var stories: [Story] = []
    public var nextSteps: [Step] = []

    public init() {}

    /// The highlights: the key figures that moved most (by relative change, at least 10 %), largest first.
    public func highlights(limit: Int = 3) -> [(figure: Figure, change: Double)] {
        figures.compactMap { figure -> (figure: Figure, change: Double)? in
            guard let value = figure.value, let previous = figure.previous, previous != 0 else { return nil }
            let change = (value - previous) / abs(previous)
            return abs(change) >= 0.1 ? (figure, change) : nil
        }.sorted { abs($0.change) > abs($1.change) }.prefix(limit).map { $0 }
    }
}

public struct Report: Sendable, Equatable, Identifiable {
    public let id: UUID
    public let kind: ReportKind
    public let periodStart: Date
    public let periodEnd: Date
    public var status: ReportStatus
    public var content: ReportContent
    public var evaluation: String
    public let createdAt: Date
    public var publishedAt: Date?

    public init(
        id: UUID, kind: ReportKind, periodStart: Date, periodEnd: Date, status: ReportStatus, content: ReportContent, evaluation: String,
        createdAt: Date, publishedAt: Date?
    ) {
        self.id = id
        self.kind = kind
        self.periodStart = periodStart
        self.periodEnd = periodEnd
        self.status = status
        self.content = content
        self.evaluation = evaluation
        self.createdAt = createdAt
        self.publishedAt = publishedAt
    }
}

/// A success story for the internal lobby: what happened, what it was worth, and the evidence.
public struct SuccessStory: Sendable, Equatable, Identifiable {
    public let id: UUID
    public let title: String
    public let story: String
    public let value: String
    /// Links to posts, ideas, metrics (paths within Kring or http(s) addresses).
    public let evidence: [String]
    public let occurredOn: Date
    public let createdAt: Date

    public init(id: UUID, title: String, story: String, value: String, evidence: [String], occurredOn: Date, createdAt: Date) {
        self.id = id
        self.title = title
        self.story = story
        self.value = value
        self.evidence = evidence
        self.occurredOn = occurredOn
        self.createdAt = createdAt
    }

    /// Evidence lines, checked: each a path within Kring ("/t/…") or an http(s) address.
    public static func evidence(from text: String) throws(ValidationFailure) -> [String] {
        var links: [String] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let link = line.trimmingCharacters(in: .whitespaces)
            guard !link.isEmpty else { continue }
            let isPath = link.hasPrefix("/") && !link.hasPrefix("//")
            let isWeb = (link.hasPrefix("https://") || link.hasPrefix("http://")) && URL(string: link)?.host != nil
            guard isPath || isWeb, link.count <= 500, !link.contains(" ") else {
                throw ValidationFailure(field: "evidence", code: "url.invalid")
            }
            links.append(link)
        }
        return links
    }
}
