import KringCore
import KringWeb
import Logging
import Vapor

#if canImport(Glibc)
    /// glibc's `mallopt` (malloc.h is not part of Swift's Glibc module).
    @_silgen_name("mallopt")
    func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif

/// The `kring` command: `serve` (the default; `serve --demo` fills an empty database with the demo
/// community first), `demo`, `admin create`, `import stackexchange DIR`, `generate`, `rollup`, `reindex`, `backup`, `restore FILE`,
/// `migrate`, `routes`.
@main
enum KringMain {
    static func main() async throws {
        #if canImport(Glibc)
            // glibc gives busy threads malloc arenas of their own (up to eight per core); Kring's
            // thread pool made that tens of mostly empty arenas. Two keep the memory of a serving
            // process small at no measurable cost in speed.
            _ = glibcMallopt(-8, 2)  // M_ARENA_MAX
        #endif
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
