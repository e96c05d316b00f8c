import Foundation
import Testing

@testable import KringCore

@Suite("Advice rules and the maturity model")
struct AdviceAndMaturityTests {
    static let zone = TimeZone(identifier: "Europe/Amsterdam")!
    static let calendar = MetricPeriod.calendar(zone)
    static let now = ISO8601DateFormatter().date(from: "2026-12-02T12:00:00Z")!
    static func hoursAgo(_ hours: Double) -> Date { now.addingTimeInterval(-hours * 3600) }
    static func id(_ n: Int) -> UUID { UUID(uuidString: String(format: "00000000-0000-0000-0000-%012d", n))! }

    /// One fact per rule that should fire, and one beside it that just should not.
    static func fixture() -> AdviceFacts {
        var facts = AdviceFacts(now: now)
        facts.topics = [
            .init(id: id(1), title: "Waiting 25 hours", createdAt: hoursAgo(25), answered: false),
            .init(id: id(2), title: "Waiting 23 hours", createdAt: hoursAgo(23), answered: false),
            .init(id: id(3), title: "Answered", createdAt: hoursAgo(50), answered: true),
        ]
        facts.firstPosts = [
            .init(member: id(10), handle: "nieuw", topic: id(1), postedAt: hoursAgo(30), answered: false),
            .init(member: id(11), handle: "geholpen", topic: id(3), postedAt: hoursAgo(30), answered: true),
            .init(member: id(12), handle: "vers", topic: id(2), postedAt: hoursAgo(2), answered: false),
        ]
        facts.regulars = [
            .init(member: id(20), handle: "trouw", activeDays: 8, lastActive: hoursAgo(24 * 20)),
            .init(member: id(21), handle: "soms", activeDays: 7, lastActive: hoursAgo(24 * 20)),
            .init(member: id(22), handle: "net", activeDays: 12, lastActive: hoursAgo(24 * 5)),
        ]
        facts.groups = [
            .init(id: id(30), slug: "stil", name: "Stil", recent: 0, earlier: 12),
            .init(id: id(31), slug: "minder", name: "Minder", recent: 6, earlier: 10),
            .init(id: id(32), slug: "klein", name: "Klein", recent: 0, earlier: 9),
            .init(id: id(33), slug: "iets", name: "Iets minder", recent: 6, earlier: 11),
        ]
        facts.openFlags = [.init(id: id(40), createdAt: hoursAgo(49)), .init(id: id(41), createdAt: hoursAgo(47))]
        facts.waitingIdeas = [
            .init(id: id(50), title: "Oud idee", department: "Product", routedAt: hoursAgo(24 * 15)),
            .init(id: id(51), title: "Nieuw idee", department: "Product", routedAt: hoursAgo(24 * 13)),
        ]
        facts.offTrackGoals = [.init(id: id(60), title: "Meer leden")]
        facts.responseHoursRecent = 5
        facts.responseHoursEarlier = 4
        return facts
    }

    @Test func eachRuleFiresExactlyOnItsFixture() {
        let findings = AdviceEngine.evaluate(Self.fixture(), thresholds: AdviceThresholds(), calendar: Self.calendar)
        func keys(_ rule: AdviceRule) -> [String] { findings.filter { $0.rule == rule }.map(\.subjectKey) }
        #expect(
            keys(.unansweredTopic) == ["topic:\(Self.id(1).uuidString.lowercased())"], "25 h is over 24 h; 23 h is not; answered is not")
        #expect(keys(.newcomerUnanswered) == ["member:\(Self.id(10).uuidString.lowercased())"])
        #expect(keys(.regularGoingQuiet).count == 1, "8 active days make a regular, 7 do not; 5 days quiet is not quiet")
        #expect(keys(.regularGoingQuiet).first?.hasPrefix("member:\(Self.id(20).uuidString.lowercased()):") == true)
        #expect(
            findings.filter { $0.rule == .groupFalling }.map { $0.details["name"] } == ["Stil"],
            "12 → 0 falls 100 %; 10 → 6 (40 %) and 11 → 6 (45 %) fall less than 50 %; 9 earlier posts are too few to judge")
        #expect(findings.first { $0.rule == .groupFalling }?.details["suggestion"] == "archive", "nothing posted lately: archive or revive")
        #expect(keys(.flagWaiting) == ["flag:\(Self.id(40).uuidString.lowercased())"])
        #expect(keys(.ideaWaiting) == ["idea:\(Self.id(50).uuidString.lowercased())"])
        #expect(keys(.goalOffTrack) == ["goal:\(Self.id(60).uuidString.lowercased())"])
        #expect(keys(.responseTimeRising) == ["community:2026-W49"], "4 h → 5 h is 25 % more")
        #expect(findings.first { $0.rule == .responseTimeRising }?.details["rise"] == "25")
    }

    @Test func thresholdsMoveTheRules() {
        var thresholds = AdviceThresholds()
        thresholds[.unansweredHours] = 22
        thresholds[.risingPercent] = 30
        thresholds[.fallingPercent] = 40
        let findings = AdviceEngine.evaluate(Self.fixture(), thresholds: thresholds, calendar: Self.calendar)
        #expect(findings.filter { $0.rule == .unansweredTopic }.count == 2, "23 h now counts too")
        #expect(!findings.contains { $0.rule == .responseTimeRising }, "a 25 % rise is under 30 %")
        #expect(findings.filter { $0.rule == .groupFalling }.map { $0.details["name"] } == ["Stil", "Minder", "Iets minder"])
        thresholds[.flagHours] = 100_000
        #expect(thresholds[.flagHours] == 720, "a threshold stays within its range")
    }

    @Test func aCommunityWithNothingWrongGetsNoAdvice() {
        var facts = AdviceFacts(now: Self.now)
        facts.responseHoursRecent = 2
        facts.responseHoursEarlier = 3
        #expect(AdviceEngine.evaluate(facts, thresholds: AdviceThresholds(), calendar: Self.calendar).isEmpty)
    }

    @Test func maturityStagesAreTheHighestStageWithEveryCriterionMetBelowIt() {
        #expect(MaturityModel.criteria.count == 64, "8 competencies × 4 stages × 2 criteria")
        #expect(Set(MaturityModel.criteria.map(\.id)).count == 64)
        var answers: [String: Bool] = [:]
        #expect(MaturityModel.stage(of: .strategy, answers: answers) == 0)
        answers["strategy.1.a"] = true
        #expect(MaturityModel.stage(of: .strategy, answers: answers) == 0, "stage 1 needs both of its criteria")
        answers["strategy.1.b"] = true
        answers["strategy.3.a"] = true
        answers["strategy.3.b"] = true
        #expect(MaturityModel.stage(of: .strategy, answers: answers) == 1, "stage 3 met does not count while stage 2 is open")
        answers["strategy.2.a"] = true
        answers["strategy.2.b"] = true
        #expect(MaturityModel.stage(of: .strategy, answers: answers) == 3)
        let steps = MaturityModel.nextSteps(answers: answers)
        #expect(steps[.strategy]?.map(\.id) == ["strategy.4.a", "strategy.4.b"], "the roadmap names the next stage's criteria")
        #expect(steps[.culture]?.map(\.id) == ["culture.1.a", "culture.1.b"])
        let all = Dictionary(uniqueKeysWithValues: MaturityModel.criteria.map { ($0.id, true) })
        #expect(MaturityModel.stages(answers: all).values.allSatisfy { $0 == 4 })
        #expect(MaturityModel.nextSteps(answers: all).values.allSatisfy { $0.isEmpty })
        #expect(
            MaturityModel.criteria.filter { $0.check != nil }.count == MaturityCheck.allCases.count, "every check answers one criterion")
    }

    @Test func strategyTeamsAndStoryEvidenceAreChecked() throws {
        let team = try StrategyRules.parseTeam("@Anna builder\n\n@sam liaison Klantenservice Noord")
        #expect(
            team == [
                .init(handle: "anna", role: .builder, department: nil),
                .init(handle: "sam", role: .liaison, department: "Klantenservice Noord"),
            ])
        #expect(StrategyRules.teamText(team) == "@anna builder\n@sam liaison Klantenservice Noord")
        #expect(throws: ValidationFailure.self) { try StrategyRules.parseTeam("@anna boss") }
        #expect(try SuccessStory.evidence(from: "/t/abc\nhttps://example.org/case\n") == ["/t/abc", "https://example.org/case"])
        #expect(throws: ValidationFailure.self) { try SuccessStory.evidence(from: "javascript:alert(1)") }
        #expect(throws: ValidationFailure.self) { try SuccessStory.evidence(from: "//evil.example/x") }
    }
}
