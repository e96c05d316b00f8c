import Foundation

/// When a poll's results show.
public enum PollResultsVisibility: String, Codable, CaseIterable, Sendable {
    /// To those who voted, and to everyone once it closes.
    case afterVote = "after_vote"
    /// Only once the poll has closed.
    case afterClose = "after_close"
}

/// A poll (a trial balloon) as pages show it.
public struct Poll: Sendable, Equatable, Identifiable {
    public struct Option: Sendable, Equatable, Identifiable {
        public let id: UUID
        public let label: String
        public let votes: Int
        /// Who chose it; empty for anonymous polls.
        public let voters: [String]

        public init(id: UUID, label: String, votes: Int, voters: [String]) {
            self.id = id
            self.label = label
            self.votes = votes
            self.voters = voters
        }
    }

    public let id: UUID
    public let topicID: UUID?
    public let groupID: UUID?
    public let authorID: UUID
    public let question: String
    public let allowsMultiple: Bool
    public let isAnonymous: Bool
    public let resultsVisibility: PollResultsVisibility
    public let closesAt: Date?
    public let closedAt: Date?
    public let options: [Option]
    /// Distinct members who voted.
    public let voterCount: Int
    /// The viewer's current choices.
    public let myChoices: Set<UUID>
    public let createdAt: Date

    public init(
        id: UUID, topicID: UUID?, groupID: UUID?, authorID: UUID, question: String, allowsMultiple: Bool, isAnonymous: Bool,
        resultsVisibility: PollResultsVisibility, closesAt: Date?, closedAt: Date?, options: [Option], voterCount: Int,
        myChoices: Set<UUID>,
        createdAt: Date
    ) {
        self.id = id
        self.topicID = topicID
        self.groupID = groupID
        self.authorID = authorID
        self.question = question
        self.allowsMultiple = allowsMultiple
        self.isAnonymous = isAnonymous
        self.resultsVisibility = resultsVisibility
        self.closesAt = closesAt
        self.closedAt = closedAt
        self.options = options
        self.voterCount = voterCount
        self.myChoices = myChoices
        self.createdAt = createdAt
    }

    /// Closed by hand, or past its closing time.
    public func isClosed(at date: Date) -> Bool {
        closedAt != nil || (closesAt.map { $0 <= date } ?? false)
    }

    /// Whether the viewer sees the counts now.
    public func showsResults(to actor: Actor, at date: Date) -> Bool {
        if isClosed(at: date) || actor.memberID == authorID || actor.has(.moderator) { return true }
        return resultsVisibility == .afterVote && !myChoices.isEmpty
    }
}

/// Rules for polls.
public enum PollRules {
    public static let optionCount = 2...20
    public static let labelMaxLength = 200

    public static func question(_ raw: String) throws(ValidationFailure) -> String {
        let question = MemberRules.singleLine(raw)
        guard !question.isEmpty else { throw ValidationFailure(field: "question", code: "required") }
        guard question.count <= 200 else { throw ValidationFailure(field: "question", code: "too_long") }
        return question
    }

    /// One option per line; blank lines dropped, duplicates refused.
    public static func options(_ raw: String) throws(ValidationFailure) -> [String] {
        try options(raw.split(whereSeparator: \.isNewline).map(String.init))
    }

    /// The options as a list (the API sends them so); each is made single-line, blank ones dropped.
    public static func options(_ list: [String]) throws(ValidationFailure) -> [String] {
        let options = list.map(MemberRules.singleLine).filter { !$0.isEmpty }
        guard optionCount.contains(options.count) else { throw ValidationFailure(field: "options", code: "poll.option_count") }
        guard options.allSatisfy({ $0.count <= labelMaxLength }) else { throw ValidationFailure(field: "options", code: "too_long") }
        guard Set(options.map { $0.lowercased() }).count == options.count else {
            throw ValidationFailure(field: "options", code: "poll.duplicate")
        }
        return options
    }

    /// A vote: at least one option of this poll; exactly one unless multiple choice.
    public static func choices(_ chosen: [UUID], of poll: Poll) throws(ValidationFailure) -> Set<UUID> {
        let valid = Set(poll.options.map(\.id))
        let choices = Set(chosen)
        guard !choices.isEmpty, choices.isSubset(of: valid) else { throw ValidationFailure(field: "option", code: "poll.choose") }
        guard poll.allowsMultiple || choices.count == 1 else { throw ValidationFailure(field: "option", code: "poll.one") }
        return choices
    }
}
