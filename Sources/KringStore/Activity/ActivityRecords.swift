import FluentKit
import Foundation

final class ActivityEventRecord: Model, @unchecked Sendable {
    static let schema = "activity_events"

    @ID(key: .id) var id: UUID?
    @OptionalField(key: "actor_id") var actorID: UUID?
    /// Copied from the actor at the time, so metrics can leave staff out without a join.
    @Field(key: "actor_is_staff") var actorIsStaff: Bool
    /// Copied from the actor too: automated accounts are kept apart from members and staff.
    @Field(key: "actor_is_bot") var actorIsBot: Bool
    @Field(key: "kind") var kind: String
    @OptionalField(key: "subject_type") var subjectType: String?
    @OptionalField(key: "subject_id") var subjectID: UUID?
    @OptionalField(key: "group_id") var groupID: UUID?
    @Field(key: "occurred_at") var occurredAt: Date

    init() {}
}
