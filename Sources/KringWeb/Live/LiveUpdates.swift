import FluentPostgresDriver
import Foundation
import KringCore
import KringStore
import Logging
import NIOCore
import PostgresNIO
import SQLKit
import Vapor

/// Hands live events to every open page of this process.
actor LiveHub {
    /// Each open page's stream; nil in it is a heartbeat for that page alone.
    private var subscribers: [UUID: AsyncStream<LiveEvent?>.Continuation] = [:]

    func subscribe() -> (id: UUID, events: AsyncStream<LiveEvent?>) {
        let id = UUID()
        let (stream, continuation) = AsyncStream<LiveEvent?>.makeStream(bufferingPolicy: .bufferingNewest(100))
        subscribers[id] = continuation
        return (id, stream)
    }

    func ping(_ id: UUID) {
        subscribers[id]?.yield(nil)
    }

    func unsubscribe(_ id: UUID) {
        subscribers.removeValue(forKey: id)?.finish()
    }

    func publish(_ events: [LiveEvent]) {
        for continuation in subscribers.values { for event in events { continuation.yield(event) } }
    }

    var count: Int { subscribers.count }
}

/// Feeds the hub: on PostgreSQL by LISTENing on `kring_live` (the triggers of every process's
/// writes arrive there, so an update crosses processes); on SQLite by looking at the tables every
/// second (one process writes an SQLite database, so it sees every change).
final class LiveSource: LifecycleHandler, @unchecked Sendable {
    private var task: Task<Void, Never>?

    func didBootAsync(_ application: Application) async throws {
        let hub = application.liveHub
        let config = application.kring.config
        let logger = application.logger
        if let url = config.databaseURL, url.hasPrefix("postgres") {
            let schema =
                try await (application.db as! any SQLDatabase).raw("SELECT current_schema() AS s").first()?
                .decode(column: "s", as: String.self) ?? "public"
            let configuration = try SQLPostgresConfiguration(url: url).coreConfiguration
            let eventLoop = application.eventLoopGroup.any()
            let cache = application.anonymousPages
            let pages = cache.version
            task = Task {
                while !Task.isCancelled {
                    do {
                        let connection = try await PostgresConnection.connect(
                            on: eventLoop, configuration: configuration, id: 1, logger: logger
                        ).get()
                        do {
                            try await connection.listen(on: "kring_live") { notifications in
                                // Listening now: pages cached for signed-out visitors may be served again.
                                pages.setTrusted(true)
                                for try await notification in notifications {
                                    if LiveChanges.isContentChange(notification.payload, schema: schema) {
                                        cache.removeAll()
                                    } else if let event = LiveChanges.decode(notification.payload, schema: schema) {
                                        await hub.publish([event])
                                    }
                                }
                            }
                        } catch {
                            pages.setTrusted(false)
                            try? await connection.close()
                            throw error
                        }
                        pages.setTrusted(false)
                        try? await connection.close()
                    } catch {
                        logger.warning("Live updates lost their PostgreSQL connection; reconnecting", metadata: ["error": "\(error)"])
                    }
                    try? await Task.sleep(for: .seconds(2))
                }
            }
        } else {
            let changes = LiveChanges(database: application.db)
            task = Task {
                var since = Date()
                while !Task.isCancelled {
                    if await hub.count > 0, let found = try? await changes.since(since) {
                        since = found.newest
                        if !found.events.isEmpty { await hub.publish(found.events) }
                    } else {
                        since = max(since, Date().addingTimeInterval(-1))
                    }
                    try? await Task.sleep(for: .seconds(1))
                }
            }
        }
    }

    func shutdownAsync(_ application: Application) async {
        task?.cancel()
    }
}

extension Application {
    private struct LiveHubKey: StorageKey {
        typealias Value = LiveHub
    }

    /// The process's hub, made on first use — by `configure(_:)`, before any request (see `pageViews`).
    var liveHub: LiveHub {
        if let hub = storage[LiveHubKey.self] { return hub }
        let hub = LiveHub()
        storage[LiveHubKey.self] = hub
        return hub
    }
}

/// `GET /live[?topic=<id>]`: Server-Sent Events for the page that asks — new replies in the topic
/// it shows (when the viewer may read it), the viewer's unread notification count, and for
/// moderators the review queue's size. Events carry numbers only; the page fetches what they
/// announce through the normal, visibility-checked pages.
struct LiveController: RouteCollection {
    static let heartbeat: Duration = .seconds(20)

    func boot(routes: any RoutesBuilder) throws {
        routes.get("live", use: stream)
    }

    @Sendable func stream(request: Request) async throws -> Response {
        let viewer = try await request.viewer()
        var watched: UUID?
        if let raw = try? request.query.get(String.self, at: "topic") {
            guard let id = UUID(uuidString: raw), try await request.repositories.topics.readable([id], viewer: viewer).contains(id) else {
                throw Abort(.notFound)
            }
            watched = id
        }
        let topicID = watched
        let memberID = viewer.actor.memberID
        let moderates = request.decide(.moderateContent).isAllowed
        let repositories = request.repositories
        let hub = request.application.liveHub
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "event-stream", parameters: ["charset": "utf-8"])
        headers.cacheControl = .init(noCache: true)
        // nginx must pass the events on as they come.
        headers.replaceOrAdd(name: "X-Accel-Buffering", value: "no")
        // Compressed, events would wait in the compressor's buffer (and in proxies that buffer it).
        headers.responseCompression = .disable
        let body = Response.Body(asyncStream: { writer in
            let (id, events) = await hub.subscribe()
            let beats = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: Self.heartbeat)
                    await hub.ping(id)
                }
            }
            defer { beats.cancel() }
            do {
                try await writer.write(.buffer(ByteBuffer(string: "retry: 3000\n: connected\n\n")))
                for await event in events {
                    var message: String?
                    switch event {
                    case nil: message = ": heartbeat\n\n"
                    case .reply(let topic, let number)? where topic == topicID:
                        message = "event: reply\ndata: {\"number\":\(number)}\n\n"
                    case .notification(let recipient)? where recipient == memberID:
                        let unread = try await repositories.notifications.visibleUnreadCount(for: viewer)
                        message = "event: notifications\ndata: {\"unread\":\(unread)}\n\n"
                    case .queue? where moderates:
                        message = "event: queue\ndata: {}\n\n"
                    default: break
                    }
                    if let message { try await writer.write(.buffer(ByteBuffer(string: message))) }
                }
            } catch {
                // The page went away: writing failed.
            }
            await hub.unsubscribe(id)
            try? await writer.write(.end)
        })
        return Response(status: .ok, headers: headers, body: body)
    }
}
