import FluentKit
import NIOConcurrencyHelpers
import NIOCore
import PostgresNIO

/// The PostgreSQL connection of a transaction closed under it (the server restarted or the network
/// dropped): PostgreSQL has rolled the transaction back; the request may be tried again.
public struct DatabaseConnectionLost: Error, CustomStringConvertible {
    public var description: String { "the database connection closed during a transaction" }
}

/// PostgreSQL transactions that give up the moment their connection closes.
///
/// Fluent's own transaction sends ROLLBACK after any error, and PostgresNIO drops the failure of a
/// write to a closed channel: a statement sent on a dead connection waits forever, and so does the
/// request, holding its pooled connection. A restart under load left several such transactions, and
/// once they held all of an event loop's connections every request on that loop timed out for good
/// (issue #10). Here a closed connection ends the transaction with `DatabaseConnectionLost` at once,
/// and no ROLLBACK goes to a connection already closed.
enum PostgresTransaction {
    static func run<T: Sendable>(on db: any Database, _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await db.withConnection { connectionDB in
            guard let control = connectionDB as? any TransactionControlDatabase, let postgres = connectionDB as? any PostgresDatabase else {
                return try await connectionDB.transaction(body)
            }
            let connection = try await postgres.withConnection { $0.eventLoop.makeSucceededFuture($0) }.get()
            return try await ClosedConnectionWatch.shared.untilClosed(connection) {
                try await control.beginTransaction().get()
                do {
                    let result = try await body(connectionDB)
                    try await control.commitTransaction().get()
                    return result
                } catch {
                    if !connection.isClosed { try? await control.rollbackTransaction().get() }
                    throw error
                }
            }
        }
    }
}

/// Ends the work running on a connection when the connection closes. One close callback per
/// connection, however many transactions it serves: a callback per transaction would pile up on a
/// connection that lives for days.
final class ClosedConnectionWatch: Sendable {
    static let shared = ClosedConnectionWatch()

    private struct Watched {
        var aborts: [UInt64: @Sendable () -> Void] = [:]
    }

    private let state = NIOLockedValueBox((next: UInt64(0), connections: [ObjectIdentifier: Watched]()))

    /// Runs `work`; if `connection` closes first, throws `DatabaseConnectionLost` without waiting for
    /// it (a statement stuck on the dead connection is left behind, cancelled).
    func untilClosed<T: Sendable>(_ connection: PostgresConnection, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        let key = ObjectIdentifier(connection)
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let pending = NIOLockedValueBox<CheckedContinuation<T, any Error>?>(continuation)
            let finish: @Sendable (Result<T, any Error>) -> Void = { result in
                pending.withLockedValue { waiting in
                    waiting?.resume(with: result)
                    waiting = nil
                }
            }
            let task = Task { () -> Void in
                do { finish(.success(try await work())) } catch { finish(.failure(error)) }
            }
            let (id, firstWatch) = state.withLockedValue { state -> (UInt64, Bool) in
                state.next += 1
                let firstWatch = state.connections[key] == nil
                state.connections[key, default: Watched()].aborts[state.next] = {
                    finish(.failure(DatabaseConnectionLost()))
                    task.cancel()
                }
                return (state.next, firstWatch)
            }
            if firstWatch {
                connection.closeFuture.whenComplete { [weak self] _ in self?.closed(key) }
            }
            if connection.isClosed { closed(key) }
            Task {
                _ = await task.result
                self.state.withLockedValue { state in _ = state.connections[key]?.aborts.removeValue(forKey: id) }
            }
        }
    }

    private func closed(_ key: ObjectIdentifier) {
        let aborts = state.withLockedValue { state in state.connections.removeValue(forKey: key)?.aborts.values.map { $0 } ?? [] }
        for abort in aborts { abort() }
    }
}
