import KringCore
import KringStore
import Vapor

extension Repositories {
    public var documents: DocumentRepository { DocumentRepository(database: database, clock: clock) }
}

/// Group document libraries: upload, describe and file in folders, replace with a new version,
/// download (only for those who may read the group), flag; and the admins' upload limits.
struct DocumentController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("g", ":slug", "documents", use: library)
        routes.on(.POST, "g", ":slug", "documents", body: .stream, use: upload)
        let document = routes.grouped("documents", ":document")
        document.get(use: show)
        document.get("download", use: downloadCurrent)
        document.get("versions", ":number", "download", use: downloadVersion)
        document.on(.POST, "versions", body: .stream, use: replace)
        document.post("edit", use: edit)
        document.post("delete", use: delete)
        document.post("flag", use: flag)
        routes.get("admin", "uploads", use: limitsForm)
        routes.post("admin", "uploads", use: saveLimits)
    }

    struct UploadForm: Content {
        var file: File?
        var title: String?
        var description: String?
        var folder: String?
        var note: String?

        static let fields: Set<String> = ["file", "title", "description", "folder", "note"]
    }

    /// The group's library as the viewer may see it, with whether they may add to it.
    private func libraryContext(_ request: Request) async throws -> (group: Group, canUpload: Bool) {
        let (group, membership) = try await request.visibleGroup()
        guard GroupAccess.canRead(group, actor: request.context.actor, membership: membership) else { throw Abort(.notFound) }
        return (group, GroupAccess.canPost(in: group, actor: request.context.actor, membership: membership))
    }

    @Sendable func library(request: Request) async throws -> Response {
        let (group, canUpload) = try await libraryContext(request)
        return try await renderLibrary(request, group: group, canUpload: canUpload, state: FormState())
    }

    private func renderLibrary(_ request: Request, group: Group, canUpload: Bool, state: FormState, status: HTTPStatus = .ok)
        async throws -> Response
    {
        let viewer = try await request.viewer()
        let folder = request.query[String.self, at: "folder"]
        let documents = try await request.repositories.documents.library(ofGroup: group.id, folder: folder, viewer: viewer)
        let folders = try await request.repositories.documents.folders(ofGroup: group.id, viewer: viewer)
        let settings = try await request.repositories.community.documentSettings()
        return DocumentViews.library(
            request, group: group, documents: documents, folders: folders, folder: folder, canUpload: canUpload, settings: settings,
            state: state, status: status)
    }

    @Sendable func upload(request: Request) async throws -> Response {
        let member = try request.requireContributor()
        let (group, canUpload) = try await libraryContext(request)
        guard canUpload else { throw Abort(.forbidden) }
        let settings = try await request.collectUpload()
        let form = try request.decodeUpload(UploadForm.self, singleFields: UploadForm.fields)
        do {
            guard let upload = form.file, !upload.filename.isEmpty else { throw ValidationFailure(field: "file", code: "required") }
            let (draft, note) = try Self.draft(form, filename: upload.filename)
            let storage = request.application.kring.fileStorage
            let file = try await Uploads.store(upload, note: note, settings: settings, in: storage)
            let id = try await Uploads.recording(file, in: storage) {
                try await request.repositories.documents.create(inGroup: group.id, draft, file: file, by: member)
            }
            return request.redirect(to: "/documents/\(id.uuidString.lowercased())", flash: "flash.document_uploaded")
        } catch let failure as ValidationFailure {
            let values = ["title": form.title ?? "", "description": form.description ?? "", "folder": form.folder ?? ""]
            return try await renderLibrary(
                request, group: group, canUpload: true, state: FormState(values: values, errors: failure.errors),
                status: Self.status(of: failure))
        }
    }

    /// 413 for a file over the limit, 415 for a type that is not allowed or not what it claims, 422 otherwise.
    static func status(of failure: ValidationFailure) -> HTTPStatus {
        let codes = Set(failure.errors.map(\.code))
        if codes.contains("document.too_large") { return .payloadTooLarge }
        if codes.contains("document.type_not_allowed") || codes.contains("document.content_mismatch") { return .unsupportedMediaType }
        return .unprocessableEntity
    }

    /// The title, description and folder of an upload form (the title defaults to the file name).
    static func draft(_ form: UploadForm, filename: String) throws(ValidationFailure) -> (DocumentDraft, String) {
        var errors = FieldErrorCollector()
        let name = (try? DocumentRules.filename(filename)) ?? ""
        let title = errors.check { () throws(ValidationFailure) in try DocumentRules.title(form.title ?? "", filename: name) }
        let description = errors.check { () throws(ValidationFailure) in try DocumentRules.description(form.description ?? "") }
        let folder = errors.check { () throws(ValidationFailure) in try DocumentRules.folder(form.folder ?? "") }
        let note = errors.check { () throws(ValidationFailure) in try DocumentRules.note(form.note ?? "") }
        try errors.throwIfAny()
        return (DocumentDraft(title: title ?? "", description: description ?? "", folder: folder ?? ""), note ?? "")
    }

    // MARK: One document

    private func document(_ request: Request) async throws -> Document {
        guard let id = request.parameters.get("document", as: UUID.self),
            let document = try await request.repositories.documents.find(id, viewer: try await request.viewer())
        else { throw Abort(.notFound) }
        return document
    }

    @Sendable func show(request: Request) async throws -> Response {
        let document = try await document(request)
        return try await renderDocument(request, document, state: FormState())
    }

    private func renderDocument(_ request: Request, _ document: Document, state: FormState, status: HTTPStatus = .ok) async throws
        -> Response
    {
        guard let group = try await request.repositories.groups.find(id: document.groupID) else { throw Abort(.notFound) }
        let people = try await request.repositories.documents.people(of: document)
        let canManage = try await request.mayManage(document)
        return DocumentViews.page(
            request, document: document, group: group, people: people, canManage: canManage && !group.isArchived,
            settings: try await request.repositories.community.documentSettings(), state: state, status: status)
    }

    @Sendable func replace(request: Request) async throws -> Response {
        let member = try request.requireContributor()
        let document = try await document(request)
        guard try await request.mayManage(document) else { throw Abort(.forbidden) }
        let settings = try await request.collectUpload()
        let form = try request.decodeUpload(UploadForm.self, singleFields: UploadForm.fields)
        do {
            guard let upload = form.file, !upload.filename.isEmpty else { throw ValidationFailure(field: "file", code: "required") }
            let note = try DocumentRules.note(form.note ?? "")
            let storage = request.application.kring.fileStorage
            let file = try await Uploads.store(upload, note: note, settings: settings, in: storage)
            try await Uploads.recording(file, in: storage) {
                try await request.repositories.documents.replaceFile(of: document.id, with: file, by: member)
            }
            return request.redirect(to: "/documents/\(document.id.uuidString.lowercased())", flash: "flash.document_replaced")
        } catch let failure as ValidationFailure {
            return try await renderDocument(
                request, document, state: FormState(values: ["note": form.note ?? ""], errors: failure.errors),
                status: Self.status(of: failure))
        }
    }

    struct EditForm: Content {
        var title: String?
        var description: String?
        var folder: String?
    }

    @Sendable func edit(request: Request) async throws -> Response {
        _ = try request.requireContributor()
        let document = try await document(request)
        guard try await request.mayManage(document) else { throw Abort(.forbidden) }
        let form = try request.content.decode(EditForm.self)
        do {
            var errors = FieldErrorCollector()
            let title = errors.check { () throws(ValidationFailure) in try DocumentRules.title(form.title ?? "", filename: "") }
            let description = errors.check { () throws(ValidationFailure) in try DocumentRules.description(form.description ?? "") }
            let folder = errors.check { () throws(ValidationFailure) in try DocumentRules.folder(form.folder ?? "") }
            try errors.throwIfAny()
            try await request.repositories.documents.update(
                document.id, DocumentDraft(title: title ?? "", description: description ?? "", folder: folder ?? ""))
            return request.redirect(to: "/documents/\(document.id.uuidString.lowercased())", flash: "flash.document_saved")
        } catch let failure as ValidationFailure {
            let values = ["title": form.title ?? "", "description": form.description ?? "", "folder": form.folder ?? ""]
            return try await renderDocument(
                request, document, state: FormState(values: values, errors: failure.errors), status: .unprocessableEntity)
        }
    }

    @Sendable func delete(request: Request) async throws -> Response {
        let member = try request.requireMember()
        let document = try await document(request)
        guard try await request.mayManage(document) else { throw Abort(.forbidden) }
        try await request.repositories.documents.delete(document.id, by: member.actor)
        guard let group = try await request.repositories.groups.find(id: document.groupID) else { throw Abort(.notFound) }
        return request.redirect(to: "/g/\(group.slug)/documents", flash: "flash.document_deleted")
    }

    @Sendable func flag(request: Request) async throws -> Response {
        let member = try request.requireContributor()
        let document = try await document(request)
        guard document.authorID != member.id else { throw Abort(.forbidden) }
        let hidden = try await request.flag(.document(document.id), by: member)
        return request.redirect(
            to: hidden ? "/g/\(try await groupSlug(request, document))/documents" : "/documents/\(document.id.uuidString.lowercased())",
            flash: hidden ? "flash.flagged_hidden" : "flash.flagged")
    }

    private func groupSlug(_ request: Request, _ document: Document) async throws -> String {
        try await request.repositories.groups.find(id: document.groupID)?.slug ?? ""
    }

    // MARK: Downloads

    @Sendable func downloadCurrent(request: Request) async throws -> Response {
        let document = try await document(request)
        return try await download(request, document: document.id, version: document.current.number)
    }

    @Sendable func downloadVersion(request: Request) async throws -> Response {
        let document = try await document(request)
        guard let number = request.parameters.get("number", as: Int.self) else { throw Abort(.notFound) }
        return try await download(request, document: document.id, version: number)
    }

    /// Sends a version's file as an attachment with its real type; never rendered inline, so a file
    /// can not run as a page of this site.
    func download(_ request: Request, document id: UUID, version number: Int) async throws -> Response {
        guard
            let (version, key) = try await request.repositories.documents.storageKey(
                of: id, version: number, viewer: try await request.viewer())
        else { throw Abort(.notFound) }
        let storage = request.application.kring.fileStorage
        let response: Response
        if let path = storage.localPath(for: key) {
            guard FileManager.default.fileExists(atPath: path) else { throw Abort(.notFound) }
            response = try await request.fileio.asyncStreamFile(at: path)
        } else {
            response = Response(status: .ok, body: .init(data: try await storage.read(key: key)))
        }
        response.headers.replaceOrAdd(name: .contentType, value: version.kind.mediaType)
        response.headers.replaceOrAdd(name: .contentDisposition, value: Uploads.attachment(named: version.filename))
        response.headers.replaceOrAdd(name: .cacheControl, value: "private, no-cache")
        return response
    }

    // MARK: Admin limits

    @Sendable func limitsForm(request: Request) async throws -> Response {
        try request.authorize(.editCommunitySettings)
        return DocumentViews.limits(request, settings: try await request.repositories.community.documentSettings(), state: FormState())
    }

    struct LimitsForm: Content {
        var max_mb: String?
        var kinds: [String]?
    }

    @Sendable func saveLimits(request: Request) async throws -> Response {
        try request.authorize(.editCommunitySettings)
        let form = try request.content.decode(LimitsForm.self)
        let before = try await request.repositories.community.documentSettings()
        guard let megabytes = Int(form.max_mb ?? ""), DocumentSettings.maxUploadMegabytes.contains(megabytes) else {
            return DocumentViews.limits(
                request, settings: before,
                state: FormState(values: ["max_mb": form.max_mb ?? ""], errors: [FieldError(field: "max_mb", code: "documents.max_range")]),
                status: .unprocessableEntity)
        }
        try await request.setUploadLimits(megabytes: megabytes, kinds: Set((form.kinds ?? []).compactMap(FileKind.init(rawValue:))))
        return request.redirect(to: "/admin/uploads", flash: "flash.settings_saved")
    }
}

extension Request {
    /// Saves the upload limits (already validated) and logs the change for the staff action log.
    @discardableResult
    func setUploadLimits(megabytes: Int, kinds: Set<FileKind>) async throws -> DocumentSettings {
        let before = try await repositories.community.documentSettings()
        let settings = DocumentSettings(maxUploadBytes: megabytes * DocumentSettings.megabyte, allowedKinds: kinds)
        try await repositories.community.setDocumentSettings(settings, by: context.actor)
        try await audit(
            "documents.limits", subjectType: "community", label: "uploads",
            before: "\(before.maxUploadBytes / DocumentSettings.megabyte) MB",
            after: "\(megabytes) MB: " + kinds.map(\.rawValue).sorted().joined(separator: ","))
        return settings
    }

    /// The author, the group's managers and moderators look after a document.
    func mayManage(_ document: Document) async throws -> Bool {
        guard let member = context.member else { return false }
        if member.id == document.authorID || member.role >= .moderator { return true }
        guard let group = try await repositories.groups.find(id: document.groupID) else { return false }
        let membership = try await repositories.groups.membership(of: member.id, in: group.id)
        return GroupAccess.canManage(group, actor: member.actor, membership: membership)
    }
}
