import Foundation

/// Visitors per day of a period, with the rolling 7- and 30-day counts.
public struct VisitorSeries: Sendable, Equatable {
    public let days: [Date]
    public let dau: [Int]
    public let wau: [Int]
    public let mau: [Int]

    public init(days: [Date], dau: [Int], wau: [Int], mau: [Int]) {
        self.days = days
        self.dau = dau
        self.wau = wau
        self.mau = mau
    }

    /// DAU ÷ MAU per day, averaged over the days with any MAU (Discourse's definition).
    public var stickiness: Double? {
        Statistics.mean(zip(dau, mau).filter { $0.1 > 0 }.map { Double($0.0) / Double($0.1) })
    }

    public var averageDAU: Double? { Statistics.mean(dau.map(Double.init)) }
}

/// How participation is spread over the members active in a period.
public struct ParticipationSummary: Sendable, Equatable {
    /// Members with a visit or any action in the period.
    public let activeMembers: Int
    /// Active, but no post.
    public let lurkers: Int
    /// At least one post, not in the top 1 %.
    public let contributors: Int
    /// The top 1 % of those who posted, by posts (at least one person when anyone posted).
    public let superusers: Int
    /// Shares of all posts made by the top 1 % and 10 % of those who posted.
    public let top1Share: Double?
    public let top10Share: Double?
    /// Over those who posted.
    public let gini: Double?
    public let absenceFactor: Int
    public let lorenz: [LorenzPoint]

    public struct LorenzPoint: Sendable, Equatable {
        public let people: Double
        public let share: Double
    }

    public func share(_ count: Int) -> Double? { Statistics.ratio(count, activeMembers) }
}

/// One join cohort's retention. A column is nil until its window has passed for everyone in it.
public struct Cohort: Sendable, Equatable {
    public let start: Date
    public let size: Int
    public let returnedDay1: Int?
    public let returnedWithin7: Int?
    public let returnedWithin30: Int?
    public let returnedWithin90: Int?
    public let postedWithin30: Int?

    /// The columns in order, for tables and CSV.
    public var columns: [Int?] { [returnedDay1, returnedWithin7, returnedWithin30, returnedWithin90, postedWithin30] }
}

/// The computations behind the cockpit's activity, participation and retention figures, on plain
/// values so that they can be checked by hand (METRICS.md has the definitions).
public enum CommunityMaths {
    /// DAU, WAU and MAU for each of `days`: distinct members with a visit that day, in the 7 days
    /// and in the 30 days ending that day. `visitDays` holds each member's visiting days as positions
    /// in a range that starts `lookback` days before the first of `days` (29 for MAU), sorted.
    public static func visitors(days: [Date], lookback: Int, visitDays: some Collection<[Int]>) -> VisitorSeries {
        /// Distinct members in the `length` days ending on each day: a visit counts in the windows
        /// ending on it and the `length - 1` days after; a member's overlapping spans are merged so
        /// that they count once per window, and the spans are summed with a difference array.
        func windows(_ length: Int) -> [Int] {
            var delta = [Int](repeating: 0, count: days.count + 1)
            for visits in visitDays {
                var coveredUntil = 0
                for visit in visits {
                    let first = max(visit - lookback, coveredUntil)
                    let end = min(visit - lookback + length, days.count)
                    guard first < end else { continue }
                    delta[first] += 1
                    delta[end] -= 1
                    coveredUntil = end
                }
            }
            var running = 0
            return delta.dropLast().map { change in
                running += change
                return running
            }
        }
        return VisitorSeries(days: days, dau: windows(1), wau: windows(7), mau: windows(30))
    }

    /// The lurker / contributor / superuser split and the inequality of posting among `active` members.
    public static func participation(active: Set<UUID>, postsByMember: [UUID: Int]) -> ParticipationSummary {
        let posting = postsByMember.filter { $0.value > 0 }
        return participation(everyone: active.union(posting.keys).count, postCounts: Array(posting.values))
    }

    /// The same from counts alone: how many members were active (those who posted among them) and
    /// each poster's number of posts, as the database counts them.
    public static func participation(everyone: Int, postCounts: [Int]) -> ParticipationSummary {
        let counts = postCounts.filter { $0 > 0 }
        let superusers = counts.isEmpty ? 0 : max(1, Int((Double(counts.count) * 0.01).rounded(.up)))
        return ParticipationSummary(
            activeMembers: everyone, lurkers: everyone - counts.count, contributors: counts.count - superusers,
            superusers: superusers, top1Share: Statistics.topShare(counts, fraction: 0.01),
            top10Share: Statistics.topShare(counts, fraction: 0.10), gini: Statistics.gini(counts),
            absenceFactor: Statistics.absenceFactor(counts),
            lorenz: Statistics.lorenz(counts).map { ParticipationSummary.LorenzPoint(people: $0.people, share: $0.share) })
    }

    /// Join cohorts (by week or month, in the calendar's time zone) of members who joined in
    /// [from, to): of each cohort, how many came back (visited) on the day after joining, within
    /// 7, 30 and 90 days after the join day, and how many posted within 30 days after it.
    public static func cohorts(
        joins: [(member: UUID, joinedAt: Date)], visitDays: [UUID: Set<Date>], postDays: [UUID: Set<Date>], by unit: PeriodKind,
        from: Date, to: Date, today: Date, calendar: Calendar
    ) -> [Cohort] {
        /// The first of the days after the join day.
        func first(_ days: Set<Date>?, after joinedAt: Date) -> Date? {
            let joinDay = calendar.startOfDay(for: joinedAt)
            return days?.filter { calendar.startOfDay(for: $0) > joinDay }.min()
        }
        let members = joins.map { join in
            CohortMember(
                joinedAt: join.joinedAt, firstVisit: first(visitDays[join.member], after: join.joinedAt),
                firstPost: first(postDays[join.member], after: join.joinedAt))
        }
        return cohorts(members, by: unit, from: from, to: to, today: today, calendar: calendar)
    }

    /// The same from each member's first days after their join day, as the database keeps them.
    public static func cohorts(_ joins: [CohortMember], by unit: PeriodKind, from: Date, to: Date, today: Date, calendar: Calendar)
        -> [Cohort]
    {
        let component: Calendar.Component = unit == .week ? .weekOfYear : .month
        // The cohorts' starts, and every day from the first cohort to 92 days past the last one.
        var cohortStarts: [Date] = []
        var cohort = calendar.dateInterval(of: component, for: from)?.start ?? from
        while cohort < to {
            cohortStarts.append(cohort)
            guard let next = calendar.date(byAdding: component, value: 1, to: cohort) else { break }
            cohort = next
        }
        // Returns count up to 92 days after the last cohort (never further: the range stays small
        // whatever the period, even for one long ago).
        let days = DayIndex(
            from: cohortStarts.first ?? from, to: calendar.date(byAdding: .day, value: 92, to: to) ?? to, calendar: calendar)
        /// Per cohort, each member's days from the join day to the first visit and post after it
        /// (nil: none in range): each column then compares one number.
        var groups: [Date: [(visit: Int?, post: Int?)]] = [:]
        for join in joins where join.joinedAt >= from && join.joinedAt < to {
            guard let day = days.index(of: join.joinedAt) else { continue }
            // The last cohort that starts on or before the join day.
            guard let start = cohortStarts.last(where: { $0 <= join.joinedAt }) else { continue }
            func offset(_ first: Date?) -> Int? { first.flatMap { days.index(of: $0) }.map { $0 - day }.flatMap { $0 > 0 ? $0 : nil } }
            groups[start, default: []].append((offset(join.firstVisit), offset(join.firstPost)))
        }
        let todayStart = calendar.startOfDay(for: today)
        return groups.keys.sorted().map { start in
            let members = groups[start]!
            let cohortEnd = calendar.dateInterval(of: component, for: start)!.end
            /// How many did something on days 1…`length` after their join day; nil until every window has passed.
            func count(_ offset: ((visit: Int?, post: Int?)) -> Int?, within length: Int) -> Int? {
                guard let lastWindowEnd = calendar.date(byAdding: .day, value: length, to: cohortEnd), lastWindowEnd <= todayStart else {
                    return nil
                }
                return members.filter { (offset($0) ?? .max) <= length }.count
            }
            return Cohort(
                start: start, size: members.count, returnedDay1: count({ $0.visit }, within: 1),
                returnedWithin7: count({ $0.visit }, within: 7), returnedWithin30: count({ $0.visit }, within: 30),
                returnedWithin90: count({ $0.visit }, within: 90), postedWithin30: count({ $0.post }, within: 30))
        }
    }
}

/// A member in a join cohort: when they joined, and the first day after the join day on which
/// they came back and on which they posted (nil: not yet).
public struct CohortMember: Sendable {
    public let joinedAt: Date
    public var firstVisit: Date?
    public var firstPost: Date?

    public init(joinedAt: Date, firstVisit: Date?, firstPost: Date?) {
        self.joinedAt = joinedAt
        self.firstVisit = firstVisit
        self.firstPost = firstPost
    }
}

extension ParticipationSummary {
    /// No one active: a placeholder until the counts are in.
    public static let none = CommunityMaths.participation(everyone: 0, postCounts: [])
}
