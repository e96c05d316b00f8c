import Foundation
import KringCore
import KringStore
import SQLKit
import Vapor
@_exported import VaporTesting

@testable import KringWeb

/// Which database the suites run on: SQLite always; PostgreSQL when `KRING_TEST_DATABASE_URL` is set.
public enum TestDatabase {
    public static var postgresURL: String? {
        guard let url = ProcessInfo.processInfo.environment["KRING_TEST_DATABASE_URL"], !url.isEmpty else { return nil }
        return url
    }

    public static var name: String { postgresURL == nil ? "sqlite" : "postgresql" }
}

/// Runs `body` with a Kring application on a fresh, migrated database: a new SQLite file in a
/// temporary folder, or a new schema in the test PostgreSQL database. Everything is removed afterwards.
public func withKringApp<T>(
    clock: KringClock = .system, mail: (any MailTransport)? = nil, adjust: (inout KringConfig) -> Void = { _ in },
    _ body: (Application) async throws -> T
) async throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kring-test-\(UUID().uuidString)")
    let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    // Tests run in parallel: two connections per event loop keep a PostgreSQL test cluster within its limits.
    var config = KringConfig(
        dataDirectory: directory, databaseURL: TestDatabase.postgresURL, mailInterval: 0, logLevel: "warning", databaseConnectionsPerLoop: 2
    )
    config.baseURL = "http://kring.test"
    config.trustsProxy = true  // tests play client addresses with X-Forwarded-For
    adjust(&config)
    let app = try await Application.make(.testing)
    let result: T
    do {
        try await configure(
            app, config: config,
            options: ConfigureOptions(
                runsBackgroundJobs: false, clock: clock, mailTransport: mail,
                postgresSchema: TestDatabase.postgresURL == nil ? nil : schema))
        result = try await body(app)
    } catch {
        await tearDown(app, schema: schema, directory: directory)
        throw error
    }
    await tearDown(app, schema: schema, directory: directory)
    return result
}

private func tearDown(_ app: Application, schema: String, directory: URL) async {
    if TestDatabase.postgresURL != nil, let sql = app.db as? any SQLDatabase {
        try? await sql.raw("DROP SCHEMA IF EXISTS \(ident: schema) CASCADE").run()
    }
    try? await app.asyncShutdown()
    try? FileManager.default.removeItem(at: directory)
}

/// A stored password hash (bcrypt, cost 12) for `TestAccounts.password`, made once per test run:
/// tests create members directly instead of paying for a hash each time.
public enum TestAccounts {
    public static let password = "correct horse battery"
    public static let passwordHash: String = try! Bcrypt.hash(password, cost: 12)

    /// Sets the community up with an administrator `admin` and returns them.
    @discardableResult
    public static func setUpCommunity(
        _ app: Application, name: String = "Testgemeenschap", language: Language = .en, registration: RegistrationMode = .open,
        readAccess: ReadAccess = .public
    ) async throws -> Member {
        let admin = try await app.repositories.community.setUp(
            CommunitySettings(
                name: name, tagline: "Where tests meet", defaultLanguage: language, registrationMode: registration,
                readAccess: readAccess),
            administrator: NewMember(
                handle: "admin", displayName: "Ada Admin", email: "admin@kring.test", passwordHash: passwordHash, role: .admin,
                isStaff: true))
        // Tests post faster than people; the rate-limit tests lower these again.
        var moderation = try await app.repositories.community.moderationSettings()
        moderation.postsPerMinute = 600
        moderation.postsPerHour = 10_000
        try await app.repositories.community.setModerationSettings(moderation)
        return admin
    }

    /// Creates an active member with the test password.
    @discardableResult
    public static func member(
        _ app: Application, handle: String, role: Role = .member, isStaff: Bool = false, status: MemberStatus = .active,
        profile: MemberProfile = MemberProfile()
    ) async throws -> Member {
        try await app.repositories.members.create(
            NewMember(
                handle: handle, displayName: handle.capitalized + " Tester", email: "\(handle)@kring.test", passwordHash: passwordHash,
                role: role, isStaff: isStaff, status: status, profile: profile))
    }
}
