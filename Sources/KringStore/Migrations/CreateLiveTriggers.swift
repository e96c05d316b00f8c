import FluentKit
import SQLKit

/// On PostgreSQL, triggers announce new posts, notifications and flags on the `kring_live` channel
/// (with the schema, so communities sharing a database keep apart): every Kring process LISTENs and
/// tells its open pages. SQLite has one process, which watches its own tables instead.
struct CreateLiveTriggers: AsyncMigration {
    var name: String { "026_CreateLiveTriggers" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "postgresql" else { return }
        try await sql.raw(
            """
            CREATE OR REPLACE FUNCTION kring_live_notify() RETURNS trigger AS $$
            BEGIN
                IF TG_TABLE_NAME = 'posts' THEN
                    PERFORM pg_notify('kring_live', json_build_object('schema', current_schema(), 'kind', 'reply',
                        'topic', NEW.topic_id, 'number', NEW.post_number)::text);
                ELSIF TG_TABLE_NAME = 'notifications' THEN
                    PERFORM pg_notify('kring_live', json_build_object('schema', current_schema(), 'kind', 'notification',
                        'recipient', NEW.recipient_id)::text);
                ELSE
                    PERFORM pg_notify('kring_live', json_build_object('schema', current_schema(), 'kind', 'queue')::text);
                END IF;
                RETURN NULL;
            END $$ LANGUAGE plpgsql
            """
        ).run()
        for table in ["posts", "notifications", "flags"] {
            try await sql.raw(
                "CREATE TRIGGER \(unsafeRaw: table)_live AFTER INSERT ON \(ident: table) FOR EACH ROW EXECUTE FUNCTION kring_live_notify()"
            ).run()
        }
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "postgresql" else { return }
        for table in ["posts", "notifications", "flags"] {
            try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: table)_live ON \(ident: table)").run()
        }
        try await sql.raw("DROP FUNCTION IF EXISTS kring_live_notify()").run()
    }
}
