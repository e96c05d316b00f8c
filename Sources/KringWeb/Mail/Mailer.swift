import KringCore
import KringStore
import Vapor

/// Writes Kring's e-mails in the recipient's language and puts them in the outbox. Call it with
/// the repositories of the transaction that causes the mail, so mail and change land together.
struct Mailer {
    let repositories: Repositories
    let services: KringServices
    let community: CommunitySettings

    private func localizer(_ language: Language?) -> Localizer {
        Localizer(
            language: language ?? community.defaultLanguage, catalog: services.catalog,
            timeZone: TimeZone(identifier: community.timeZone) ?? .gmt)
    }

    private func link(_ path: String) -> String { services.config.baseURL + path }

    private func enqueue(
        kind: String, to address: String, name: String, language: Language?, subjectKey: String, bodyKey: String,
        arguments: [String: String]
    ) async throws {
        let t = localizer(language)
        var all = arguments
        all["community"] = community.name
        all["name"] = name
        try await repositories.outbox.enqueue(
            NewOutboxMessage(kind: kind, recipient: address, recipientName: name, subject: t(subjectKey, all), bodyText: t(bodyKey, all)))
    }

    func passwordReset(for member: Member, token: String) async throws {
        try await enqueue(
            kind: "password_reset", to: member.email, name: member.displayName, language: member.profile.preferredLanguage,
            subjectKey: "mail.reset.subject", bodyKey: "mail.reset.body", arguments: ["link": link("/password/reset/\(token)")])
    }

    func invitation(to address: String, from inviter: Member, token: String, note: String) async throws {
        try await enqueue(
            kind: "invitation", to: address, name: address, language: nil, subjectKey: "mail.invite.subject",
            bodyKey: "mail.invite.body",
            arguments: [
                "inviter": inviter.displayName, "link": link("/register?invite=\(token)"),
                "note": note.isEmpty ? "" : "\n\n“\(note)”\n",
            ])
    }

    func accountApproved(_ member: Member) async throws {
        try await enqueue(
            kind: "account_approved", to: member.email, name: member.displayName, language: member.profile.preferredLanguage,
            subjectKey: "mail.approved.subject", bodyKey: "mail.approved.body", arguments: ["link": link("/login")])
    }

    func awaitingApproval(_ member: Member, notify manager: Member) async throws {
        try await enqueue(
            kind: "approval_needed", to: manager.email, name: manager.displayName, language: manager.profile.preferredLanguage,
            subjectKey: "mail.pending.subject", bodyKey: "mail.pending.body",
            arguments: ["member": "\(member.displayName) (@\(member.handle))", "link": link("/admin/members?status=pending")])
    }

    /// Introduces `member` to `other` on behalf of the team.
    func introduction(_ member: Member, to other: Member, reasons: [PeopleToMeet.Reason], note: String, by sender: Member) async throws {
        let t = localizer(member.profile.preferredLanguage)
        let why = MemberViews.reasons(reasons, t)
        try await enqueue(
            kind: "introduction", to: member.email, name: member.displayName, language: member.profile.preferredLanguage,
            subjectKey: "mail.introduction.subject", bodyKey: "mail.introduction.body",
            arguments: [
                "other": other.displayName, "sender": sender.displayName, "link": link("/members/\(other.handle)"),
                "why": why.isEmpty ? "" : "\n\n" + why, "note": note.isEmpty ? "" : "\n\n“\(note)”",
            ])
    }

    /// The welcome mail; with the team's welcome message in it when they wrote one.
    func welcome(_ member: Member, message: WelcomeMessage? = nil) async throws {
        var arguments = ["link": link("/settings/profile")]
        if let message {
            arguments["message"] = message.text
            arguments["sender"] = message.sender?.displayName ?? community.name
        }
        try await enqueue(
            kind: "welcome", to: member.email, name: member.displayName, language: member.profile.preferredLanguage,
            subjectKey: "mail.welcome.subject", bodyKey: message == nil ? "mail.welcome.body" : "mail.welcome.personal_body",
            arguments: arguments)
    }
}

extension Request {
    /// A mailer bound to this request's database, or a transaction's repositories when given.
    func mailer(_ repositories: Repositories? = nil) throws -> Mailer {
        guard let community = context.community else { throw Abort(.serviceUnavailable) }
        return Mailer(repositories: repositories ?? self.repositories, services: application.kring, community: community)
    }
}
