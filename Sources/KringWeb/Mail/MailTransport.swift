import Foundation
import KringStore

/// Delivers one e-mail. The outbox job calls it; a thrown error schedules a retry.
public protocol MailTransport: Sendable {
    func deliver(_ message: OutboxMessage, from sender: MailSender) async throws
    /// Deletes any copy the transport kept of mail to `recipient`, when their account is erased.
    func forget(recipient: String) async throws
}

extension MailTransport {
    /// Transports that keep nothing have nothing to forget.
    public func forget(recipient: String) async throws {}
}

/// Who Kring's e-mail comes from.
public struct MailSender: Sendable {
    public var name: String
    public var address: String
}

/// Writes each message as an RFC 5322 `.eml` file in a folder: the transport without an SMTP
/// server (`KRING_SMTP_HOST` unset), and a way to read what Kring sent during development.
public struct EMLFileTransport: MailTransport {
    public let directory: URL
    public let options: MailFormatter.Options

    public init(directory: URL, options: MailFormatter.Options = MailFormatter.Options()) {
        self.directory = directory
        self.options = options
    }

    public func deliver(_ message: OutboxMessage, from sender: MailSender) async throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("\(Self.timestamp(message.createdAt))-\(message.id.uuidString.lowercased()).eml")
        try Data(MailFormatter.rfc5322(message, from: sender, options: options).utf8).write(to: file, options: .atomic)
    }

    /// Removes the `.eml` files addressed to `recipient`: the folder is a copy of sent mail.
    public func forget(recipient: String) async throws {
        let files = (try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)) ?? []
        let address = "<\(recipient.lowercased())>"
        for file in files where file.pathExtension == "eml" {
            guard let text = try? String(contentsOf: file, encoding: .utf8),
                let to = text.split(separator: "\r\n", maxSplits: 8).first(where: { $0.hasPrefix("To: ") }),
                to.lowercased().hasSuffix(address)
            else { continue }
            try FileManager.default.removeItem(at: file)
        }
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss"
        return formatter.string(from: date)
    }
}

/// Renders messages in the Internet Message Format: multipart/alternative with the text and an
/// HTML rendering of it, and a List-Unsubscribe header on mail a member can turn off.
public enum MailFormatter {
    public struct Options: Sendable {
        /// Where a member turns mail off (the notification settings), for List-Unsubscribe.
        public var unsubscribeURL: String?
        public var language: String

        public init(unsubscribeURL: String? = nil, language: String = "nl") {
            self.unsubscribeURL = unsubscribeURL
            self.language = language
        }
    }

    /// Mail about the account itself, which no setting turns off: no List-Unsubscribe.
    static let transactionalKinds: Set<String> = [
        "password_reset", "invitation", "account_approved", "approval_needed", "appeal", "sanction", "welcome", "test",
    ]

    public static func rfc5322(_ message: OutboxMessage, from sender: MailSender, options: Options = Options()) -> String {
        let dateFormatter = DateFormatter()
        dateFormatter.locale = Locale(identifier: "en_US_POSIX")
        dateFormatter.timeZone = TimeZone(identifier: "UTC")
        dateFormatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        let boundary = "kring-\(message.id.uuidString.lowercased())"
        var headers = [
            "From: \(encodedWord(sender.name)) <\(sender.address)>",
            "To: \(encodedWord(message.recipientName)) <\(message.recipient)>",
            "Subject: \(encodedWord(message.subject))",
            "Date: \(dateFormatter.string(from: message.createdAt))",
            "Message-ID: <\(message.id.uuidString.lowercased())@kring>",
            "MIME-Version: 1.0",
            "Content-Type: multipart/alternative; boundary=\"\(boundary)\"",
            "X-Kring-Kind: \(message.kind)",
        ]
        if let url = message.unsubscribeURL {
            // RFC 8058: the mail client may leave the list with one POST, no page, no sign-in.
            headers.append("List-Unsubscribe: <\(url)>")
            headers.append("List-Unsubscribe-Post: List-Unsubscribe=One-Click")
        } else if let url = options.unsubscribeURL, !transactionalKinds.contains(message.kind) {
            headers.append("List-Unsubscribe: <\(url)>")
        }
        func part(_ type: String, _ content: String) -> String {
            let encoded = Data(content.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n").utf8)
                .base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
            return "--\(boundary)\r\nContent-Type: \(type); charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n\(encoded)\r\n"
        }
        return headers.joined(separator: "\r\n") + "\r\n\r\n" + part("text/plain", message.bodyText)
            + part("text/html", html(message.bodyText, subject: message.subject, language: options.language)) + "--\(boundary)--\r\n"
    }

    /// The text as a small HTML document: escaped, paragraphs at blank lines, line breaks kept,
    /// web addresses as links.
    static func html(_ text: String, subject: String, language: String) -> String {
        let paragraphs = text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n\n")
            .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            .map { "<p>" + $0.components(separatedBy: "\n").map(linked).joined(separator: "<br>\n") + "</p>" }
        return """
            <!doctype html>
            <html lang="\(escaped(language))"><head><meta charset="utf-8"><title>\(escaped(subject))</title></head>
            <body style="font-family: sans-serif; line-height: 1.5; max-width: 40em">
            \(paragraphs.joined(separator: "\n"))
            </body></html>
            """
    }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(
            of: ">", with: "&gt;"
        )
        .replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")
    }

    /// A line with its http(s) addresses as links, everything escaped.
    static func linked(_ line: String) -> String {
        var result = ""
        var rest = Substring(line)
        while let start = rest.range(of: "https://") ?? rest.range(of: "http://") {
            result += escaped(String(rest[..<start.lowerBound]))
            let url = rest[start.lowerBound...].prefix { !$0.isWhitespace && $0 != "<" && $0 != ">" && $0 != "\"" }
            let trimmed = url.trimmingCharacters(in: CharacterSet(charactersIn: ".,;:!?)"))
            result += "<a href=\"\(escaped(trimmed))\">\(escaped(trimmed))</a>"
            rest = rest[url.startIndex...].dropFirst(trimmed.count)
        }
        return result + escaped(String(rest))
    }

    /// RFC 2047 encoding for header text that is not plain ASCII; strips line breaks in any case.
    static func encodedWord(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        if flat.allSatisfy({ $0.isASCII && $0 != "\"" && $0 != "<" && $0 != ">" }) { return flat }
        return "=?utf-8?B?\(Data(flat.utf8).base64EncodedString())?="
    }
}
