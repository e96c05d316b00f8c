import Foundation

/// "Connect members with a shared interest" (the bartender's craft): who a member could meet, and why.
public enum PeopleToMeet {
    /// Why two members might want to meet.
    public enum Reason: Sendable, Equatable, Hashable {
        /// Both are interested in (or expert on) these tags.
        case shared([String])
        /// The other is an expert on what the member is interested in.
        case expertFor([String])
        /// The other is an expert on the tags of these open questions of the member (their titles).
        case canAnswer([String])
    }

    /// One of the member's questions nobody solved yet, with its tags.
    public struct OpenQuestion: Sendable, Equatable {
        public let title: String
        public let tags: Set<String>

        public init(title: String, tags: Set<String>) {
            self.title = title
            self.tags = tags
        }
    }

    public struct Suggestion<ID: Hashable & Sendable>: Sendable, Equatable {
        public let id: ID
        public let score: Int
        public let reasons: [Reason]
    }

    /// Tags per member, by kind.
    public struct Tags: Sendable {
        public var interests: Set<String>
        public var expertise: Set<String>

        public init(interests: Set<String> = [], expertise: Set<String> = []) {
            self.interests = interests
            self.expertise = expertise
        }

        var all: Set<String> { interests.union(expertise) }
    }

    /// The best `limit` people for `member` to meet among `others`: one point per shared tag, two per
    /// tag the other is an expert on that the member is interested in, three per open question of the
    /// member the other is an expert for. People the member already interacts with (`known`) and the
    /// member themselves are left out; ties go to the lower id order given.
    public static func suggestions<ID: Hashable & Sendable & Comparable>(
        for member: ID, tags: [ID: Tags], known: Set<ID>, questions: [OpenQuestion] = [], limit: Int = 5
    ) -> [Suggestion<ID>] {
        let mine = tags[member] ?? Tags()
        var result: [Suggestion<ID>] = []
        for (other, theirs) in tags where other != member && !known.contains(other) {
            let shared = mine.all.intersection(theirs.all).sorted()
            let expert = mine.interests.intersection(theirs.expertise).sorted()
            let answerable = questions.filter { !$0.tags.isDisjoint(with: theirs.expertise) }.map(\.title)
            let score = shared.count + 2 * expert.count + 3 * answerable.count
            guard score > 0 else { continue }
            var reasons: [Reason] = []
            if !answerable.isEmpty { reasons.append(.canAnswer(answerable)) }
            if !expert.isEmpty { reasons.append(.expertFor(expert)) }
            let others = shared.filter { !expert.contains($0) }
            if !others.isEmpty { reasons.append(.shared(others)) }
            result.append(Suggestion(id: other, score: score, reasons: reasons))
        }
        return Array(result.sorted { ($0.score, $1.id) > ($1.score, $0.id) }.prefix(limit))
    }
}
