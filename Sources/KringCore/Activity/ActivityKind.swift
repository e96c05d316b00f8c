/// What happened, as written to the activity log. Analytics, audit and notifications read these;
/// raw values are stored, so never rename one.
public enum ActivityKind: String, Codable, CaseIterable, Sendable {
    case visit
    case signup
    case login
    case logout
    case profileUpdate = "profile_update"
    case passwordChange = "password_change"
    case passwordReset = "password_reset"
    case roleChange = "role_change"
    case staffChange = "staff_change"
    case memberApproved = "member_approved"
    case memberRejected = "member_rejected"
    /// The personal data of an account was erased on request; the actor is the member or an admin.
    case memberErased = "member_erased"
    case inviteSent = "invite_sent"
    case communitySetup = "community_setup"
    case settingsChange = "settings_change"
    case tokenCreated = "token_created"
    case tokenRevoked = "token_revoked"
    case groupCreated = "group_created"
    case groupUpdated = "group_updated"
    case groupArchived = "group_archived"
    case groupRestored = "group_restored"
    case groupJoined = "group_joined"
    case groupLeft = "group_left"
    case groupJoinRequested = "group_join_requested"
    case groupInvited = "group_invited"
    case topicCreated = "topic_created"
    case replyCreated = "reply_created"
    case postEdited = "post_edited"
    case postDeleted = "post_deleted"
    case postRestored = "post_restored"
    case topicPinned = "topic_pinned"
    case reactionAdded = "reaction_added"
    case reactionRemoved = "reaction_removed"
    case solutionAccepted = "solution_accepted"
    case tagChanged = "tag_changed"
    case flagCreated = "flag_created"
    case flagResolved = "flag_resolved"
    /// A post held for a moderator (newcomer, watched word, spam sign): with flags, what makes the queue's size over time.
    case postHeld = "post_held"
    case eventCreated = "event_created"
    case eventChanged = "event_changed"
    case eventCancelled = "event_cancelled"
    /// A goal set, changed or archived by the community management team.
    case goalChanged = "goal_changed"
    case rsvp
    case checkIn = "check_in"
    case pollCreated = "poll_created"
    case pollVoted = "poll_voted"
    case ideaSubmitted = "idea_submitted"
    case ideaVoted = "idea_voted"
    case ideaRouted = "idea_routed"
    /// An official response from the organisation, usually with a status change: what department response times measure.
    case ideaResponded = "idea_responded"
    /// An official response that moved the idea to another status (the status log for throughput).
    case ideaStatusChanged = "idea_status_changed"
    case documentUploaded = "document_uploaded"
    /// A new version of a document's file.
    case documentReplaced = "document_replaced"
    case documentDeleted = "document_deleted"
    case sanctionImposed = "sanction_imposed"
    case sanctionLifted = "sanction_lifted"
}
