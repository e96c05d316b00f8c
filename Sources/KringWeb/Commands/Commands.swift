import KringCore
import KringStore
import Vapor

/// `kring demo`: fills a fresh database with the demo community and prints the logins.
public struct DemoCommand: AsyncCommand {
    public struct Signature: CommandSignature {
        @Option(name: "members", help: "How many members to create (default 300).")
        var members: Int?

        public init() {}
    }

    public var help: String { "Fills an empty database with a demo community and prints its logins." }

    public init() {}

    public func run(using context: CommandContext, signature: Signature) async throws {
        guard try await Self.fill(context.application, console: context.console, members: signature.members ?? 300) else {
            context.console.error("This database already holds a community; the demo needs an empty one.")
            context.console.info("Point KRING_DATA_DIR at an empty folder (or remove ./data) and run `kring demo` again.")
            throw DemoError.notEmpty
        }
        context.console.print("Start the server with: swift run kring serve")
    }

    /// Fills the database with the demo community and prints the logins. Returns false, changing
    /// nothing, when the database already holds a community. `kring demo` and `kring serve --demo` use it.
    public static func fill(_ app: Application, console: any Console, members: Int = 300) async throws -> Bool {
        let repositories = app.repositories
        guard try await repositories.community.settings() == nil else { return false }
        let started = Date()
        let hash = try await Passwords.hash(DemoCommunity.password, on: app)
        let count = try await repositories.writeTransaction { tx in
            try await DemoCommunity(
                repositories: tx, memberCount: members, fileStorage: app.kring.fileStorage, progress: { console.print($0) }
            ).fill(passwordHash: hash)
        }
        console.success("Demo community ready: \(count) members in \(String(format: "%.1f", Date().timeIntervalSince(started))) s.")
        console.print("Log in at \(app.kring.config.baseURL)/login with password \(DemoCommunity.password) as:")
        for login in DemoCommunity.logins { console.print("  \(login.handle)  (\(login.role))") }
        return true
    }
}

/// A command failed and has said why; `kring` exits non-zero without a crash report.
public enum DemoError: Error {
    case notEmpty
    case importFailed
    case noCommunity
}

/// `kring admin …`: administration from the command line.
public struct AdminCommands: AsyncCommandGroup {
    public var help: String { "Administration: `kring admin create` makes the community's first administrator (or another one)." }
    public var commands: [String: any AnyAsyncCommand] { ["create": CreateAdminCommand()] }

    public init() {}
}

/// `kring admin create`: sets the community up with its first administrator, or adds an administrator.
struct CreateAdminCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "handle", help: "The administrator's handle.")
        var handle: String?
        @Option(name: "name", help: "The administrator's display name.")
        var name: String?
        @Option(name: "email", help: "The administrator's e-mail address.")
        var email: String?
        @Option(name: "password", help: "The password (or set KRING_ADMIN_PASSWORD; asked when missing).")
        var password: String?
        @Option(name: "community", help: "The community's name, when it is not set up yet.")
        var community: String?
        @Option(name: "tagline", help: "The community's tagline, when it is not set up yet.")
        var tagline: String?
        @Option(name: "language", help: "The community's default language, en or nl (default en).")
        var language: String?
    }

    var help: String { "Creates an administrator; on a new database it also sets up the community." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let console = context.console
        func ask(_ value: String?, _ question: String, secure: Bool = false) -> String {
            if let value, !value.isEmpty { return value }
            return secure ? console.ask(question.consoleText(), isSecure: true) : console.ask(question.consoleText())
        }
        let repositories = app.repositories
        let existing = try await repositories.community.settings()
        let communityName = existing == nil ? ask(signature.community, "Community name:") : existing!.name
        let handle = ask(signature.handle, "Handle:")
        let name = ask(signature.name, "Display name:")
        let email = ask(signature.email, "E-mail address:")
        let password = ask(
            signature.password ?? Environment.get("KRING_ADMIN_PASSWORD"), "Password (at least 10 characters):", secure: true)
        do {
            let (settings, administrator) = try await SetupInput.validate(
                communityName: communityName, tagline: signature.tagline ?? existing?.tagline ?? "",
                defaultLanguage: signature.language ?? existing?.defaultLanguage.rawValue ?? "en", handle: handle, displayName: name,
                email: email, password: password, hashPassword: { try await Passwords.hash($0, on: app) })
            if existing == nil {
                _ = try await repositories.community.setUp(settings, administrator: administrator)
                console.success("Community “\(settings.name)” set up with administrator @\(administrator.handle).")
            } else {
                _ = try await repositories.members.create(administrator)
                console.success("Administrator @\(administrator.handle) created.")
            }
        } catch let failure as ValidationFailure {
            let catalog = app.kring.catalog
            let t = Localizer(language: .en, catalog: catalog, timeZone: .gmt)
            for error in failure.errors { console.error("\(error.field): \(t.fieldError(error))") }
            throw failure
        }
    }
}

/// `kring import …`: bringing a community's history in from elsewhere.
public struct ImportCommands: AsyncCommandGroup {
    public var commands: [String: any AnyAsyncCommand] { ["stackexchange": StackExchangeImportCommand()] }
    public var help: String { "Imports a community from another platform." }

    public init() {}
}

/// `kring import stackexchange DIR`: a Stack Exchange data dump (Users, Posts, Comments, Votes XML).
struct StackExchangeImportCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "directory", help: "The dump's folder, named after the site (e.g. quantumcomputing.stackexchange.com).")
        var directory: String
    }

    var help: String { "Imports a Stack Exchange data dump: members, questions, answers, comments, accepted answers and up-votes." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let console = context.console
        let started = Date()
        let importer = StackExchangeImport(
            repositories: context.application.repositories, directory: URL(fileURLWithPath: signature.directory, isDirectory: true),
            progress: { console.print($0) })
        do {
            let summary = try await importer.run()
            console.success(
                "Imported from \(importer.site) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s: \(summary.members) members, "
                    + "\(summary.questions) questions, \(summary.answers) answers, \(summary.comments) comments, \(summary.accepted) accepted answers, "
                    + "\(summary.likes) likes, \(summary.badges) badges, \(summary.tagsDescribed) tag descriptions; "
                    + "\(summary.skipped) items pointed at deleted posts and were skipped.")
            console.print("The cockpit's daily figures are rolled up again by the server's background job.")
        } catch let failure as StackExchangeDump.Failure {
            console.error(failure.description)
            throw DemoError.importFailed
        }
    }
}
