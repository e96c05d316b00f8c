import Foundation

/// A kind of file the document library knows. A file is of a kind when its name says so *and* its
/// bytes agree (`FileSniffer`): a renamed executable is not a PDF.
public enum FileKind: String, Codable, CaseIterable, Sendable {
    case pdf, docx, xlsx, pptx, odt, ods, odp, doc, xls, ppt
    case png, jpeg, gif, webp
    case txt, csv, markdown
    case zip

    /// What admins choose between, grouped as people think of files.
    public enum Family: String, CaseIterable, Sendable {
        case documents, images, text, archives
    }

    public var family: Family {
        switch self {
        case .pdf, .docx, .xlsx, .pptx, .odt, .ods, .odp, .doc, .xls, .ppt: .documents
        case .png, .jpeg, .gif, .webp: .images
        case .txt, .csv, .markdown: .text
        case .zip: .archives
        }
    }

    /// File name extensions, lower case, the first one canonical.
    public var extensions: [String] {
        switch self {
        case .jpeg: ["jpg", "jpeg"]
        case .markdown: ["md", "markdown"]
        case .txt: ["txt", "text"]
        default: [rawValue]
        }
    }

    /// The media type downloads are served with.
    public var mediaType: String {
        switch self {
        case .pdf: "application/pdf"
        case .docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        case .xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        case .pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation"
        case .odt: "application/vnd.oasis.opendocument.text"
        case .ods: "application/vnd.oasis.opendocument.spreadsheet"
        case .odp: "application/vnd.oasis.opendocument.presentation"
        case .doc: "application/msword"
        case .xls: "application/vnd.ms-excel"
        case .ppt: "application/vnd.ms-powerpoint"
        case .png: "image/png"
        case .jpeg: "image/jpeg"
        case .gif: "image/gif"
        case .webp: "image/webp"
        case .txt: "text/plain; charset=utf-8"
        case .csv: "text/csv; charset=utf-8"
        case .markdown: "text/markdown; charset=utf-8"
        case .zip: "application/zip"
        }
    }

    /// The kind a file name claims, by its extension.
    public static func claimed(byFilename name: String) -> FileKind? {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        let ext = name[name.index(after: dot)...].lowercased()
        return allCases.first { $0.extensions.contains(ext) }
    }

    /// Everything but archives: zip files can hide anything, so admins opt in.
    public static let defaultAllowed: Set<FileKind> = Set(allCases.filter { $0.family != .archives })
}

/// Recognises files by their first bytes (their "magic numbers") and containers by what they hold.
public enum FileSniffer {
    /// Whether `bytes` really are a file of `kind`.
    public static func matches(_ bytes: [UInt8], kind: FileKind) -> Bool {
        switch kind {
        case .pdf: return starts(bytes, "%PDF-")
        case .png: return starts(bytes, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        case .jpeg: return starts(bytes, [0xFF, 0xD8, 0xFF])
        case .gif: return starts(bytes, "GIF87a") || starts(bytes, "GIF89a")
        case .webp: return starts(bytes, "RIFF") && bytes.count >= 12 && Array(bytes[8..<12]) == Array("WEBP".utf8)
        case .doc, .xls, .ppt: return starts(bytes, [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
        case .zip: return isZip(bytes)
        case .docx: return isOfficeOpenXML(bytes, part: "word/")
        case .xlsx: return isOfficeOpenXML(bytes, part: "xl/")
        case .pptx: return isOfficeOpenXML(bytes, part: "ppt/")
        case .odt: return isOpenDocument(bytes, mediaType: "application/vnd.oasis.opendocument.text")
        case .ods: return isOpenDocument(bytes, mediaType: "application/vnd.oasis.opendocument.spreadsheet")
        case .odp: return isOpenDocument(bytes, mediaType: "application/vnd.oasis.opendocument.presentation")
        case .txt, .csv, .markdown: return isText(bytes)
        }
    }

    /// Text means valid UTF-8 without NUL or other binary control characters.
    static func isText(_ bytes: [UInt8]) -> Bool {
        guard String(validating: bytes, as: UTF8.self) != nil else { return false }
        return !bytes.contains { $0 < 0x09 || ($0 > 0x0D && $0 < 0x20 && $0 != 0x1B) || $0 == 0x7F }
    }

    static func isZip(_ bytes: [UInt8]) -> Bool {
        starts(bytes, [0x50, 0x4B, 0x03, 0x04]) || starts(bytes, [0x50, 0x4B, 0x05, 0x06])
    }

    /// Word, Excel and PowerPoint files are zip archives with a `[Content_Types].xml` and their own folder.
    static func isOfficeOpenXML(_ bytes: [UInt8], part: String) -> Bool {
        isZip(bytes) && contains(bytes, "[Content_Types].xml") && contains(bytes, part)
    }

    /// OpenDocument files start with an uncompressed `mimetype` entry that names their type.
    static func isOpenDocument(_ bytes: [UInt8], mediaType: String) -> Bool {
        guard isZip(bytes), bytes.count > 38, Array(bytes[30..<38]) == Array("mimetype".utf8) else { return false }
        return contains(Array(bytes[38..<min(bytes.count, 38 + 100)]), mediaType)
    }

    private static func starts(_ bytes: [UInt8], _ prefix: String) -> Bool { starts(bytes, Array(prefix.utf8)) }

    private static func starts(_ bytes: [UInt8], _ prefix: [UInt8]) -> Bool {
        bytes.count >= prefix.count && bytes.prefix(prefix.count).elementsEqual(prefix)
    }

    private static func contains(_ bytes: [UInt8], _ needle: String) -> Bool {
        let pattern = Array(needle.utf8)
        guard let first = pattern.first, bytes.count >= pattern.count else { return false }
        var index = 0
        while index <= bytes.count - pattern.count {
            if bytes[index] == first, bytes[index..<index + pattern.count].elementsEqual(pattern) { return true }
            index += 1
        }
        return false
    }
}

/// What admins allow into document libraries.
public struct DocumentSettings: Sendable, Equatable {
    public var maxUploadBytes: Int
    public var allowedKinds: Set<FileKind>

    public static let megabyte = 1_048_576
    /// The range admins may choose from, in megabytes.
    public static let maxUploadMegabytes = 1...100

    public init(maxUploadBytes: Int = 10 * DocumentSettings.megabyte, allowedKinds: Set<FileKind> = FileKind.defaultAllowed) {
        self.maxUploadBytes = maxUploadBytes
        self.allowedKinds = allowedKinds
    }
}

/// One stored version of a document's file.
public struct DocumentVersion: Sendable, Equatable, Identifiable {
    public let id: UUID
    public let number: Int
    public let filename: String
    public let kind: FileKind
    public let size: Int
    /// Hex SHA-256 of the content, so members can tell versions apart and verify a download.
    public let sha256: String
    public let uploaderID: UUID
    public let note: String
    public let createdAt: Date

    public init(
        id: UUID, number: Int, filename: String, kind: FileKind, size: Int, sha256: String, uploaderID: UUID, note: String, createdAt: Date
    ) {
        self.id = id
        self.number = number
        self.filename = filename
        self.kind = kind
        self.size = size
        self.sha256 = sha256
        self.uploaderID = uploaderID
        self.note = note
        self.createdAt = createdAt
    }
}

/// A document in a group's library: its description and folder, and every version of its file.
public struct Document: Sendable, Equatable, Identifiable {
    public let id: UUID
    public let groupID: UUID
    public let authorID: UUID
    public let title: String
    public let description: String
    /// "" for the library's top level.
    public let folder: String
    /// Newest first; never empty.
    public let versions: [DocumentVersion]
    public let isHidden: Bool
    public let createdAt: Date
    public let updatedAt: Date

    public init(
        id: UUID, groupID: UUID, authorID: UUID, title: String, description: String, folder: String, versions: [DocumentVersion],
        isHidden: Bool, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.groupID = groupID
        self.authorID = authorID
        self.title = title
        self.description = description
        self.folder = folder
        self.versions = versions
        self.isHidden = isHidden
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public var current: DocumentVersion { versions[0] }
}

/// Rules for documents and their files.
public enum DocumentRules {
    public static let titleMaxLength = 200
    public static let descriptionMaxLength = 5_000
    public static let folderMaxLength = 80
    public static let filenameMaxLength = 200

    /// The file's name without any path a browser sent, control characters or surrounding space.
    public static func filename(_ raw: String) throws(ValidationFailure) -> String {
        let base = raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let name = MemberRules.singleLine(base)
        guard !name.isEmpty, name != ".", name != ".." else { throw ValidationFailure(field: "file", code: "required") }
        guard name.count <= filenameMaxLength else { throw ValidationFailure(field: "file", code: "too_long") }
        return name
    }

    /// A title, or the file name without its extension when left empty.
    public static func title(_ raw: String, filename: String) throws(ValidationFailure) -> String {
        var title = MemberRules.singleLine(raw)
        if title.isEmpty, let dot = filename.lastIndex(of: ".") { title = String(filename[..<dot]) }
        if title.isEmpty { title = filename }
        guard !title.isEmpty else { throw ValidationFailure(field: "title", code: "required") }
        guard title.count <= titleMaxLength else { throw ValidationFailure(field: "title", code: "too_long") }
        return title
    }

    public static func description(_ raw: String) throws(ValidationFailure) -> String {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.count <= descriptionMaxLength else { throw ValidationFailure(field: "description", code: "too_long") }
        return text
    }

    /// A folder name; slashes would suggest nesting Kring does not have, so they are refused.
    public static func folder(_ raw: String) throws(ValidationFailure) -> String {
        let folder = MemberRules.singleLine(raw)
        guard folder.count <= folderMaxLength else { throw ValidationFailure(field: "folder", code: "too_long") }
        guard !folder.contains("/"), !folder.contains("\\") else { throw ValidationFailure(field: "folder", code: "document.folder_slash") }
        return folder
    }

    public static func note(_ raw: String) throws(ValidationFailure) -> String {
        let note = MemberRules.singleLine(raw)
        guard note.count <= 500 else { throw ValidationFailure(field: "note", code: "too_long") }
        return note
    }

    /// Checks an upload against the community's limits and returns the kind it really is.
    /// The order matters for the message: nothing to upload, too large, unknown or disallowed type,
    /// then content that does not match its name.
    public static func check(filename: String, bytes: [UInt8], settings: DocumentSettings) throws(ValidationFailure) -> FileKind {
        guard !bytes.isEmpty else { throw ValidationFailure(field: "file", code: "document.empty") }
        guard bytes.count <= settings.maxUploadBytes else { throw ValidationFailure(field: "file", code: "document.too_large") }
        guard let kind = FileKind.claimed(byFilename: filename), settings.allowedKinds.contains(kind) else {
            throw ValidationFailure(field: "file", code: "document.type_not_allowed")
        }
        guard FileSniffer.matches(bytes, kind: kind) else { throw ValidationFailure(field: "file", code: "document.content_mismatch") }
        return kind
    }
}
