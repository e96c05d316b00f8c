import Foundation
import Testing

@testable import KringCore

/// Engagement scores, levels, segments and the interaction graph against numbers worked out by hand
/// (METRICS.md, "Members: segments, engagement, champions").
@Suite("Engagement and champions maths")
struct EngagementTests {
    static let march = MonthIndex(year: 2026, month: 3)

    @Test func scoreDecaysByATenthPerMonth() {
        let actions: EngagementModel.MonthlyActions = [
            Self.march: [.reply: 2],
            Self.march.adding(-1): [.topic: 1],
            Self.march.adding(-2): [.visit: 10],
            Self.march.adding(1): [.solution: 5],  // after the day asked about: not counted yet
        ]
        // 2·1 + 1.5·0.9 + 10·0.1·0.81 = 2 + 1.35 + 0.81
        let score = EngagementModel.score(actions, asOf: Self.march, settings: EngagementSettings())
        #expect(abs(score - 4.16) < 1e-9)
        #expect(EngagementSettings().level(for: score) == .participant)
        // April: everything a month older, plus five accepted solutions.
        let april = EngagementModel.score(actions, asOf: Self.march.adding(1), settings: EngagementSettings())
        #expect(abs(april - (4.16 * 0.9 + 15)) < 1e-9)
        #expect(EngagementSettings().level(for: april) == .regular)
        #expect(EngagementSettings(championFrom: 15, regularFrom: 5, participantFrom: 1).level(for: april) == .champion)

        var heavierTopics = EngagementSettings()
        heavierTopics.weights[.topic] = 10
        #expect(abs(EngagementModel.score(actions, asOf: Self.march, settings: heavierTopics) - (2 + 9 + 0.81)) < 1e-9)
    }

    @Test func levelsFollowTheThresholds() {
        let settings = EngagementSettings(championFrom: 20, regularFrom: 8, participantFrom: 2)
        #expect(settings.level(for: 20) == .champion)
        #expect(settings.level(for: 19.99) == .regular)
        #expect(settings.level(for: 8) == .regular)
        #expect(settings.level(for: 2) == .participant)
        #expect(settings.level(for: 1.99) == .observer)
        #expect(settings.level(for: 0) == .observer)
        #expect(EngagementLevel.champion > .regular && EngagementLevel.participant > .observer)
    }

    @Test func settingsFromAFormAreCheckedWhole() throws {
        let parsed = try EngagementSettings.parse(
            ["weight_visit": "0,2", "weight_reply": "2", "champion_from": "30", "regular_from": "10", "participant_from": "2"],
            base: EngagementSettings())
        #expect(parsed.weight(.visit) == 0.2)
        #expect(parsed.weight(.reply) == 2)
        #expect(parsed.weight(.topic) == 1.5, "a weight not sent keeps its value")
        #expect(parsed.championFrom == 30 && parsed.regularFrom == 10 && parsed.participantFrom == 2)

        #expect(throws: ValidationFailure.self) { try EngagementSettings.parse(["weight_visit": "-1"], base: EngagementSettings()) }
        #expect(throws: ValidationFailure.self) { try EngagementSettings.parse(["weight_reply": "veel"], base: EngagementSettings()) }
        #expect(throws: ValidationFailure.self) { try EngagementSettings.parse(["weight_reply": "nan"], base: EngagementSettings()) }
        do {
            _ = try EngagementSettings.parse(["champion_from": "4"], base: EngagementSettings())
            Issue.record("a champion threshold below the regular one was accepted")
        } catch {
            #expect(error.errors == [FieldError(field: "champion_from", code: "engagement.levels_order")])
        }
    }

    @Test func monthIndicesReadKeysAndCount() {
        #expect(MonthIndex(key: "2026-03-31") == Self.march)
        #expect(MonthIndex(key: "2026-03")?.key == "2026-03")
        #expect(MonthIndex(key: "2026-13") == nil)
        #expect(MonthIndex(key: "march") == nil)
        #expect(Self.march.adding(-3).key == "2025-12")
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Amsterdam")!
        // 22:30 UTC on 31 March is already April in Amsterdam (summer time, UTC+2).
        #expect(MonthIndex(ISO8601DateFormatter().date(from: "2026-03-31T22:30:00Z")!, calendar: calendar).key == "2026-04")
    }

    @Test func segmentsFollowTheirDefinitions() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let day = 86_400.0
        func segments(joined: Double, seen: Double?, level: EngagementLevel, previous: EngagementLevel, posts: Int) -> [MemberSegment] {
            MemberSegment.segments(
                of: MemberSegment.Facts(
                    joinedAt: now - joined * day, lastSeenAt: seen.map { now - $0 * day }, level: level, previousLevel: previous,
                    recentPosts: posts),
                now: now)
        }
        #expect(segments(joined: 3, seen: 0, level: .observer, previous: .observer, posts: 0) == [.newcomer, .lurker])
        #expect(segments(joined: 3, seen: 0, level: .participant, previous: .observer, posts: 2) == [.newcomer])
        #expect(segments(joined: 400, seen: 1, level: .champion, previous: .champion, posts: 40) == [.champion])
        #expect(segments(joined: 400, seen: 1, level: .regular, previous: .champion, posts: 9) == [.regular])
        #expect(segments(joined: 400, seen: 31, level: .participant, previous: .regular, posts: 0) == [.atRisk])
        #expect(segments(joined: 400, seen: 29, level: .participant, previous: .regular, posts: 0) == [.lurker], "seen 29 days ago")
        #expect(segments(joined: 400, seen: nil, level: .observer, previous: .participant, posts: 0) == [], "never a regular")
    }

    // MARK: The interaction graph

    @Test func aPathsMiddleIsItsOnlyBridge() {
        var graph = InteractionGraph(nodeCount: 3)
        graph.add(from: 0, to: 1)
        graph.add(from: 2, to: 1)
        graph.add(from: 1, to: 1)  // oneself: no edge
        #expect(graph.degrees() == [1, 2, 1])
        #expect(graph.betweenness() == [0, 1, 0])
    }

    @Test func aStarsCentreLiesOnEveryPathBetweenLeaves() {
        var graph = InteractionGraph(nodeCount: 5)
        for leaf in 1...4 { graph.add(from: leaf, to: 0, weight: Double(leaf)) }
        // Four leaves make six pairs, each joined only through the centre.
        #expect(graph.betweenness() == [6, 0, 0, 0, 0])
        // Sampling every node as a source is the exact computation.
        #expect(graph.betweenness(exactUpTo: 2, samples: 5) == [6, 0, 0, 0, 0])
        let rank = graph.pageRank()
        #expect(abs(rank.reduce(0, +) - 1) < 1e-9)
        #expect(rank[0] == rank.max(), "everyone answers the centre")
        #expect(Set(rank[1...].map { ($0 * 1e9).rounded() }).count == 1, "no one answers a leaf: the leaves rank alike")
    }

    @Test func twoTrianglesJoinedThroughOneMember() {
        // 0-1-2 a triangle, 4-5-6 a triangle, 3 between 2 and 4.
        var graph = InteractionGraph(nodeCount: 7)
        for (a, b) in [(0, 1), (1, 2), (2, 0), (4, 5), (5, 6), (6, 4), (2, 3), (3, 4)] { graph.add(from: a, to: b) }
        let betweenness = graph.betweenness()
        // 3 lies on every path between {0,1,2} and {4,5,6} (9 pairs) and between 2 or 4 and the far side's others.
        // Node 3: pairs across = {0,1,2}×{4,5,6} = 9. Node 2: {0,1}×{3,4,5,6} = 8. Node 4 likewise 8.
        #expect(betweenness == [0, 0, 8, 9, 8, 0, 0])
    }

    @Test func pageRankOfOneAnswerMatchesTheHandComputation() {
        var graph = InteractionGraph(nodeCount: 2)
        graph.add(from: 0, to: 1)
        // a = 0.15/2 + 0.85·b/2, b = 1 − a  ⇒  a = 0.5 ÷ 1.425
        let rank = graph.pageRank()
        #expect(abs(rank[0] - 0.5 / 1.425) < 1e-8)
        #expect(abs(rank[1] - (1 - 0.5 / 1.425)) < 1e-8)
        var cycle = InteractionGraph(nodeCount: 3)
        for node in 0..<3 { cycle.add(from: node, to: (node + 1) % 3) }
        #expect(cycle.pageRank().allSatisfy { abs($0 - 1.0 / 3) < 1e-9 })
    }

    @Test func expertiseFavoursThoseWhoAnswer() {
        #expect(Expertise.zScore(answers: 9, questions: 0) == 3)
        #expect(Expertise.zScore(answers: 2, questions: 2) == 0)
        #expect(Expertise.zScore(answers: 0, questions: 4) == -2)
        #expect(Expertise.zScore(answers: 0, questions: 0) == 0)
    }

    @Test func peopleToMeetShareTagsAndAreNotAlreadyAcquainted() {
        let tags: [Int: PeopleToMeet.Tags] = [
            1: .init(interests: ["moestuin", "zonnepanelen"], expertise: ["fietsen"]),
            2: .init(interests: ["moestuin"]),  // one shared tag: 1 point
            3: .init(expertise: ["zonnepanelen"]),  // expert on what 1 is interested in: 2 + 1 shared
            4: .init(interests: ["zonnepanelen", "fietsen"], expertise: ["moestuin"]),  // 3 shared + 2 expert, but 1 replied to 4 already
            5: .init(interests: ["breien"]),  // nothing in common
        ]
        let suggestions = PeopleToMeet.suggestions(for: 1, tags: tags, known: [4], limit: 5)
        #expect(suggestions.map(\.id) == [3, 2])
        #expect(suggestions.first?.score == 3)
        #expect(suggestions.first?.reasons == [.expertFor(["zonnepanelen"])])
        #expect(suggestions.last?.reasons == [.shared(["moestuin"])])
        #expect(PeopleToMeet.suggestions(for: 1, tags: tags, known: [], limit: 1).map(\.id) == [4])
        #expect(PeopleToMeet.suggestions(for: 9, tags: tags, known: []).isEmpty, "no tags, no suggestions")
    }

    @Test func expertsOnAMembersOpenQuestionAreSuggestedFirst() {
        let tags: [Int: PeopleToMeet.Tags] = [
            1: .init(interests: ["moestuin"]),
            2: .init(interests: ["moestuin"]),  // one shared tag: 1 point
            3: .init(expertise: ["warmtepomp"]),  // knows about 1's open question: 3 points
            4: .init(expertise: ["warmtepomp"]),  // would too, but 1 and 4 talk already
        ]
        let questions = [PeopleToMeet.OpenQuestion(title: "Welke warmtepomp?", tags: ["warmtepomp", "energie"])]
        let suggestions = PeopleToMeet.suggestions(for: 1, tags: tags, known: [4], questions: questions)
        #expect(suggestions.map(\.id) == [3, 2])
        #expect(suggestions.first?.reasons == [.canAnswer(["Welke warmtepomp?"])])
        // A member without profile tags still gets experts on their questions.
        #expect(PeopleToMeet.suggestions(for: 9, tags: tags, known: [], questions: questions).map(\.id) == [3, 4])
    }
}
