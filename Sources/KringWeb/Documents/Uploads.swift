import Crypto
import KringCore
import KringStore
import Vapor

/// Reading, checking and storing uploaded files so that a refused or failed upload leaves nothing
/// behind: the file is checked in memory first, written to storage only when it passes, and removed
/// again when recording it in the database fails.
enum Uploads {
    /// Room for the form's other fields and the multipart framing on top of the file itself.
    static let formOverhead = 64 * 1024

    /// Checks the file against the community's limits and stores it under a fresh key.
    static func store(_ file: File, note: String, settings: DocumentSettings, in storage: any FileStorage) async throws -> StoredFile {
        let filename = try DocumentRules.filename(file.filename)
        let bytes = Array(file.data.readableBytesView)
        let kind = try DocumentRules.check(filename: filename, bytes: bytes, settings: settings)
        let id = UUID().uuidString.lowercased()
        let key = "documents/\(id.prefix(2))/\(id)"
        try await storage.write(Data(bytes), key: key)
        return StoredFile(
            filename: filename, kind: kind, size: bytes.count, sha256: SHA256Hex.of(bytes),
            storageKey: key, note: note)
    }

    /// Runs `record` for a stored file and removes the file when recording fails.
    static func recording<T: Sendable>(_ file: StoredFile, in storage: any FileStorage, _ record: () async throws -> T) async throws -> T {
        do {
            return try await record()
        } catch {
            try? await storage.remove(key: file.storageKey)
            throw error
        }
    }

    /// The `Content-Disposition` value that names a download: ASCII fallback plus the exact UTF-8 name.
    static func attachment(named filename: String) -> String {
        let fallback = String(
            filename.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\" ? Character($0) : "_" })
        let exact =
            filename.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? fallback
        return "attachment; filename=\"\(fallback)\"; filename*=UTF-8''\(exact)"
    }
}

extension Request {
    /// Reads an upload's body, which may still be streaming, up to the community's limit; a larger
    /// body is refused with 413 before any of it is stored. Returns the limits that applied.
    @discardableResult
    func collectUpload() async throws -> DocumentSettings {
        let settings = try await repositories.community.documentSettings()
        let ceiling = settings.maxUploadBytes + Uploads.formOverhead
        let tooLarge = Abort(
            .payloadTooLarge,
            reason: context.localizer("documents.too_large", ["limit": context.localizer.fileSize(settings.maxUploadBytes)]))
        if let length = headers.first(name: .contentLength).flatMap(Int.init), length > ceiling { throw tooLarge }
        do {
            let buffer = try await body.collect(max: ceiling).get()
            if (buffer?.readableBytes ?? 0) > ceiling { throw tooLarge }
        } catch let abort as Abort where abort.status == .payloadTooLarge {
            throw tooLarge
        }
        return settings
    }

    var isMultipart: Bool { headers.contentType?.subType == "form-data" }

    /// Decodes an upload form strictly: a malformed body is a 400, and a field that should come
    /// once but comes several times (a list where one value belongs) is refused, not half-read.
    func decodeUpload<Form: Decodable>(_ type: Form.Type, singleFields: Set<String>) throws -> Form {
        let malformed = Abort(.badRequest, reason: "The multipart body is malformed.")
        guard let boundary = headers.contentType?.parameters["boundary"], let buffer = body.data else { throw malformed }
        var names: [String] = []
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { field, value in
            guard field.lowercased() == "content-disposition",
                let name = value.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) })
                    .first(where: { $0.hasPrefix("name=") })
            else { return }
            names.append(String(name.dropFirst(5)).trimmingCharacters(in: CharacterSet(charactersIn: "\"")))
        }
        do { try parser.execute(buffer) } catch { throw malformed }
        let repeated = Set(names.filter { name in names.filter { $0 == name }.count > 1 }).intersection(singleFields)
        guard repeated.isEmpty else { throw ValidationFailure(repeated.sorted().map { FieldError(field: $0, code: "type.invalid") }) }
        do {
            return try content.decode(Form.self)
        } catch let error as DecodingError {
            throw error
        } catch {
            throw malformed
        }
    }
}

/// Hex SHA-256 digests, as document versions record them.
enum SHA256Hex {
    static func of(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).hexString
    }
}
