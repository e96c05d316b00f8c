import KringCore
import Vapor

/// Builds the `RequestContext`: loads the community, authenticates the session cookie or API
/// token, picks the language, and prepares the CSRF token. Sets the cookies that go with it.
struct RequestContextMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let services = request.application.kring
        let repositories = request.repositories
        let loaded = try await repositories.community.settingsWithModeration()
        let community = loaded?.0

        var member: Member?
        var sessionToken: String?
        var viaAccessToken = false
        if request.isAPI {
            if let bearer = request.headers.bearerAuthorization?.token {
                guard let owner = try await repositories.accessTokens.member(forTokenHash: SecretToken.hash(bearer)) else {
                    throw Abort(.unauthorized, reason: "The access token is unknown or revoked.")
                }
                member = owner
                viaAccessToken = true
            }
        } else if let cookie = request.cookies[CookieName.session]?.string, !cookie.isEmpty {
            member = try await repositories.sessions.member(
                forTokenHash: SecretToken.hash(cookie), lifetime: services.config.sessionLifetime)
            if member != nil { sessionToken = cookie }
        }

        // A suspended or banned member is signed out wherever they are.
        var restriction = Restriction.none
        if let signedIn = member {
            restriction = try await repositories.sanctions.restriction(of: signedIn.id)
            if !restriction.mayLogIn {
                if let cookie = sessionToken { try await repositories.sessions.delete(tokenHash: SecretToken.hash(cookie)) }
                if viaAccessToken { throw Abort(.unauthorized, reason: "This account is suspended.") }
                member = nil
                sessionToken = nil
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

        request.context = RequestContext(
            community: community, member: member, sessionToken: sessionToken, viaAccessToken: viaAccessToken,
            anonymousSeed: anonymousSeed, issuedNewAnonymousSeed: issuedSeed,
            localizer: Localizer(language: language, catalog: services.catalog, timeZone: timeZone),
            csrfToken: AnonymousSeed.csrfToken(binding: csrfBinding, key: services.csrfKey), flash: flash, restriction: restriction)

        if let member {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = timeZone
            try? await repositories.members.touchLastSeen(of: member, dayStart: calendar.startOfDay(for: repositories.clock.now()))
        }
        if !request.isAPI, community != nil {
            request.context.menu = try await repositories.navigation.menu()
            request.context.hasHouseRules = try await HouseRules.page(repositories) != nil
            request.context.rulesVersion = loaded?.1.rulesVersion ?? 0
            if member != nil {
                request.context.unreadNotifications = try await repositories.notifications.visibleUnreadCount(
                    for: try await request.viewer())
            }
        }

        let response = try await next.respond(to: request)
        if request.method == .GET, !request.isAPI, response.status == .ok, response.headers.contentType == .html {
            await request.application.pageViews.add(day: Self.dayKey(repositories.clock.now(), timeZone: timeZone))
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

    /// A calendar day in the community's time zone as YYYY-MM-DD, the key of daily counts.
    static func dayKey(_ date: Date, timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
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
