import Foundation
import KringCore
import KringTestSupport
import NIOPosix
import Testing

@testable import KringStore
@testable import KringWeb

/// The decoded text of a mail's part of a content type (Kring writes each part in base64).
func mailPart(_ type: String, of message: String) -> String? {
    guard let start = message.range(of: "Content-Type: \(type); charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n") else {
        return nil
    }
    let encoded = message[start.upperBound...].prefix { $0 != "-" }
    return Data(base64Encoded: String(encoded), options: .ignoreUnknownCharacters).map { String(decoding: $0, as: UTF8.self) }
}

/// A real SMTP server (aiosmtpd, `e2e/smtp_server.py`) on loopback, started per test.
final class SMTPTestServer: @unchecked Sendable {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let python = repository.appendingPathComponent(".venv/bin/python").path

    /// Whether the venv has aiosmtpd (`.ci/run` installs it) and openssl is here for certificates.
    static let available: Bool = {
        guard FileManager.default.isExecutableFile(atPath: python), FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")
        else { return false }
        return (try? run(python, ["-c", "import aiosmtpd"])) == 0
    }()

    let port: Int
    let folder: URL
    let process: Process
    /// The certificate the server presents (with STARTTLS), to trust as a CA file.
    let certificate: String?

    init(user: String? = nil, password: String? = nil, startTLS: Bool = false, failFirst: Int = 0) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("kring-smtp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var arguments = [
            Self.repository.appendingPathComponent("e2e/smtp_server.py").path, "--out", folder.appendingPathComponent("mail").path,
        ]
        if let user, let password { arguments += ["--user", user, "--password", password] }
        if failFirst > 0 { arguments += ["--fail-first", String(failFirst)] }
        if startTLS {
            let cert = folder.appendingPathComponent("cert.pem").path
            let key = folder.appendingPathComponent("key.pem").path
            let made = try Self.run(
                "/usr/bin/openssl",
                [
                    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost",
                ])
            guard made == 0 else { throw ConfigurationError("openssl could not make a certificate") }
            arguments += ["--cert", cert, "--key", key]
            certificate = cert
        } else {
            certificate = nil
        }
        var started: (Process, Int)?
        for _ in 0..<5 where started == nil {
            let port = Int.random(in: 20_000...60_000)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.python)
            process.arguments = arguments + ["--port", String(port)]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            let line = output.fileHandleForReading.availableData
            if String(decoding: line, as: UTF8.self).contains("ready") {
                started = (process, port)
            } else {
                process.terminate()
            }
        }
        guard let started else { throw ConfigurationError("the SMTP test server did not start") }
        (process, port) = started
    }

    deinit {
        // Foundation's waitUntilExit can wait forever inside a test's task; the signal and waitpid cannot.
        let pid = process.processIdentifier
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        try? FileManager.default.removeItem(at: folder)
    }

    /// The messages the server accepted, as received.
    var messages: [String] {
        let mail = folder.appendingPathComponent("mail")
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: mail.path)) ?? []).filter { $0.hasSuffix(".eml") }.sorted()
        return files.compactMap { try? String(contentsOf: mail.appendingPathComponent($0), encoding: .utf8) }
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// The SMTP client against a real server: authentication, STARTTLS, the message as sent, and
/// failures the outbox retries or gives up on.
@Suite("SMTP delivery", .enabled(if: SMTPTestServer.available, "needs .venv with aiosmtpd and openssl"))
struct SMTPTests {
    static let sender = MailSender(name: "Energie Samen", address: "community@kring.test")

    static func transport(_ server: SMTPTestServer, security: SMTPConfiguration.Security = .none, password: String = "geheim")
        -> SMTPTransport
    {
        SMTPTransport(
            configuration: SMTPConfiguration(
                host: "localhost", port: server.port, security: security, username: "kring", password: password, caFile: server.certificate,
                timeout: .seconds(10)),
            group: MultiThreadedEventLoopGroup.singleton,
            formatter: MailFormatter.Options(unsubscribeURL: "https://kring.test/settings/notifications", language: "nl"))
    }

    @Test func aMessageGoesThroughWithAuthenticationAsMultipartTextAndHTML() async throws {
        let server = try SMTPTestServer(user: "kring", password: "geheim")
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await app.repositories.outbox.enqueue(
                NewOutboxMessage(
                    kind: "segment_message", recipient: "anna@kring.test", recipientName: "Anna de Wit", subject: "Tot zaterdag, Änna",
                    bodyText: "Hoi Anna,\n\nZie https://kring.test/events/1 en <b>neem</b> koffie mee.\n.\nGroet"))
            let delivery = OutboxDelivery(
                repositories: app.repositories, transport: Self.transport(server), sender: Self.sender, logger: app.logger)
            #expect(try await delivery.deliverDue() == 1)
            #expect(try await app.repositories.outbox.list(status: .sent).count == 1)
            let message = try #require(server.messages.first)
            #expect(message.contains("To: =?utf-8?B?") || message.contains("To: Anna de Wit <anna@kring.test>"))
            #expect(message.contains("Content-Type: multipart/alternative; boundary="))
            #expect(message.contains("List-Unsubscribe: <https://kring.test/settings/notifications>"))
            let text = try #require(mailPart("text/plain", of: message))
            #expect(
                text == "Hoi Anna,\r\n\r\nZie https://kring.test/events/1 en <b>neem</b> koffie mee.\r\n.\r\nGroet", "a lone dot survives")
            let html = try #require(mailPart("text/html", of: message))
            #expect(html.contains(#"<a href="https://kring.test/events/1">https://kring.test/events/1</a>"#))
            #expect(html.contains("&lt;b&gt;neem&lt;/b&gt;"), "the text is never markup")
        }
    }

    @Test func accountMailHasNoUnsubscribeHeader() async throws {
        let server = try SMTPTestServer()
        let transport = SMTPTransport(
            configuration: SMTPConfiguration(host: "127.0.0.1", port: server.port, security: .none),
            group: MultiThreadedEventLoopGroup.singleton, formatter: MailFormatter.Options(unsubscribeURL: "https://kring.test/settings"))
        let message = OutboxMessage(
            id: UUID(), kind: "password_reset", recipient: "anna@kring.test", recipientName: "Anna", subject: "Reset", bodyText: "Link",
            status: .pending, attempts: 0, lastError: nil, nextAttemptAt: Date(), createdAt: Date(), sentAt: nil)
        try await transport.deliver(message, from: Self.sender)
        let received = try #require(server.messages.first)
        #expect(received.contains("Subject: Reset"))
        #expect(!received.contains("List-Unsubscribe"))
    }

    @Test func startTLSComesBeforeTheLogin() async throws {
        let server = try SMTPTestServer(user: "kring", password: "geheim", startTLS: true)
        let message = OutboxMessage(
            id: UUID(), kind: "notification", recipient: "bram@kring.test", recipientName: "Bram", subject: "Versleuteld", bodyText: "Ja",
            status: .pending, attempts: 0, lastError: nil, nextAttemptAt: Date(), createdAt: Date(), sentAt: nil)
        try await Self.transport(server, security: .starttls).deliver(message, from: Self.sender)
        #expect(server.messages.first?.contains("Subject: Versleuteld") == true)
        // Without TLS this server refuses to go on, and the client refuses to log in in the clear.
        await #expect(throws: SMTPError.self) { try await Self.transport(server, security: .none).deliver(message, from: Self.sender) }
        #expect(server.messages.count == 1)
    }

    @Test func aRefusedLoginAndATemporaryFailureAreRetriedABounceIsNot() async throws {
        let server = try SMTPTestServer(user: "kring", password: "geheim", failFirst: 1)
        let clock = TestClockWeb()
        try await withKringApp(clock: clock.kringClock) { app in
            try await TestAccounts.setUpCommunity(app)
            let outbox = app.repositories.outbox
            let id = try await outbox.enqueue(
                NewOutboxMessage(
                    kind: "notification", recipient: "anna@kring.test", recipientName: "Anna", subject: "Eerst niet", bodyText: "x"))
            let wrong = OutboxDelivery(
                repositories: app.repositories, transport: Self.transport(server, password: "fout"), sender: Self.sender, logger: app.logger
            )
            #expect(try await wrong.deliverDue() == 0)
            var waiting = try #require(try await outbox.find(id: id))
            #expect(waiting.status == .pending && waiting.attempts == 1)
            #expect(waiting.lastError?.contains("535") == true, "\(waiting.lastError ?? "")")

            let right = OutboxDelivery(
                repositories: app.repositories, transport: Self.transport(server), sender: Self.sender, logger: app.logger)
            #expect(try await right.deliverDue() == 0, "not due before its back-off")
            clock.advance(61)
            #expect(try await right.deliverDue() == 0, "451 from the server: try again later")
            waiting = try #require(try await outbox.find(id: id))
            #expect(waiting.status == .pending && waiting.attempts == 2 && waiting.lastError?.contains("451") == true)
            clock.advance(121)
            #expect(try await right.deliverDue() == 1)
            #expect(try await outbox.find(id: id)?.status == .sent)
            #expect(server.messages.count == 1)

            let bounce = try await outbox.enqueue(
                NewOutboxMessage(
                    kind: "notification", recipient: "bounce@kring.test", recipientName: "Niemand", subject: "Weg", bodyText: "x"))
            #expect(try await right.deliverDue() == 0)
            let failed = try #require(try await outbox.find(id: bounce))
            #expect(failed.status == .failed && failed.attempts == 1, "550: no use trying again")
        }
    }

    @Test func theEnvironmentChoosesSMTPAndRefusesNonsense() throws {
        #expect(try SMTPConfiguration.fromEnvironment([:], heloName: "x") == nil)
        let submission = try #require(
            try SMTPConfiguration.fromEnvironment(["KRING_SMTP_HOST": "smtp.example.org"], heloName: "kring.example.org"))
        #expect(submission.port == 587 && submission.security == .starttls && submission.heloName == "kring.example.org")
        let implicit = try #require(
            try SMTPConfiguration.fromEnvironment(["KRING_SMTP_HOST": "smtp.example.org", "KRING_SMTP_PORT": "465"], heloName: "x"))
        #expect(implicit.security == .tls)
        #expect(throws: ConfigurationError.self) {
            try SMTPConfiguration.fromEnvironment(["KRING_SMTP_HOST": "h", "KRING_SMTP_SECURITY": "maybe"], heloName: "x")
        }
        #expect(KringConfig.fromEnvironment(["KRING_SMTP_HOST": "h", "KRING_SMTP_PORT": "99999"]).problems.count == 1)
    }
}
