import Foundation
import Testing

@testable import KringCore

/// The cockpit's maths against numbers worked out by hand (METRICS.md has the definitions).
@Suite("Metrics maths")
struct MetricsMathsTests {
    static let amsterdam = TimeZone(identifier: "Europe/Amsterdam")!

    static func utc(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test func dayKeysReadBackAsTheDaysRealStartEvenWhereMidnightIsSkipped() {
        let saoPaulo = TimeZone(identifier: "America/Sao_Paulo")!
        // Brazil's clocks jumped from 00:00 to 01:00 on 3 October 1999: the day began at 01:00 −02:00.
        #expect(LocalDay.start(of: "1999-10-03", in: saoPaulo) == Self.utc("1999-10-03T03:00:00Z"))
        #expect(LocalDay.start(of: "1999-10-04", in: saoPaulo) == Self.utc("1999-10-04T02:00:00Z"))
        #expect(LocalDay.start(of: "2026-03-29", in: Self.amsterdam) == Self.utc("2026-03-28T23:00:00Z"))
        #expect(LocalDay.start(of: "2024-02-29", in: .gmt) == Self.utc("2024-02-29T00:00:00Z"))
        for bad in [
            "2023-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "2026-4-01", "26-04-01", "2026/04/01", "2026-04-01 ", "０２０２-04-01", "",
        ] {
            #expect(LocalDay.start(of: bad, in: Self.amsterdam) == nil, "\(bad)")
        }
    }

    @Test func dayKeysAreTheDayInTheCommunitysTimeZoneWithLeadingZeros() {
        // 23:30 UTC on 4 March is already 5 March in Amsterdam.
        #expect(LocalDay.key(of: Self.utc("2026-03-04T23:30:00Z"), in: Self.amsterdam) == "2026-03-05")
        #expect(LocalDay.key(of: Self.utc("2026-03-04T23:30:00Z"), in: .gmt) == "2026-03-04")
        #expect(LocalDay.key(of: Self.utc("2026-01-05T12:00:00Z"), in: .gmt) == "2026-01-05")
        #expect(LocalDay.zeroPadded(7, 2) == "07" && LocalDay.zeroPadded(2026, 2) == "2026" && LocalDay.zeroPadded(0, 4) == "0000")
    }

    @Test func statisticsMatchHandComputedValues() {
        #expect(Statistics.median([1, 3, 2]) == 2)
        #expect(Statistics.median([1, 2, 3, 4]) == 2.5)
        #expect(Statistics.median([]) == nil)
        #expect(Statistics.mean([1, 2, 6]) == 3)
        #expect(Statistics.gini([1, 1, 1, 1]) == 0, "everyone equal")
        // sorted 0,0,0,10: 2·(4·10) ÷ (4·10) − 5/4 = 0.75
        #expect(Statistics.gini([0, 10, 0, 0]) == 0.75)
        // 5,10: 2·(1·5 + 2·10) ÷ (2·15) − 3/2 = 1/6
        #expect(abs(Statistics.gini([10, 5])! - 1.0 / 6.0) < 1e-12)
        #expect(Statistics.topShare([10, 5, 3, 2], fraction: 0.1) == 0.5, "top 10 % of four people is one person: 10 of 20")
        #expect(Statistics.topShare([10, 5, 3, 2], fraction: 0.5) == 0.75)
        #expect(Statistics.absenceFactor([10, 5, 3, 2]) == 1, "10 of 20 is half")
        #expect(Statistics.absenceFactor([5, 5, 5, 5]) == 2)
        #expect(Statistics.absenceFactor([]) == 0)
        let lorenz = Statistics.lorenz([3, 1])
        #expect(lorenz.map(\.people) == [0, 0.5, 1])
        #expect(lorenz.map(\.share) == [0, 0.25, 1])
        // Thirty thousand posters: the curve at every hundredth of them, from (0, 0) to (1, 1).
        let many = (1...30_000).map { $0 % 7 == 0 ? 50 : 1 }
        let curve = Statistics.lorenz(many)
        #expect(curve.count == 101)
        #expect(curve.first! == (0, 0) && curve.last! == (1, 1))
        let sorted = many.sorted()
        let half = Double(sorted.prefix(15_000).reduce(0, +)) / Double(many.reduce(0, +))
        #expect(curve[50].people == 0.5 && abs(curve[50].share - half) < 1e-12, "half the people hold what they hold")
    }

    @Test func periodsAreCalendarPeriodsInTheCommunitysTimeZone() {
        // 23:30 UTC on 31 March is 01:30 on 1 April in Amsterdam (summer time).
        let april = MetricPeriod.containing(Self.utc("2026-03-31T23:30:00Z"), kind: .month, timeZone: Self.amsterdam)
        #expect(april.start == Self.utc("2026-03-31T22:00:00Z"))
        #expect(april.end == Self.utc("2026-04-30T22:00:00Z"))
        #expect(april.dayStarts.count == 30)
        let march = april.previous
        #expect(march.start == Self.utc("2026-02-28T23:00:00Z"), "winter time before the switch")
        #expect(march.dayStarts.count == 31, "the 23-hour day of the clock change is one day")
        let quarter = MetricPeriod.containing(Self.utc("2026-05-10T12:00:00Z"), kind: .quarter, timeZone: Self.amsterdam)
        #expect(quarter.start == Self.utc("2026-03-31T22:00:00Z"))
        #expect(quarter.end == Self.utc("2026-06-30T22:00:00Z"))
        let week = MetricPeriod.containing(Self.utc("2026-11-29T12:00:00Z"), kind: .week, timeZone: Self.amsterdam)
        #expect(week.start == Self.utc("2026-11-22T23:00:00Z"), "weeks start on Monday")
        let custom = MetricPeriod.custom(
            from: Self.utc("2026-11-10T12:00:00Z"), through: Self.utc("2026-11-12T12:00:00Z"), timeZone: Self.amsterdam)!
        #expect(custom.dayStarts.count == 3)
        #expect(custom.previous.end == custom.start)
        #expect(custom.previous.dayStarts.count == 3)
        #expect(
            MetricPeriod.custom(from: Self.utc("2026-11-12T12:00:00Z"), through: Self.utc("2026-11-10T12:00:00Z"), timeZone: Self.amsterdam)
                == nil)
    }

    @Test func visitorsAndStickinessFollowTheRollingWindows() {
        let calendar = MetricPeriod.calendar(Self.amsterdam)
        let day0 = calendar.startOfDay(for: Self.utc("2026-11-10T12:00:00Z"))
        let day = { (offset: Int) in calendar.date(byAdding: .day, value: offset, to: day0)! }
        // Positions count from 29 days before day 0: day -1 is 28, day 0 is 29; one visitor was 40 days back.
        let (a, b, early) = ([28, 29], [29, 30], [-11])
        let series = CommunityMaths.visitors(days: [day(0), day(1), day(2)], lookback: 29, visitDays: [a, b, early])
        #expect(series.dau == [2, 1, 0])
        #expect(series.wau == [2, 2, 2])
        #expect(series.mau == [2, 2, 2], "a visit 40 days back is outside every window")
        #expect(series.stickiness == 0.5, "(2/2 + 1/2 + 0/2) ÷ 3")

        // c came 10 days before day 0 (position 19) and on day 2 (31): one member in each window, whatever the gap.
        let withC = CommunityMaths.visitors(days: [day(0), day(1), day(2)], lookback: 29, visitDays: [a, b, early, [19, 31]])
        #expect(withC.dau == [2, 1, 1])
        #expect(withC.wau == [2, 2, 3], "day -10 is outside the week windows, day 2 inside the last")
        #expect(withC.mau == [3, 3, 3], "c's two visits overlap in the month windows and count once")
    }

    @Test func participationIsMeasuredNotAssumed() {
        let (a, b, c, d) = (UUID(), UUID(), UUID(), UUID())
        let summary = CommunityMaths.participation(active: [a, b, c, d], postsByMember: [a: 10, b: 5])
        #expect(summary.activeMembers == 4)
        #expect(summary.lurkers == 2)
        #expect(summary.superusers == 1)
        #expect(summary.contributors == 1)
        #expect(summary.top1Share == 10.0 / 15.0)
        #expect(summary.absenceFactor == 1)
        #expect(summary.share(summary.lurkers) == 0.5)
    }

    @Test func cohortsCountReturnsAfterTheJoinDayInLocalTime() {
        let calendar = MetricPeriod.calendar(Self.amsterdam)
        let (early, late) = (UUID(), UUID())
        let day = { (text: String) in calendar.startOfDay(for: Self.utc(text)) }
        // Joined at 23:30 local on 5 January; back ten minutes after midnight: day 1.
        let joins = [
            (member: early, joinedAt: Self.utc("2026-01-05T22:30:00Z")), (member: late, joinedAt: Self.utc("2026-01-20T10:00:00Z")),
        ]
        let visits: [UUID: Set<Date>] = [
            early: [day("2026-01-05T23:10:00Z")],
            late: [day("2026-01-20T15:00:00Z"), day("2026-02-25T12:00:00Z")],
        ]
        let posts: [UUID: Set<Date>] = [early: [day("2026-01-05T22:45:00Z")], late: [day("2026-01-21T09:00:00Z")]]
        let cohorts = CommunityMaths.cohorts(
            joins: joins, visitDays: visits, postDays: posts, by: .month, from: Self.utc("2025-12-31T23:00:00Z"),
            to: Self.utc("2026-01-31T23:00:00Z"), today: Self.utc("2026-06-01T12:00:00Z"), calendar: calendar)
        #expect(cohorts.count == 1)
        let january = cohorts[0]
        #expect(january.size == 2)
        #expect(january.returnedDay1 == 1, "the early member came back just after midnight")
        #expect(january.returnedWithin7 == 1)
        #expect(january.returnedWithin30 == 1, "the late member's visit on day 36 is too late for 30")
        #expect(january.returnedWithin90 == 2)
        #expect(january.postedWithin30 == 1, "a post on the join day itself is not posting again")

        let early2 = CommunityMaths.cohorts(
            joins: joins, visitDays: visits, postDays: posts, by: .month, from: Self.utc("2025-12-31T23:00:00Z"),
            to: Self.utc("2026-01-31T23:00:00Z"), today: Self.utc("2026-02-20T12:00:00Z"), calendar: calendar)[0]
        #expect(early2.returnedWithin7 == 1, "7 days after the cohort's end have passed")
        #expect(early2.returnedWithin30 == nil, "not measurable yet")
        #expect(early2.returnedWithin90 == nil)
    }
}
