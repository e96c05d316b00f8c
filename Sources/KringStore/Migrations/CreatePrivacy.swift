import FluentKit
import SQLKit

/// What erasing an account does with what the member wrote: the community's policy, chosen by
/// an admin (`anonymise` keeps the posts under "Former member", `remove` deletes them too).
struct CreatePrivacy: AsyncMigration {
    var name: String { "019_CreatePrivacy" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("ALTER TABLE community ADD COLUMN erasure_policy VARCHAR(16) NOT NULL DEFAULT 'anonymise'").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("community").deleteField("erasure_policy").update()
    }
}
