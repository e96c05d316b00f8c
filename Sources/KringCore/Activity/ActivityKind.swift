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
    case inviteSent = "invite_sent"
    case communitySetup = "community_setup"
    case settingsChange = "settings_change"
    case tokenCreated = "token_created"
    case tokenRevoked = "token_revoked"
}
