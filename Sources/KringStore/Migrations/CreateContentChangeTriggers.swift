import FluentKit
import SQLKit

/// On PostgreSQL, a statement trigger on every table whose rows a page can show announces that
/// content changed (`kind: content` on `kring_live`, once per transaction and schema): each Kring
/// process then forgets the pages it keeps for signed-out visitors. Tables that change on every
/// request or job and never show on a page (sessions, the activity log, rollups, queues) stay
/// quiet. SQLite needs no trigger: its `data_version` tells the one process about every commit.
struct CreateContentChangeTriggers: AsyncMigration {
    var name: String { "027_CreateContentChangeTriggers" }

    /// Written constantly and never part of what a visitor reads.
    static let quietTables: Set<String> = [
        "_fluent_migrations", "access_tokens", "activity_daily", "activity_events", "email_tokens", "engagement_funnel",
        "import_items", "instance_secrets", "jobs", "mail_list_choices", "mail_list_sends", "member_engagement",
        "member_first_days", "metric_snapshots", "notification_preferences", "notifications", "outbox_messages",
        "page_views_daily", "post_sentiment", "rate_limit_counters", "rollup_state", "sessions", "staff_actions",
        "term_mentions", "topic_reads", "visitors_daily",
    ]

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "postgresql" else { return }
        try await sql.raw(
            """
            CREATE OR REPLACE FUNCTION kring_content_notify() RETURNS trigger AS $$
            BEGIN
                PERFORM pg_notify('kring_live', json_build_object('schema', current_schema(), 'kind', 'content')::text);
                RETURN NULL;
            END $$ LANGUAGE plpgsql
            """
        ).run()
        for table in try await Self.contentTables(sql) {
            try await sql.raw(
                """
                CREATE TRIGGER \(unsafeRaw: table)_content AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON \(ident: table)
                FOR EACH STATEMENT EXECUTE FUNCTION kring_content_notify()
                """
            ).run()
        }
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "postgresql" else { return }
        for table in try await Self.contentTables(sql) {
            try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: table)_content ON \(ident: table)").run()
        }
        try await sql.raw("DROP FUNCTION IF EXISTS kring_content_notify()").run()
    }

    /// Kring's tables in the current schema, less the quiet ones.
    static func contentTables(_ sql: any SQLDatabase) async throws -> [String] {
        try await sql.raw(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        ).all().map { try $0.decode(column: "tablename", as: String.self) }
            .filter { !quietTables.contains($0) && $0.range(of: "^[a-z_]+$", options: .regularExpression) != nil }
    }
}
