import Foundation

/// Why a member flags something.
public enum FlagReason: String, Codable, CaseIterable, Sendable {
    case spam
    case offTopic = "off_topic"
    case offensive
    case other
}

/// How a moderator settled the flags on an item. Raw values are stored.
public enum FlagResolution: String, Codable, CaseIterable, Sendable {
    /// The flaggers were right (the item was hidden or deleted).
    case agreed
    /// The item stays; the flags were not upheld.
    case disagreed
}

/// The measures a moderator can take against a member.
public enum SanctionKind: String, Codable, CaseIterable, Sendable {
    /// A private message with the reason; no restriction.
    case warning
    /// Read-only: the member may read but not post, reply or react.
    case silence
    /// The member cannot log in.
    case suspension
    /// The member cannot log in, and their e-mail address and handle cannot register again.
    case ban

    /// Whether the member may still write while this is in force.
    public var allowsPosting: Bool { self == .warning }
    /// Whether the member may still log in while this is in force.
    public var allowsLogin: Bool { self == .warning || self == .silence }
}

/// A sanction as pages show it.
public struct Sanction: Sendable, Equatable, Identifiable {
    public let id: UUID
    public let memberID: UUID
    public let kind: SanctionKind
    public let reason: String
    public let startsAt: Date
    /// nil: until lifted by hand.
    public let endsAt: Date?
    public let createdByID: UUID?
    public let liftedAt: Date?

    public init(
        id: UUID, memberID: UUID, kind: SanctionKind, reason: String, startsAt: Date, endsAt: Date?, createdByID: UUID?, liftedAt: Date?
    ) {
        self.id = id
        self.memberID = memberID
        self.kind = kind
        self.reason = reason
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.createdByID = createdByID
        self.liftedAt = liftedAt
    }

    /// In force at `date`: not ended, not lifted. A warning is never "in force". (Sanctions start
    /// when imposed; the start is not compared, since stored times may round a hair later.)
    public func isInForce(at date: Date) -> Bool {
        guard kind != .warning, liftedAt == nil else { return false }
        return endsAt.map { $0 > date } ?? true
    }
}

/// What a member may do, given the sanctions in force.
public struct Restriction: Sendable, Equatable {
    public let sanction: Sanction?

    public static let none = Restriction(sanction: nil)

    public init(sanction: Sanction?) { self.sanction = sanction }

    public var mayPost: Bool { sanction?.kind.allowsPosting ?? true }
    public var mayLogIn: Bool { sanction?.kind.allowsLogin ?? true }

    /// The strictest sanction in force among `sanctions` at `date`.
    public static func from(_ sanctions: [Sanction], at date: Date) -> Restriction {
        let order: [SanctionKind] = [.ban, .suspension, .silence]
        let active = sanctions.filter { $0.isInForce(at: date) }
        for kind in order {
            if let sanction = active.filter({ $0.kind == kind }).max(by: { ($0.endsAt ?? .distantFuture) < ($1.endsAt ?? .distantFuture) })
            {
                return Restriction(sanction: sanction)
            }
        }
        return .none
    }
}

/// Rules for moderation input.
public enum ModerationRules {
    public static let reasonMaxLength = 1000
    /// How many distinct members' flags hide an item until a moderator looks, unless the community set another number.
    public static let defaultHideThreshold = 3

    public static func reason(_ raw: String, field: String = "reason", required: Bool = true) throws(ValidationFailure) -> String {
        let text = raw.replacingOccurrences(of: "\r\n", with: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        if required, text.isEmpty { throw ValidationFailure(field: field, code: "required") }
        guard text.count <= reasonMaxLength else { throw ValidationFailure(field: field, code: "too_long") }
        return text
    }

    /// A duration in days from a form: empty means permanent (nil); otherwise 1 to 3650 days.
    public static func days(_ raw: String?, field: String = "days") throws(ValidationFailure) -> Int? {
        guard let raw = raw?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
        guard let days = Int(raw), (1...3650).contains(days) else { throw ValidationFailure(field: field, code: "days.invalid") }
        return days
    }

    /// The share of a member's flags that moderators upheld; nil before any was settled.
    public static func reliability(agreed: Int, disagreed: Int) -> Double? {
        let total = agreed + disagreed
        return total == 0 ? nil : Double(agreed) / Double(total)
    }

    /// Sorts the review queue: more distinct flaggers first, weighted by how reliable they were
    /// (unknown counts as 0.5), then the oldest first.
    public static func priority(flaggerReliabilities: [Double?]) -> Double {
        flaggerReliabilities.reduce(0) { $0 + 0.5 + ($1 ?? 0.5) }
    }
}

/// The community's moderation settings, edited by community managers.
public struct ModerationSettings: Sendable, Equatable {
    /// Distinct members' flags that hide a post until a moderator decides.
    public var flagThreshold: Int
    /// A new member's first posts held for approval (0: none).
    public var newcomerHeldPosts: Int
    /// Links allowed in a post by a member with fewer than `newcomerPostCount` posts; more holds the post.
    public var newcomerMaxLinks: Int
    public var postsPerMinute: Int
    public var postsPerHour: Int
    /// The house rules' version; raised on a material change, so members accept again.
    public var rulesVersion: Int

    /// Members with fewer posts than this are "newcomers" for link limits and spam heuristics.
    public static let newcomerPostCount = 5

    public init(
        flagThreshold: Int = 3, newcomerHeldPosts: Int = 0, newcomerMaxLinks: Int = 2, postsPerMinute: Int = 5, postsPerHour: Int = 60,
        rulesVersion: Int = 0
    ) {
        self.flagThreshold = flagThreshold
        self.newcomerHeldPosts = newcomerHeldPosts
        self.newcomerMaxLinks = newcomerMaxLinks
        self.postsPerMinute = postsPerMinute
        self.postsPerHour = postsPerHour
        self.rulesVersion = rulesVersion
    }
}

/// What a watched word does when a post contains it.
public enum WatchedWordAction: String, Codable, CaseIterable, Sendable {
    /// The post is refused with a message.
    case block
    /// The post is held until a moderator approves it.
    case approve
    /// The post goes up, and into the review queue.
    case flag
    /// The word is replaced.
    case censor
    /// The topic gets a tag.
    case tag
}

/// A word or pattern the moderators watch for. `*` matches any letters; matching is by whole words.
public struct WatchedWord: Sendable, Equatable, Identifiable {
    public let id: UUID
    public var pattern: String
    public var action: WatchedWordAction
    public var caseSensitive: Bool
    public var replacement: String
    public var tag: String
    public var enabled: Bool

    public init(
        id: UUID = UUID(), pattern: String, action: WatchedWordAction, caseSensitive: Bool = false, replacement: String = "■■■",
        tag: String = "",
        enabled: Bool = true
    ) {
        self.id = id
        self.pattern = pattern
        self.action = action
        self.caseSensitive = caseSensitive
        self.replacement = replacement
        self.tag = tag
        self.enabled = enabled
    }

    /// The pattern as a regular expression: escaped, `*` as letters, whole words.
    public var regularExpression: NSRegularExpression? {
        let escaped = NSRegularExpression.escapedPattern(for: pattern).replacingOccurrences(of: "\\*", with: "[\\p{L}\\p{N}]*")
        return try? NSRegularExpression(
            pattern: "(?<![\\p{L}\\p{N}])" + escaped + "(?![\\p{L}\\p{N}])", options: caseSensitive ? [] : [.caseInsensitive])
    }

    /// The matches of this word in a text.
    public func matches(in text: String) -> [String] {
        guard let regex = regularExpression else { return [] }
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap {
            Range($0.range, in: text).map { String(text[$0]) }
        }
    }
}

/// The outcome of checking a text against the watched words.
public struct WatchedWordVerdict: Sendable, Equatable {
    /// The text after censoring.
    public var text: String
    /// Set when a blocking word was found: the word.
    public var blockedBy: String?
    /// Set when a word requires approval: the word.
    public var holdFor: String?
    /// Words that put the post in the review queue.
    public var flaggedFor: [String] = []
    /// Tags to add to the topic.
    public var tags: [String] = []

    /// Applies every enabled word to `text`.
    public static func check(_ text: String, against words: [WatchedWord]) -> WatchedWordVerdict {
        var verdict = WatchedWordVerdict(text: text)
        for word in words where word.enabled {
            guard let found = word.matches(in: verdict.text).first else { continue }
            switch word.action {
            case .block: if verdict.blockedBy == nil { verdict.blockedBy = found }
            case .approve: if verdict.holdFor == nil { verdict.holdFor = word.pattern }
            case .flag: verdict.flaggedFor.append(word.pattern)
            case .tag: if !word.tag.isEmpty { verdict.tags.append(word.tag) }
            case .censor:
                if let regex = word.regularExpression {
                    verdict.text = regex.stringByReplacingMatches(
                        in: verdict.text, range: NSRange(verdict.text.startIndex..., in: verdict.text),
                        withTemplate: NSRegularExpression.escapedTemplate(for: word.replacement))
                }
            }
        }
        return verdict
    }
}

/// Counting links in a post (Markdown links, autolinks and bare addresses).
public enum LinkCounter {
    public static func count(in text: String) -> Int {
        guard let regex = try? NSRegularExpression(pattern: "https?://|www\\.", options: [.caseInsensitive]) else { return 0 }
        return regex.numberOfMatches(in: text, range: NSRange(text.startIndex..., in: text))
    }
}
