import FluentKit
import Foundation
import KringCore
import SQLKit

/// A member's personal data as one document (GDPR art. 15 and 20): every table that holds
/// something of theirs, as sections of rows, plus the files they uploaded.
public struct PersonalDataExport: Sendable {
    public struct File: Sendable {
        /// Where the file goes in the archive, e.g. `files/<document>-v2-report.pdf`.
        public let path: String
        public let storageKey: String
    }

    public let memberID: UUID
    public let handle: String
    public let exportedAt: Date
    /// Section name → rows, each row column → value; in a fixed order so exports diff well.
    public let sections: [(name: String, rows: [[String: PersonalDataValue]])]
    public let files: [File]

    /// The JSON document: `{"format": …, "exported_at": …, "sections": {…}, "files": […]}`.
    public func json() throws -> Data {
        var body: [String: PersonalDataValue] = [
            "format": .text("kring-personal-data/1"), "exported_at": .date(exportedAt), "member_id": .text(memberID.uuidString),
            "files": .list(files.map { .text($0.path) }),
        ]
        body["sections"] = .object(
            Dictionary(uniqueKeysWithValues: sections.map { ($0.name, .list($0.rows.map(PersonalDataValue.object))) }))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(PersonalDataValue.object(body))
    }
}

/// One value in an export, typed so dates come out as ISO 8601 and ids as text on every database.
public indirect enum PersonalDataValue: Sendable, Encodable, Equatable {
    case text(String)
    case number(Int)
    case decimal(Double)
    case bool(Bool)
    case date(Date)
    case list([PersonalDataValue])
    case object([String: PersonalDataValue])
    case null

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .decimal(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .date(let value): try container.encode(value)
        case .list(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }
}

/// What an erasure did, for the audit log and the confirmation page.
public struct ErasureOutcome: Sendable, Equatable {
    public let placeholderHandle: String
    public let policy: ErasurePolicy
    /// Posts (topics' opening posts included) whose text was removed; zero when anonymising.
    public let removedPosts: Int
    /// Ideas, events, polls and documents removed; zero when anonymising.
    public let removedItems: Int
    /// Files to delete from storage once the transaction has committed.
    public let fileKeys: [String]
    /// The address the member had, so mail copies outside the database can be forgotten too.
    public let formerEmail: String
}

/// Reads everything a member left in the database, and erases it on request.
public struct PersonalDataRepository: Sendable {
    let database: any Database
    let clock: KringClock

    public init(database: any Database, clock: KringClock) {
        self.database = database
        self.clock = clock
    }

    /// Every database Kring runs on (SQLite, PostgreSQL) speaks SQL.
    private var sql: any SQLDatabase { database as! any SQLDatabase }

    // MARK: Export

    /// How a column is read; SQLite and PostgreSQL store ids, dates and booleans differently.
    enum ColumnKind { case text, id, date, int, decimal, bool }

    /// One part of the export: a query for the member's rows and the columns it returns.
    struct Section {
        let name: String
        let columns: [(String, ColumnKind)]
        let query: @Sendable (UUID) -> SQLQueryString
    }

    /// Every table that holds the member's data, each as the member would want to read it back.
    static let sections: [Section] = [
        Section(
            name: "account",
            columns: [
                ("id", .id), ("handle", .text), ("display_name", .text), ("email", .text), ("role", .text), ("status", .text),
                ("bio", .text), ("organisation", .text), ("preferred_language", .text), ("created_at", .date),
                ("last_seen_at", .date), ("registration_ip", .text), ("accepted_rules_version", .int),
            ],
            query: {
                "SELECT id, handle, display_name, email, role, status, bio, organisation, preferred_language, created_at, last_seen_at, registration_ip, accepted_rules_version FROM members WHERE id = \(bind: $0)"
            }),
        Section(
            name: "profile_tags", columns: [("kind", .text), ("name", .text), ("position", .int)],
            query: {
                "SELECT mt.kind, t.name, mt.position FROM member_tags mt JOIN tags t ON t.id = mt.tag_id WHERE mt.member_id = \(bind: $0) ORDER BY mt.kind, mt.position"
            }),
        Section(
            name: "group_memberships",
            columns: [("group", .text), ("slug", .text), ("role", .text), ("status", .text), ("created_at", .date)],
            query: {
                "SELECT g.name AS \(ident: "group"), g.slug, gm.role, gm.status, gm.created_at FROM group_memberships gm JOIN groups g ON g.id = gm.group_id WHERE gm.member_id = \(bind: $0) ORDER BY gm.created_at"
            }),
        Section(
            name: "topics", columns: [("id", .id), ("title", .text), ("kind", .text), ("created_at", .date), ("deleted_at", .date)],
            query: { "SELECT id, title, kind, created_at, deleted_at FROM topics WHERE author_id = \(bind: $0) ORDER BY created_at" }),
        Section(
            name: "posts",
            columns: [
                ("id", .id), ("topic_id", .id), ("topic_title", .text), ("post_number", .int), ("body", .text), ("created_at", .date),
                ("edited_at", .date), ("deleted_at", .date),
            ],
            query: {
                "SELECT p.id, p.topic_id, t.title AS topic_title, p.post_number, p.body, p.created_at, p.edited_at, p.deleted_at FROM posts p JOIN topics t ON t.id = p.topic_id WHERE p.author_id = \(bind: $0) ORDER BY p.created_at"
            }),
        Section(
            name: "post_revisions", columns: [("post_id", .id), ("title", .text), ("body", .text), ("created_at", .date)],
            query: { "SELECT post_id, title, body, created_at FROM post_revisions WHERE editor_id = \(bind: $0) ORDER BY created_at" }),
        Section(
            name: "reactions", columns: [("post_id", .id), ("kind", .text), ("created_at", .date)],
            query: { "SELECT post_id, kind, created_at FROM reactions WHERE member_id = \(bind: $0) ORDER BY created_at" }),
        Section(
            name: "topics_read", columns: [("topic_id", .id), ("last_read_post_number", .int), ("read_at", .date)],
            query: { "SELECT topic_id, last_read_post_number, read_at FROM topic_reads WHERE member_id = \(bind: $0) ORDER BY read_at" }),
        Section(
            name: "events_organised",
            columns: [("id", .id), ("title", .text), ("description", .text), ("location", .text), ("starts_at", .date)],
            query: { "SELECT id, title, description, location, starts_at FROM events WHERE organiser_id = \(bind: $0) ORDER BY starts_at" }),
        Section(
            name: "event_answers",
            columns: [("event_id", .id), ("event", .text), ("status", .text), ("created_at", .date), ("checked_in_at", .date)],
            query: {
                "SELECT r.event_id, e.title AS event, r.status, r.created_at, r.checked_in_at FROM rsvps r JOIN events e ON e.id = r.event_id WHERE r.member_id = \(bind: $0) ORDER BY r.created_at"
            }),
        Section(
            name: "polls", columns: [("id", .id), ("question", .text), ("created_at", .date)],
            query: { "SELECT id, question, created_at FROM polls WHERE author_id = \(bind: $0) ORDER BY created_at" }),
        Section(
            name: "poll_votes", columns: [("poll", .text), ("option", .text), ("created_at", .date)],
            query: {
                "SELECT p.question AS poll, o.label AS \(ident: "option"), v.created_at FROM poll_votes v JOIN polls p ON p.id = v.poll_id JOIN poll_options o ON o.id = v.option_id WHERE v.member_id = \(bind: $0) ORDER BY v.created_at"
            }),
        Section(
            name: "ideas", columns: [("id", .id), ("title", .text), ("description", .text), ("status", .text), ("created_at", .date)],
            query: { "SELECT id, title, description, status, created_at FROM ideas WHERE author_id = \(bind: $0) ORDER BY created_at" }),
        Section(
            name: "idea_comments", columns: [("idea_id", .id), ("body", .text), ("created_at", .date)],
            query: { "SELECT idea_id, body, created_at FROM idea_comments WHERE author_id = \(bind: $0) ORDER BY created_at" }),
        Section(
            name: "idea_votes", columns: [("idea_id", .id), ("idea", .text), ("created_at", .date)],
            query: {
                "SELECT v.idea_id, i.title AS idea, v.created_at FROM idea_votes v JOIN ideas i ON i.id = v.idea_id WHERE v.member_id = \(bind: $0) ORDER BY v.created_at"
            }),
        Section(
            name: "documents",
            columns: [("id", .id), ("title", .text), ("description", .text), ("folder", .text), ("created_at", .date)],
            query: { "SELECT id, title, description, folder, created_at FROM documents WHERE author_id = \(bind: $0) ORDER BY created_at" }),
        Section(
            name: "uploads",
            columns: [
                ("document_id", .id), ("number", .int), ("filename", .text), ("kind", .text), ("size", .int), ("sha256", .text),
                ("created_at", .date),
            ],
            query: {
                "SELECT document_id, number, filename, kind, size, sha256, created_at FROM document_versions WHERE uploader_id = \(bind: $0) ORDER BY created_at"
            }),
        Section(
            name: "notifications",
            // What each was about stays on the notifications page, which leaves out what the member may no
            // longer read (a group they left, a post still held); the archive does not know the viewer.
            columns: [("kind", .text), ("created_at", .date), ("read_at", .date)],
            query: { "SELECT kind, created_at, read_at FROM notifications WHERE recipient_id = \(bind: $0) ORDER BY created_at" }),
        Section(
            name: "notification_preferences", columns: [("kind", .text), ("in_app", .bool), ("email", .text)],
            query: { "SELECT kind, in_app, email FROM notification_preferences WHERE member_id = \(bind: $0) ORDER BY kind" }),
        Section(
            name: "sessions",
            columns: [("created_at", .date), ("last_seen_at", .date), ("expires_at", .date), ("ip_address", .text), ("user_agent", .text)],
            query: {
                "SELECT created_at, last_seen_at, expires_at, ip_address, user_agent FROM sessions WHERE member_id = \(bind: $0) ORDER BY created_at"
            }),
        Section(
            name: "access_tokens",
            columns: [("name", .text), ("token_prefix", .text), ("created_at", .date), ("last_used_at", .date), ("revoked_at", .date)],
            query: {
                "SELECT name, token_prefix, created_at, last_used_at, revoked_at FROM access_tokens WHERE member_id = \(bind: $0) ORDER BY created_at"
            }),
        Section(
            name: "badges", columns: [("name", .text), ("level", .text), ("awarded_at", .date), ("source", .text)],
            query: { "SELECT name, level, awarded_at, source FROM member_badges WHERE member_id = \(bind: $0) ORDER BY awarded_at" }),
        Section(
            name: "engagement",
            columns: [
                ("score", .decimal), ("level", .text), ("previous_score", .decimal), ("previous_level", .text), ("segments", .text),
                ("recent_posts", .int), ("computed_at", .date),
            ],
            query: {
                """
                SELECT score, level, previous_score, previous_level, segments, recent_posts, computed_at FROM member_engagement
                WHERE member_id = \(bind: $0)
                """
            }),
        Section(
            name: "mail_lists", columns: [("list", .text), ("choice", .text), ("updated_at", .date)],
            query: { "SELECT list, choice, updated_at FROM mail_list_choices WHERE member_id = \(bind: $0) ORDER BY list" }),
        Section(
            name: "list_mail_sent", columns: [("list", .text), ("period", .text), ("sent_at", .date)],
            query: { "SELECT list, period, sent_at FROM mail_list_sends WHERE member_id = \(bind: $0) ORDER BY sent_at" }),
        Section(
            name: "post_sentiment", columns: [("post_id", .id), ("language", .text), ("score", .decimal), ("label", .text)],
            query: {
                """
                SELECT s.post_id, s.language, s.score, s.label FROM post_sentiment s JOIN posts p ON p.id = s.post_id
                WHERE p.author_id = \(bind: $0) ORDER BY s.created_at
                """
            }),
        Section(
            name: "insights_on_posts",
            columns: [("post_id", .id), ("kind", .text), ("note", .text), ("status", .text), ("created_at", .date)],
            query: {
                """
                SELECT i.post_id, i.kind, i.note, i.status, i.created_at FROM insights i JOIN posts p ON p.id = i.post_id
                WHERE p.author_id = \(bind: $0) ORDER BY i.created_at
                """
            }),
        Section(
            name: "sanctions",
            columns: [("kind", .text), ("reason", .text), ("starts_at", .date), ("ends_at", .date), ("lifted_at", .date)],
            query: { "SELECT kind, reason, starts_at, ends_at, lifted_at FROM sanctions WHERE member_id = \(bind: $0) ORDER BY starts_at" }),
        Section(
            name: "flags_raised", columns: [("post_id", .id), ("reason", .text), ("note", .text), ("created_at", .date)],
            query: { "SELECT post_id, reason, note, created_at FROM flags WHERE flagger_id = \(bind: $0) ORDER BY created_at" }),
        Section(
            name: "mails",
            columns: [("kind", .text), ("subject", .text), ("status", .text), ("created_at", .date), ("sent_at", .date)],
            query: {
                "SELECT o.kind, o.subject, o.status, o.created_at, o.sent_at FROM outbox_messages o JOIN members m ON m.email = o.recipient WHERE m.id = \(bind: $0) ORDER BY o.created_at"
            }),
        Section(
            name: "activity", columns: [("kind", .text), ("subject_type", .text), ("subject_id", .id), ("occurred_at", .date)],
            query: {
                "SELECT kind, subject_type, subject_id, occurred_at FROM activity_events WHERE actor_id = \(bind: $0) ORDER BY occurred_at"
            }),
    ]

    /// Everything of the member's, or nil when there is no such member.
    public func export(of memberID: UUID) async throws -> PersonalDataExport? {
        guard let member = try await MemberRepository(database: database, clock: clock).find(id: memberID) else { return nil }
        var sections: [(name: String, rows: [[String: PersonalDataValue]])] = []
        for section in Self.sections {
            let rows = try await sql.raw(section.query(memberID)).all()
            sections.append((section.name, try rows.map { row in try Self.values(of: row, columns: section.columns) }))
        }
        let versions = try await sql.raw(
            "SELECT document_id, number, filename, storage_key FROM document_versions WHERE uploader_id = \(bind: memberID) ORDER BY created_at"
        ).all()
        let files = try versions.map { row in
            PersonalDataExport.File(
                path: "files/"
                    + Self.archiveName(
                        document: try row.decodeUUID(column: "document_id"), number: try row.decode(column: "number", as: Int.self),
                        filename: try row.decode(column: "filename", as: String.self)),
                storageKey: try row.decode(column: "storage_key", as: String.self))
        }
        return PersonalDataExport(memberID: memberID, handle: member.handle, exportedAt: clock.now(), sections: sections, files: files)
    }

    static func values(of row: any SQLRow, columns: [(String, ColumnKind)]) throws -> [String: PersonalDataValue] {
        var values: [String: PersonalDataValue] = [:]
        for (column, kind) in columns {
            if try row.decodeNil(column: column) {
                values[column] = .null
                continue
            }
            switch kind {
            case .text: values[column] = .text(try row.decode(column: column, as: String.self))
            case .id: values[column] = .text(try row.decodeUUID(column: column).uuidString)
            case .date: values[column] = .date(try row.decode(column: column, as: Date.self))
            case .int: values[column] = .number(try row.decode(column: column, as: Int.self))
            case .decimal: values[column] = .decimal(try row.decode(column: column, as: Double.self))
            case .bool: values[column] = .bool(try row.decode(column: column, as: Bool.self))
            }
        }
        return values
    }

    /// A file name safe in any archive tool: the document and version first, then the upload's
    /// own name with anything but letters, digits, dots, dashes and underscores replaced.
    static func archiveName(document: UUID, number: Int, filename: String) -> String {
        let safe = String(
            filename.unicodeScalars.map { scalar -> Character in
                CharacterSet.alphanumerics.contains(scalar) || "._-".unicodeScalars.contains(scalar) ? Character(scalar) : "_"
            }
        ).trimmingCharacters(in: CharacterSet(charactersIn: "."))
        return "\(document.uuidString.lowercased())-v\(number)-\(safe.isEmpty ? "file" : String(safe.prefix(100)))"
    }

    // MARK: Erasure

    /// Erases the member's personal data in one transaction (GDPR art. 17) and, by `policy`,
    /// removes or keeps what they wrote. The account row stays as a placeholder without personal
    /// data, so threads, votes and figures keep their shape. Call it inside the caller's transaction
    /// with the audit record; delete `fileKeys` from storage after the commit.
    public func erase(_ memberID: UUID, policy: ErasurePolicy, by actor: Actor) async throws -> ErasureOutcome {
        guard let member = try await MemberRepository(database: database, clock: clock).find(id: memberID), member.status != .erased
        else { throw StoreError.notFound }
        let now = clock.now()
        var removedPosts = 0
        var removedItems = 0
        var fileKeys: [String] = []

        if policy == .remove {
            (removedPosts, removedItems, fileKeys) = try await removeContributions(of: memberID, by: actor)
        }

        // Their interests and expertise: tags no one else uses (and no manager described) go too.
        let tagIDs = try await sql.raw("SELECT tag_id FROM member_tags WHERE member_id = \(bind: memberID)").all()
            .map { try $0.decodeUUID(column: "tag_id") }

        // Links that would follow the person: sign-ins, tokens, reading traces, inbox, tags.
        for (table, column) in [
            ("sessions", "member_id"), ("access_tokens", "member_id"), ("email_tokens", "member_id"),
            ("notification_preferences", "member_id"),
            ("member_tags", "member_id"), ("topic_reads", "member_id"), ("notifications", "recipient_id"), ("member_badges", "member_id"),
            ("event_organisers", "member_id"), ("department_liaisons", "member_id"), ("sanctions", "member_id"),
            ("import_items", "local_id"), ("member_engagement", "member_id"), ("mail_list_choices", "member_id"),
            ("mail_list_sends", "member_id"),
        ] {
            try await sql.raw("DELETE FROM \(ident: table) WHERE \(ident: column) = \(bind: memberID)").run()
        }
        if !tagIDs.isEmpty {
            try await sql.raw(
                """
                DELETE FROM tags WHERE id IN \(SQLBind.group(tagIDs)) AND (description IS NULL OR description = '')
                AND NOT EXISTS (SELECT 1 FROM member_tags mt WHERE mt.tag_id = tags.id)
                AND NOT EXISTS (SELECT 1 FROM topic_tags tt WHERE tt.tag_id = tags.id)
                AND NOT EXISTS (SELECT 1 FROM idea_tags it WHERE it.tag_id = tags.id)
                """
            ).run()
        }
        try await sql.raw("DELETE FROM email_tokens WHERE email = \(bind: member.email)").run()
        try await sql.raw("DELETE FROM outbox_messages WHERE recipient = \(bind: member.email)").run()
        for bucket in ["login:account:" + member.handle, "login:account:" + member.email] {
            try await sql.raw("DELETE FROM rate_limit_counters WHERE bucket = \(bind: bucket)").run()
        }
        try await sql.raw("DELETE FROM blocked_identities WHERE value IN (\(bind: member.email), \(bind: member.handle))").run()

        // Groups they were in count one member fewer; answers to events still to come are withdrawn.
        let groupIDs = try await sql.raw("SELECT group_id FROM group_memberships WHERE member_id = \(bind: memberID)").all()
            .map { try $0.decodeUUID(column: "group_id") }
        try await sql.raw("DELETE FROM group_memberships WHERE member_id = \(bind: memberID)").run()
        for groupID in groupIDs { try await GroupRepository(database: database, clock: clock).recount(groupID) }
        let upcoming = try await sql.raw(
            "SELECT r.event_id FROM rsvps r JOIN events e ON e.id = r.event_id WHERE r.member_id = \(bind: memberID) AND e.starts_at > \(bind: now) AND e.cancelled_at IS NULL"
        ).all().map { try $0.decodeUUID(column: "event_id") }
        for eventID in upcoming {
            _ = try await EventRepository(database: database, clock: clock).rsvp(eventID, member: member, .notGoing)
            try await sql.raw("DELETE FROM rsvps WHERE event_id = \(bind: eventID) AND member_id = \(bind: memberID)").run()
        }

        // The audit log keeps what staff did, under the placeholder's name.
        let placeholder = ErasedMember.handle(for: memberID)
        try await sql.raw("UPDATE staff_actions SET actor_handle = \(bind: placeholder) WHERE actor_id = \(bind: memberID)").run()
        try await sql.raw("UPDATE staff_actions SET subject_label = \(bind: "@" + placeholder) WHERE subject_id = \(bind: memberID)").run()

        try await sql.raw(
            """
            UPDATE members SET handle = \(bind: placeholder), display_name = \(bind: ErasedMember.displayName),
            email = \(bind: ErasedMember.email(for: memberID)), password_hash = '', role = \(bind: Role.member.rawValue),
            is_staff = \(bind: false), cockpit_access = \(bind: false), status = \(bind: MemberStatus.erased.rawValue), bio = '',
            organisation = '', preferred_language = NULL, last_seen_at = NULL, calendar_token = NULL, registration_ip = NULL,
            pending_reason = NULL, updated_at = \(bind: now) WHERE id = \(bind: memberID)
            """
        ).run()
        try await SearchIndex(database: database, clock: clock).remove(kind: .member, refID: memberID)
        try await ActivityLog(database: database, clock: clock).record(
            .memberErased, by: actor, subjectType: "member", subjectID: memberID, groupID: nil)
        return ErasureOutcome(
            placeholderHandle: placeholder, policy: policy, removedPosts: removedPosts, removedItems: removedItems, fileKeys: fileKeys,
            formerEmail: member.email)
    }

    /// The "remove" policy's part: topics and replies deleted with their text and edit history
    /// wiped (so no moderator view still shows it), and ideas, comments, polls, events and
    /// documents deleted outright.
    private func removeContributions(of memberID: UUID, by actor: Actor) async throws -> (posts: Int, items: Int, files: [String]) {
        let topics = TopicRepository(database: database, clock: clock)
        // Replies first, then opening posts (the author of a topic wrote its opening post):
        // deleting an opening post deletes the topic.
        let posts = try await sql.raw(
            "SELECT id FROM posts WHERE author_id = \(bind: memberID) AND deleted_at IS NULL ORDER BY post_number DESC"
        ).all().map { try $0.decodeUUID(column: "id") }
        for postID in posts { try await topics.delete(postID: postID, by: actor) }
        try await sql.raw(
            "DELETE FROM post_revisions WHERE post_id IN (SELECT id FROM posts WHERE author_id = \(bind: memberID)) OR editor_id = \(bind: memberID)"
        ).run()
        try await sql.raw("UPDATE posts SET body = '', body_html = '' WHERE author_id = \(bind: memberID)").run()
        try await sql.raw("UPDATE topics SET title = '—' WHERE author_id = \(bind: memberID)").run()

        // Comments on others' ideas go, and those ideas count them no more.
        let commented = try await sql.raw(
            "SELECT DISTINCT idea_id FROM idea_comments WHERE author_id = \(bind: memberID)"
        ).all().map { try $0.decodeUUID(column: "idea_id") }
        try await sql.raw("DELETE FROM idea_comments WHERE author_id = \(bind: memberID)").run()
        for ideaID in commented {
            try await sql.raw(
                "UPDATE ideas SET comment_count = (SELECT COUNT(*) FROM idea_comments c WHERE c.idea_id = \(bind: ideaID)) WHERE id = \(bind: ideaID)"
            ).run()
        }
        let files = try await sql.raw(
            "SELECT v.storage_key FROM document_versions v JOIN documents d ON d.id = v.document_id WHERE d.author_id = \(bind: memberID)"
        ).all().map { try $0.decode(column: "storage_key", as: String.self) }
        var items = 0
        for (table, column, reference) in [
            ("ideas", "author_id", "idea_id"), ("events", "organiser_id", "event_id"), ("polls", "author_id", nil),
            ("documents", "author_id", nil),
        ] as [(String, String, String?)] {
            let ids = try await sql.raw("SELECT id FROM \(ident: table) WHERE \(ident: column) = \(bind: memberID)").all()
                .map { try $0.decodeUUID(column: "id") }
            guard !ids.isEmpty else { continue }
            if let reference {
                try await sql.raw("DELETE FROM notifications WHERE \(ident: reference) IN \(SQLBind.group(ids))").run()
            }
            try await sql.raw("DELETE FROM \(ident: table) WHERE id IN \(SQLBind.group(ids))").run()
            items += ids.count
        }
        return (posts.count, items, files)
    }
}
