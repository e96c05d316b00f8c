import KringCore
import KringStore
import Vapor

struct DocumentVersionDTO: Content {
    let number: Int
    let filename: String
    let type: String
    let mediaType: String
    let size: Int
    let sha256: String
    let uploadedBy: String
    let note: String
    let createdAt: Date
    /// Where the file is downloaded (with the same authentication).
    let contentUrl: String
}

struct DocumentDTO: Content {
    let id: UUID
    let group: String
    let title: String
    let description: String
    let folder: String
    let author: String
    let createdAt: Date
    let updatedAt: Date
    /// Newest first.
    let versions: [DocumentVersionDTO]
}

struct DocumentListDTO: Content { let documents: [DocumentDTO] }

struct DocumentPatch: Content {
    var title: String?
    var description: String?
    var folder: String?
}

/// Group document libraries in `/api/v1`: list, upload (multipart), describe, replace with a new
/// version, download any version, delete. The same checks as the pages: group visibility, upload
/// limits, real file types.
struct DocumentAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let api = routes.grouped("api", "v1")
        api.get("groups", ":slug", "documents", use: list)
        api.on(.POST, "groups", ":slug", "documents", body: .stream, use: upload)
        api.get("documents", ":document", use: show)
        api.patch("documents", ":document", use: update)
        api.delete("documents", ":document", use: delete)
        api.on(.POST, "documents", ":document", "versions", body: .stream, use: addVersion)
        api.get("documents", ":document", "versions", ":number", "content", use: content)
        api.get("upload-limits", use: limits)
        api.put("upload-limits", use: setLimits)
    }

    // MARK: Upload limits

    struct LimitsDTO: Content {
        let maxMegabytes: Int
        let allowedKinds: [String]

        init(_ settings: DocumentSettings) {
            maxMegabytes = settings.maxUploadBytes / DocumentSettings.megabyte
            allowedKinds = FileKind.allCases.filter(settings.allowedKinds.contains).map(\.rawValue)
        }
    }

    struct LimitsRequest: Content {
        let maxMegabytes: Int
        let allowedKinds: [String]
    }

    /// The largest file and the kinds of file this community accepts, for anyone about to upload.
    @Sendable func limits(request: Request) async throws -> LimitsDTO {
        LimitsDTO(try await request.repositories.community.documentSettings())
    }

    /// Administrators set both limits at once.
    @Sendable func setLimits(request: Request) async throws -> LimitsDTO {
        try request.authorize(.editCommunitySettings)
        try request.rejectNulls(in: ["maxMegabytes", "allowedKinds"])
        let body = try request.content.decode(LimitsRequest.self)
        var errors = FieldErrorCollector()
        if !DocumentSettings.maxUploadMegabytes.contains(body.maxMegabytes) { errors.add("maxMegabytes", "documents.max_range") }
        let kinds = body.allowedKinds.compactMap(FileKind.init(rawValue:))
        if kinds.count != body.allowedKinds.count || Set(kinds).count != kinds.count { errors.add("allowedKinds", "choice.invalid") }
        try errors.throwIfAny()
        return LimitsDTO(try await request.setUploadLimits(megabytes: body.maxMegabytes, kinds: Set(kinds)))
    }

    private func dtos(_ request: Request, _ documents: [Document]) async throws -> [DocumentDTO] {
        let people = Set(documents.flatMap { [$0.authorID] + $0.versions.map(\.uploaderID) })
        let handles = try await request.repositories.members.handles(of: Array(people))
        let slugs = try await request.groupSlugs(documents.map(\.groupID))
        return documents.map { document in
            let base = "/api/v1/documents/\(document.id.uuidString.lowercased())"
            return DocumentDTO(
                id: document.id, group: slugs[document.groupID] ?? "", title: document.title, description: document.description,
                folder: document.folder, author: handles[document.authorID] ?? "", createdAt: document.createdAt,
                updatedAt: document.updatedAt,
                versions: document.versions.map { version in
                    DocumentVersionDTO(
                        number: version.number, filename: version.filename, type: version.kind.rawValue, mediaType: version.kind.mediaType,
                        size: version.size, sha256: version.sha256, uploadedBy: handles[version.uploaderID] ?? "", note: version.note,
                        createdAt: version.createdAt, contentUrl: "\(base)/versions/\(version.number)/content")
                })
        }
    }

    /// The group in the path when the caller may read it, and whether they may add to its library.
    private func readableGroup(_ request: Request) async throws -> (Group, canUpload: Bool) {
        let (group, membership) = try await request.visibleGroup()
        guard GroupAccess.canRead(group, actor: request.context.actor, membership: membership) else { throw Abort(.notFound) }
        return (group, GroupAccess.canPost(in: group, actor: request.context.actor, membership: membership))
    }

    @Sendable func list(request: Request) async throws -> DocumentListDTO {
        let (group, _) = try await readableGroup(request)
        let folder = request.query[String.self, at: "folder"]
        let documents = try await request.repositories.documents.library(
            ofGroup: group.id, folder: folder, viewer: try await request.viewer())
        return DocumentListDTO(documents: try await dtos(request, documents))
    }

    private func document(_ request: Request) async throws -> Document {
        guard let id = request.parameters.get("document", as: UUID.self),
            let document = try await request.repositories.documents.find(id, viewer: try await request.viewer())
        else { throw Abort(.notFound, reason: "No such document.") }
        return document
    }

    private func dto(_ request: Request, _ id: UUID) async throws -> DocumentDTO {
        guard let document = try await request.repositories.documents.find(id, viewer: try await request.viewer()) else {
            throw Abort(.internalServerError)
        }
        return try await dtos(request, [document])[0]
    }

    @Sendable func show(request: Request) async throws -> DocumentDTO {
        try await dtos(request, [try await document(request)])[0]
    }

    /// Reads the multipart body and stores its file, mapping the checks onto HTTP: 413 too large,
    /// 415 a type that is not allowed or not what the name says, 422 anything else.
    private func storedUpload(_ request: Request) async throws -> (DocumentController.UploadForm, StoredFile, DocumentDraft) {
        guard request.isMultipart else { throw Abort(.unsupportedMediaType, reason: "Send the file as multipart/form-data.") }
        let settings = try await request.collectUpload()
        let form = try request.decodeUpload(DocumentController.UploadForm.self, singleFields: DocumentController.UploadForm.fields)
        guard let upload = form.file, !upload.filename.isEmpty else {
            throw ValidationFailure(field: "file", code: "required")
        }
        let (draft, note) = try DocumentController.draft(form, filename: upload.filename)
        do {
            return (form, try await Uploads.store(upload, note: note, settings: settings, in: request.application.kring.fileStorage), draft)
        } catch let failure as ValidationFailure {
            let status = DocumentController.status(of: failure)
            guard status == .unprocessableEntity else {
                throw Abort(status, reason: request.context.localizer.fieldError(failure.errors[0]))
            }
            throw failure
        }
    }

    @Sendable func upload(request: Request) async throws -> Response {
        let member = try request.requireContributor()
        let (group, canUpload) = try await readableGroup(request)
        guard canUpload else { throw Abort(.forbidden, reason: "Only members of the group add documents to its library.") }
        let (_, file, draft) = try await storedUpload(request)
        let id = try await Uploads.recording(file, in: request.application.kring.fileStorage) {
            try await request.repositories.documents.create(inGroup: group.id, draft, file: file, by: member)
        }
        let response = try await dto(request, id).encodeResponse(status: .created, for: request)
        response.headers.replaceOrAdd(name: .location, value: "/api/v1/documents/\(id.uuidString.lowercased())")
        return response
    }

    private func managed(_ request: Request) async throws -> Document {
        _ = try request.requireContributor()
        let document = try await document(request)
        guard try await request.mayManage(document) else {
            throw Abort(.forbidden, reason: "Only the author, the group's managers and moderators change a document.")
        }
        return document
    }

    @Sendable func addVersion(request: Request) async throws -> Response {
        let document = try await managed(request)
        let member = try request.requireContributor()
        let (_, file, _) = try await storedUpload(request)
        try await Uploads.recording(file, in: request.application.kring.fileStorage) {
            try await request.repositories.documents.replaceFile(of: document.id, with: file, by: member)
        }
        return try await dto(request, document.id).encodeResponse(status: .created, for: request)
    }

    @Sendable func update(request: Request) async throws -> DocumentDTO {
        let document = try await managed(request)
        try request.rejectNulls(in: ["title", "description", "folder"])
        let patch = try request.content.decode(DocumentPatch.self)
        var errors = FieldErrorCollector()
        let title = errors.check { () throws(ValidationFailure) in try DocumentRules.title(patch.title ?? document.title, filename: "") }
        let description = errors.check { () throws(ValidationFailure) in
            try DocumentRules.description(patch.description ?? document.description)
        }
        let folder = errors.check { () throws(ValidationFailure) in try DocumentRules.folder(patch.folder ?? document.folder) }
        try errors.throwIfAny()
        try await request.repositories.documents.update(
            document.id, DocumentDraft(title: title ?? "", description: description ?? "", folder: folder ?? ""))
        return try await dto(request, document.id)
    }

    @Sendable func delete(request: Request) async throws -> HTTPStatus {
        let document = try await managed(request)
        try await request.repositories.documents.delete(document.id, by: request.context.actor)
        return .noContent
    }

    @Sendable func content(request: Request) async throws -> Response {
        let document = try await document(request)
        guard let number = request.parameters.get("number", as: Int.self) else { throw Abort(.notFound, reason: "No such version.") }
        return try await DocumentController().download(request, document: document.id, version: number)
    }
}
