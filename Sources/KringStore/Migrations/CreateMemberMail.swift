import FluentKit
import SQLKit

/// Members' choices per mail list (no row: the list's default), the log of list mail sent (one row
/// per member, list and period, so a job that runs twice mails once; nudges' frequency caps read
/// it), and the one-click unsubscribe address each outbox message carries.
struct CreateMemberMail: AsyncMigration {
    var name: String { "021_CreateMemberMail" }

    func prepare(on database: any Database) async throws {
        try await database.schema("mail_list_choices")
            .id()
            .field("member_id", .uuid, .required, .references("members", "id", onDelete: .cascade))
            .field("list", .string, .required)
            .field("choice", .string, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "member_id", "list")
            .create()
        try await database.schema("mail_list_sends")
            .id()
            .field("member_id", .uuid, .required, .references("members", "id", onDelete: .cascade))
            .field("list", .string, .required)
            .field("period", .string, .required)
            .field("sent_at", .datetime, .required)
            .unique(on: "member_id", "list", "period")
            .create()
        try await database.schema("outbox_messages").field("unsubscribe_url", .string).update()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "mail_list_sends_list_idx").on("mail_list_sends").column("list").column("period").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("outbox_messages").deleteField("unsubscribe_url").update()
        for table in ["mail_list_sends", "mail_list_choices"] { try await database.schema(table).delete() }
    }
}
