import KringCore
import KringStore
import Vapor

/// Builds the `RequestContext`: loads the community, authenticates the session cookie or API
/// token, picks the language, and prepares the CSRF token. Sets the cookies that go with it.
struct RequestContextMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let services = request.application.kring
        let repositories = request.repositories
        let stamp = await request.contentStamp()
        let chrome = try await Self.chrome(of: request, at: stamp)
        let community = chrome.community?.settings

        var member: Member?
        var sessionToken: String?
        var viaAccessToken = false
        var cached: RequestContextCache.MemberEntry?
        if request.isAPI {
            if let bearer = request.headers.bearerAuthorization?.token {
                guard let owner = try await repositories.accessTokens.member(forTokenHash: SecretToken.hash(bearer)) else {
                    throw Abort(.unauthorized, reason: "The access token is unknown or revoked.")
                }
                member = owner
                viaAccessToken = true
            }
        } else if let cookie = request.cookies[CookieName.session]?.string, !cookie.isEmpty,
            let memberID = try await repositories.sessions.memberID(
                forTokenHash: SecretToken.hash(cookie), lifetime: services.config.sessionLifetime)
        {
            cached = try await Self.memberEntry(memberID, of: request, at: stamp)
            member = cached?.member
            if member != nil { sessionToken = cookie }
        }

        // A suspended or banned member is signed out wherever they are.
        var restriction = Restriction.none
        if let signedIn = member {
            restriction =
                if let cached { Restriction.from(cached.unliftedSanctions, at: repositories.clock.now()) } else {
                    try await repositories.sanctions.restriction(of: signedIn.id)
                }
            if !restriction.mayLogIn {
                if let cookie = sessionToken { try await repositories.sessions.delete(tokenHash: SecretToken.hash(cookie)) }
                if viaAccessToken { throw Abort(.unauthorized, reason: "This account is suspended.") }
                member = nil
                sessionToken = nil
                cached = nil
                restriction = .none
            }
        }

        var anonymousSeed = request.cookies[CookieName.csrfSeed]?.string
        var issuedSeed = false
        if sessionToken == nil, !request.isAPI {
            let seed = AnonymousSeed(request)
            anonymousSeed = seed.value
            issuedSeed = seed.issued
        }
        let language = Self.language(for: request, member: member, community: community)
        let timeZone = community.flatMap { TimeZone(identifier: $0.timeZone) } ?? .gmt
        let csrfBinding = sessionToken ?? anonymousSeed ?? ""
        let flash = request.cookies[CookieName.flash]?.string

        if let member {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = timeZone
            try? await repositories.members.touchLastSeen(of: member, dayStart: calendar.startOfDay(for: repositories.clock.now()))
        }
        let showsChrome = !request.isAPI && community != nil
        var unread = 0
        if showsChrome, let cached { unread = try await Self.unreadCount(of: request, entry: cached, at: stamp) }

        request.context = RequestContext(
            community: community, member: member, sessionToken: sessionToken, viaAccessToken: viaAccessToken,
            anonymousSeed: anonymousSeed, issuedNewAnonymousSeed: issuedSeed,
            localizer: Localizer(language: language, catalog: services.catalog, timeZone: timeZone),
            csrfToken: AnonymousSeed.csrfToken(binding: csrfBinding, key: services.csrfKey), flash: flash,
            menu: showsChrome ? chrome.menu : [], unreadNotifications: unread, restriction: restriction,
            hasHouseRules: showsChrome && chrome.hasHouseRules,
            rulesVersion: showsChrome ? chrome.community?.moderation.rulesVersion ?? 0 : 0)
        if let cached { request.useViewer(cached.viewer) }

        let response = try await next.respond(to: request)
        if request.method == .GET, !request.isAPI, response.status == .ok, response.headers.contentType == .html {
            await request.application.pageViews.add(day: LocalDay.key(of: repositories.clock.now(), in: timeZone))
        }
        if issuedSeed, let anonymousSeed {
            response.cookies[CookieName.csrfSeed] = request.application.cookie(anonymousSeed, maxAge: nil)
        }
        // A session that ended (expired, signed out elsewhere) leaves its cookie behind: clear it, so
        // the visitor is plainly signed out again (and served cached pages).
        if !request.isAPI, sessionToken == nil, request.cookies[CookieName.session] != nil, response.cookies[CookieName.session] == nil {
            response.cookies[CookieName.session] = request.application.expiredCookie()
        }
        if flash != nil, response.cookies[CookieName.flash] == nil, response.status != .seeOther {
            response.cookies[CookieName.flash] = request.application.expiredCookie()
        }
        return response
    }

    /// The community's settings, menu and house rules: kept while the content stands.
    private static func chrome(of request: Request, at stamp: ContentVersion.Stamp?) async throws -> RequestContextCache.Chrome {
        let cache = request.application.kring.requestContexts
        if let stamp, let chrome = cache.chrome(at: stamp) { return chrome }
        let repositories = request.repositories
        let community = try await repositories.community.settingsWithModeration()
        let chrome = RequestContextCache.Chrome(
            community: community.map { (settings: $0.0, moderation: $0.1) },
            menu: community == nil ? [] : try await repositories.navigation.menu(),
            hasHouseRules: community == nil ? false : try await HouseRules.page(repositories) != nil)
        if let stamp { cache.keep(chrome, at: stamp) }
        return chrome
    }

    /// The signed-in member's account, sanctions and memberships, kept while the content stands;
    /// nil when the account is not active.
    private static func memberEntry(_ memberID: UUID, of request: Request, at stamp: ContentVersion.Stamp?) async throws
        -> RequestContextCache.MemberEntry?
    {
        let cache = request.application.kring.requestContexts
        if let stamp, let entry = cache.member(memberID, at: stamp) { return entry }
        let repositories = request.repositories
        guard let member = try await repositories.members.findActive(id: memberID) else { return nil }
        let entry = RequestContextCache.MemberEntry(
            member: member, unliftedSanctions: try await repositories.sanctions.unlifted(of: memberID),
            viewer: try await Viewer.load(member.actor, on: request.db))
        if let stamp { cache.keep(entry, at: stamp) }
        return entry
    }

    /// The header's count of unread notifications the member may still see, counted again only
    /// when their unread notifications or the content changed.
    private static func unreadCount(of request: Request, entry: RequestContextCache.MemberEntry, at stamp: ContentVersion.Stamp?)
        async throws -> Int
    {
        let notifications = request.repositories.notifications
        guard let stamp else { return try await notifications.visibleUnreadCount(for: entry.viewer) }
        let fingerprint = try await notifications.unreadFingerprint(of: entry.member.id)
        if entry.unread == fingerprint { return entry.unreadCount }
        var counted = entry
        counted.unread = fingerprint
        counted.unreadCount = fingerprint.count == 0 ? 0 : try await notifications.visibleUnreadCount(for: entry.viewer)
        request.application.kring.requestContexts.keep(counted, at: stamp)
        return counted.unreadCount
    }

    /// The member's choice, else the visitor's language cookie, else Accept-Language, else the community default.
    static func language(for request: Request, member: Member?, community: CommunitySettings?) -> Language {
        member?.profile.preferredLanguage ?? visitorLanguage(for: request) ?? community?.defaultLanguage ?? .en
    }

    /// The language a visitor asked for by cookie or Accept-Language, if any.
    static func visitorLanguage(for request: Request) -> Language? {
        if let cookie = request.cookies[CookieName.language]?.string, let language = Language(rawValue: cookie) {
            return language
        }
        if let header = request.headers.first(name: .acceptLanguage), let language = Language.preferred(fromAcceptLanguage: header) {
            return language
        }
        return nil
    }
}

extension Application {
    /// A cookie with Kring's safety settings: HttpOnly, SameSite=Lax, Secure over https.
    func cookie(_ value: String, maxAge: Int?) -> HTTPCookies.Value {
        HTTPCookies.Value(
            string: value, expires: nil, maxAge: maxAge, domain: nil, path: "/", isSecure: kring.config.usesHTTPS,
            isHTTPOnly: true, sameSite: .lax)
    }

    func expiredCookie() -> HTTPCookies.Value {
        HTTPCookies.Value(
            string: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, domain: nil, path: "/",
            isSecure: kring.config.usesHTTPS, isHTTPOnly: true, sameSite: .lax)
    }
}
