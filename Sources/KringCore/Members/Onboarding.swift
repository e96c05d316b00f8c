import Foundation

/// A newcomer's first steps (task 4, coaching members: "ninety percent drop out after day one"), in
/// the order the home page offers them. The cockpit counts how many newcomers took each.
public enum OnboardingStep: String, CaseIterable, Codable, Sendable {
    /// A bio or at least one interest: others with the same interests can find them.
    case profile
    case group
    /// A first topic: an introduction or a first question.
    case introduce
    case reply
    case reaction

    /// Where the step is taken.
    public var path: String {
        switch self {
        case .profile: "/settings/profile"
        case .group: "/groups"
        case .introduce: "/topics/new"
        case .reply, .reaction: "/topics"
        }
    }
}

/// The onboarding funnel: of the members who joined in a period, how many took each step.
public struct OnboardingFunnel: Sendable, Equatable {
    public var joined: Int
    public var completed: [OnboardingStep: Int]

    public init(joined: Int, completed: [OnboardingStep: Int]) {
        self.joined = joined
        self.completed = completed
    }

    /// The share of joiners who took a step; nil when nobody joined.
    public func share(_ step: OnboardingStep) -> Double? {
        joined == 0 ? nil : Double(completed[step] ?? 0) / Double(joined)
    }
}
