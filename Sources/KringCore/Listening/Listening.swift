import Foundation

/// What a watched term matches.
public enum WatchedTermKind: String, CaseIterable, Codable, Sendable {
    /// One word, in any of its forms ("update" also finds "updates", "geüpdatet" finds "geüpdatete").
    case word
    /// Words in this order ("nieuwe app").
    case phrase
    /// A topic tag: the topics that carry it.
    case tag
}

/// A word, phrase or tag the team listens for: every new post that mentions it is counted (trend,
/// sentiment) and, with alerts on, reported to the team member who added it.
public struct WatchedTerm: Sendable, Equatable, Identifiable {
    public let id: UUID
    public var term: String
    public var kind: WatchedTermKind
    public var alerts: Bool
    public var createdByID: UUID?
    public var createdAt: Date

    public init(id: UUID = UUID(), term: String, kind: WatchedTermKind, alerts: Bool, createdByID: UUID?, createdAt: Date) {
        self.id = id
        self.term = term
        self.kind = kind
        self.alerts = alerts
        self.createdByID = createdByID
        self.createdAt = createdAt
    }

    /// The term as stored: lower case, single spaces; tags without their "#".
    public static func normalise(_ raw: String, kind: WatchedTermKind) throws(ValidationFailure) -> String {
        var term = MemberRules.singleLine(raw).lowercased()
        if kind == .tag { term = String(term.drop(while: { $0 == "#" })).replacingOccurrences(of: " ", with: "-") }
        guard !term.isEmpty else { throw ValidationFailure(field: "term", code: "required") }
        guard term.count <= 60 else { throw ValidationFailure(field: "term", code: "too_long") }
        if kind == .word, term.contains(" ") { throw ValidationFailure(field: "term", code: "listening.one_word") }
        return term
    }
}

/// A post as the listening job reads it.
public struct ListenedPost: Sendable, Equatable {
    public let text: String
    public let language: Language
    /// The topic's tags, for the topic's opening post only (replies do not repeat the tag).
    public let tags: [String]

    public init(text: String, language: Language, tags: [String]) {
        self.text = text
        self.language = language
        self.tags = tags
    }
}

/// Which watched terms a post mentions. Built once per batch: the terms' stems and phrases are
/// prepared, each post is split into words once.
public struct TermMatcher: Sendable {
    let terms: [WatchedTerm]
    let stems: [UUID: Set<String>]

    public init(_ terms: [WatchedTerm]) {
        self.terms = terms
        var stems: [UUID: Set<String>] = [:]
        for term in terms where term.kind == .word {
            stems[term.id] = Set(Language.allCases.map { Stemmer.stem(term.term, language: $0) })
        }
        self.stems = stems
    }

    public func matches(_ post: ListenedPost) -> [UUID] {
        guard !terms.isEmpty else { return [] }
        let words = Stemmer.words(in: post.text).map { String(String.UnicodeScalarView($0)) }
        let postStems = Set(words.map { Stemmer.stem($0, language: post.language) })
        let phraseText = " " + words.joined(separator: " ") + " "
        let tags = Set(post.tags.map { $0.lowercased() })
        return terms.filter { term in
            switch term.kind {
            case .word: return !(stems[term.id] ?? []).isDisjoint(with: postStems)
            case .phrase:
                let phrase = Stemmer.words(in: term.term).map { String(String.UnicodeScalarView($0)) }.joined(separator: " ")
                return !phrase.isEmpty && phraseText.contains(" " + phrase + " ")
            case .tag: return tags.contains(term.term)
            }
        }.map(\.id)
    }
}

/// A tag's use in this period against the one before.
public struct TrendingTag: Sendable, Equatable {
    public let tag: String
    public let current: Int
    public let previous: Int

    /// Growth as a fraction of the previous period; nil for a tag that is new.
    public var change: Double? { previous == 0 ? nil : Double(current - previous) / Double(previous) }

    /// Tags rising most: new tags and the largest growth first, where at least `minimum` topics carry
    /// them now (one topic more is not a trend).
    public static func rising(current: [String: Int], previous: [String: Int], minimum: Int = 2, limit: Int = 15) -> [TrendingTag] {
        current.filter { $0.value >= minimum && $0.value > (previous[$0.key] ?? 0) }
            .map { TrendingTag(tag: $0.key, current: $0.value, previous: previous[$0.key] ?? 0) }
            .sorted { left, right in
                let leftGrowth = Double(left.current - left.previous) / Double(max(1, left.previous))
                let rightGrowth = Double(right.current - right.previous) / Double(max(1, right.previous))
                return leftGrowth != rightGrowth ? leftGrowth > rightGrowth : left.tag < right.tag
            }.prefix(limit).map { $0 }
    }
}

/// A week's posts by sentiment.
public struct SentimentWeek: Sendable, Equatable {
    public let week: String
    public var positive: Int
    public var neutral: Int
    public var negative: Int

    public init(week: String, positive: Int = 0, neutral: Int = 0, negative: Int = 0) {
        self.week = week
        self.positive = positive
        self.neutral = neutral
        self.negative = negative
    }

    public var total: Int { positive + neutral + negative }
    public var positiveShare: Double? { total == 0 ? nil : Double(positive) / Double(total) }
    public var negativeShare: Double? { total == 0 ? nil : Double(negative) / Double(total) }
}

/// What the team marked a post as.
public enum InsightKind: String, CaseIterable, Codable, Sendable {
    case problem, wish, success
}

/// Where an insight went.
public enum InsightStatus: String, CaseIterable, Codable, Sendable {
    case open
    /// Turned into a content-calendar item.
    case planned
    /// Sent to a department as an idea.
    case routed
    case closed
}

/// A post the team marked as a problem, a wish or a success: the raw material for the calendar and
/// the feedback loop to departments.
public struct Insight: Sendable, Equatable, Identifiable {
    public let id: UUID
    public let postID: UUID
    public let topicID: UUID
    public var kind: InsightKind
    public var note: String
    public var status: InsightStatus
    /// "calendar:<id>" or "idea:<id>" once it went somewhere.
    public var outcome: String?
    public let createdByID: UUID?
    public let createdAt: Date

    public init(
        id: UUID = UUID(), postID: UUID, topicID: UUID, kind: InsightKind, note: String, status: InsightStatus = .open,
        outcome: String? = nil, createdByID: UUID?, createdAt: Date
    ) {
        self.id = id
        self.postID = postID
        self.topicID = topicID
        self.kind = kind
        self.note = note
        self.status = status
        self.outcome = outcome
        self.createdByID = createdByID
        self.createdAt = createdAt
    }
}
