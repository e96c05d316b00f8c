import Foundation

/// What happens to a member's contributions when their account is erased (GDPR art. 17). Their
/// personal data — name, e-mail address, profile, sessions, notifications, votes' link to them —
/// goes in either case; the policy decides about what they wrote.
public enum ErasurePolicy: String, Codable, CaseIterable, Sendable {
    /// Posts, ideas, events and documents stay, shown as written by "a former member", so the
    /// conversations others took part in keep making sense. The default, as in most forums.
    case anonymise
    /// Everything they wrote is removed as well: topics they started (with the replies in them),
    /// replies, ideas and comments, polls, events and documents with their files.
    case remove
}

/// The placeholder an erased account leaves behind.
public enum ErasedMember {
    /// A handle that says nothing about the person: `former-` and eight characters of the id.
    public static func handle(for id: UUID) -> String {
        "former-" + id.uuidString.lowercased().prefix(8)
    }

    /// An address that can never receive mail (RFC 2606 reserves `.invalid`), unique per account
    /// because the column is.
    public static func email(for id: UUID) -> String {
        "\(id.uuidString.lowercased())@erased.invalid"
    }

    /// Shown wherever the author's name was.
    public static let displayName = "Former member"
}
