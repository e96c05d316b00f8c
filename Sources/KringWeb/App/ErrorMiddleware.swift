import AsyncKit
import KringCore
import KringStore
import PostgresNIO
import Vapor

/// An RFC 9457 problem document, the body of every API error.
struct Problem: Content {
    struct InvalidParameter: Content {
        let field: String
        let code: String
        let message: String
    }

    var type: String = "about:blank"
    var title: String
    var status: Int
    var detail: String?
    var instance: String?
    var errors: [InvalidParameter]?

    static let mediaType = HTTPMediaType(type: "application", subType: "problem+json", parameters: ["charset": "utf-8"])
}

/// Turns errors into answers people can use: problem+json for the API, a page in the reader's
/// language for the browser. Unexpected errors are logged with the request id and shown without detail.
struct KringErrorMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            return response(for: error, request: request)
        }
    }

    func response(for error: any Error, request: Request) -> Response {
        let t = request.context.localizer
        var status: HTTPStatus
        var detail: String?
        var fieldErrors: [FieldError] = []
        var headers = HTTPHeaders()

        switch error {
        case let failure as ValidationFailure:
            status = .unprocessableEntity
            fieldErrors = failure.errors
            detail = t("problem.validation")
        case StoreError.notFound:
            status = .notFound
        case StoreError.closed:
            status = .conflict
        case SetupError.alreadyDone:
            status = .conflict
            detail = "The community has already been set up."
        case let decoding as DecodingError:
            status = .unprocessableEntity
            let (field, code) = Self.describe(decoding)
            fieldErrors = [FieldError(field: field, code: code)]
            detail = t("problem.validation")
        case let abort as any AbortError:
            status = abort.status
            detail = abort.reason == status.reasonPhrase ? nil : abort.reason
            headers = abort.headers
        case let failure where Self.isDatabaseUnavailable(failure):
            // PostgreSQL restarting or failing over: nothing was written, and a retry soon will work.
            status = .serviceUnavailable
            detail = t("problem.unavailable")
            headers.replaceOrAdd(name: .retryAfter, value: "5")
            request.logger.warning("Database unavailable", metadata: ["error": "\(String(reflecting: failure))"])
        default:
            status = .internalServerError
            request.logger.report(error: error)
        }
        if status == .internalServerError {
            request.logger.error("Request failed", metadata: ["error": "\(String(reflecting: error))"])
            detail = nil
        }
        if status == .notFound, request.isAPI, request.route == nil {
            let allowed = MethodNotAllowed.allowedMethods(for: request.url.path, in: request.application.routes)
            if !allowed.isEmpty {
                status = .methodNotAllowed
                detail = "This path answers \(allowed.joined(separator: ", ")) only."
                headers.replaceOrAdd(name: .allow, value: allowed.joined(separator: ", "))
            }
        }
        if status == .unauthorized, request.isAPI {
            headers.replaceOrAdd(name: .wwwAuthenticate, value: "Bearer realm=\"kring\"")
        }

        let wantsJSON = request.isAPI || (request.headers.accept.first?.mediaType == .json)
        let response: Response
        if wantsJSON {
            let problem = Problem(
                title: status.reasonPhrase, status: Int(status.code), detail: detail, instance: request.url.path,
                errors: fieldErrors.isEmpty
                    ? nil
                    : fieldErrors.map {
                        Problem.InvalidParameter(
                            field: request.isAPI ? Self.jsonFieldName($0.field) : $0.field, code: $0.code, message: t.fieldError($0))
                    })
            response = Response(status: status)
            try? response.content.encode(problem, as: .json)
            response.headers.contentType = Problem.mediaType
        } else if status == .unauthorized, request.method == .GET {
            return request.redirect(to: SignInRedirect.path(returningTo: request.url))
        } else {
            response = ErrorPage.render(request, status: status, detail: status == .forbidden || status.code >= 500 ? nil : detail)
        }
        for (name, value) in headers where name.lowercased() != "content-type" && name.lowercased() != "content-length" {
            response.headers.replaceOrAdd(name: name, value: value)
        }
        return response
    }

    /// Whether the database cannot be reached for now (connection refused or dropped, the server
    /// starting up or shutting down) rather than the request being at fault.
    static func isDatabaseUnavailable(_ error: any Error) -> Bool {
        if error is ConnectionPoolTimeoutError { return true }  // no connection came free (or could be made) in time
        if error is DatabaseConnectionLost { return true }  // closed under a transaction
        guard let error = error as? PSQLError else { return false }
        switch error.code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection: return true
        case .server:
            // 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now (starting up or recovering)
            return ["57P01", "57P02", "57P03"].contains(error.serverInfo?[.sqlState] ?? "")
        default: return false
        }
    }

    /// The API's name for a form field: `community_name` is `name`, the rest become camelCase.
    static func jsonFieldName(_ field: String) -> String {
        if field == "community_name" { return "name" }
        let parts = field.split(separator: "_")
        guard let first = parts.first else { return field }
        return String(first) + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// Names the field and the problem of a JSON decoding error, without echoing the input.
    static func describe(_ error: DecodingError) -> (field: String, code: String) {
        func path(_ codingPath: [any CodingKey]) -> String {
            let joined = codingPath.map(\.stringValue).joined(separator: ".")
            return joined.isEmpty ? "body" : joined
        }
        switch error {
        case .keyNotFound(let key, let context): return (path(context.codingPath + [key]), "required")
        case .valueNotFound(_, let context): return (path(context.codingPath), "required")
        case .typeMismatch(_, let context): return (path(context.codingPath), "type.invalid")
        case .dataCorrupted(let context): return (path(context.codingPath), "body.invalid")
        @unknown default: return ("body", "body.invalid")
        }
    }
}

/// The page a browser sees when something went wrong.
enum ErrorPage {
    static func render(_ request: Request, status: HTTPStatus, detail: String?) -> Response {
        let t = request.context.localizer
        let key: String
        switch status.code {
        case 400, 403, 404, 409, 413, 422, 429: key = "error.page.\(status.code)"
        default: key = status.code >= 500 ? "error.page.500" : "error.page.other"
        }
        return Layout.page(request, title: t("\(key).title"), status: status) {
            H.section(.class("error-page")) {
                H.p(.class("error-code")) { String(status.code) }
                H.h1 { t("\(key).title") }
                H.p { t("\(key).body") }
                if let detail { H.p(.class("error-detail")) { detail } }
                if status.code >= 500 { H.p(.class("error-detail")) { t("error.page.request_id", ["id": request.id]) } }
                H.p { H.a(.to("/"), .class("button")) { t("error.page.home") } }
            }
        }
    }
}

/// Reads that met a dead database connection get one more try: after PostgreSQL restarts, the pool
/// still holds connections to the old server, and the first request on each would fail although a
/// new connection works. Only GET and HEAD, which change nothing, are repeated.
struct DatabaseRetryMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.method == .GET || request.method == .HEAD else { return try await next.respond(to: request) }
        do {
            return try await next.respond(to: request)
        } catch  where KringErrorMiddleware.isDatabaseUnavailable(error) && !(error is ConnectionPoolTimeoutError) {
            // (A pool timeout is not retried: waiting again would only add load.)
            try await Task.sleep(for: .milliseconds(100))
            return try await next.respond(to: request)
        }
    }
}
