import Crypto
import Fluent
import KringCore
import KringStore
import Vapor

/// What every request handler needs besides the database: configuration, clock, UI text, the
/// key that signs CSRF tokens, and the mail transport. Set up once in `configure`.
public struct KringServices: Sendable {
    public let config: KringConfig
    public let clock: KringClock
    public let catalog: Catalog
    let csrfKey: SymmetricKey
    public let mailTransport: any MailTransport
    /// Where uploaded documents are kept.
    public let fileStorage: any FileStorage
    /// Finished periods' cockpit figures, kept a few minutes.
    let finishedPeriods = FinishedPeriodCache()
    /// What every request looks up about the community and its member, kept while content stands.
    let requestContexts = RequestContextCache()
}

extension Application {
    private struct ServicesKey: StorageKey {
        typealias Value = KringServices
    }

    /// Kring's services; available after `configure`.
    public var kring: KringServices {
        get {
            guard let services = storage[ServicesKey.self] else { fatalError("configure(app) has not run") }
            return services
        }
        set { storage[ServicesKey.self] = newValue }
    }

    /// Repositories bound to the application's database, for commands and jobs.
    public var repositories: Repositories {
        Repositories(database: db, clock: kring.clock, analytics: AnalyticsDatabases(application: self, preferred: nil))
    }
}

/// Where the cockpit's long read-only queries run (its figures, reports, goal measurements).
/// Fluent's SQLite driver keeps one connection per event loop, so a manager's seconds of queries
/// on the pages' connection would queue every page read of that loop behind them: on SQLite they
/// get connections of their own (`DatabaseID.analytics`), one per loop, and the two periods a
/// comparison needs are computed side by side on two of them. On PostgreSQL the pool (several
/// connections per loop) serves both, and a read replica could take this role.
public struct AnalyticsDatabases: Sendable {
    let application: Application
    /// The caller's event loop, whose connection serves side 0.
    let preferred: (any EventLoop)?

    /// The analytics connection of side `side` (0, 1, …): different event loops' while there are
    /// enough; nil where analytics share the pages' pool.
    func database(side: Int) -> (any Database)? {
        guard application.databases.configuration(for: .analytics) != nil else { return nil }
        var loops = Array(application.eventLoopGroup.makeIterator())
        if let preferred, let own = loops.firstIndex(where: { $0 === preferred }) { loops.swapAt(0, own) }
        return application.databases.database(.analytics, logger: application.logger, on: loops[side % loops.count])
    }
}

/// Builds repositories over one database handle (a request's, a transaction's or the app's).
public struct Repositories: Sendable {
    public let database: any Database
    public let clock: KringClock
    /// Connections for long read-only queries; nil: `database` serves them too (PostgreSQL, a transaction).
    public var analytics: AnalyticsDatabases? = nil

    /// The database for analytics side `side`; two sides run on separate connections where there are any.
    func analyticsDatabase(side: Int = 0) -> any Database { analytics?.database(side: side) ?? database }

    public var members: MemberRepository { MemberRepository(database: database, clock: clock) }
    public var tags: TagRepository { TagRepository(database: database, clock: clock) }
    public var sessions: SessionRepository { SessionRepository(database: database, clock: clock) }
    public var accessTokens: AccessTokenRepository { AccessTokenRepository(database: database, clock: clock) }
    public var emailTokens: EmailTokenRepository { EmailTokenRepository(database: database, clock: clock) }
    public var community: CommunityRepository { CommunityRepository(database: database, clock: clock) }
    public var outbox: OutboxRepository { OutboxRepository(database: database, clock: clock) }
    public var rateLimits: RateLimitStore { RateLimitStore(database: database, clock: clock) }
    public var activity: ActivityLog { ActivityLog(database: database, clock: clock) }

    /// Runs `body` in one write transaction (see `Database.writeTransaction`) with repositories bound to it.
    public func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (Repositories) async throws -> T) async throws -> T {
        try await database.writeTransaction { tx in try await body(Repositories(database: tx, clock: clock)) }
    }
}

extension Request {
    public var repositories: Repositories {
        Repositories(
            database: db, clock: application.kring.clock, analytics: AnalyticsDatabases(application: application, preferred: eventLoop))
    }
}
