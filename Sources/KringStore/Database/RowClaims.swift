import FluentKit
import Foundation
import SQLKit

/// Writes that must win once even when several Kring processes share one database: a claim is a
/// single conditional `UPDATE … RETURNING`, so of two processes racing for the same row exactly one
/// gets it back (a read followed by a write would let both through under READ COMMITTED).
enum RowClaims {
    /// One condition of a claim: `column operator value`.
    struct Condition {
        let column: String
        let op: SQLBinaryOperator
        let value: any SQLExpression

        static func isNull(_ column: String) -> Condition { Condition(column: column, op: .is, value: SQLLiteral.null) }
        static func equals(_ column: String, _ value: any Encodable & Sendable) -> Condition {
            Condition(column: column, op: .equal, value: SQLBind(value))
        }
        static func atMost(_ column: String, _ value: any Encodable & Sendable) -> Condition {
            Condition(column: column, op: .lessThanOrEqual, value: SQLBind(value))
        }
    }

    /// Sets `column` to `value` on the row `id` of `table` while every condition still holds; true
    /// when this call changed the row.
    static func claim(
        _ table: String, id: UUID, set column: String, to value: any Encodable & Sendable, when conditions: [Condition],
        on database: any Database
    ) async throws -> Bool {
        guard let sql = database as? any SQLDatabase else { return false }
        var update = sql.update(table).set(SQLIdentifier(column), to: SQLBind(value)).where("id", .equal, SQLBind(id))
        for condition in conditions { update = update.where(SQLIdentifier(condition.column), condition.op, condition.value) }
        return try await !update.returning("id").all().isEmpty
    }

    /// Locks a row until the transaction ends (PostgreSQL); SQLite lets one writer in at a time anyway.
    static func lock(_ table: String, id: UUID, on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "postgresql" else { return }
        try await sql.raw("SELECT id FROM \(ident: table) WHERE id = \(bind: id) FOR UPDATE").run()
    }
}
