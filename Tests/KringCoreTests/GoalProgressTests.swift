import Foundation
import KringCore
import Testing

/// Goal projections on points worked out by hand: a straight line, read at the deadline.
@Suite("Goal progress")
struct GoalProgressTests {
    static let start = Date(timeIntervalSince1970: 1_767_225_600)  // 1 January 2026, 00:00 UTC
    static func day(_ n: Double) -> Date { start.addingTimeInterval(n * 86_400) }
    /// Members active: 10, 20, 30 on days 0, 10 and 20 — one more a day.
    static let growing = [GoalPoint(at: day(0), value: 10), GoalPoint(at: day(10), value: 20), GoalPoint(at: day(20), value: 30)]
    /// Hours to a first response: 10, 8, 6 — a fifth of an hour less a day.
    static let falling = [GoalPoint(at: day(0), value: 10), GoalPoint(at: day(10), value: 8), GoalPoint(at: day(20), value: 6)]

    @Test func theLineIsReadAtTheDeadline() {
        #expect(GoalProgress.projection(of: Self.growing, at: Self.day(30)) == 40)
        #expect(GoalProgress.projection(of: Self.falling, at: Self.day(30)) == 4)
        // Scattered: (0, 1), (1, 3), (2, 2): slope ½, mean 2 at day 1, so 3 at day 3.
        let scattered = [GoalPoint(at: Self.day(0), value: 1), GoalPoint(at: Self.day(1), value: 3), GoalPoint(at: Self.day(2), value: 2)]
        #expect(GoalProgress.projection(of: scattered, at: Self.day(3)) == 3)
        #expect(GoalProgress.projection(of: [GoalPoint(at: Self.day(0), value: 5)], at: Self.day(3)) == nil, "one point is no trend")
        #expect(
            GoalProgress.projection(of: [GoalPoint(at: Self.day(1), value: 5), GoalPoint(at: Self.day(1), value: 6)], at: Self.day(3))
                == nil,
            "two measurements of one moment are no trend either")
    }

    @Test func aRisingFigureIsOnTrackAtRiskOrOffTrack() {
        let now = Self.day(20)
        func status(_ target: Double) -> GoalStatus {
            GoalProgress.status(points: Self.growing, target: target, deadline: Self.day(30), higherIsBetter: true, now: now)
        }
        #expect(status(40) == .onTrack, "the line reaches 40 on day 30")
        #expect(status(42) == .atRisk, "30 of the 32 needed: 94 %")
        #expect(status(45) == .atRisk, "30 of 35: 86 %")
        #expect(status(50) == .offTrack, "30 of 40: 75 %")
    }

    @Test func aFallingFigureCountsTheOtherWay() {
        func status(_ target: Double) -> GoalStatus {
            GoalProgress.status(points: Self.falling, target: target, deadline: Self.day(30), higherIsBetter: false, now: Self.day(20))
        }
        #expect(status(4) == .onTrack)
        #expect(status(3) == .atRisk, "6 of the 7 hours needed: 86 %")
        #expect(status(1) == .offTrack, "6 of 9: 67 %")
    }

    @Test func afterTheDeadlineTheLastMeasurementDecides() {
        let after = Self.day(31)
        let points = Self.growing + [GoalPoint(at: Self.day(30), value: 40)]
        #expect(GoalProgress.status(points: points, target: 40, deadline: Self.day(30), higherIsBetter: true, now: after) == .achieved)
        #expect(GoalProgress.status(points: points, target: 41, deadline: Self.day(30), higherIsBetter: true, now: after) == .missed)
        #expect(GoalProgress.status(points: [], target: 41, deadline: Self.day(30), higherIsBetter: true, now: after) == .unknown)
    }

    @Test func oneMeasurementIsUnknownUnlessTheTargetIsMet() {
        let one = [GoalPoint(at: Self.day(0), value: 12)]
        #expect(GoalProgress.status(points: one, target: 20, deadline: Self.day(30), higherIsBetter: true, now: Self.day(1)) == .unknown)
        #expect(GoalProgress.status(points: one, target: 10, deadline: Self.day(30), higherIsBetter: true, now: Self.day(1)) == .onTrack)
    }

    @Test func aTargetMetAtTheStartStaysOnTrackWhileTheLineHolds() {
        let steady = [GoalPoint(at: Self.day(0), value: 50), GoalPoint(at: Self.day(10), value: 50)]
        #expect(
            GoalProgress.status(points: steady, target: 40, deadline: Self.day(30), higherIsBetter: true, now: Self.day(10)) == .onTrack)
        let slipping = [GoalPoint(at: Self.day(0), value: 50), GoalPoint(at: Self.day(10), value: 45)]
        #expect(
            GoalProgress.status(points: slipping, target: 40, deadline: Self.day(30), higherIsBetter: true, now: Self.day(10)) == .atRisk,
            "the line falls to 35 by the deadline")
    }
}
