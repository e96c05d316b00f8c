import Crypto
import KringCore
import KringStore
import Vapor

extension Repositories {
    public var memberMail: MemberMailRepository { MemberMailRepository(database: database, clock: clock) }
}

/// The one-click unsubscribe address in list mail: the member and the list, signed with the
/// instance's key, so the link works without signing in and cannot be forged for someone else.
enum UnsubscribeLink {
    static func token(memberID: UUID, list: MailList, key: SymmetricKey) -> String {
        let payload = memberID.uuidString.lowercased() + "|" + list.rawValue
        return Data(payload.utf8).base64URLEncoded() + "." + SecretToken.sign("unsubscribe|" + payload, key: key)
    }

    static func url(memberID: UUID, list: MailList, services: KringServices) -> String {
        services.config.baseURL + "/unsubscribe/" + token(memberID: memberID, list: list, key: services.csrfKey)
    }

    /// The member and list a token names, if its signature holds.
    static func verify(_ token: String, key: SymmetricKey) -> (memberID: UUID, list: MailList)? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let data = Data(base64URLEncoded: String(parts[0])), let payload = String(data: data, encoding: .utf8),
            SecretToken.constantTimeEquals(String(parts[1]), SecretToken.sign("unsubscribe|" + payload, key: key))
        else { return nil }
        let fields = payload.split(separator: "|")
        guard fields.count == 2, let memberID = UUID(uuidString: String(fields[0])), let list = MailList(rawValue: String(fields[1]))
        else { return nil }
        return (memberID, list)
    }
}

extension Data {
    /// Reads URL-safe base64 with or without padding.
    init?(base64URLEncoded text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        self.init(base64Encoded: base64)
    }
}

/// `/unsubscribe/:token`: the page behind the link (a button, so a mail scanner that follows links
/// unsubscribes nobody) and the POST that leaves the list — from that button or, per RFC 8058, from
/// the mail client itself. The signed token stands in for the CSRF token and the sign-in.
struct UnsubscribeController: RouteCollection {
    static let pathPrefix = "/unsubscribe/"

    func boot(routes: any RoutesBuilder) throws {
        routes.get("unsubscribe", ":token", use: confirm)
        routes.post("unsubscribe", ":token", use: unsubscribe)
    }

    private func target(_ request: Request) async throws -> (member: Member, list: MailList) {
        guard let token = request.parameters.get("token"),
            let (memberID, list) = UnsubscribeLink.verify(token, key: request.application.kring.csrfKey),
            let member = try await request.repositories.members.find(id: memberID), member.status != .erased
        else { throw Abort(.notFound, reason: "This unsubscribe link is not valid.") }
        return (member, list)
    }

    @Sendable func confirm(request: Request) async throws -> Response {
        let (member, list) = try await target(request)
        let t = request.context.localizer
        return Layout.page(request, title: t("unsubscribe.title")) {
            H.div(.class("narrow")) {
                H.h1 { t("unsubscribe.title") }
                H.p(.id("unsubscribe-question")) {
                    t("unsubscribe.question", ["email": member.email, "list": t("mail_lists.list.\(list.rawValue)")])
                }
                H.form(action: .to(request.url.path), .id("unsubscribe-form")) {
                    Forms.submit(t("unsubscribe.confirm"), id: "unsubscribe-submit")
                }
                H.p(.class("muted")) { t("unsubscribe.settings_hint") + " " }
                H.p { H.a(.to("/settings/notifications")) { t("notifications.preferences") } }
            }
        }
    }

    @Sendable func unsubscribe(request: Request) async throws -> Response {
        let (member, list) = try await target(request)
        try await request.repositories.memberMail.unsubscribe(member.id, from: list)
        let t = request.context.localizer
        return Layout.page(request, title: t("unsubscribe.done_title")) {
            H.div(.class("narrow")) {
                H.h1 { t("unsubscribe.done_title") }
                H.p(.id("unsubscribe-done")) {
                    t("unsubscribe.done", ["email": member.email, "list": t("mail_lists.list.\(list.rawValue)")])
                }
                H.p { H.a(.to("/settings/notifications")) { t("notifications.preferences") } }
            }
        }
    }
}
