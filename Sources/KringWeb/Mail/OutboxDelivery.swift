import KringCore
import KringStore
import Vapor

/// Sends what waits in the outbox. Runs every few seconds in the background; each message is
/// claimed first so several Kring processes never send one twice.
public struct OutboxDelivery: Sendable {
    let repositories: Repositories
    let transport: any MailTransport
    let sender: MailSender
    let logger: Logger

    /// Delivers due messages and returns how many were sent.
    @discardableResult
    public func deliverDue(limit: Int = 50) async throws -> Int {
        var sent = 0
        for message in try await repositories.outbox.due(limit: limit) {
            guard try await repositories.outbox.claim(id: message.id, for: 300) else {
                continue
            }
            do {
                try await transport.deliver(message, from: sender)
                try await repositories.outbox.markSent(id: message.id)
                sent += 1
            } catch {
                logger.warning("Mail delivery failed", metadata: ["message": "\(message.id)", "error": "\(error)"])
                try await repositories.outbox.markFailed(
                    id: message.id, error: String(describing: error), permanent: (error as? SMTPError)?.isPermanent ?? false)
            }
        }
        return sent
    }
}

extension Application {
    /// The outbox sender bound to this application's database and transport.
    public var outboxDelivery: OutboxDelivery {
        OutboxDelivery(
            repositories: repositories, transport: kring.mailTransport,
            sender: MailSender(name: "Kring", address: kring.config.senderAddress),
            logger: logger)
    }
}
