import FluentKit
import Foundation
import KringCore

/// An e-mail as the outbox keeps it.
public struct OutboxMessage: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case pending
        case sent
        /// Gave up after the last retry.
        case failed
    }

    public let id: UUID
    public let kind: String
    public let recipient: String
    public let recipientName: String
    public let subject: String
    public let bodyText: String
    public let status: Status
    public let attempts: Int
    public let lastError: String?
    public let nextAttemptAt: Date
    public let createdAt: Date
    public let sentAt: Date?
    /// The one-click unsubscribe address of list mail (nil: the formatter's general settings link).
    public var unsubscribeURL: String? = nil
}

/// A message to be queued.
public struct NewOutboxMessage: Sendable {
    public var kind: String
    public var recipient: String
    public var recipientName: String
    public var subject: String
    public var bodyText: String
    /// For mail from a list the member can leave with one click (`MailList`).
    public var unsubscribeURL: String?

    public init(kind: String, recipient: String, recipientName: String, subject: String, bodyText: String, unsubscribeURL: String? = nil) {
        self.kind = kind
        self.recipient = recipient
        self.recipientName = recipientName
        self.subject = subject
        self.bodyText = bodyText
        self.unsubscribeURL = unsubscribeURL
    }
}

/// The e-mail outbox: messages are stored with the change that caused them, then delivered and
/// retried by a background job.
public struct OutboxRepository: Sendable {
    /// After this many failed attempts a message is marked failed and left for an admin to see.
    public static let maxAttempts = 6

    let database: any Database
    let clock: KringClock

    public init(database: any Database, clock: KringClock) {
        self.database = database
        self.clock = clock
    }

    @discardableResult
    public func enqueue(_ message: NewOutboxMessage) async throws -> UUID {
        let now = clock.now()
        let record = OutboxRecord()
        record.id = UUID()
        record.kind = message.kind
        record.recipient = message.recipient
        record.recipientName = message.recipientName
        record.subject = message.subject
        record.bodyText = message.bodyText
        record.unsubscribeURL = message.unsubscribeURL
        record.status = OutboxMessage.Status.pending.rawValue
        record.attempts = 0
        record.nextAttemptAt = now
        record.createdAt = now
        try await record.create(on: database)
        return try record.requireID()
    }

    /// Pending messages whose next attempt is due, oldest first.
    public func due(limit: Int) async throws -> [OutboxMessage] {
        try await OutboxRecord.query(on: database).filter(\.$status == OutboxMessage.Status.pending.rawValue)
            .filter(\.$nextAttemptAt <= clock.now()).sort(\.$createdAt).limit(limit).all().map { try $0.message() }
    }

    /// Claims a due message for delivery by pushing its next attempt out, so a second process skips it.
    /// Returns false when another process claimed it first (or it is no longer due).
    public func claim(id: UUID, for interval: TimeInterval) async throws -> Bool {
        let now = clock.now()
        return try await RowClaims.claim(
            OutboxRecord.schema, id: id, set: "next_attempt_at", to: now.addingTimeInterval(interval),
            when: [.equals("status", OutboxMessage.Status.pending.rawValue), .atMost("next_attempt_at", now)], on: database)
    }

    public func markSent(id: UUID) async throws {
        guard let record = try await OutboxRecord.find(id, on: database) else { return }
        record.status = OutboxMessage.Status.sent.rawValue
        record.attempts += 1
        record.sentAt = clock.now()
        record.lastError = nil
        try await record.save(on: database)
    }

    /// Records a failed attempt and schedules a retry with exponential back-off (1, 2, 4 … minutes),
    /// or gives up after `maxAttempts` — at once when the failure is `permanent` (the server refused
    /// the address or the message for good).
    public func markFailed(id: UUID, error: String, permanent: Bool = false) async throws {
        guard let record = try await OutboxRecord.find(id, on: database) else { return }
        record.attempts += 1
        record.lastError = String(error.prefix(500))
        if permanent || record.attempts >= Self.maxAttempts {
            record.status = OutboxMessage.Status.failed.rawValue
        } else {
            record.nextAttemptAt = clock.now().addingTimeInterval(60 * pow(2, Double(record.attempts - 1)))
        }
        try await record.save(on: database)
    }

    /// Puts a failed message back in the queue for an immediate attempt.
    public func retry(id: UUID) async throws {
        guard let record = try await OutboxRecord.find(id, on: database) else { throw StoreError.notFound }
        record.status = OutboxMessage.Status.pending.rawValue
        record.nextAttemptAt = clock.now()
        try await record.save(on: database)
    }

    public func find(id: UUID) async throws -> OutboxMessage? {
        try await OutboxRecord.find(id, on: database)?.message()
    }

    /// The mail log: newest first, optionally one status or one recipient.
    public func list(status: OutboxMessage.Status? = nil, recipient: String? = nil, limit: Int = 50, offset: Int = 0) async throws
        -> [OutboxMessage]
    {
        var query = OutboxRecord.query(on: database)
        if let status { query = query.filter(\.$status == status.rawValue) }
        if let recipient { query = query.filter(\.$recipient == recipient.lowercased()) }
        return try await query.sort(\.$createdAt, .descending).range(offset..<(offset + limit)).all().map { try $0.message() }
    }

    public func count(status: OutboxMessage.Status? = nil) async throws -> Int {
        var query = OutboxRecord.query(on: database)
        if let status { query = query.filter(\.$status == status.rawValue) }
        return try await query.count()
    }
}

extension OutboxRecord {
    func message() throws -> OutboxMessage {
        OutboxMessage(
            id: try requireID(), kind: kind, recipient: recipient, recipientName: recipientName, subject: subject,
            bodyText: bodyText, status: OutboxMessage.Status(rawValue: status) ?? .pending, attempts: attempts,
            lastError: lastError, nextAttemptAt: nextAttemptAt, createdAt: createdAt, sentAt: sentAt, unsubscribeURL: unsubscribeURL)
    }
}
