import KringCore
import KringStore
import Vapor

/// Starting and ending browser sessions.
enum SignIn {
    /// Signs `member` in on `response`: ends any session the browser had (a new id at every login,
    /// against session fixation), stores a new one and sets its cookie.
    static func start(_ request: Request, member: Member, on response: Response) async throws {
        let previous = request.context.sessionToken
        let lifetime = request.application.kring.config.sessionLifetime
        let token = SecretToken.generate()
        let (address, agent) = (request.clientAddress, request.headers.first(name: .userAgent) ?? "")
        // The new session and its login event together, or neither.
        try await request.repositories.writeTransaction { repositories in
            if let previous { try await repositories.sessions.delete(tokenHash: SecretToken.hash(previous)) }
            try await repositories.sessions.create(
                tokenHash: SecretToken.hash(token), memberID: member.id, lifetime: lifetime, ipAddress: address, userAgent: agent)
            try await repositories.activity.record(.login, by: member.actor, subjectType: "member", subjectID: member.id)
        }
        response.cookies[CookieName.session] = request.application.cookie(token, maxAge: Int(lifetime))
        response.cookies[CookieName.csrfSeed] = request.application.expiredCookie()
    }

    /// Ends the browser's session.
    static func end(_ request: Request, on response: Response) async throws {
        if let token = request.context.sessionToken {
            try await request.repositories.sessions.delete(tokenHash: SecretToken.hash(token))
            if let member = request.context.member {
                try await request.repositories.activity.record(.logout, by: member.actor, subjectType: "member", subjectID: member.id)
            }
        }
        response.cookies[CookieName.session] = request.application.expiredCookie()
    }
}

/// Password hashing off the event loop.
enum Passwords {
    static func hash(_ password: String, on request: Request) async throws -> String {
        try await request.password.async.hash(password)
    }

    static func hash(_ password: String, on application: Application) async throws -> String {
        try await application.password.async(on: application.threadPool, hopTo: application.eventLoopGroup.any()).hash(password)
    }

    /// Checks a password; with no stored hash it still spends the same time, so response times
    /// do not tell which accounts exist.
    static func verify(_ password: String, against hash: String?, on request: Request) async throws -> Bool {
        guard let hash else {
            _ = try? await request.password.async.verify(password, created: dummyHash)
            return false
        }
        return (try? await request.password.async.verify(password, created: hash)) ?? false
    }

    /// A real bcrypt hash of a random string, made on first use, to equalise timing for unknown accounts.
    private static let dummyHash: String = (try? Bcrypt.hash(SecretToken.generate(), cost: 12)) ?? ""
}

/// Limits on login and password-reset attempts, per account and per address, shared by all processes.
enum AttemptLimits {
    static let window: TimeInterval = 15 * 60
    static let loginFailuresPerAccount = 5
    static let loginFailuresPerAddress = 20
    static let resetWindow: TimeInterval = 3600
    static let resetsPerAccount = 3
    static let resetsPerAddress = 10

    static func loginBuckets(login: String, address: String) -> (account: String, address: String) {
        ("login:account:" + login.lowercased(), "login:ip:" + address)
    }
}
