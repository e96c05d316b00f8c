import Foundation
import Vapor
import VaporTesting

/// A minimal browser for HTTP tests: keeps cookies, remembers the CSRF token of the last page it
/// saw, and posts forms the way a real browser would.
public final class TestBrowser: @unchecked Sendable {
    public let app: Application
    public private(set) var cookies: [String: String] = [:]
    public private(set) var csrfToken: String?
    public var acceptLanguage: String?
    /// Headers sent with every request (e.g. `X-Forwarded-For` to play a client address).
    public var extraHeaders = HTTPHeaders()

    public init(_ app: Application, acceptLanguage: String? = nil) {
        self.app = app
        self.acceptLanguage = acceptLanguage
    }

    /// GETs a page.
    @discardableResult
    public func get(_ path: String, headers: HTTPHeaders = [:]) async throws -> TestingHTTPResponse {
        try await send(.GET, path, headers: headers, body: nil)
    }

    /// POSTs a form. The CSRF token of the last page is added unless `csrf` is given (pass "" to leave it out).
    @discardableResult
    public func post(_ path: String, form: [String: String] = [:], csrf: String? = nil) async throws -> TestingHTTPResponse {
        if csrf == nil, csrfToken == nil {
            // Like a person, look at a page before sending a form: any page carries the token.
            for page in ["/", "/login", "/setup"] where csrfToken == nil { try await get(page) }
        }
        var fields = form
        let token = csrf ?? csrfToken ?? ""
        if !token.isEmpty { fields["_csrf"] = token }
        var headers = HTTPHeaders()
        headers.contentType = .urlEncodedForm
        let body = fields.map { "\(Self.encode($0.key))=\(Self.encode($0.value))" }.joined(separator: "&")
        return try await send(.POST, path, headers: headers, body: ByteBuffer(string: body))
    }

    /// A file for `upload`.
    public struct UploadFile: Sendable {
        public var filename: String
        public var contentType: String
        public var bytes: [UInt8]

        public init(filename: String, contentType: String = "application/octet-stream", bytes: [UInt8]) {
            self.filename = filename
            self.contentType = contentType
            self.bytes = bytes
        }
    }

    /// POSTs a multipart form with a file, as a browser sends an upload form.
    @discardableResult
    public func upload(_ path: String, form: [String: String] = [:], file: UploadFile?, field: String = "file") async throws
        -> TestingHTTPResponse
    {
        if csrfToken == nil { try await get("/") }
        var fields = form
        if let csrfToken { fields["_csrf"] = csrfToken }
        let (body, contentType) = Self.multipart(fields: fields, file: file, field: field)
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: contentType)
        return try await send(.POST, path, headers: headers, body: body)
    }

    /// A multipart/form-data body with these fields and file, and its Content-Type.
    public static func multipart(fields: [String: String], file: UploadFile?, field: String = "file") -> (ByteBuffer, String) {
        let boundary = "----kring-test-\(UUID().uuidString)"
        var body = ByteBuffer()
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
        }
        if let file {
            body.writeString(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field)\"; filename=\"\(file.filename)\"\r\n"
                    + "Content-Type: \(file.contentType)\r\n\r\n")
            body.writeBytes(file.bytes)
            body.writeString("\r\n")
        }
        body.writeString("--\(boundary)--\r\n")
        return (body, "multipart/form-data; boundary=\(boundary)")
    }

    /// Follows a redirect response with a GET, as browsers do after a form post.
    @discardableResult
    public func follow(_ response: TestingHTTPResponse) async throws -> TestingHTTPResponse {
        guard let location = response.headers.first(name: .location) else { return response }
        return try await get(location)
    }

    public func forgetCookies() {
        cookies = [:]
        csrfToken = nil
    }

    private func send(_ method: HTTPMethod, _ path: String, headers: HTTPHeaders, body: ByteBuffer?) async throws -> TestingHTTPResponse {
        var headers = headers
        if !cookies.isEmpty {
            headers.replaceOrAdd(name: .cookie, value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
        }
        if let acceptLanguage { headers.replaceOrAdd(name: .acceptLanguage, value: acceptLanguage) }
        for (name, value) in extraHeaders { headers.replaceOrAdd(name: name, value: value) }
        var captured: TestingHTTPResponse?
        try await app.testing().test(method, path, headers: headers, body: body) { response in captured = response }
        guard let response = captured else { throw Abort(.internalServerError, reason: "no response") }
        let sessionBefore = cookies["kring_session"]
        for header in response.headers[.setCookie] {
            guard let pair = header.split(separator: ";").first else { continue }
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            let expired = header.contains("Max-Age=0") || parts[1].isEmpty
            if expired { cookies.removeValue(forKey: parts[0]) } else { cookies[parts[0]] = parts[1] }
        }
        if let token = Self.firstMatch(#"name="_csrf" value="([^"]+)""#, in: response.body.string) {
            csrfToken = token
        } else if cookies["kring_session"] != sessionBefore {
            csrfToken = nil  // signed in or out: the old page's token no longer fits
        }
        return response
    }

    static func encode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }

    /// The first capture group of `pattern` in `text`.
    public static func firstMatch(_ pattern: String, in text: String) -> String? {
        guard let regex = try? NSRegularExpression(pattern: pattern),
            let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)), match.numberOfRanges > 1,
            let range = Range(match.range(at: 1), in: text)
        else { return nil }
        return String(text[range])
    }
}

extension TestingHTTPResponse {
    /// The body as text.
    public var text: String { body.string }

    /// The text content of the element with this id, tags stripped and entities decoded — what a reader sees.
    public func visibleText(id: String) -> String? {
        HTMLText.element(id: id, in: text).map(HTMLText.visible)
    }
}

/// Turns HTML into the text a reader sees, for assertions.
public enum HTMLText {
    /// The inner HTML of the element with this id, up to its own closing tag (nested elements of the
    /// same name are counted).
    public static func element(id: String, in html: String) -> String? {
        guard
            let regex = try? NSRegularExpression(
                pattern: #"<([a-zA-Z0-9]+)\b[^>]*\bid="\#(NSRegularExpression.escapedPattern(for: id))"[^>]*>"#),
            let match = regex.firstMatch(in: html, range: NSRange(html.startIndex..., in: html)),
            let whole = Range(match.range, in: html), let nameRange = Range(match.range(at: 1), in: html)
        else { return nil }
        let name = html[nameRange].lowercased()
        let voidElements: Set<String> = ["input", "img", "br", "hr", "meta", "link"]
        guard !voidElements.contains(name) else { return "" }
        var depth = 1
        var cursor = whole.upperBound
        while let next = html.range(of: "<", range: cursor..<html.endIndex) {
            let rest = html[next.upperBound...]
            if rest.lowercased().hasPrefix("/" + name + ">") {
                depth -= 1
                if depth == 0 { return String(html[whole.upperBound..<next.lowerBound]) }
            } else if rest.lowercased().hasPrefix(name), let after = rest.dropFirst(name.count).first, after == " " || after == ">" {
                depth += 1
            }
            cursor = next.upperBound
        }
        return nil
    }

    public static func visible(_ html: String) -> String {
        let stripped = html.replacingOccurrences(of: "<[^>]+>", with: "", options: .regularExpression)
        return stripped.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
