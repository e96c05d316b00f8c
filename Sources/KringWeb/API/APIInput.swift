import KringCore
import Vapor

/// Strict reading of API input: what a client sends wrong gets a clear 4xx, never a silent guess.
extension Request {
    /// Refuses explicit `null` for the payload's own fields, where null has no meaning (Swift's
    /// decoding would read it as "left out"). Unknown fields are ignored, as everywhere. Call before
    /// decoding a JSON body.
    func rejectNulls(in fields: Set<String>, nestedIn parent: String? = nil) throws {
        guard let buffer = body.data, buffer.readableBytes > 0,
            var object = try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any]
        else { return }
        if let parent {
            guard let nested = object[parent] as? [String: Any] else { return }
            object = nested
        }
        let nulls = object.filter { $0.value is NSNull && fields.contains($0.key) }.keys.sorted()
        guard nulls.isEmpty else {
            throw ValidationFailure(nulls.map { name in FieldError(field: parent.map { "\($0).\(name)" } ?? name, code: "type.invalid") })
        }
    }

    /// A query parameter that must parse when present; a malformed one is a 400.
    func strictQuery<T: LosslessStringConvertible>(_ name: String, as type: T.Type = T.self) throws -> T? {
        guard let raw = query[String.self, at: name] else { return nil }
        guard let value = T(raw) else { throw Abort(.badRequest, reason: "The query parameter \(name) is malformed.") }
        return value
    }

    /// An id in the query string; a malformed one is a 400.
    func strictQuery(_ name: String, as type: UUID.Type) throws -> UUID? {
        guard let raw = query[String.self, at: name] else { return nil }
        guard let value = UUID(uuidString: raw) else { throw Abort(.badRequest, reason: "The query parameter \(name) is not an id.") }
        return value
    }
}

/// Answers what the router could not: 405 with `Allow` when an API path exists for other methods.
enum MethodNotAllowed {
    /// The methods the application serves for this path, if any.
    static func allowedMethods(for path: String, in routes: Routes) -> [String] {
        let parts = path.split(separator: "/").map(String.init)
        var methods = Set<String>()
        for route in routes.all where route.path.count == parts.count {
            let matches = zip(route.path, parts).allSatisfy { component, part in
                switch component {
                case .constant(let value): value == part
                case .parameter: true
                case .anything, .catchall: true
                }
            }
            if matches { methods.insert(route.method.rawValue) }
        }
        return methods.sorted()
    }
}

/// Static files only where they live (`/css`, `/js`, the icon), so odd paths such as very long
/// ones never reach the file system.
struct StaticFilesMiddleware: AsyncMiddleware {
    let files: FileMiddleware
    static let prefixes = ["/css/", "/js/", "/favicon.svg"]

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let path = request.url.path
        guard path.utf8.count < 512, Self.prefixes.contains(where: { path.hasPrefix($0) }) else {
            return try await next.respond(to: request)
        }
        return try await files.respond(to: request, chainingTo: next)
    }
}
