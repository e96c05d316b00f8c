import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import KringCore
import KringStore
import SQLKit
import SQLiteNIO
import Vapor

/// Options for `configure` that differ between the server, the CLI commands and tests.
public struct ConfigureOptions: Sendable {
    /// Run the outbox sender and maintenance in the background (the server does; commands don't).
    public var runsBackgroundJobs: Bool
    public var clock: KringClock
    /// Overrides the mail transport (tests capture mail with it).
    public var mailTransport: (any MailTransport)?
    /// A PostgreSQL schema to use instead of `public` (tests give each test its own).
    public var postgresSchema: String?
    /// Overrides where uploads are stored (tests use it to make storage fail).
    public var fileStorage: (any FileStorage)?

    public init(
        runsBackgroundJobs: Bool = true, clock: KringClock = .system, mailTransport: (any MailTransport)? = nil,
        postgresSchema: String? = nil, fileStorage: (any FileStorage)? = nil
    ) {
        self.runsBackgroundJobs = runsBackgroundJobs
        self.clock = clock
        self.mailTransport = mailTransport
        self.postgresSchema = postgresSchema
        self.fileStorage = fileStorage
    }
}

/// Sets up a Kring application: database, migrations, middleware, routes and jobs.
public func configure(_ app: Application, config: KringConfig, options: ConfigureOptions = ConfigureOptions()) async throws {
    app.logger.logLevel = Logger.Level(rawValue: config.logLevel) ?? .info
    app.http.server.configuration.hostname = config.host
    app.http.server.configuration.port = config.port
    app.http.server.configuration.responseCompression = .enabled
    app.routes.defaultMaxBodySize = "1mb"

    guard config.problems.isEmpty else { throw ConfigurationError(config.problems.joined(separator: "; ")) }
    try FileManager.default.createDirectory(at: config.dataDirectory, withIntermediateDirectories: true)
    try configureDatabase(app, config: config, schema: options.postgresSchema)
    if let schema = options.postgresSchema, let sql = app.db as? any SQLDatabase {
        try await sql.raw("CREATE SCHEMA IF NOT EXISTS \(ident: schema)").run()
    }
    if app.databases.configuration(for: .sqlite) != nil, let sql = app.db as? any SQLDatabase {
        // Write-ahead logging lets readers and the writer work at the same time; it persists in the file.
        try await sql.raw("PRAGMA journal_mode=WAL").run()
    }
    app.migrations.add(KringMigrations.all)
    try await app.autoMigrate()
    try await mapAnalyticsConnections(app, config: config)

    let csrfSecret = try await CommunityRepository(database: app.db, clock: options.clock)
        .secret(named: "csrf") { SecretToken.generate() }
    app.kring = KringServices(
        config: config, clock: options.clock, catalog: try Catalog.bundled(),
        csrfKey: SymmetricKey(data: Data(csrfSecret.utf8)),
        mailTransport: options.mailTransport ?? mailTransport(config, app: app),
        fileStorage: options.fileStorage ?? LocalFileStorage(root: config.filesDirectory))

    app.passwords.use(.bcrypt(cost: config.bcryptCost))

    app.anonymousPages = AnonymousPageCache(version: ContentVersion(listening: config.usesPostgres))
    if !config.usesPostgres {
        let watcher = try await SQLiteConnection.open(
            storage: .file(path: config.sqliteFile.path), threadPool: app.threadPool, logger: app.logger, on: app.eventLoopGroup.any())
        app.anonymousPages.version.watch(sqlite: watcher)
    }
    app.lifecycle.use(ContentVersionWatcher())

    app.middleware = Middlewares()
    app.middleware.use(SecurityHeadersMiddleware(usesHTTPS: config.usesHTTPS), at: .beginning)
    let inFlight = InFlightRequests()
    app.middleware.use(InFlightMiddleware(requests: inFlight), at: .beginning)
    app.lifecycle.use(RequestDrain(requests: inFlight))
    app.middleware.use(RouteLoggingMiddleware(logLevel: .info))
    app.middleware.use(PrometheusMiddleware(metrics: app.kringMetrics))
    // Made now, not by the first request that needs them: the application's storage is a plain
    // dictionary, and a request writing it while others read it could lose an entry (a second hub
    // that the live updates never reach).
    _ = app.pageViews
    _ = app.liveHub
    app.middleware.use(KringErrorMiddleware())
    app.middleware.use(DatabaseRetryMiddleware())
    app.middleware.use(StaticFilesMiddleware(files: FileMiddleware(publicDirectory: KringResources.publicDirectory, defaultFile: nil)))

    try routes(app)

    if options.runsBackgroundJobs {
        app.lifecycle.use(BackgroundJobs())
        app.lifecycle.use(LiveSource())
    }
}

/// SQLite in the data directory unless `KRING_DATABASE_URL` names PostgreSQL.
private func configureDatabase(_ app: Application, config: KringConfig, schema: String?) throws {
    if let url = config.databaseURL, url.hasPrefix("postgres") {
        var postgres = try SQLPostgresConfiguration(url: url)
        if let schema { postgres.searchPath = [schema] }
        app.databases.use(.postgres(configuration: postgres, maxConnectionsPerEventLoop: config.databaseConnectionsPerLoop), as: .psql)
    } else {
        // A connection waiting for SQLite's write lock blocks its thread (the busy handler retries until
        // the lock is free), and the transaction holding the lock needs a thread for its next statement:
        // with NIO's shared pool (one thread per core) two waiters left it none, and every write hung.
        // One thread per connection (Fluent's SQLite driver keeps one per event loop, for pages and
        // for analytics) and some to spare for file I/O and password hashing.
        app.threadPool = NIOThreadPool(numberOfThreads: System.coreCount * 2 + 4)
        app.databases.use(.sqlite(.file(config.sqliteFile.path), sqlLogLevel: .debug), as: .sqlite)
        app.databases.use(.sqlite(.file(config.sqliteFile.path), sqlLogLevel: .debug), as: .analytics, isDefault: false)
    }
}

extension DatabaseID {
    /// SQLite's connections for the cockpit's long read-only queries (see `AnalyticsDatabases`).
    static let analytics = DatabaseID(string: "analytics")
}

/// Lets the analytics connections map the database file into memory: a month's figures read the
/// same index pages over and over, and through SQLite's small page cache each read was a copy out
/// of the kernel's (a quarter of a monthly report on a million posts). The mapping is the kernel's
/// page cache itself, shared and dropped under memory pressure, not memory of the process's own.
/// SQLite maps at most its compiled limit (just under 2 GiB); pages beyond are read as before. The
/// pages' connections read little per request and measured no faster mapped (searching, posting),
/// while every mapping counts the file's pages again in the resident set. A small community's file
/// (the demo's 14 MB) measured no faster mapped either, so by default only a file of
/// `sqliteMapThresholdMegabytes` or more is mapped.
private func mapAnalyticsConnections(_ app: Application, config: KringConfig) async throws {
    guard app.databases.configuration(for: .analytics) != nil else { return }
    let fileSize = (try? FileManager.default.attributesOfItem(atPath: config.sqliteFile.path)[.size] as? Int) ?? 0
    let megabytes = config.sqliteMapMegabytes ?? (fileSize >= KringConfig.sqliteMapThresholdMegabytes * 1_048_576 ? 2048 : 0)
    guard megabytes > 0 else { return }
    for loop in app.eventLoopGroup.makeIterator() {
        guard let sql = app.databases.database(.analytics, logger: app.logger, on: loop) as? any SQLDatabase else { continue }
        try await sql.raw("PRAGMA mmap_size = \(unsafeRaw: String(megabytes * 1_048_576))").run()
    }
}

/// All routes: pages, the JSON API and health checks.
func routes(_ app: Application) throws {
    HealthController().register(app)
    MetricsEndpoint().register(app)
    if Environment.get("KRING_BENCH") == "1" {
        // bench/web.py's yardstick: Vapor's own ceiling, a fixed response of a page's size, no database.
        app.get("bench", "static") { request -> Response in
            let size = min(10_000_000, max(0, (try? request.query.get(Int.self, at: "bytes")) ?? 1_000))
            var headers = HTTPHeaders()
            headers.contentType = .html
            return Response(status: .ok, headers: headers, body: .init(buffer: ByteBuffer(repeating: UInt8(ascii: "x"), count: size)))
        }
    }
    let site = app.grouped(AnonymousPageCacheMiddleware(), RequestContextMiddleware(), GateMiddleware())
    try site.register(collection: SetupController())
    try site.register(collection: HomeController())
    try site.register(collection: AccountController())
    try site.register(collection: MemberController())
    try site.register(collection: SettingsController())
    try site.register(collection: PrivacyController())
    try site.register(collection: AdminController())
    try site.register(collection: GroupController())
    try site.register(collection: TopicController())
    try site.register(collection: DiscoveryController())
    try site.register(collection: PagesController())
    try site.register(collection: ModerationController())
    try site.register(collection: DefenceController())
    try site.register(collection: EventController())
    try site.register(collection: PollController())
    try site.register(collection: IdeaController())
    try site.register(collection: DocumentController())
    try site.register(collection: CockpitController())
    try site.register(collection: GoalsController())
    try site.register(collection: ReportController())
    try site.register(collection: AdviceController())
    try site.register(collection: StrategyController())
    try site.register(collection: MaturityController())
    try site.register(collection: SuccessController())
    try site.register(collection: EngagementController())
    try site.register(collection: OnboardingController())
    try site.register(collection: UnsubscribeController())
    try site.register(collection: MemberMailController())
    try site.register(collection: ContentCalendarController())
    try site.register(collection: ListeningController())
    try site.register(collection: SpotlightController())
    try site.register(collection: LiveController())
    try site.register(collection: APIController())
    try site.register(collection: SpacesAPIController())
    try site.register(collection: ParticipationAPIController())
    try site.register(collection: OrganisingAPIController())
    try site.register(collection: DocumentAPIController())
    try site.register(collection: MetricsAPIController())
    try site.register(collection: GoalsAPIController())
    try site.register(collection: ManagementAPIController())
    try site.register(collection: EngagementAPIController())
}

/// SMTP when `KRING_SMTP_HOST` is set, else `.eml` files in the data dir.
func mailTransport(_ config: KringConfig, app: Application) -> any MailTransport {
    let options = MailFormatter.Options(unsubscribeURL: config.baseURL + "/settings/notifications")
    guard let smtp = config.smtp else { return EMLFileTransport(directory: config.mailDirectory, options: options) }
    return SMTPTransport(configuration: smtp, group: app.eventLoopGroup, formatter: options)
}
