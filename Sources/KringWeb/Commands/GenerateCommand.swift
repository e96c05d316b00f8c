import Foundation
import KringCore
import KringStore
import Vapor

/// `kring generate`: a large generated community for benchmarks (bench/), in an empty database.
public struct GenerateCommand: AsyncCommand {
    public struct Signature: CommandSignature {
        @Option(name: "members", help: "Members (default 100000).")
        var members: Int?
        @Option(name: "posts", help: "Topics and replies together (default 1000000).")
        var posts: Int?
        @Option(name: "events", help: "Activity-log events in all, visits included (default 5000000).")
        var events: Int?
        @Option(name: "months", help: "Months of history (default 12).")
        var months: Int?

        public init() {}
    }

    public var help: String {
        "Fills an empty database with a large generated community (heavy-tailed activity, groups of each visibility, months of history)."
    }

    public init() {}

    /// The password of every generated account (`gen-admin`, `gen-manager`, `lid-000001` …).
    public static let password = "kring-bench-2026"

    /// Short, varied bodies, rendered once: real Markdown through the real renderer.
    static let bodies = [
        "Goede vraag! Wij hebben **twaalf panelen** en een omvormer van 3,6 kW; dat werkt prima.",
        "Kijk eens naar de subsidiepagina van de gemeente, daar staat het stap voor stap.",
        "Bij ons duurde het *drie weken* voordat de installateur kwam. Plan het ruim.",
        "We isoleerden eerst de vloer en daarna de spouw. Het scheelt echt in de gasrekening.",
        "Heeft iemand ervaring met een hybride warmtepomp in combinatie met radiatoren?",
        "Thanks, this helped a lot. We ended up with a smaller unit than the quote suggested.",
        "Let op de geluidsnormen als de buitenunit dicht bij de erfgrens staat.",
        "- meterkast gecontroleerd\n- extra groep aangelegd\n- laadpaal geplaatst",
        "Ik sluit me aan bij de vorige reactie: vraag altijd twee offertes.",
        "Is there a group buy for home batteries this year? I would join.",
    ]

    /// Fills the application's empty database as `kring generate` does: `gen-admin` and `gen-manager`
    /// log in with `passwordHash`, as does every generated member.
    static func generate(
        _ plan: GeneratorPlan, on app: Application, passwordHash hash: String, progress: @escaping @Sendable (String) -> Void
    ) async throws -> GeneratorSummary {
        let bodies = Self.bodies.map { text in
            let rendered = UserMarkdown.render(text)
            return GeneratedBody(markdown: text, html: rendered.html, renderVersion: rendered.version)
        }
        return try await CommunityGenerator(database: app.db, clock: app.kring.clock).run(
            plan,
            community: CommunitySettings(
                name: "Generated community", tagline: "A large community for benchmarks", defaultLanguage: .nl, registrationMode: .open,
                readAccess: .public),
            admin: NewMember(
                handle: "gen-admin", displayName: "Generator Admin", email: "admin@generated.kring.example", passwordHash: hash,
                role: .admin,
                isStaff: true),
            manager: NewMember(
                handle: "gen-manager", displayName: "Generator Manager", email: "manager@generated.kring.example", passwordHash: hash,
                role: .manager, isStaff: true),
            bodies: bodies, progress: progress)
    }

    public func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let console = context.console
        guard try await app.repositories.community.settings() == nil else {
            console.error("This database already holds a community; the generator needs an empty one (point KRING_DATA_DIR elsewhere).")
            throw DemoError.notEmpty
        }
        let plan = GeneratorPlan(
            members: max(10, signature.members ?? 100_000), posts: max(10, signature.posts ?? 1_000_000),
            events: max(0, signature.events ?? 5_000_000), months: min(60, max(1, signature.months ?? 12)))
        let started = Date()
        let hash = try await Passwords.hash(Self.password, on: app)
        console.print("Generating \(plan.members) members, \(plan.posts) posts and \(plan.events) events over \(plan.months) months…")
        let summary = try await Self.generate(plan, on: app, passwordHash: hash) { console.print($0) }
        console.success(
            "Generated \(summary.members) members, \(summary.groups) groups, \(summary.topics) topics, \(summary.posts) posts, "
                + "\(summary.reactions) reactions and \(summary.events) events (\(summary.rolledUpDays) days rolled up) in "
                + String(format: "%.0f s.", Date().timeIntervalSince(started)))
        console.print("Log in as gen-manager (or gen-admin) with password \(Self.password). Topics are not in the search index.")
    }
}
