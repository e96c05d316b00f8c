import FluentKit
import SQLKit

/// The posts held back (hidden, awaiting review) by a partial index of those alone. The review
/// queue and the cockpit's queue size ask for them on every view; with nearly every post visible,
/// the planners judged the index on `hidden_at` useless and read all the posts (a million on the
/// generated community: most of a dashboard request). Both engines use a partial index when the
/// query says `hidden_at IS NOT NULL`.
struct CreateHeldPostsIndex: AsyncMigration {
    var name: String { "029_CreateHeldPostsIndex" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX posts_held_idx ON posts (hidden_at) WHERE hidden_at IS NOT NULL").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.drop(index: "posts_held_idx").run()
    }
}
