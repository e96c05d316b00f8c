import KringCore
import KringStore
import Vapor

extension Request {
    struct FlagForm: Content {
        var reason: String?
        var note: String?
    }

    /// Reads a flag form (reason, and a note when the reason is "other") and the community's threshold.
    func flagInput() async throws -> (reason: FlagReason, note: String, threshold: Int) {
        let form = try content.decode(FlagForm.self)
        let reason = try CommunityRules.choice(form.reason, as: FlagReason.self, field: "reason")
        let note = try ModerationRules.reason(form.note ?? "", field: "note", required: reason == .other)
        return (reason, note, try await repositories.community.moderationSettings().flagThreshold)
    }

    /// Flags an event or a document; returns whether it is now hidden.
    func flag(_ content: FlaggableContent, by member: Member) async throws -> Bool {
        let input = try await flagInput()
        return try await repositories.moderation.flag(
            content, by: member, reason: input.reason, note: input.note, threshold: input.threshold)
    }
}
