import KringCore
import KringStore
import Vapor

enum DocumentViews {
    static func path(_ document: Document) -> String { "/documents/\(document.id.uuidString.lowercased())" }

    /// What the file input accepts and what the hint says, from the admins' limits.
    private static func fileHint(_ settings: DocumentSettings, _ t: Localizer) -> String {
        let extensions = FileKind.allCases.filter(settings.allowedKinds.contains).map { $0.extensions[0] }
        return t("documents.file_hint", ["limit": t.fileSize(settings.maxUploadBytes), "types": extensions.joined(separator: ", ")])
    }

    private static func fileInput(_ settings: DocumentSettings, state: FormState, t: Localizer) -> HTMLNode {
        let accept = FileKind.allCases.filter(settings.allowedKinds.contains).flatMap(\.extensions).map { "." + $0 }.joined(separator: ",")
        return Forms.field(
            "file", label: t("field.file"), state: state, t: t, type: "file", required: true, hint: fileHint(settings, t),
            extra: [.accept(accept)])
    }

    static func library(
        _ request: Request, group: Group, documents: [Document], folders: [(name: String, count: Int)], folder: String?, canUpload: Bool,
        settings: DocumentSettings, state: FormState, status: HTTPStatus
    ) -> Response {
        let t = request.context.localizer
        let base = "/g/\(group.slug)/documents"
        return Layout.page(request, title: t("documents.library_of", ["group": group.name]), status: status) {
            H.nav(.class("breadcrumb"), .aria(.label, t("documents.breadcrumb"))) {
                H.a(.to("/g/\(group.slug)")) { group.name }
                " › " + t("documents.title")
            }
            H.h1 { t("documents.library_of", ["group": group.name]) }
            if !folders.isEmpty {
                H.nav(.class("filter-tabs"), .aria(.label, t("documents.folders")), .id("folders")) {
                    folderLink(t("documents.all_folders"), path: base, current: folder == nil)
                    for entry in folders {
                        folderLink(
                            (entry.name.isEmpty ? t("documents.top_level") : entry.name) + " (\(t.number(entry.count)))",
                            path: base + "?folder=" + (entry.name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""),
                            current: folder == entry.name)
                    }
                }
            }
            if documents.isEmpty {
                H.p(.class("empty-state"), .id("no-documents")) { canUpload ? t("documents.empty_upload") : t("documents.empty") }
            } else {
                H.table(.class("data-table"), .id("document-list")) {
                    H.caption(.class("visually-hidden")) { t("documents.title") }
                    H.thead {
                        H.tr {
                            for key in [
                                "field.title", "field.folder", "documents.type", "documents.size", "documents.version", "documents.updated",
                            ] {
                                H.th(.scope("col")) { t(key) }
                            }
                        }
                    }
                    H.tbody {
                        for document in documents {
                            H.tr {
                                H.td {
                                    H.a(.to(path(document))) { document.title }
                                    if document.isHidden {
                                        " "
                                        H.span(.class("badge badge-deleted")) { t("moderation.hidden") }
                                    }
                                }
                                H.td { document.folder }
                                H.td { document.current.kind.extensions[0].uppercased() }
                                H.td { t.fileSize(document.current.size) }
                                H.td { t.number(document.current.number) }
                                H.td { H.time(.datetime(t.iso(document.updatedAt))) { t.date(document.updatedAt) } }
                            }
                        }
                    }
                }
            }
            if canUpload {
                H.section(.class("card"), .id("upload")) {
                    H.h2 { t("documents.upload") }
                    Forms.errorSummary(state, t)
                    H.form(action: .to(base), .enctype("multipart/form-data"), .class("stack-form"), .id("upload-form")) {
                        Forms.csrf(request)
                        fileInput(settings, state: state, t: t)
                        Forms.field(
                            "title", label: t("field.title"), state: state, t: t, hint: t("documents.title_hint"),
                            maxLength: DocumentRules.titleMaxLength)
                        folderField(state: state, folders: folders.map(\.name), t: t)
                        Forms.textarea(
                            "description", label: t("field.description"), state: state, t: t, rows: 3, hint: t("field.markdown.hint"),
                            maxLength: DocumentRules.descriptionMaxLength)
                        Forms.submit(t("documents.upload"), id: "upload-submit")
                    }
                }
            }
        }
    }

    private static func folderLink(_ label: String, path: String, current: Bool) -> HTMLNode {
        current ? H.a(.to(path), .aria(.current, "page")) { label } : H.a(.to(path)) { label }
    }

    /// A text field that suggests the library's existing folders.
    private static func folderField(state: FormState, folders: [String], t: Localizer) -> HTMLNode {
        H.fragment {
            Forms.field(
                "folder", label: t("field.folder"), state: state, t: t, hint: t("documents.folder_hint"),
                maxLength: DocumentRules.folderMaxLength,
                extra: [.list("folder-options")])
            H.element("datalist", [.id("folder-options")]) {
                for folder in folders where !folder.isEmpty { H.element("option", [.value(folder)]) { [] } }
            }
        }
    }

    static func page(
        _ request: Request, document: Document, group: Group, people: [UUID: AuthorView], canManage: Bool, settings: DocumentSettings,
        state: FormState, status: HTTPStatus
    ) -> Response {
        let t = request.context.localizer
        let base = path(document)
        let current = document.current
        return Layout.page(request, title: document.title, status: status) {
            H.nav(.class("breadcrumb"), .aria(.label, t("documents.breadcrumb"))) {
                H.a(.to("/g/\(group.slug)")) { group.name }
                " › "
                H.a(.to("/g/\(group.slug)/documents")) { t("documents.title") }
                if !document.folder.isEmpty {
                    " › "
                    H.a(
                        .to(
                            "/g/\(group.slug)/documents?folder="
                                + (document.folder.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
                    ) {
                        document.folder
                    }
                }
            }
            H.div(.class("page-header")) {
                H.h1 { document.title }
                H.a(.to(base + "/download"), .class("button"), .id("download")) {
                    t("documents.download", ["type": current.kind.extensions[0].uppercased(), "size": t.fileSize(current.size)])
                }
            }
            if document.isHidden { H.p(.class("notice"), .id("hidden-notice")) { t("documents.hidden_notice") } }
            H.p(.class("muted")) {
                t(
                    "documents.meta",
                    [
                        "author": people[document.authorID]?.displayName ?? "", "date": t.date(document.createdAt),
                        "filename": current.filename,
                    ])
            }
            if !document.description.isEmpty {
                H.div(.class("prose"), .id("document-description")) { HTMLNode.trusted(UserMarkdown.render(document.description).trusted) }
            }
            H.section(.id("versions")) {
                H.h2 { t("documents.versions") }
                H.table(.class("data-table"), .id("version-list")) {
                    H.thead {
                        H.tr {
                            for key in ["documents.version", "documents.file", "documents.size", "documents.uploaded_by", "documents.note"]
                            {
                                H.th(.scope("col")) { t(key) }
                            }
                        }
                    }
                    H.tbody {
                        for version in document.versions {
                            H.tr {
                                H.td { t.number(version.number) + (version.number == current.number ? " · " + t("documents.current") : "") }
                                H.td {
                                    H.a(.to(base + "/versions/\(version.number)/download")) { version.filename }
                                    H.div(.class("muted")) { H.code(.title("SHA-256")) { String(version.sha256.prefix(12)) } }
                                }
                                H.td { t.fileSize(version.size) }
                                H.td {
                                    (people[version.uploaderID]?.displayName ?? "") + ", "
                                    H.time(.datetime(t.iso(version.createdAt))) { t.dateTime(version.createdAt) }
                                }
                                H.td { version.note }
                            }
                        }
                    }
                }
            }
            if canManage {
                H.section(.class("card"), .id("replace")) {
                    H.h2 { t("documents.replace") }
                    H.p(.class("muted")) { t("documents.replace_hint") }
                    if state.error(for: "file") != nil || state.error(for: "note") != nil { Forms.errorSummary(state, t) }
                    H.form(action: .to(base + "/versions"), .enctype("multipart/form-data"), .class("stack-form"), .id("replace-form")) {
                        Forms.csrf(request)
                        fileInput(settings, state: state, t: t)
                        Forms.field("note", label: t("documents.note"), state: state, t: t, hint: t("documents.note_hint"), maxLength: 500)
                        Forms.submit(t("documents.replace"), id: "replace-submit")
                    }
                }
                H.details(.class("card"), .id("edit")) {
                    H.summary { t("documents.edit") }
                    let values =
                        state.values["title"] == nil
                        ? FormState(values: ["title": document.title, "description": document.description, "folder": document.folder])
                        : state
                    H.form(action: .to(base + "/edit"), .class("stack-form"), .id("edit-form")) {
                        Forms.csrf(request)
                        Forms.field(
                            "title", label: t("field.title"), state: values, t: t, required: true, maxLength: DocumentRules.titleMaxLength)
                        folderField(state: values, folders: [], t: t)
                        Forms.textarea(
                            "description", label: t("field.description"), state: values, t: t, rows: 4, hint: t("field.markdown.hint"),
                            maxLength: DocumentRules.descriptionMaxLength)
                        Forms.submit(t("settings.save"), id: "edit-submit")
                    }
                    GroupViews.actionButton(request, base + "/delete", t("documents.delete"), id: "delete-document", secondary: true)
                }
            }
            if let member = request.context.member, member.id != document.authorID, request.context.restriction.mayPost {
                TopicViews.flagForm(request, action: base + "/flag", key: "document")
            }
        }
    }

    static func limits(_ request: Request, settings: DocumentSettings, state: FormState, status: HTTPStatus = .ok) -> Response {
        let t = request.context.localizer
        let values =
            state.values["max_mb"] == nil
            ? FormState(values: ["max_mb": String(settings.maxUploadBytes / DocumentSettings.megabyte)]) : state
        return AdminViews.frame(request, title: t("documents.limits"), current: "/admin/uploads", status: status) {
            H.h1 { t("documents.limits") }
            H.p(.class("lead")) { t("documents.limits_lead") }
            Forms.errorSummary(state, t)
            H.form(action: .to("/admin/uploads"), .class("stack-form"), .id("limits-form")) {
                Forms.csrf(request)
                Forms.field(
                    "max_mb", label: t("field.max_mb"), state: values, t: t, type: "number", required: true,
                    hint: t(
                        "documents.max_hint",
                        [
                            "min": String(DocumentSettings.maxUploadMegabytes.lowerBound),
                            "max": String(DocumentSettings.maxUploadMegabytes.upperBound),
                        ]))
                for family in FileKind.Family.allCases {
                    H.fieldset(.id("family-\(family.rawValue)")) {
                        H.legend { t("documents.family.\(family.rawValue)") }
                        for kind in FileKind.allCases where kind.family == family {
                            H.div(.class("field field-checkbox")) {
                                H.element(
                                    "input",
                                    [.type("checkbox"), .id("kind-\(kind.rawValue)"), .name("kinds[]"), .value(kind.rawValue)]
                                        + (settings.allowedKinds.contains(kind) ? [.checked] : [])
                                ) { [] }
                                H.label(.for("kind-\(kind.rawValue)")) { kind.extensions.map { "." + $0 }.joined(separator: " ") }
                            }
                        }
                    }
                }
                Forms.submit(t("settings.save"), id: "limits-submit")
            }
        }
    }
}
