import KringCore
import KringStore
import Vapor

/// The JSON API under `/api/v1`, described by `Resources/openapi.json`. Authentication is by
/// personal access token (`Authorization: Bearer`); cookies are not accepted, so no CSRF applies.
struct APIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let api = routes.grouped("api", "v1")
        api.get("openapi.json", use: openAPI)
        api.post("auth", "token", use: createToken)
        api.get("auth", "tokens", use: listTokens)
        api.delete("auth", "tokens", ":id", use: revokeToken)
        api.get("me", use: me)
        api.patch("me", use: updateMe)
        api.get("me", "export", use: exportMe)
        api.get("members", ":handle", use: member)
        api.get("community", use: community)
        api.patch("community", use: updateCommunity)
    }

    /// Everything the caller left in the community, as the ZIP archive the privacy page offers.
    @Sendable func exportMe(request: Request) async throws -> Response {
        try await request.personalDataArchive(of: try request.requireMember())
    }

    @Sendable func openAPI(request: Request) async throws -> Response {
        guard let url = KringResources.url("openapi.json") else { throw Abort(.notFound) }
        let response = Response(status: .ok, body: .init(data: try Data(contentsOf: url)))
        response.headers.contentType = .json
        response.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=300")
        return response
    }

    /// Exchanges a login and password for a new token. Rate-limited like the login form.
    @Sendable func createToken(request: Request) async throws -> Response {
        try request.rejectNulls(in: ["login", "password", "name"])
        let body = try request.content.decode(TokenRequest.self)
        let limits = request.repositories.rateLimits
        let buckets = AttemptLimits.loginBuckets(login: body.login, address: request.clientAddress)
        let accountFailures = try await limits.recentHits(buckets.account, window: AttemptLimits.window)
        let addressFailures = try await limits.recentHits(buckets.address, window: AttemptLimits.window)
        guard accountFailures < AttemptLimits.loginFailuresPerAccount, addressFailures < AttemptLimits.loginFailuresPerAddress else {
            throw Abort(.tooManyRequests, headers: ["Retry-After": "900"], reason: "Too many failed attempts; try again later.")
        }
        let name = try AccessTokenRules.name(body.name ?? "API")
        let credentials = try await request.repositories.members.credentials(login: body.login)
        guard try await Passwords.verify(body.password, against: credentials?.passwordHash, on: request),
            let member = credentials?.member
        else {
            try await limits.hit(buckets.account, window: AttemptLimits.window)
            try await limits.hit(buckets.address, window: AttemptLimits.window)
            throw Abort(.unauthorized, reason: "The login or password is wrong.")
        }
        guard member.status == .active, try await request.repositories.sanctions.restriction(of: member.id).mayLogIn else {
            throw Abort(.forbidden, reason: "This account is not active.")
        }
        try await limits.reset(buckets.account)
        let token = SecretToken.generate(prefix: AccessTokenRules.prefix)
        let summary = try await request.repositories.accessTokens.create(
            memberID: member.id, name: name, tokenHash: SecretToken.hash(token),
            prefix: String(token.prefix(AccessTokenRules.prefix.count + 4)), actor: member.actor)
        let dto = NewTokenDTO(
            id: summary.id, name: summary.name, token: token, createdAt: summary.createdAt, member: MemberDTO(member, showsPrivate: true))
        return try await dto.encodeResponse(status: .created, for: request)
    }

    @Sendable func listTokens(request: Request) async throws -> TokenListDTO {
        let member = try request.requireMember()
        let tokens = try await request.repositories.accessTokens.list(of: member.id)
        return TokenListDTO(
            tokens: tokens.map {
                TokenDTO(id: $0.id, name: $0.name, prefix: $0.prefix, createdAt: $0.createdAt, lastUsedAt: $0.lastUsedAt)
            })
    }

    @Sendable func revokeToken(request: Request) async throws -> HTTPStatus {
        let member = try request.requireMember()
        guard let id = request.parameters.get("id", as: UUID.self),
            try await request.repositories.accessTokens.revoke(id: id, of: member.id, actor: member.actor)
        else { throw Abort(.notFound, reason: "No such token.") }
        return .noContent
    }

    @Sendable func me(request: Request) async throws -> MemberDTO {
        MemberDTO(try request.requireMember(), showsPrivate: true)
    }

    @Sendable func updateMe(request: Request) async throws -> MemberDTO {
        let member = try request.requireMember()
        try request.authorize(.editProfile(of: member.id))
        try request.rejectNulls(in: ["displayName", "bio", "organisation", "interests", "expertise", "preferredLanguage"])
        let patch = try request.content.decode(ProfilePatch.self)
        let current = member.profile
        let (displayName, profile) = try ProfileInput.validate(
            displayName: patch.displayName ?? member.displayName, bio: patch.bio ?? current.bio,
            organisation: patch.organisation ?? current.organisation,
            interests: try MemberRules.tags(patch.interests ?? current.interests, field: "interests"),
            expertise: try MemberRules.tags(patch.expertise ?? current.expertise, field: "expertise"),
            preferredLanguage: patch.preferredLanguage ?? current.preferredLanguage?.rawValue)
        try await request.repositories.members.updateProfile(of: member.id, displayName: displayName, profile: profile)
        guard let updated = try await request.repositories.members.find(id: member.id) else { throw Abort(.notFound) }
        return MemberDTO(updated, showsPrivate: true)
    }

    @Sendable func member(request: Request) async throws -> MemberDTO {
        guard let member = try await request.repositories.members.find(handle: request.parameters.get("handle") ?? ""),
            member.status == .active
        else { throw Abort(.notFound, reason: "No member with that handle.") }
        return MemberDTO(member, showsPrivate: request.decide(.viewPrivateProfile(of: member.id)).isAllowed)
    }

    @Sendable func community(request: Request) async throws -> CommunityDTO {
        guard let settings = request.context.community else { throw Abort(.serviceUnavailable) }
        return CommunityDTO(settings)
    }

    @Sendable func updateCommunity(request: Request) async throws -> CommunityDTO {
        try request.authorize(.editCommunitySettings)
        guard let current = request.context.community else { throw Abort(.serviceUnavailable) }
        try request.rejectNulls(in: ["name", "tagline", "defaultLanguage", "registrationMode", "readAccess", "timeZone"])
        let patch = try request.content.decode(CommunityPatch.self)
        let settings = try SettingsInput.validate(
            name: patch.name ?? current.name, tagline: patch.tagline ?? current.tagline,
            defaultLanguage: patch.defaultLanguage ?? current.defaultLanguage.rawValue,
            registrationMode: patch.registrationMode ?? current.registrationMode.rawValue,
            readAccess: patch.readAccess ?? current.readAccess.rawValue, timeZone: patch.timeZone ?? current.timeZone)
        try await request.repositories.community.update(settings, by: request.context.actor)
        return CommunityDTO(settings)
    }
}
