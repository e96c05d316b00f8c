"""Group document libraries in Kring's OpenAPI document: list, upload, describe, new versions,
download, delete. Uploads are multipart/form-data. build.py merges it in."""

from shared import bearer, date, optional_bearer, path_param, problems, query_param, string, uuid

# FileKind in KringCore/Documents/Documents.swift, in its order.
FILE_KINDS = ["pdf", "docx", "xlsx", "pptx", "odt", "ods", "odp", "doc", "xls", "ppt", "png", "jpeg", "gif", "webp", "txt", "csv",
              "markdown", "zip"]


def add(document, ref, problem, ok, body, text):
    p = problems(problem)
    P404, reads, writes = p.P404, p.reads, p.writes
    P403_manage = problem("Only the document's author, the group's managers and moderators change it.")
    P413 = problem("The file is larger than the community allows.")
    P415 = problem("Not multipart/form-data, or a file whose type is not allowed or whose content does not match its name.")
    folder = text(80) | {"pattern": "^[^/\\\\]*$", "description": "A folder in the library; empty for the top level. No slashes."}
    file = {"type": "string", "format": "binary", "contentMediaType": "application/octet-stream",
            "description": "The file, with its name. Its type is judged by name and content together; the community's "
                           "administrators set the allowed types and the largest size."}

    def multipart(schema):
        return {"required": True, "content": {"multipart/form-data": {"schema": schema}}}

    upload_writes = {"400": problem("The multipart body is malformed."), "401": p.P401, "413": P413, "415": P415, "422": p.P422, "503": p.P503}
    schemas = {
        "DocumentVersion": {"type": "object",
                            "required": ["number", "filename", "type", "mediaType", "size", "sha256", "uploadedBy", "note", "createdAt", "contentUrl"],
                            "properties": {"number": {"type": "integer", "minimum": 1}, "filename": string,
                                           "type": {"type": "string", "description": "The file kind Kring recognised (pdf, docx, png, …)."},
                                           "mediaType": string, "size": {"type": "integer", "description": "Bytes."},
                                           "sha256": {"type": "string", "description": "Hex SHA-256 of the content."},
                                           "uploadedBy": {"type": "string", "description": "The uploader's handle."}, "note": string,
                                           "createdAt": date, "contentUrl": {"type": "string", "description": "Where to download this version."}}},
        "Document": {"type": "object",
                     "required": ["id", "group", "title", "description", "folder", "author", "createdAt", "updatedAt", "versions"],
                     "properties": {"id": uuid, "group": {"type": "string", "description": "The group's slug."}, "title": string,
                                    "description": {"type": "string", "description": "Markdown source."}, "folder": string,
                                    "author": {"type": "string", "description": "The handle of who shared it."},
                                    "createdAt": date, "updatedAt": date,
                                    "versions": {"type": "array", "items": ref("DocumentVersion"), "minItems": 1, "description": "Newest first."}}},
        "DocumentList": {"type": "object", "required": ["documents"],
                         "properties": {"documents": {"type": "array", "items": ref("Document"), "description": "By folder, then title."}}},
        "DocumentUpload": {"type": "object", "required": ["file"], "properties": {
            "file": file, "title": text(200, description="Defaults to the file name without its extension."),
            "description": {"type": "string", "maxLength": 5000, "description": "Markdown."}, "folder": folder}},
        "DocumentVersionUpload": {"type": "object", "required": ["file"], "properties": {
            "file": file, "note": text(500, description="What changed, for the version history.")}},
        "UploadLimits": {"type": "object", "required": ["maxMegabytes", "allowedKinds"], "properties": {
            "maxMegabytes": {"type": "integer", "minimum": 1, "maximum": 100, "description": "The largest file, in megabytes (1 to 100)."},
            "allowedKinds": {"type": "array", "uniqueItems": True, "items": {"type": "string", "enum": FILE_KINDS},
                             "description": "The kinds of file members may share; an empty list allows none."}}},
        "DocumentPatch": {"type": "object", "description": "Only the fields given change.", "properties": {
            "title": text(200, required=True), "description": {"type": "string", "maxLength": 5000, "x-kring-normalise": "multi-line"},
            "folder": folder}},
    }
    slug = path_param("slug")
    doc = path_param("document", uuid)
    number = path_param("number", {"type": "integer"})
    paths = {
        "/groups/{slug}/documents": {
            "get": {"operationId": "listDocuments", "summary": "A group's document library (for those who may read the group).",
                    "security": optional_bearer,
                    "parameters": [slug, query_param("folder", string, "Only this folder; an empty value is the top level.")],
                    "responses": {**ok(ref("DocumentList")), "404": P404, **reads}},
            "post": {"operationId": "uploadDocument", "summary": "Share a document in the group's library (members of the group).",
                     "security": bearer, "parameters": [slug], "requestBody": multipart(ref("DocumentUpload")),
                     "responses": {**ok(ref("Document"), "The new document.", "201"),
                                   "403": problem("Silenced, or not a member of the group."), "404": P404, **upload_writes}},
        },
        "/documents/{document}": {
            "get": {"operationId": "getDocument", "summary": "A document with its version history.", "security": optional_bearer,
                    "parameters": [doc], "responses": {**ok(ref("Document")), "404": P404, **reads}},
            "patch": {"operationId": "updateDocument", "summary": "Change a document's title, description or folder.", "security": bearer,
                      "parameters": [doc], "requestBody": body(ref("DocumentPatch")),
                      "responses": {**ok(ref("Document")), "403": P403_manage, "404": P404, **writes}},
            "delete": {"operationId": "deleteDocument", "summary": "Delete a document.", "security": bearer, "parameters": [doc],
                       "responses": {"204": {"description": "Deleted."}, "403": P403_manage, "404": P404, **reads}},
        },
        "/documents/{document}/versions": {"post": {
            "operationId": "addDocumentVersion", "summary": "Upload a new version of the file; earlier versions stay available.",
            "security": bearer, "parameters": [doc], "requestBody": multipart(ref("DocumentVersionUpload")),
            "responses": {**ok(ref("Document"), "The document with its new version.", "201"), "403": P403_manage, "404": P404, **upload_writes}}},
        "/documents/{document}/versions/{number}/content": {"get": {
            "operationId": "downloadDocumentVersion", "summary": "Download a version of the file, as an attachment with its real media type.",
            "security": optional_bearer, "parameters": [doc, number],
            "responses": {"200": {"description": "The file.", "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}}},
                          "404": problem("No such document or version, or not visible to the caller."), **reads}}},
    }
    paths["/upload-limits"] = {
        "get": {"operationId": "getUploadLimits", "summary": "The largest file and the kinds of file this community accepts.",
                "security": optional_bearer, "responses": {**ok(ref("UploadLimits")), **reads}},
        "put": {"operationId": "setUploadLimits", "summary": "Set the upload limits (administrators).", "security": bearer,
                "requestBody": body(ref("UploadLimits")),
                "responses": {**ok(ref("UploadLimits")), "403": problem("Only administrators set the upload limits."), **writes}},
    }
    for path, operations in paths.items():
        document["paths"].setdefault(path, {}).update(operations)
    document["components"]["schemas"].update(schemas)
