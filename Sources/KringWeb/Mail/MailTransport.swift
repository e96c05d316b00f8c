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

/// Writes each message as an RFC 5322 `.eml` file in a folder: the transport until SMTP arrives,
/// and a way to read what Kring sent during development.
public struct EMLFileTransport: MailTransport {
    public let directory: URL

    public init(directory: URL) { self.directory = directory }

    public func deliver(_ message: OutboxMessage, from sender: MailSender) async throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("\(Self.timestamp(message.createdAt))-\(message.id.uuidString.lowercased()).eml")
        try Data(MailFormatter.rfc5322(message, from: sender).utf8).write(to: file, options: .atomic)
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

/// Renders messages in the Internet Message Format.
public enum MailFormatter {
    public static func rfc5322(_ message: OutboxMessage, from sender: MailSender) -> String {
        let dateFormatter = DateFormatter()
        dateFormatter.locale = Locale(identifier: "en_US_POSIX")
        dateFormatter.timeZone = TimeZone(identifier: "UTC")
        dateFormatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        let headers = [
            "From: \(encodedWord(sender.name)) <\(sender.address)>",
            "To: \(encodedWord(message.recipientName)) <\(message.recipient)>",
            "Subject: \(encodedWord(message.subject))",
            "Date: \(dateFormatter.string(from: message.createdAt))",
            "Message-ID: <\(message.id.uuidString.lowercased())@kring>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: base64",
            "X-Kring-Kind: \(message.kind)",
        ]
        let body = Data(message.bodyText.replacingOccurrences(of: "\n", with: "\r\n").utf8)
            .base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        return headers.joined(separator: "\r\n") + "\r\n\r\n" + body + "\r\n"
    }

    /// RFC 2047 encoding for header text that is not plain ASCII; strips line breaks in any case.
    static func encodedWord(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        if flat.allSatisfy({ $0.isASCII && $0 != "\"" && $0 != "<" && $0 != ">" }) { return flat }
        return "=?utf-8?B?\(Data(flat.utf8).base64EncodedString())?="
    }
}
