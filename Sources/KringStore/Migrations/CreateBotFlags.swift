import FluentKit
import SQLKit

/// Bots (automated accounts) apart from members and staff: on the member, copied into every
/// activity event and kept apart in the daily rollups, so member figures can leave them out.
struct CreateBotFlags: AsyncMigration {
    var name: String { "014_CreateBotFlags" }

    static let columns = [("members", "is_bot"), ("activity_events", "actor_is_bot"), ("activity_daily", "is_bot")]

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        for (table, column) in Self.columns {
            try await sql.raw("ALTER TABLE \(ident: table) ADD COLUMN \(ident: column) BOOLEAN NOT NULL DEFAULT false").run()
        }
    }

    func revert(on database: any Database) async throws {
        for (table, column) in Self.columns {
            try await database.schema(table).deleteField(FieldKey(stringLiteral: column)).update()
        }
    }
}
