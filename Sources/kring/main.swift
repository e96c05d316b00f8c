import KringCore
import KringWeb
import Logging
import Vapor

/// The `kring` command: `serve` (the default; `serve --demo` fills an empty database with the demo
/// community first), `demo`, `admin create`, `import stackexchange DIR`, `generate`, `rollup`, `backup`, `restore FILE`, `migrate`, `routes`.
@main
enum KringMain {
    static func main() async throws {
        var environment = try Environment.detect()
        try LoggingSystem.bootstrap(from: &environment)
        let app = try await Application.make(environment)
        let command = environment.arguments.dropFirst().first ?? "serve"
        let withDemo = command == "serve" && environment.arguments.contains("--demo")
        if withDemo { app.environment.arguments.removeAll { $0 == "--demo" } }
        do {
            try await configure(
                app, config: .fromEnvironment(), options: ConfigureOptions(runsBackgroundJobs: command == "serve"))
            if withDemo, try await !DemoCommand.fill(app, console: Terminal()) {
                app.logger.notice("The database already holds a community; serving it without adding the demo.")
            }
            app.asyncCommands.use(DemoCommand(), as: "demo")
            app.asyncCommands.use(AdminCommands(), as: "admin")
            app.asyncCommands.use(ImportCommands(), as: "import")
            app.asyncCommands.use(GenerateCommand(), as: "generate")
            app.asyncCommands.use(RollupCommand(), as: "rollup")
            app.asyncCommands.use(ReindexCommand(), as: "reindex")
            app.asyncCommands.use(BackupCommand(), as: "backup")
            app.asyncCommands.use(RestoreCommand(), as: "restore")
            try await app.execute()
        } catch {
            // Commands explain their own failures; end with a non-zero status, not a crash report.
            if !(error is DemoError || error is ValidationFailure) { app.logger.report(error: error) }
            try? await app.asyncShutdown()
            exit(1)
        }
        try await app.asyncShutdown()
    }
}
