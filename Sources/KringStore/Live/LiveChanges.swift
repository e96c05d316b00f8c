import FluentKit
import Foundation
import KringCore
import SQLKit

/// Something that happened that open pages want to know about at once.
public enum LiveEvent: Sendable, Equatable {
    /// A post was added to a topic (its number in the topic).
    case reply(topicID: UUID, number: Int)
    /// A member got a notification.
    case notification(recipientID: UUID)
    /// The moderation queue changed (a flag was raised).
    case queue
}

/// SQLite's source of live events: the rows written since the last look. One process writes an
/// SQLite database, so watching its tables sees every change.
public struct LiveChanges: Sendable {
    let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    /// Events for rows created after `since`, and the newest moment seen (the next `since`).
    public func since(_ since: Date) async throws -> (events: [LiveEvent], newest: Date) {
        let sql = database as! any SQLDatabase
        var events: [LiveEvent] = []
        var newest = since
        for row in try await sql.raw(
            "SELECT topic_id, post_number, created_at FROM posts WHERE created_at > \(bind: since) ORDER BY created_at LIMIT 500"
        ).all() {
            events.append(
                .reply(topicID: try row.decodeUUID(column: "topic_id"), number: try row.decode(column: "post_number", as: Int.self)))
            newest = max(newest, try row.decode(column: "created_at", as: Date.self))
        }
        for row in try await sql.raw(
            "SELECT recipient_id, created_at FROM notifications WHERE created_at > \(bind: since) ORDER BY created_at LIMIT 500"
        ).all() {
            events.append(.notification(recipientID: try row.decodeUUID(column: "recipient_id")))
            newest = max(newest, try row.decode(column: "created_at", as: Date.self))
        }
        if let row = try await sql.raw("SELECT MAX(created_at) AS at FROM flags WHERE created_at > \(bind: since)").first(),
            let at = try row.decode(column: "at", as: Date?.self)
        {
            events.append(.queue)
            newest = max(newest, at)
        }
        return (events, newest)
    }

    /// Reads a PostgreSQL notification's payload; nil for another schema's or a malformed one.
    /// Whether a notification says that content of `schema` changed (`CreateContentChangeTriggers`).
    public static func isContentChange(_ payload: String, schema: String) -> Bool {
        guard let object = try? JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any] else { return false }
        return object["kind"] as? String == "content" && object["schema"] as? String == schema
    }

    public static func decode(_ payload: String, schema: String) -> LiveEvent? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any],
            object["schema"] as? String == schema
        else { return nil }
        switch object["kind"] as? String {
        case "reply":
            guard let topic = (object["topic"] as? String).flatMap(UUID.init(uuidString:)), let number = object["number"] as? Int else {
                return nil
            }
            return .reply(topicID: topic, number: number)
        case "notification":
            return (object["recipient"] as? String).flatMap(UUID.init(uuidString:)).map { .notification(recipientID: $0) }
        case "queue": return .queue
        default: return nil
        }
    }
}
