import FluentPostgresDriver
import Foundation
import KringCore
import KringStore
import NIOConcurrencyHelpers
import SQLiteNIO
import Vapor

/// Whole pages as signed-out visitors see them, kept in memory until the content changes.
///
/// Most readers of a community are not signed in, and they all see the same page: only the CSRF
/// token of the footer's language form is theirs. A page is stored with the token of the visitor
/// who caused it and served to the next visitor with that visitor's own token in its place, so a
/// busy topic costs one render instead of one per reader.
///
/// A page is only served while the database has not changed since it was rendered (`ContentVersion`)
/// and for at most `lifetime`; signed-in members, visitors with a message waiting (flash) and
/// anything but `GET` of a route that opted in (`Request.allowAnonymousPageCache()`) never touch it.
final class AnonymousPageCache: Sendable {
    struct Entry: Sendable {
        /// The page with the storing visitor's token cut out: `parts.count == tokenSlots + 1`.
        let parts: [ByteBuffer]
        let headers: HTTPHeaders
        let timeZone: TimeZone
        let version: ContentVersion.Stamp
        let storedAt: Date
        var byteCount: Int { parts.reduce(0) { $0 + $1.readableBytes } }
    }

    private struct State {
        var entries: [String: Entry] = [:]
        /// Keys in the order they were stored; the oldest go first when the cache is full.
        var order: [String] = []
        var bytes = 0
        /// Pages being rendered now, with the visitors waiting for them.
        var rendering: [String: [CheckedContinuation<Turn, Never>]] = [:]
        /// Pages that were kept once: only their visitors wait for another's render (the rest, such as
        /// the login form or a search, are never kept, and waiting would only queue them).
        var keepable: Set<String> = []
    }

    /// Who renders a missing page: the first visitor to miss it; the others wait for that page
    /// (nil when it could not be kept) instead of all rendering it at once after every change.
    enum Turn: Sendable {
        case render
        case rendered(Entry?)
    }

    let lifetime: TimeInterval
    let maxBytes: Int
    let version: ContentVersion
    private let state = NIOLockedValueBox(State())

    init(version: ContentVersion, lifetime: TimeInterval = 30, maxBytes: Int = 24 << 20) {
        self.version = version
        self.lifetime = lifetime
        self.maxBytes = maxBytes
    }

    func lookup(_ key: String, version stamp: ContentVersion.Stamp, now: Date) -> Entry? {
        state.withLockedValue { state in
            guard let entry = state.entries[key] else { return nil }
            guard entry.version == stamp, now.timeIntervalSince(entry.storedAt) < lifetime else {
                state.entries[key] = nil
                state.bytes -= entry.byteCount
                return nil
            }
            return entry
        }
    }

    /// Keeps `body`, cutting out every occurrence of `token` (the visitor's CSRF token).
    func store(
        _ key: String, body: ByteBuffer, token: String, headers: HTTPHeaders, timeZone: TimeZone, version stamp: ContentVersion.Stamp,
        now: Date
    ) -> Entry? {
        let parts = Self.split(body, at: token)
        let entry = Entry(parts: parts, headers: headers, timeZone: timeZone, version: stamp, storedAt: now)
        let size = entry.byteCount
        guard size <= maxBytes / 8 else { return nil }
        state.withLockedValue { state in
            if let old = state.entries.updateValue(entry, forKey: key) {
                state.bytes -= old.byteCount
            } else {
                state.order.append(key)
            }
            state.bytes += size
            if state.keepable.count >= 10_000 { state.keepable = [] }
            state.keepable.insert(key)
            while state.bytes > maxBytes, !state.order.isEmpty {
                let oldest = state.order.removeFirst()
                if let removed = state.entries.removeValue(forKey: oldest) { state.bytes -= removed.byteCount }
            }
            if state.order.count > state.entries.count * 2 + 64 {
                state.order = state.order.filter { state.entries[$0] != nil }
            }
        }
        return entry
    }

    /// Forgets every page: called after every write made through this process.
    func removeAll() {
        state.withLockedValue { state in
            state.entries = [:]
            state.order = []
            state.bytes = 0
        }
        version.bump()
    }

    /// `.render` for the first visitor to miss `key`; the others wait for what it rendered, if it is
    /// a page that was kept before.
    func turn(for key: String) async -> Turn {
        guard state.withLockedValue({ $0.keepable.contains(key) }) else { return .render }
        return await withCheckedContinuation { continuation in
            let leads = state.withLockedValue { state -> Bool in
                guard state.rendering[key] == nil else {
                    state.rendering[key]?.append(continuation)
                    return false
                }
                state.rendering[key] = []
                return true
            }
            if leads { continuation.resume(returning: .render) }
        }
    }

    /// Ends the render of `key`: the waiting visitors get `entry` (nil: they render for themselves).
    func finishRender(_ key: String, entry: Entry?) {
        let waiting = state.withLockedValue { $0.rendering.removeValue(forKey: key) ?? [] }
        // (A visitor that rendered without taking a turn has nothing registered: nothing to resume.)
        for visitor in waiting { visitor.resume(returning: .rendered(entry)) }
    }

    /// The page for another visitor: their token where the storing visitor's was.
    static func assemble(_ entry: Entry, token: String) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: entry.byteCount + token.utf8.count * (entry.parts.count - 1))
        for (index, part) in entry.parts.enumerated() {
            if index > 0 { buffer.writeString(token) }
            buffer.writeImmutableBuffer(part)
        }
        return buffer
    }

    static func split(_ body: ByteBuffer, at token: String) -> [ByteBuffer] {
        let needle = Array(token.utf8)
        guard !needle.isEmpty else { return [body] }
        let bytes = body.readableBytesView
        var parts: [ByteBuffer] = []
        var start = bytes.startIndex
        var index = bytes.startIndex
        while index + needle.count <= bytes.endIndex {
            if bytes[index] == needle[0], bytes[index..<(index + needle.count)].elementsEqual(needle) {
                parts.append(body.getSlice(at: start, length: index - start)!)
                index += needle.count
                start = index
            } else {
                index += 1
            }
        }
        parts.append(body.getSlice(at: start, length: bytes.endIndex - start)!)
        return parts
    }
}

/// Tells whether the database changed since a page was rendered.
///
/// On SQLite a connection of its own asks `PRAGMA data_version`, which moves whenever any other
/// connection (any process) commits. On PostgreSQL every process LISTENs: statement triggers on the
/// content tables notify `kring_live` (`CreateContentChangeTriggers`), and while that connection is
/// down nothing is served from the cache. Writes through this process also bump the local
/// generation at once, so a member's own change never waits for a notification.
final class ContentVersion: Sendable {
    struct Stamp: Equatable, Sendable {
        let generation: UInt64
        let database: Int64

        /// True when this stamp was taken after `other` (both counters only grow).
        func isLater(than other: Stamp) -> Bool {
            self != other && generation >= other.generation && database >= other.database
        }
    }

    private struct State {
        var generation: UInt64 = 0
        /// False while PostgreSQL's notifications cannot be trusted (connection down).
        var trusted: Bool
        var sqlite: SQLiteConnection?
    }

    /// SQLite's version comes from `data_version`: without that connection nothing is served.
    private let needsSQLite: Bool

    private let state: NIOLockedValueBox<State>

    /// `listening`: PostgreSQL, whose notifications make the version trustworthy once connected.
    init(listening: Bool) {
        state = NIOLockedValueBox(State(trusted: !listening))
        needsSQLite = !listening
    }

    /// The SQLite connection that asks `data_version`; the cache serves nothing until it is open.
    func watch(sqlite connection: SQLiteConnection) {
        state.withLockedValue { $0.sqlite = connection }
    }

    func bump() {
        state.withLockedValue { $0.generation &+= 1 }
    }

    /// Notifications flow (true) or stopped (false); either way what was kept is out of date.
    func setTrusted(_ trusted: Bool) {
        state.withLockedValue {
            $0.trusted = trusted
            $0.generation &+= 1
        }
    }

    /// The current stamp, or nil when the cache must not be used now.
    func current() async -> Stamp? {
        let (generation, trusted, sqlite) = state.withLockedValue { ($0.generation, $0.trusted, $0.sqlite) }
        guard trusted else { return nil }
        guard let sqlite else { return needsSQLite ? nil : Stamp(generation: generation, database: 0) }
        guard let rows = try? await sqlite.query("PRAGMA data_version", []), let version = rows.first?.column("data_version")?.integer
        else { return nil }
        return Stamp(generation: generation, database: Int64(version))
    }

    func close() async {
        try? await takeConnection()?.close()
    }

    func closeWithoutWaiting() {
        _ = takeConnection()?.close() as EventLoopFuture<Void>?
    }

    private func takeConnection() -> SQLiteConnection? {
        state.withLockedValue { state in
            defer { state.sqlite = nil }
            return state.sqlite
        }
    }
}

/// Serves and fills the `AnonymousPageCache`; forgets it after every write through this process.
struct AnonymousPageCacheMiddleware: AsyncMiddleware {
    /// Tells operators and tests whether a page came from the cache.
    static let header = "Kring-Cache"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let cache = request.application.anonymousPages
        guard request.method == .GET else {
            defer { if request.method != .HEAD, request.method != .OPTIONS { cache.removeAll() } }
            return try await next.respond(to: request)
        }
        guard !request.isAPI, request.cookies[CookieName.session] == nil, request.cookies[CookieName.flash] == nil,
            let stamp = await request.contentStamp()
        else { return try await next.respond(to: request) }

        let language = RequestContextMiddleware.visitorLanguage(for: request)
        let key = (language?.rawValue ?? "-") + " " + request.url.string
        let now = request.repositories.clock.now()
        if let entry = cache.lookup(key, version: stamp, now: now) {
            return await Self.serve(entry, to: request, now: now)
        }
        switch await cache.turn(for: key) {
        case .rendered(let entry?) where entry.version == stamp:
            return await Self.serve(entry, to: request, now: now)
        case .rendered:
            return try await next.respond(to: request)
        case .render:
            do {
                let response = try await next.respond(to: request)
                cache.finishRender(key, entry: Self.keep(response, of: request, in: cache, key: key, version: stamp, now: now))
                return response
            } catch {
                cache.finishRender(key, entry: nil)
                throw error
            }
        }
    }

    /// The kept page with this visitor's own form token (and their new seed's cookie).
    private static func serve(_ entry: AnonymousPageCache.Entry, to request: Request, now: Date) async -> Response {
        let seed = AnonymousSeed(request)
        let token = seed.csrfToken(key: request.application.kring.csrfKey)
        let response = Response(status: .ok, headers: entry.headers, body: .init(buffer: AnonymousPageCache.assemble(entry, token: token)))
        response.headers.replaceOrAdd(name: header, value: "hit")
        seed.setCookieIfIssued(on: response, application: request.application)
        await request.application.pageViews.add(day: LocalDay.key(of: now, in: entry.timeZone))
        return response
    }

    /// Keeps a freshly rendered page when its route allows it and it is a plain signed-out page.
    private static func keep(
        _ response: Response, of request: Request, in cache: AnonymousPageCache, key: String, version stamp: ContentVersion.Stamp, now: Date
    ) -> AnonymousPageCache.Entry? {
        guard request.allowsAnonymousPageCache, request.context.member == nil, request.context.flash == nil,
            response.status == .ok, response.headers.contentType == .html, let body = response.body.buffer
        else { return nil }
        var headers = response.headers
        headers.remove(name: .setCookie)
        let entry = cache.store(
            key, body: body, token: request.context.csrfToken, headers: headers, timeZone: request.context.localizer.timeZone,
            version: stamp, now: now)
        response.headers.replaceOrAdd(name: header, value: "miss")
        return entry
    }
}

/// A signed-out visitor's CSRF seed: from their cookie, or new (and then set as a cookie).
struct AnonymousSeed {
    let value: String
    let issued: Bool

    init(_ request: Request) {
        if let cookie = request.cookies[CookieName.csrfSeed]?.string, cookie.count >= 32 {
            value = cookie
            issued = false
        } else {
            value = SecretToken.generate()
            issued = true
        }
    }

    func csrfToken(key: SymmetricKey) -> String { AnonymousSeed.csrfToken(binding: value, key: key) }

    /// The form token bound to a session token or an anonymous seed.
    static func csrfToken(binding: String, key: SymmetricKey) -> String { SecretToken.sign("csrf|" + binding, key: key) }

    func setCookieIfIssued(on response: Response, application: Application) {
        if issued { response.cookies[CookieName.csrfSeed] = application.cookie(value, maxAge: nil) }
    }
}

extension Request {
    private struct AnonymousPageCacheKey: StorageKey {
        typealias Value = Bool
    }

    /// Lets the page this handler renders be kept for other signed-out visitors. Only for pages
    /// that show a signed-out visitor nothing of their own but the CSRF token.
    func allowAnonymousPageCache() {
        storage[AnonymousPageCacheKey.self] = true
    }

    var allowsAnonymousPageCache: Bool { storage[AnonymousPageCacheKey.self] ?? false }
}

extension Application {
    private struct AnonymousPageCacheStorageKey: StorageKey {
        typealias Value = AnonymousPageCache
    }

    var anonymousPages: AnonymousPageCache {
        get {
            guard let cache = storage[AnonymousPageCacheStorageKey.self] else {
                fatalError("The anonymous page cache is set up in configure(_:)")
            }
            return cache
        }
        set { storage[AnonymousPageCacheStorageKey.self] = newValue }
    }
}

/// Closes the SQLite connection that watches `data_version` when the application shuts down.
struct ContentVersionWatcher: LifecycleHandler {
    func shutdownAsync(_ application: Application) async {
        await application.anonymousPages.version.close()
    }

    func shutdown(_ application: Application) {
        application.anonymousPages.version.closeWithoutWaiting()
    }
}
