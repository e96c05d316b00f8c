import Foundation
import Testing

@testable import KringCore

@Suite("Member mail rules")
struct MemberMailCoreTests {
    static func utc(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }
    static let amsterdam = TimeZone(identifier: "Europe/Amsterdam")!

    @Test func theUpdateCoversTheLastWholeMonthOrISOWeekInTheCommunitysZone() throws {
        // 1 December 00:30 in Amsterdam is still 30 November in UTC: the period is November all the same.
        let now = Self.utc("2026-11-30T23:30:00Z")
        let month = try #require(UpdatePeriod.previous(.monthly, before: now, in: Self.amsterdam))
        #expect(month.key == "2026-11")
        #expect(month.start == Self.utc("2026-10-31T23:00:00Z") && month.end == Self.utc("2026-11-30T23:00:00Z"))
        let week = try #require(UpdatePeriod.previous(.weekly, before: Self.utc("2026-01-01T12:00:00Z"), in: Self.amsterdam))
        // Thursday 1 January 2026: the last whole ISO week is 22–28 December 2025, week 52 of 2025.
        #expect(week.key == "2025-W52")
        #expect(week.start == Self.utc("2025-12-21T23:00:00Z"))
        #expect(UpdatePeriod.previous(.never, before: now, in: Self.amsterdam) == nil)
    }

    @Test func nudgesRespectTheGapAndStopAfterUnansweredOnes() {
        let policy = NudgePolicy(enabled: true, minimumDaysBetween: 30, maximumUnanswered: 2)
        let now = Self.utc("2026-06-01T12:00:00Z")
        let day: TimeInterval = 86_400
        #expect(policy.allows(sentAt: [], lastSeen: nil, now: now))
        #expect(!policy.allows(sentAt: [now - 29 * day], lastSeen: nil, now: now), "too soon")
        #expect(policy.allows(sentAt: [now - 31 * day], lastSeen: nil, now: now))
        #expect(!policy.allows(sentAt: [now - 62 * day, now - 31 * day], lastSeen: now - 90 * day, now: now), "two unanswered")
        #expect(policy.allows(sentAt: [now - 62 * day, now - 31 * day], lastSeen: now - 40 * day, now: now), "she came back in between")
        #expect(!NudgePolicy.standard.allows(sentAt: [], lastSeen: nil, now: now), "off by default")
    }

    @Test func eachMemberSeesCommunityOpenAndTheirOwnGroupsOnly() {
        let open = UUID()
        let closed = UUID()
        let me = UUID()
        let candidates = DigestCandidates(
            topics: [
                .init(id: UUID(), title: "Overal", groupID: nil, replies: 9), .init(id: UUID(), title: "Open", groupID: open, replies: 5),
                .init(id: UUID(), title: "Dicht", groupID: closed, replies: 3),
            ],
            events: [.init(id: UUID(), title: "Dicht feest", groupID: closed, startsAt: Date())],
            newcomers: [.init(id: me, handle: "ik", displayName: "Ik"), .init(id: UUID(), handle: "jij", displayName: "Jij")],
            openGroupIDs: [open])
        let outsider = candidates.visible(to: me, activeGroups: [])
        #expect(outsider.topics.map(\.title) == ["Overal", "Open"] && outsider.events.isEmpty)
        #expect(outsider.newcomers.map(\.handle) == ["jij"], "not welcomed to their own community")
        let insider = candidates.visible(to: UUID(), activeGroups: [closed], topicLimit: 2)
        #expect(insider.topics.map(\.title) == ["Overal", "Open"] && insider.events.map(\.title) == ["Dicht feest"])
    }
}
