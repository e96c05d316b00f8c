import KringCore
import Vapor

/// Decides whether a request may reach its route at all: sends everyone to setup until the
/// community exists, keeps anonymous visitors out of members-only communities, and rejects
/// state-changing form posts without a valid CSRF token.
struct GateMiddleware: AsyncMiddleware {
    /// Paths anyone may use even in a members-only community: signing in, registering, resetting.
    static let openPaths: [String] = [
        "/login", "/register", "/password/", "/setup", "/language", "/appeal/", "/calendar/", "/api/v1/auth/token", "/api/v1/openapi.json",
        UnsubscribeController.pathPrefix,
    ]

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let context = request.context
        let path = request.url.path

        if context.community == nil, path != "/setup", path != "/language" {
            if request.isAPI { throw Abort(.serviceUnavailable, reason: "The community has not been set up yet.") }
            return request.redirect(to: "/setup")
        }

        // An unsubscribe link's signed token is its own proof (RFC 8058's POST comes from a mail client).
        if request.method != .GET, request.method != .HEAD, !request.isAPI, !path.hasPrefix(UnsubscribeController.pathPrefix) {
            // An upload may still be streaming; its form fields (and the CSRF token) come with it.
            if request.isMultipart { try await request.collectUpload() }
            try verifyCSRF(request)
        }

        let isOpen = Self.openPaths.contains { path == $0 || ($0.hasSuffix("/") && path.hasPrefix($0)) }
        if !isOpen, request.decide(.readCommunity) == .signInRequired {
            if request.isAPI { throw Abort(.unauthorized, reason: "This community is for members only: authenticate first.") }
            return request.redirect(to: SignInRedirect.path(returningTo: request.url))
        }
        return try await next.respond(to: request)
    }

    private func verifyCSRF(_ request: Request) throws {
        let sent = (try? request.content.get(String.self, at: "_csrf")) ?? request.headers.first(name: "X-CSRF-Token")
        guard let sent, !request.context.csrfToken.isEmpty,
            !request.context.issuedNewAnonymousSeed,
            SecretToken.constantTimeEquals(sent, request.context.csrfToken)
        else {
            throw Abort(.forbidden, reason: "The form was stale or came from another site.", identifier: "csrf")
        }
    }
}

/// Where to send a visitor who must sign in first, remembering where they were going.
enum SignInRedirect {
    static func path(returningTo url: URI) -> String {
        var target = url.path
        if let query = url.query, !query.isEmpty { target += "?" + query }
        guard target != "/" else { return "/login" }
        return "/login?next=" + (target.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
    }

    /// A `next` parameter made safe: only a local path, never another site.
    static func safeNext(_ raw: String?) -> String {
        guard let raw, let url = SafeURL(path: raw), !raw.hasPrefix("/login"), !raw.hasPrefix("/logout") else { return "/" }
        return url.value
    }
}
