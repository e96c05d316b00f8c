import Foundation
import KringStore
import NIOCore
import NIOPosix
import NIOSSL

/// Where and how Kring hands its mail to an SMTP server (`KRING_SMTP_*`).
public struct SMTPConfiguration: Sendable, Equatable {
    public enum Security: String, Sendable, CaseIterable {
        /// Plain connection upgraded with STARTTLS before anything else is said (port 587).
        case starttls
        /// TLS from the first byte (port 465).
        case tls
        /// No encryption: only for a relay on the same machine or network.
        case none
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var username: String?
    public var password: String?
    /// A PEM file of certificate authorities to trust instead of the system's (a private relay).
    public var caFile: String?
    /// The name Kring gives itself in EHLO.
    public var heloName: String
    public var timeout: TimeAmount

    public init(
        host: String, port: Int, security: Security, username: String? = nil, password: String? = nil, caFile: String? = nil,
        heloName: String = "localhost", timeout: TimeAmount = .seconds(30)
    ) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.caFile = caFile
        self.heloName = heloName
        self.timeout = timeout
    }

    /// The configuration the environment asks for, or nil when `KRING_SMTP_HOST` is unset (mail
    /// is then written to files). Unknown security values and bad ports are start-up errors.
    public static func fromEnvironment(_ environment: [String: String], heloName: String) throws -> SMTPConfiguration? {
        guard let host = environment["KRING_SMTP_HOST"], !host.isEmpty else { return nil }
        let security: Security
        if let raw = environment["KRING_SMTP_SECURITY"], !raw.isEmpty {
            guard let known = Security(rawValue: raw) else {
                throw ConfigurationError("KRING_SMTP_SECURITY is starttls, tls or none, not \(raw)")
            }
            security = known
        } else {
            security = environment["KRING_SMTP_PORT"] == "465" ? .tls : .starttls
        }
        let defaultPort = security == .tls ? 465 : 587
        guard let port = Int(environment["KRING_SMTP_PORT"] ?? String(defaultPort)), (1...65_535).contains(port) else {
            throw ConfigurationError("KRING_SMTP_PORT is a port number")
        }
        let username = environment["KRING_SMTP_USERNAME"].flatMap { $0.isEmpty ? nil : $0 }
        return SMTPConfiguration(
            host: host, port: port, security: security, username: username, password: environment["KRING_SMTP_PASSWORD"],
            caFile: environment["KRING_SMTP_CA_FILE"].flatMap { $0.isEmpty ? nil : $0 }, heloName: heloName)
    }
}

/// A start-up setting that makes no sense.
public struct ConfigurationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// What went wrong talking to the SMTP server; the outbox retries the message later.
public enum SMTPError: Error, CustomStringConvertible, Equatable {
    case unexpectedReply(command: String, code: Int, text: String)
    case malformedReply(String)
    case connectionClosed
    case timeout(String)
    /// The server's EHLO named no STARTTLS (it offered these extensions instead).
    case startTLSUnavailable(offered: [String])
    case authenticationUnavailable
    case lineTooLong

    public var description: String {
        switch self {
        case .unexpectedReply(let command, let code, let text): "SMTP \(command): \(code) \(text)"
        case .malformedReply(let line): "SMTP: malformed reply \(line.prefix(80))"
        case .connectionClosed: "SMTP: the server closed the connection"
        case .timeout(let step): "SMTP: no answer to \(step) in time"
        case .startTLSUnavailable(let offered):
            "SMTP: the server offers no STARTTLS (only \(offered.joined(separator: ", "))); refusing to send in the clear"
        case .authenticationUnavailable: "SMTP: the server offers neither AUTH PLAIN nor AUTH LOGIN"
        case .lineTooLong: "SMTP: a reply line longer than 8 KiB"
        }
    }

    /// A 5xx reply to the sender, the recipient or the message: trying again will not help. (A
    /// refused login is the server's configuration, and is retried.)
    public var isPermanent: Bool {
        if case .unexpectedReply(let command, let code, _) = self {
            return code >= 500 && ["MAIL", "RCPT", "DATA", "DATA (message)"].contains(command)
        }
        return false
    }
}

/// A small SMTP client on SwiftNIO (RFC 5321): one connection per message, STARTTLS or implicit
/// TLS, AUTH PLAIN or LOGIN, dot-stuffed DATA. No mail package exists for Swift on this platform;
/// this is the part of the protocol a submission client needs.
public struct SMTPTransport: MailTransport {
    public let configuration: SMTPConfiguration
    let group: any EventLoopGroup
    let formatter: MailFormatter.Options

    public init(configuration: SMTPConfiguration, group: any EventLoopGroup, formatter: MailFormatter.Options) {
        self.configuration = configuration
        self.group = group
        self.formatter = formatter
    }

    public func deliver(_ message: OutboxMessage, from sender: MailSender) async throws {
        let session = try await SMTPSession.open(configuration, group: group)
        do {
            try await session.expect(220, after: "greeting")
            var capabilities = try await session.hello(configuration.heloName)
            if configuration.security == .starttls {
                guard capabilities.contains(where: { $0.uppercased() == "STARTTLS" }) else {
                    throw SMTPError.startTLSUnavailable(offered: capabilities)
                }
                try await session.command("STARTTLS", expect: [220])
                try await session.startTLS(configuration)
                capabilities = try await session.hello(configuration.heloName)
            }
            if let username = configuration.username {
                try await session.authenticate(username, configuration.password ?? "", capabilities: capabilities)
            }
            try await session.command("MAIL FROM:<\(Self.address(sender.address))>", expect: [250])
            try await session.command("RCPT TO:<\(Self.address(message.recipient))>", expect: [250, 251])
            try await session.command("DATA", expect: [354])
            let data = MailFormatter.rfc5322(message, from: sender, options: formatter)
            try await session.command(Self.dotStuffed(data) + ".", expect: [250], name: "DATA (message)")
            try? await session.command("QUIT", expect: [221])
        } catch {
            await session.close()
            throw error
        }
        await session.close()
    }

    /// An address for a command: no line breaks or angle brackets can sneak in.
    static func address(_ raw: String) -> String {
        String(raw.unicodeScalars.filter { $0.value > 32 && $0 != "<" && $0 != ">" })
    }

    /// Lines that start with a dot get another (RFC 5321 4.5.2); the message ends with CRLF.
    static func dotStuffed(_ data: String) -> String {
        var lines = data.components(separatedBy: "\r\n")
        if lines.last == "" { lines.removeLast() }
        return lines.map { $0.hasPrefix(".") ? "." + $0 : $0 }.joined(separator: "\r\n") + "\r\n"
    }
}

/// One reply: its code and its lines' text.
struct SMTPReply: Sendable {
    let code: Int
    let lines: [String]
    var text: String { lines.joined(separator: " ") }
}

/// One connection to the server, used by one task from start to QUIT.
final class SMTPSession: Sendable {
    let channel: any Channel
    let timeout: TimeAmount
    let replies: NIOLoopBound<SMTPReplyHandler>

    private init(channel: any Channel, timeout: TimeAmount, replies: NIOLoopBound<SMTPReplyHandler>) {
        self.channel = channel
        self.timeout = timeout
        self.replies = replies
    }

    static func open(_ configuration: SMTPConfiguration, group: any EventLoopGroup) async throws -> SMTPSession {
        let tlsContext = configuration.security == .tls ? try tlsContext(configuration) : nil
        let host = configuration.host
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(configuration.timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tlsContext {
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: tlsContext, serverHostname: Self.serverName(host)))
                    }
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMTPLineDecoder()))
                    try channel.pipeline.syncOperations.addHandler(SMTPReplyHandler())
                }
            }
            .connect(host: configuration.host, port: configuration.port).get()
        let replies = try await channel.eventLoop.submit {
            NIOLoopBound(try channel.pipeline.syncOperations.handler(type: SMTPReplyHandler.self), eventLoop: channel.eventLoop)
        }.get()
        return SMTPSession(channel: channel, timeout: configuration.timeout, replies: replies)
    }

    /// SNI and certificate checks want a name; an address literal gets none.
    static func serverName(_ host: String) -> String? {
        host.allSatisfy { $0.isNumber || $0 == "." || $0 == ":" } ? nil : host
    }

    static func tlsContext(_ configuration: SMTPConfiguration) throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile = configuration.caFile { tls.trustRoots = .file(caFile) }
        return try NIOSSLContext(configuration: tls)
    }

    /// The next reply; a server that stays silent past the timeout loses the connection.
    func reply(after step: String) async throws -> SMTPReply {
        let (replies, timeout, channel) = (replies, timeout, channel)
        return try await channel.eventLoop.flatSubmit {
            let timer = channel.eventLoop.scheduleTask(in: timeout) {
                replies.value.fail(SMTPError.timeout(step))
                channel.close(promise: nil)
            }
            let next = replies.value.next(on: channel.eventLoop)
            next.whenComplete { _ in timer.cancel() }
            return next
        }.get()
    }

    func expect(_ code: Int, after step: String) async throws {
        let reply = try await reply(after: step)
        guard reply.code == code else { throw SMTPError.unexpectedReply(command: step, code: reply.code, text: reply.text) }
    }

    /// Sends a command (or the message itself) and checks the reply's code.
    @discardableResult
    func command(_ line: String, expect codes: Set<Int>, name: String? = nil) async throws -> SMTPReply {
        let step = name ?? String(line.prefix(while: { $0 != " " && $0 != ":" }))
        try await channel.writeAndFlush(ByteBuffer(string: line + "\r\n")).get()
        let reply = try await reply(after: step)
        guard codes.contains(reply.code) else { throw SMTPError.unexpectedReply(command: step, code: reply.code, text: reply.text) }
        return reply
    }

    /// EHLO; the server's extensions, one per line after the greeting line.
    func hello(_ name: String) async throws -> [String] {
        let reply = try await command("EHLO \(name)", expect: [250])
        return Array(reply.lines.dropFirst())
    }

    /// Puts TLS under the connection after the server agreed to STARTTLS.
    func startTLS(_ configuration: SMTPConfiguration) async throws {
        let context = try Self.tlsContext(configuration)
        let host = configuration.host
        try await channel.eventLoop.submit { [channel] in
            try channel.pipeline.syncOperations.addHandler(
                try NIOSSLClientHandler(context: context, serverHostname: Self.serverName(host)), position: .first)
        }.get()
    }

    /// AUTH PLAIN where offered, else AUTH LOGIN.
    func authenticate(_ username: String, _ password: String, capabilities: [String]) async throws {
        let mechanisms = Set(
            capabilities.filter { $0.uppercased().hasPrefix("AUTH") }.flatMap {
                $0.uppercased().split(whereSeparator: { $0 == " " || $0 == "=" })
            })
        func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
        if mechanisms.contains("PLAIN") {
            try await command("AUTH PLAIN " + base64("\0\(username)\0\(password)"), expect: [235], name: "AUTH PLAIN")
        } else if mechanisms.contains("LOGIN") {
            try await command("AUTH LOGIN", expect: [334])
            try await command(base64(username), expect: [334], name: "AUTH LOGIN (user)")
            try await command(base64(password), expect: [235], name: "AUTH LOGIN (password)")
        } else {
            throw SMTPError.authenticationUnavailable
        }
    }

    func close() async {
        try? await channel.close()
    }
}

/// Splits the server's bytes into lines without their CRLF.
final class SMTPLineDecoder: ByteToMessageDecoder {
    typealias InboundOut = String

    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > 8_192 { throw SMTPError.lineTooLong }
            return .needMoreData
        }
        // CR LF ends a line; the bytes are cut before it (in a Swift String "\r\n" is one character).
        var length = newline - buffer.readerIndex
        if length > 0, buffer.getInteger(at: newline - 1, as: UInt8.self) == UInt8(ascii: "\r") { length -= 1 }
        let line = buffer.readString(length: length) ?? ""
        buffer.moveReaderIndex(forwardBy: newline + 1 - buffer.readerIndex)
        context.fireChannelRead(wrapInboundOut(line))
        return .continue
    }

    func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }
}

/// Gathers reply lines (`250-…` goes on, `250 …` ends) into replies, handed to the session in order.
final class SMTPReplyHandler: ChannelInboundHandler {
    typealias InboundIn = String
    private var lines: [String] = []
    private var ready: [SMTPReply] = []
    private var waiting: [EventLoopPromise<SMTPReply>] = []
    private var failure: (any Error)?

    /// The next reply (on the event loop).
    func next(on eventLoop: any EventLoop) -> EventLoopFuture<SMTPReply> {
        if !ready.isEmpty { return eventLoop.makeSucceededFuture(ready.removeFirst()) }
        if let failure { return eventLoop.makeFailedFuture(failure) }
        let promise = eventLoop.makePromise(of: SMTPReply.self)
        waiting.append(promise)
        return promise.futureResult
    }

    /// Ends the conversation: whoever waits and whoever asks later gets the error.
    func fail(_ error: any Error) {
        if failure == nil { failure = error }
        let waiters = waiting
        waiting = []
        for promise in waiters { promise.fail(error) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let line = unwrapInboundIn(data)
        let characters = Array(line)
        guard characters.count >= 3, let code = Int(String(characters[0..<3])), characters.count == 3 || " -".contains(characters[3]) else {
            fail(SMTPError.malformedReply(line))
            context.close(promise: nil)
            return
        }
        lines.append(characters.count > 4 ? String(characters[4...]) : "")
        guard characters.count == 3 || characters[3] == " " else { return }
        let reply = SMTPReply(code: code, lines: lines)
        lines = []
        if waiting.isEmpty { ready.append(reply) } else { waiting.removeFirst().succeed(reply) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(SMTPError.connectionClosed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error)
        context.close(promise: nil)
    }
}
