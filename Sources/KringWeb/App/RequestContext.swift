import KringCore
import KringStore
import Vapor

/// What Kring knows about the request in hand: the community, who is asking, in which language,
/// and the CSRF token their forms must carry. Built once per request by `RequestContextMiddleware`.
///
/// A class, and immutable: views read it hundreds of times per page (every post asks for the
/// localizer, the actor, the form token), and each read of a struct this size copied and retained
/// all its fields.
final class RequestContext: Sendable {
    let community: CommunitySettings?
    let member: Member?
    /// The raw session cookie, when the visitor is signed in through one.
    let sessionToken: String?
    /// True when the member was authenticated by an API access token rather than a cookie.
    let viaAccessToken: Bool
    /// A random per-browser value that anonymous visitors' CSRF tokens are bound to.
    let anonymousSeed: String?
    let issuedNewAnonymousSeed: Bool
    let localizer: Localizer
    let csrfToken: String
    /// A one-shot message key from the previous request (e.g. "flash.profile_saved").
    let flash: String?
    /// The community manager's own main-menu entries.
    let menu: [MenuItem]
    /// Unread notifications of the signed-in member, for the header.
    let unreadNotifications: Int
    /// What sanctions in force allow the signed-in member.
    let restriction: Restriction
    /// Whether the community has house rules (a landing page) that members accept.
    let hasHouseRules: Bool
    /// The house rules' current version; members who accepted an older one are asked again.
    let rulesVersion: Int
    let actor: Actor

    init(
        community: CommunitySettings? = nil, member: Member? = nil, sessionToken: String? = nil, viaAccessToken: Bool = false,
        anonymousSeed: String? = nil, issuedNewAnonymousSeed: Bool = false, localizer: Localizer, csrfToken: String,
        flash: String? = nil, menu: [MenuItem] = [], unreadNotifications: Int = 0, restriction: Restriction = .none,
        hasHouseRules: Bool = false, rulesVersion: Int = 0
    ) {
        self.community = community
        self.member = member
        self.sessionToken = sessionToken
        self.viaAccessToken = viaAccessToken
        self.anonymousSeed = anonymousSeed
        self.issuedNewAnonymousSeed = issuedNewAnonymousSeed
        self.localizer = localizer
        self.csrfToken = csrfToken
        self.flash = flash
        self.menu = menu
        self.unreadNotifications = unreadNotifications
        self.restriction = restriction
        self.hasHouseRules = hasHouseRules
        self.rulesVersion = rulesVersion
        self.actor = member?.actor ?? .anonymous
    }

    /// True when the signed-in member must accept (new) house rules before posting.
    var mustAcceptRules: Bool {
        guard let member, rulesVersion > 0, member.role < .moderator else { return false }
        return member.acceptedRulesVersion < rulesVersion
    }

    var language: Language { localizer.language }
    var readAccess: ReadAccess { community?.readAccess ?? .public }
}

extension Request {
    private struct ContextKey: StorageKey {
        typealias Value = RequestContext
    }

    /// The request's context. Routes behind `RequestContextMiddleware` always have one; before it
    /// (error pages for static files) a neutral English one stands in.
    var context: RequestContext {
        get {
            if let context = storage[ContextKey.self] { return context }
            let services = application.kring
            return RequestContext(
                localizer: Localizer(language: .en, catalog: services.catalog, timeZone: .gmt), csrfToken: "")
        }
        set { storage[ContextKey.self] = newValue }
    }

    var hasContext: Bool { storage[ContextKey.self] != nil }

    /// Asks the one policy whether the current actor may do `action`.
    func decide(_ action: Action) -> Decision {
        Policy.decide(context.actor, action, readAccess: context.readAccess)
    }

    /// Throws the fitting HTTP error unless the policy allows `action`.
    func authorize(_ action: Action) throws {
        switch decide(action) {
        case .allow: return
        case .signInRequired: throw Abort(.unauthorized)
        case .forbidden: throw Abort(.forbidden)
        }
    }

    /// The signed-in member, or a 401.
    func requireMember() throws -> Member {
        guard let member = context.member else { throw Abort(.unauthorized) }
        return member
    }

    /// The signed-in member if they may write (post, reply, react, flag, start groups): a silenced
    /// member gets a 403 that says until when.
    func requireContributor() throws -> Member {
        let member = try requireMember()
        guard context.restriction.mayPost else {
            let t = context.localizer
            let until =
                context.restriction.sanction?.endsAt.map { t("sanctions.until", ["date": t.dateTime($0)]) } ?? t("sanctions.until_lifted")
            throw Abort(.forbidden, reason: t("sanctions.silenced_error", ["until": until]))
        }
        return member
    }

    /// Writes an entry in the staff action log for the signed-in member.
    func audit(
        _ action: String, subjectType: String, subjectID: UUID? = nil, label: String, reason: String = "", before: String = "",
        after: String = ""
    ) async throws {
        guard let member = context.member else { return }
        try await repositories.audit.record(
            action, by: member, subjectType: subjectType, subjectID: subjectID, label: label, reason: reason, before: before, after: after)
    }

    var isAPI: Bool { url.path.hasPrefix("/api/") }

    /// Redirects (303, so a form post becomes a GET) with a one-shot message from the catalog.
    func redirect(to path: String, flash: String) -> Response {
        let response = redirect(to: path)
        response.cookies[CookieName.flash] = application.cookie(flash, maxAge: 60)
        return response
    }

    /// A redirect whose flash message has whole numbers to fill in ("sent to {count} members"),
    /// carried as `flash.key|name=12`; anything but digits is dropped.
    func redirect(to path: String, flash: String, values: [String: String]) -> Response {
        let numbers = values.filter { !$0.value.isEmpty && $0.value.allSatisfy(\.isASCII) && $0.value.allSatisfy(\.isNumber) }
        return redirect(
            to: path, flash: ([flash] + numbers.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }).joined(separator: "|"))
    }

    /// The client's address for rate limits and session records: the first `X-Forwarded-For` hop
    /// when Kring runs behind a proxy it trusts (`KRING_TRUST_PROXY=1`), else the connection's peer.
    var clientAddress: String {
        if application.kring.config.trustsProxy,
            let forwarded = headers.first(name: .xForwardedFor)?.split(separator: ",").first?.trimmingCharacters(in: .whitespaces),
            !forwarded.isEmpty
        {
            return forwarded
        }
        return remoteAddress?.ipAddress ?? "unknown"
    }

    /// True when the client's address says nothing about who it is (a local proxy or a test).
    var clientAddressIsLocal: Bool {
        let address = clientAddress
        return address == "unknown" || address.hasPrefix("127.") || address == "::1"
    }
}

/// Names of the cookies Kring sets.
enum CookieName {
    static let session = "kring_session"
    static let csrfSeed = "kring_csrf"
    static let language = "kring_lang"
    static let flash = "kring_flash"
}
