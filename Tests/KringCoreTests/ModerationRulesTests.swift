import Foundation
import Testing

@testable import KringCore

@Suite("Moderation rules")
struct ModerationRulesTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func sanction(_ kind: SanctionKind, endsIn days: Double?, lifted: Bool = false) -> Sanction {
        Sanction(
            id: UUID(), memberID: UUID(), kind: kind, reason: "r", startsAt: now.addingTimeInterval(-3600),
            endsAt: days.map { now.addingTimeInterval($0 * 86_400) }, createdByID: nil, liftedAt: lifted ? now : nil)
    }

    @Test func theStrictestSanctionInForceDecides() {
        let restriction = Restriction.from(
            [Self.sanction(.silence, endsIn: 5), Self.sanction(.suspension, endsIn: 1), Self.sanction(.warning, endsIn: nil)], at: Self.now)
        #expect(restriction.sanction?.kind == .suspension)
        #expect(!restriction.mayLogIn)
        #expect(!restriction.mayPost)
        let silenced = Restriction.from([Self.sanction(.silence, endsIn: nil)], at: Self.now)
        #expect(silenced.mayLogIn && !silenced.mayPost)
    }

    @Test func endedLiftedAndWarningSanctionsDoNotRestrict() {
        let restriction = Restriction.from(
            [Self.sanction(.ban, endsIn: -1), Self.sanction(.suspension, endsIn: 10, lifted: true), Self.sanction(.warning, endsIn: nil)],
            at: Self.now)
        #expect(restriction == .none)
        #expect(restriction.mayPost && restriction.mayLogIn)
    }

    @Test func reliabilityAndPriority() {
        #expect(ModerationRules.reliability(agreed: 0, disagreed: 0) == nil)
        #expect(ModerationRules.reliability(agreed: 3, disagreed: 1) == 0.75)
        #expect(ModerationRules.priority(flaggerReliabilities: [1.0, 1.0]) > ModerationRules.priority(flaggerReliabilities: [0.0, 0.0]))
        #expect(ModerationRules.priority(flaggerReliabilities: [nil, nil, nil]) > ModerationRules.priority(flaggerReliabilities: [1.0]))
    }

    @Test func durationsAndReasonsAreChecked() throws {
        #expect(try ModerationRules.days("") == nil)
        #expect(try ModerationRules.days(" 7 ") == 7)
        #expect(throws: ValidationFailure(field: "days", code: "days.invalid")) { try ModerationRules.days("0") }
        #expect(throws: ValidationFailure(field: "days", code: "days.invalid")) { try ModerationRules.days("soon") }
        #expect(throws: ValidationFailure(field: "reason", code: "required")) { try ModerationRules.reason("  ") }
        #expect(try ModerationRules.reason("", required: false) == "")
    }
}
