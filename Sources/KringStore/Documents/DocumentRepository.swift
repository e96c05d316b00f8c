import FluentKit
import Foundation
import KringCore

final class DocumentRecord: Model, @unchecked Sendable {
    static let schema = "documents"

    @ID(key: .id) var id: UUID?
    @Field(key: "group_id") var groupID: UUID
    @Field(key: "author_id") var authorID: UUID
    @Field(key: "title") var title: String
    @Field(key: "description") var about: String
    @Field(key: "folder") var folder: String
    @OptionalField(key: "hidden_at") var hiddenAt: Date?
    @OptionalField(key: "deleted_at") var deletedAt: Date?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

final class DocumentVersionRecord: Model, @unchecked Sendable {
    static let schema = "document_versions"

    @ID(key: .id) var id: UUID?
    @Field(key: "document_id") var documentID: UUID
    @Field(key: "number") var number: Int
    @Field(key: "filename") var filename: String
    @Field(key: "kind") var kind: String
    @Field(key: "size") var size: Int64
    @Field(key: "sha256") var sha256: String
    @Field(key: "storage_key") var storageKey: String
    @Field(key: "uploader_id") var uploaderID: UUID
    @Field(key: "note") var note: String
    @Field(key: "created_at") var createdAt: Date

    init() {}

    func domain() throws -> DocumentVersion {
        DocumentVersion(
            id: try requireID(), number: number, filename: filename, kind: FileKind(rawValue: kind) ?? .txt, size: Int(size),
            sha256: sha256,
            uploaderID: uploaderID, note: note, createdAt: createdAt)
    }
}

/// A document's title, description and folder, validated.
public struct DocumentDraft: Sendable {
    public var title: String
    public var description: String
    public var folder: String

    public init(title: String, description: String, folder: String) {
        self.title = title
        self.description = description
        self.folder = folder
    }
}

/// A file already checked and written to storage, to be recorded as a version.
public struct StoredFile: Sendable {
    public var filename: String
    public var kind: FileKind
    public var size: Int
    public var sha256: String
    public var storageKey: String
    public var note: String

    public init(filename: String, kind: FileKind, size: Int, sha256: String, storageKey: String, note: String) {
        self.filename = filename
        self.kind = kind
        self.size = size
        self.sha256 = sha256
        self.storageKey = storageKey
        self.note = note
    }
}

/// Group document libraries. Files themselves live in a `FileStorage`; this records them, their
/// versions and who may read them (the group's readers; hidden documents only moderators).
public struct DocumentRepository: Sendable {
    let database: any Database
    let clock: KringClock

    public init(database: any Database, clock: KringClock) {
        self.database = database
        self.clock = clock
    }

    public func create(inGroup groupID: UUID, _ draft: DocumentDraft, file: StoredFile, by author: Member) async throws -> UUID {
        try await database.writeTransaction { tx in
            let now = clock.now()
            let record = DocumentRecord()
            record.id = UUID()
            record.groupID = groupID
            record.authorID = author.id
            record.title = draft.title
            record.about = draft.description
            record.folder = draft.folder
            record.createdAt = now
            record.updatedAt = now
            try await record.create(on: tx)
            let id = try record.requireID()
            try await Self.addVersion(to: id, number: 1, file: file, by: author.id, now: now, on: tx)
            try await ActivityLog(database: tx, clock: clock).record(
                .documentUploaded, by: author.actor, subjectType: "document", subjectID: id, groupID: groupID)
            return id
        }
    }

    /// Adds a new version of the file; the earlier ones stay downloadable. Returns its number.
    @discardableResult
    public func replaceFile(of documentID: UUID, with file: StoredFile, by member: Member) async throws -> Int {
        try await database.writeTransaction { tx in
            guard let record = try await DocumentRecord.find(documentID, on: tx), record.deletedAt == nil else { throw StoreError.notFound }
            let latest = try await DocumentVersionRecord.query(on: tx).filter(\.$documentID == documentID).max(\.$number) ?? 0
            let now = clock.now()
            try await Self.addVersion(to: documentID, number: latest + 1, file: file, by: member.id, now: now, on: tx)
            record.updatedAt = now
            try await record.save(on: tx)
            try await ActivityLog(database: tx, clock: clock).record(
                .documentReplaced, by: member.actor, subjectType: "document", subjectID: documentID, groupID: record.groupID)
            return latest + 1
        }
    }

    private static func addVersion(
        to documentID: UUID, number: Int, file: StoredFile, by uploaderID: UUID, now: Date, on database: any Database
    )
        async throws
    {
        let version = DocumentVersionRecord()
        version.documentID = documentID
        version.number = number
        version.filename = file.filename
        version.kind = file.kind.rawValue
        version.size = Int64(file.size)
        version.sha256 = file.sha256
        version.storageKey = file.storageKey
        version.uploaderID = uploaderID
        version.note = file.note
        version.createdAt = now
        try await version.create(on: database)
    }

    public func update(_ documentID: UUID, _ draft: DocumentDraft) async throws {
        guard let record = try await DocumentRecord.find(documentID, on: database), record.deletedAt == nil else {
            throw StoreError.notFound
        }
        record.title = draft.title
        record.about = draft.description
        record.folder = draft.folder
        record.updatedAt = clock.now()
        try await record.save(on: database)
    }

    /// Deletes the document for members; its files stay until an administrator purges deleted content.
    public func delete(_ documentID: UUID, by actor: Actor) async throws {
        try await database.writeTransaction { tx in
            guard let record = try await DocumentRecord.find(documentID, on: tx), record.deletedAt == nil else { throw StoreError.notFound }
            record.deletedAt = clock.now()
            try await record.save(on: tx)
            try await ActivityLog(database: tx, clock: clock).record(
                .documentDeleted, by: actor, subjectType: "document", subjectID: documentID, groupID: record.groupID)
        }
    }

    // MARK: Reading

    /// The document if the viewer may read its group (and it is not hidden, unless they moderate).
    public func find(_ documentID: UUID, viewer: Viewer) async throws -> Document? {
        guard let record = try await DocumentRecord.find(documentID, on: database) else { return nil }
        return try await build([record], viewer: viewer).first
    }

    /// A group's library, by folder then title; `folder` narrows it to one folder ("" is the top level).
    public func library(ofGroup groupID: UUID, folder: String? = nil, viewer: Viewer, limit: Int = 500) async throws -> [Document] {
        var query = DocumentRecord.query(on: database).filter(\.$groupID == groupID)
        if let folder { query = query.filter(\.$folder == folder) }
        return try await build(try await query.sort(\.$folder).sort(\.$title).limit(limit).all(), viewer: viewer)
    }

    /// The library's folders with how many documents each holds, for the viewer.
    public func folders(ofGroup groupID: UUID, viewer: Viewer) async throws -> [(name: String, count: Int)] {
        let documents = try await library(ofGroup: groupID, viewer: viewer)
        var counts: [String: Int] = [:]
        for document in documents { counts[document.folder, default: 0] += 1 }
        return counts.map { (name: $0.key, count: $0.value) }.sorted { $0.name.localizedStandardCompare($1.name) == .orderedAscending }
    }

    /// Where a version's file is stored, for a viewer who may read the document.
    public func storageKey(of documentID: UUID, version number: Int, viewer: Viewer) async throws -> (DocumentVersion, String)? {
        guard try await find(documentID, viewer: viewer) != nil,
            let record = try await DocumentVersionRecord.query(on: database).filter(\.$documentID == documentID)
                .filter(\.$number == number).first()
        else { return nil }
        return (try record.domain(), record.storageKey)
    }

    /// The author and uploaders of a document, by id.
    public func people(of document: Document) async throws -> [UUID: AuthorView] {
        try await TopicRepository.authors(Array(Set(document.versions.map(\.uploaderID)).union([document.authorID])), on: database)
    }

    private func build(_ records: [DocumentRecord], viewer: Viewer) async throws -> [Document] {
        let readable = try await VisibilityFilter.readableGroupIDs(viewer, on: database)
        let visible = records.filter { record in
            record.deletedAt == nil && (record.hiddenAt == nil || viewer.actor.has(.moderator))
                && (readable.map { $0.contains(record.groupID) } ?? true)
        }
        let ids = visible.compactMap(\.id)
        guard !ids.isEmpty else { return [] }
        let versions = Dictionary(
            grouping: try await DocumentVersionRecord.query(on: database).filter(\.$documentID ~~ ids).sort(\.$number, .descending).all(),
            by: \.documentID)
        return try visible.compactMap { record in
            let id = try record.requireID()
            guard let history = versions[id], !history.isEmpty else { return nil }
            return Document(
                id: id, groupID: record.groupID, authorID: record.authorID, title: record.title, description: record.about,
                folder: record.folder, versions: try history.map { try $0.domain() }, isHidden: record.hiddenAt != nil,
                createdAt: record.createdAt, updatedAt: record.updatedAt)
        }
    }
}
