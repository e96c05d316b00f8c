import FluentKit
import Foundation
import KringCore
import SQLKit

/// One search hit, already filtered for the viewer.
public struct SearchHit: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case topic, post, group, member
    }

    public let kind: Kind
    public let refID: UUID
    public let topicID: UUID?
    public let groupID: UUID?
    public let title: String
    public let snippet: String
}

/// Keeps `search_documents` and the text index in step with content, and answers searches through
/// the same visibility rules as pages. Call it with the transaction that changes the content.
public struct SearchIndex: Sendable {
    let database: any Database
    let clock: KringClock
    /// See `probedDocuments` (tests use fewer).
    var probeWindow = SearchIndex.probedDocuments

    public init(database: any Database, clock: KringClock) {
        self.database = database
        self.clock = clock
    }

    private var sql: (any SQLDatabase)? { database as? any SQLDatabase }
    private var isPostgres: Bool { sql?.dialect.name == "postgresql" }

    // MARK: Indexing

    func index(group: Group) async throws {
        try await upsert(kind: .group, refID: group.id, groupID: group.id, topicID: nil, title: group.name, body: group.description)
    }

    func index(member: Member) async throws {
        let document = Self.document(member: member)
        try await upsert(kind: .member, refID: member.id, groupID: nil, topicID: nil, title: document.title, body: document.body)
    }

    static func document(member: Member) -> FreshDocument {
        let body = [
            member.handle, member.profile.organisation, member.profile.bio, member.profile.interests.joined(separator: " "),
            member.profile.expertise.joined(separator: " "),
        ].joined(separator: "\n")
        return FreshDocument(kind: .member, refID: member.id, groupID: nil, topicID: nil, title: member.displayName, body: body)
    }

    /// Indexes a post; the opening post is indexed as the topic, with its title.
    func index(postID: UUID, topicID: UUID, groupID: UUID?, title: String?, body: String) async throws {
        if let title {
            try await upsert(kind: .topic, refID: topicID, groupID: groupID, topicID: topicID, title: title, body: body)
        } else {
            try await upsert(kind: .post, refID: postID, groupID: groupID, topicID: topicID, title: "", body: body)
        }
    }

    /// Empties the index and fills it again from the content — groups, active members, live topics
    /// and their live replies — for a database filled around it (`kring generate`, a restored or
    /// repaired copy). Topics go in batches, each batch in one transaction with a few multi-row
    /// inserts; `progress` hears (topics done, topics in all). Returns the number of documents.
    public func rebuild(batchSize: Int = 500, progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async throws -> Int {
        let clock = clock
        var documents = try await database.transaction { tx -> Int in
            if let sql = tx as? any SQLDatabase, sql.dialect.name != "postgresql" {
                try await sql.raw("DELETE FROM search_fts").run()
                try await sql.raw("DELETE FROM search_fts_map").run()
            }
            try await SearchDocumentRecord.query(on: tx).delete()
            let groups = try await GroupRecord.query(on: tx).all().map { group in
                FreshDocument(
                    kind: .group, refID: try group.requireID(), groupID: group.id, topicID: nil, title: group.name, body: group.description,
                    at: group.updatedAt)
            }
            try await SearchIndex(database: tx, clock: clock).insertFresh(groups)
            return groups.count
        }
        var lastMember: UUID?
        repeat {
            let after = lastMember
            let records = try await database.transaction { tx -> [MemberRecord] in
                var query = MemberRecord.query(on: tx).filter(\.$status == MemberStatus.active.rawValue).sort(\.$id).limit(batchSize)
                if let after { query = query.filter(\.$id > after) }
                let records = try await query.all()
                let members = try await MemberRepository(database: tx, clock: clock).withTags(records)
                let changed = Dictionary(uniqueKeysWithValues: records.compactMap { record in record.id.map { ($0, record.updatedAt) } })
                try await SearchIndex(database: tx, clock: clock).insertFresh(
                    members.map { member in
                        var document = Self.document(member: member)
                        document.at = changed[member.id]
                        return document
                    })
                return records
            }
            documents += records.count
            lastMember = records.count == batchSize ? records.last?.id : nil
        } while lastMember != nil
        // Oldest first, so row ids grow with time as they do for content indexed when written.
        let order = try await TopicRecord.query(on: database).filter(\.$deletedAt == nil).sort(\.$createdAt).sort(\.$id).all(\.$id)
        for start in stride(from: 0, to: order.count, by: batchSize) {
            let ids = Array(order[start..<min(order.count, start + batchSize)])
            documents += try await database.transaction { tx -> Int in
                if let sql = tx as? any SQLDatabase, sql.dialect.name != "postgresql" {
                    // 64 MiB of pages for the connection that writes the whole index.
                    try await sql.raw("PRAGMA cache_size = -65536").run()
                }
                let byID = Dictionary(
                    uniqueKeysWithValues: try await TopicRecord.query(on: tx).filter(\.$id ~~ ids).all().map { (try $0.requireID(), $0) })
                let posts = try await PostRecord.query(on: tx).filter(\.$topicID ~~ ids).filter(\.$deletedAt == nil)
                    .sort(\.$createdAt).sort(\.$postNumber).all()
                let fresh = try posts.compactMap { post -> FreshDocument? in
                    guard let topic = byID[post.topicID] else { return nil }
                    return post.postNumber == 1
                        ? FreshDocument(
                            kind: .topic, refID: post.topicID, groupID: topic.groupID, topicID: post.topicID, title: topic.title,
                            body: post.body, at: max(topic.updatedAt, post.updatedAt))
                        : FreshDocument(
                            kind: .post, refID: try post.requireID(), groupID: topic.groupID, topicID: post.topicID, title: "",
                            body: post.body, at: post.updatedAt)
                }
                try await SearchIndex(database: tx, clock: clock).insertFresh(fresh)
                return fresh.count
            }
            progress(min(order.count, start + batchSize), order.count)
        }
        if let sql = database as? any SQLDatabase, sql.dialect.name != "postgresql" {
            // One segment instead of the many the batches left: every later post's commit merged
            // into them piece by piece (posting on a million posts: p90 684 → 288 ms), and searches
            // read them all.
            try await sql.raw("INSERT INTO search_fts(search_fts) VALUES('optimize')").run()
        }
        return documents
    }

    /// A document for an index known to hold nothing for it yet.
    struct FreshDocument {
        let kind: SearchHit.Kind
        let refID: UUID
        let groupID: UUID?
        let topicID: UUID?
        let title: String
        let body: String
        /// When the content last changed, for a rebuilt index to date documents as live indexing
        /// does (nil: now): otherwise the newest documents would be whatever was rebuilt last.
        var at: Date? = nil
    }

    /// Adds documents in a few multi-row statements (the rebuild's 1,000,000 posts one by one took hours).
    private func insertFresh(_ documents: [FreshDocument]) async throws {
        // At most 500 rows a statement: SQLite takes at most 32,766 bound values in one.
        for start in stride(from: 0, to: documents.count, by: 500) {
            try await insertFreshChunk(Array(documents[start..<min(documents.count, start + 500)]))
        }
    }

    private func insertFreshChunk(_ fresh: [FreshDocument]) async throws {
        guard let sql, !fresh.isEmpty else { return }
        let now = clock.now()
        let records = fresh.map { document -> SearchDocumentRecord in
            let record = SearchDocumentRecord()
            record.id = UUID()
            record.kind = document.kind.rawValue
            record.refID = document.refID
            record.groupID = document.groupID
            record.topicID = document.topicID
            record.title = document.title
            record.body = document.body
            record.updatedAt = document.at ?? now
            return record
        }
        try await records.create(on: database)
        let ids = records.compactMap(\.id)
        if isPostgres {
            try await sql.raw(
                """
                UPDATE search_documents SET tsv =
                    setweight(to_tsvector('dutch', title), 'A') || setweight(to_tsvector('english', title), 'A') ||
                    to_tsvector('dutch', body) || to_tsvector('english', body)
                WHERE id IN (\(binds: ids))
                """
            ).run()
            return
        }
        let first = try await nextRowID(sql)
        let rows = zip(ids, fresh).enumerated().map { offset, pair in
            (
                id: pair.0.uuidString, rowID: first + Int64(offset),
                terms: Stemmer.searchTerms(in: pair.1.title + "\n" + pair.1.body)
            )
        }
        var text = sql.insert(into: "search_fts").columns("rowid", "doc_id", "terms")
        var map = sql.insert(into: "search_fts_map").columns("doc_id", "fts_rowid")
        for row in rows {
            text = text.values(SQLBind(row.rowID), SQLBind(row.id), SQLBind(row.terms.joined(separator: " ")))
            map = map.values(SQLBind(row.id), SQLBind(row.rowID))
        }
        try await text.run()
        try await map.run()
    }

    func remove(kind: SearchHit.Kind, refID: UUID) async throws {
        let ids = try await SearchDocumentRecord.query(on: database).filter(\.$kind == kind.rawValue).filter(\.$refID == refID).all(\.$id)
        guard !ids.isEmpty else { return }
        for id in ids { try await removeText(of: id) }
        try await SearchDocumentRecord.query(on: database).filter(\.$id ~~ ids).delete()
    }

    /// Removes every document of a topic (the topic and its replies), e.g. when it is deleted.
    func removeTopic(_ topicID: UUID) async throws {
        let ids = try await SearchDocumentRecord.query(on: database).filter(\.$topicID == topicID).all(\.$id)
        for id in ids { try await removeText(of: id) }
        try await SearchDocumentRecord.query(on: database).filter(\.$topicID == topicID).delete()
    }

    /// Moves a topic's documents with the topic (to another group).
    func regroupTopic(_ topicID: UUID, groupID: UUID?) async throws {
        try await SearchDocumentRecord.query(on: database).filter(\.$topicID == topicID).set(\.$groupID, to: groupID).update()
    }

    private func upsert(kind: SearchHit.Kind, refID: UUID, groupID: UUID?, topicID: UUID?, title: String, body: String) async throws {
        let record =
            try await SearchDocumentRecord.query(on: database).filter(\.$kind == kind.rawValue).filter(\.$refID == refID).first()
            ?? SearchDocumentRecord()
        let isNew = record.id == nil
        if isNew {
            record.id = UUID()
            record.kind = kind.rawValue
            record.refID = refID
        }
        record.groupID = groupID
        record.topicID = topicID
        record.title = title
        record.body = body
        record.updatedAt = clock.now()
        try await record.save(on: database)
        guard let sql, let id = record.id else { return }
        if isPostgres {
            try await sql.raw(
                """
                UPDATE search_documents SET tsv =
                    setweight(to_tsvector('dutch', \(bind: title)), 'A') || setweight(to_tsvector('english', \(bind: title)), 'A') ||
                    to_tsvector('dutch', \(bind: body)) || to_tsvector('english', \(bind: body))
                WHERE id = \(bind: id)
                """
            ).run()
        } else {
            let terms = Stemmer.searchTerms(in: title + "\n" + body).joined(separator: " ")
            if !isNew { try await removeText(of: id) }
            // The row id, remembered in the map, finds the row again without reading the index; growing
            // ids keep the newest documents at the end, where a search starts reading.
            let rowID = try await nextRowID(sql)
            try await sql.raw(
                "INSERT INTO search_fts (rowid, doc_id, terms) VALUES (\(bind: rowID), \(bind: id.uuidString), \(bind: terms))"
            ).run()
            try await sql.raw(
                """
                INSERT INTO search_fts_map (doc_id, fts_rowid) VALUES (\(bind: id.uuidString), \(bind: rowID))
                ON CONFLICT (doc_id) DO UPDATE SET fts_rowid = excluded.fts_rowid
                """
            ).run()
        }
    }

    /// The row id after the highest in SQLite's FTS table (in the writing transaction, so no other writer takes it).
    private func nextRowID(_ sql: any SQLDatabase) async throws -> Int64 {
        let highest = try await sql.raw("SELECT MAX(rowid) AS highest FROM search_fts").first()?.decode(column: "highest", as: Int64?.self)
        return (highest ?? 0) + 1
    }

    /// Removes a document's words from SQLite's FTS table (PostgreSQL keeps them in the document row).
    private func removeText(of id: UUID) async throws {
        guard let sql, !isPostgres else { return }
        if let row = try await sql.raw("SELECT fts_rowid FROM search_fts_map WHERE doc_id = \(bind: id.uuidString)").first() {
            let rowID = try row.decode(column: "fts_rowid", as: Int64.self)
            try await sql.raw("DELETE FROM search_fts WHERE rowid = \(bind: rowID)").run()
            try await sql.raw("DELETE FROM search_fts_map WHERE doc_id = \(bind: id.uuidString)").run()
        } else {
            try await sql.raw("DELETE FROM search_fts WHERE doc_id = \(bind: id.uuidString)").run()
        }
    }

    // MARK: Searching

    /// Documents matching every word of `query` (in Dutch or English word forms) that the viewer may see.
    /// How many of the newest matches are ranked by relevance. Ranking every match of a common word
    /// in a million posts took 200 ms in SQLite alone; among the newest 2,000 it takes 18 ms, and a
    /// community's search is mostly after recent talk anyway. Fewer matches are all ranked.
    static let rankedMatches = 2_000
    /// How many of the newest documents PostgreSQL walks first, and how many matches among them make
    /// a word common enough to rank those alone: a word in one document of ten is found there in
    /// 14 ms on a million posts, where sorting its hundred thousand matches took 130 ms. A rarer
    /// word is looked up in the full-text index, whose few matches are quick to sort.
    static let probedDocuments = 20_000
    static let commonWordMatches = 500

    public func search(_ query: String, viewer: Viewer, kinds: Set<SearchHit.Kind> = Set(SearchHit.Kind.allCases), limit: Int = 30)
        async throws -> [SearchHit]
    {
        guard let sql, !query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return [] }
        let readable = try await VisibilityFilter.readableGroupIDs(viewer, on: database)
        let listed = try await listedGroupIDs(viewer)
        var allowedKinds = kinds
        if !viewer.actor.isSignedIn { allowedKinds.remove(.member) }

        var candidates: [(id: UUID, rank: Double)] = []
        if isPostgres {
            // A common word: its matches among the newest documents, walked newest first (an index on
            // `updated_at`). A rarer one: its newest matches anywhere, through the full-text index.
            let terms: SQLQueryString = "SELECT plainto_tsquery('dutch', \(bind: query)) || plainto_tsquery('english', \(bind: query)) AS q"
            var rows = try await sql.raw(
                """
                SELECT id, ts_rank(tsv, q) AS rank
                FROM (SELECT id, tsv, updated_at FROM search_documents ORDER BY updated_at DESC LIMIT \(literal: probeWindow)) AS newest,
                    (\(terms)) AS query
                WHERE tsv @@ q ORDER BY updated_at DESC LIMIT \(literal: Self.rankedMatches)
                """
            ).all()
            if rows.count < Self.commonWordMatches {
                rows = try await sql.raw(
                    """
                    WITH query AS (\(terms)),
                        matches AS MATERIALIZED (SELECT id, tsv, updated_at FROM search_documents, query WHERE tsv @@ q)
                    SELECT id, ts_rank(tsv, q) AS rank FROM matches, query ORDER BY updated_at DESC LIMIT \(literal: Self.rankedMatches)
                    """
                ).all()
            }
            candidates = try rows.map { (try $0.decode(column: "id", as: UUID.self), try $0.decode(column: "rank", as: Double.self)) }
        } else {
            guard let match = Self.ftsQuery(query) else { return [] }
            // Row ids grow with time (see `nextRowID`): the newest matches are read first and scoring stops there.
            let rows = try await sql.raw(
                """
                SELECT doc_id, bm25(search_fts) AS rank FROM search_fts WHERE search_fts MATCH \(bind: match)
                ORDER BY rowid DESC LIMIT \(literal: Self.rankedMatches)
                """
            ).all()
            for row in rows {
                guard let id = UUID(uuidString: try row.decode(column: "doc_id", as: String.self)) else { continue }
                candidates.append((id, -(try row.decode(column: "rank", as: Double.self))))
            }
        }
        candidates = Array(candidates.sorted { $0.rank > $1.rank }.prefix(500))
        guard !candidates.isEmpty else { return [] }
        // The candidates' place first (plain SQL, no bodies), then text for the hits alone: reading
        // 500 whole documents as Fluent models took a third of a search.
        let places = try await sql.select().columns("id", "kind", "ref_id", "group_id", "topic_id").from(SearchDocumentRecord.schema)
            .where("id", .in, candidates.map(\.id)).all()
        var byID: [UUID: (kind: SearchHit.Kind, refID: UUID, groupID: UUID?, topicID: UUID?)] = [:]
        for row in places {
            guard let kind = SearchHit.Kind(rawValue: try row.decode(column: "kind", as: String.self)) else { continue }
            byID[try row.decode(column: "id", as: UUID.self)] = (
                kind, try row.decode(column: "ref_id", as: UUID.self), try row.decode(column: "group_id", as: UUID?.self),
                try row.decode(column: "topic_id", as: UUID?.self)
            )
        }
        var chosen: [UUID] = []
        for candidate in candidates {
            guard let place = byID[candidate.id], allowedKinds.contains(place.kind) else { continue }
            switch place.kind {
            case .topic, .post:
                if let groupID = place.groupID, let readable, !readable.contains(groupID) { continue }
            case .group:
                if let listed, let groupID = place.groupID, !listed.contains(groupID) { continue }
            case .member:
                break
            }
            chosen.append(candidate.id)
            if chosen.count == limit { break }
        }
        guard !chosen.isEmpty else { return [] }
        var texts: [UUID: (title: String, body: String)] = [:]
        for row in try await sql.select().columns("id", "title", "body").from(SearchDocumentRecord.schema).where("id", .in, chosen).all() {
            texts[try row.decode(column: "id", as: UUID.self)] = (
                try row.decode(column: "title", as: String.self), try row.decode(column: "body", as: String.self)
            )
        }
        return chosen.compactMap { id in
            guard let place = byID[id], let text = texts[id] else { return nil }
            return SearchHit(
                kind: place.kind, refID: place.refID, topicID: place.topicID, groupID: place.groupID, title: text.title,
                snippet: Self.snippet(text.body, query: query))
        }
    }

    /// Group ids the viewer may see listed; nil when all.
    private func listedGroupIDs(_ viewer: Viewer) async throws -> Set<UUID>? {
        if viewer.seesEverything { return nil }
        let visible = try await GroupRecord.query(on: database).filter(\.$visibility != GroupVisibility.secret.rawValue).all(\.$id)
        return Set(visible).union(viewer.activeGroupIDs).union(viewer.invitedGroupIDs)
    }

    /// An FTS5 query: every word must match, in its Dutch or its English stem. Terms are quoted,
    /// so nothing the searcher types is read as query syntax.
    static func ftsQuery(_ query: String) -> String? {
        let dutch = Stemmer.terms(in: query, language: .nl)
        let english = Stemmer.terms(in: query, language: .en)
        guard !dutch.isEmpty, dutch.count == english.count else { return nil }
        let clauses = zip(dutch, english).map { nl, en -> String in
            let forms = Array(Set([nl, en])).sorted().map { "\"\($0.replacingOccurrences(of: "\"", with: ""))\"" }
            return forms.count == 1 ? forms[0] : "(" + forms.joined(separator: " OR ") + ")"
        }
        return clauses.joined(separator: " AND ")
    }

    /// Up to about 200 characters of the body around the first query word found.
    static func snippet(_ body: String, query: String) -> String {
        // Markdown marks read as noise in a snippet.
        let plain = body.replacingOccurrences(of: #"[*_`#>~]|!?\[|\]\([^)]*\)"#, with: "", options: .regularExpression)
        let flat = plain.split(whereSeparator: \.isNewline).joined(separator: " ")
        let words = query.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init).filter { $0.count > 2 }
        var start = flat.startIndex
        for word in words {
            if let range = flat.lowercased().range(of: word) {
                let offset = flat.lowercased().distance(from: flat.lowercased().startIndex, to: range.lowerBound)
                start = flat.index(flat.startIndex, offsetBy: max(0, offset - 60))
                break
            }
        }
        let piece = String(flat[start...].prefix(200))
        return (start == flat.startIndex ? "" : "…") + piece + (flat.distance(from: start, to: flat.endIndex) > 200 ? "…" : "")
    }
}
