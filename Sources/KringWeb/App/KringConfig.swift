import Foundation

/// Kring's configuration, read once at start-up from environment variables. Every variable has a
/// default, so `kring serve` works with none set.
public struct KringConfig: Sendable {
    /// `KRING_DATA_DIR` (default `./data`): the SQLite file, mail files and uploads (`files/`) live here.
    public var dataDirectory: URL
    /// `KRING_DATABASE_URL`: a `postgres://` URL runs Kring on PostgreSQL; unset means SQLite in the data dir.
    public var databaseURL: String?
    /// `KRING_HOST` (default 127.0.0.1) and `KRING_PORT` (default 8080).
    public var host: String
    public var port: Int
    /// `KRING_BASE_URL` (default http://HOST:PORT): used in e-mailed links; https turns on Secure cookies.
    public var baseURL: String
    /// `KRING_SESSION_DAYS` (default 30): how long a login lasts without a visit.
    public var sessionLifetime: TimeInterval
    /// `KRING_BCRYPT_COST` (default 12, never lower): the password hashing work factor.
    public var bcryptCost: Int
    /// `KRING_MAIL_INTERVAL` seconds between outbox runs (default 5); 0 turns the background sender off.
    public var mailInterval: TimeInterval
    /// `KRING_LOG_LEVEL` (default info).
    public var logLevel: String
    /// `KRING_DB_CONNECTIONS` (default 4): PostgreSQL connections per event loop (per core).
    /// SQLite has one per loop for pages and one for analytics, whatever this says.
    public var databaseConnectionsPerLoop: Int
    /// `KRING_SQLITE_MMAP_MB`: how much of the SQLite file the analytics connections map into
    /// memory (0: none, every page read is copied). Unset: SQLite's own limit (2048) once the file
    /// holds `sqliteMapThresholdMegabytes`, else none (see `mapAnalyticsConnections`).
    public var sqliteMapMegabytes: Int?
    /// Below this size a database is read as fast through SQLite's page cache as mapped.
    public static let sqliteMapThresholdMegabytes = 256
    /// `KRING_TRUST_PROXY=1`: take the client's address from `X-Forwarded-For` (only behind your own proxy).
    public var trustsProxy = false
    /// `KRING_SMTP_HOST` and the rest of `KRING_SMTP_*`: mail goes to this SMTP server; unset, it is
    /// written as `.eml` files under the data dir.
    public var smtp: SMTPConfiguration?
    /// `KRING_MAIL_FROM` (default no-reply@ the base URL's host): the sender address of Kring's mail.
    public var mailFrom: String?
    /// `KRING_METRICS_TOKEN`: the bearer token `/metrics` wants; without it, only this machine may scrape.
    public var metricsToken: String?
    /// Settings that make no sense; start-up stops with them.
    public var problems: [String] = []

    public init(
        dataDirectory: URL, databaseURL: String? = nil, host: String = "127.0.0.1", port: Int = 8080,
        baseURL: String? = nil, sessionLifetime: TimeInterval = 30 * 86_400, bcryptCost: Int = 12,
        mailInterval: TimeInterval = 5, logLevel: String = "info", databaseConnectionsPerLoop: Int = 4
    ) {
        self.dataDirectory = dataDirectory
        self.databaseURL = databaseURL
        self.host = host
        self.port = port
        self.baseURL = (baseURL ?? "http://\(host):\(port)").trimmingSuffix("/")
        self.sessionLifetime = sessionLifetime
        self.bcryptCost = max(12, bcryptCost)
        self.mailInterval = mailInterval
        self.logLevel = logLevel
        self.databaseConnectionsPerLoop = max(1, databaseConnectionsPerLoop)
    }

    /// Reads the configuration from the process environment.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> KringConfig {
        func value(_ name: String) -> String? {
            guard let raw = environment[name]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
            return raw
        }
        let directory = URL(fileURLWithPath: value("KRING_DATA_DIR") ?? "data", isDirectory: true).standardizedFileURL
        var config = KringConfig(
            dataDirectory: directory,
            databaseURL: value("KRING_DATABASE_URL"),
            host: value("KRING_HOST") ?? "127.0.0.1",
            port: value("KRING_PORT").flatMap(Int.init) ?? 8080,
            baseURL: value("KRING_BASE_URL"),
            sessionLifetime: (value("KRING_SESSION_DAYS").flatMap(Double.init) ?? 30) * 86_400,
            bcryptCost: value("KRING_BCRYPT_COST").flatMap(Int.init) ?? 12,
            mailInterval: value("KRING_MAIL_INTERVAL").flatMap(Double.init) ?? 5,
            logLevel: value("KRING_LOG_LEVEL") ?? "info",
            databaseConnectionsPerLoop: value("KRING_DB_CONNECTIONS").flatMap(Int.init) ?? 4)
        config.trustsProxy = value("KRING_TRUST_PROXY") == "1"
        config.sqliteMapMegabytes = value("KRING_SQLITE_MMAP_MB").flatMap(Int.init).map { max(0, $0) }
        config.mailFrom = value("KRING_MAIL_FROM")
        config.metricsToken = value("KRING_METRICS_TOKEN")
        do {
            config.smtp = try SMTPConfiguration.fromEnvironment(environment, heloName: config.hostName)
        } catch {
            config.problems.append(String(describing: error))
        }
        return config
    }

    /// The base URL's host name, as Kring names itself in mail.
    public var hostName: String { URL(string: baseURL)?.host ?? "localhost" }

    /// The address Kring's mail comes from.
    public var senderAddress: String { mailFrom ?? "no-reply@\(hostName)" }

    /// True when links and cookies are served over TLS.
    public var usesHTTPS: Bool { baseURL.lowercased().hasPrefix("https://") }
    /// Whether the community lives in PostgreSQL (`KRING_DATABASE_URL`) rather than the data dir's SQLite file.
    public var usesPostgres: Bool { databaseURL?.hasPrefix("postgres") ?? false }

    public var sqliteFile: URL { dataDirectory.appendingPathComponent("kring.sqlite") }
    public var mailDirectory: URL { dataDirectory.appendingPathComponent("mail", isDirectory: true) }
    /// Uploaded files (documents and their versions).
    public var filesDirectory: URL { dataDirectory.appendingPathComponent("files", isDirectory: true) }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        var result = self
        while result.hasSuffix(suffix) { result.removeLast(suffix.count) }
        return result
    }
}
