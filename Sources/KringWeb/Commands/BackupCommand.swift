import Foundation
import KringCore
import KringStore
import SQLKit
import Vapor

/// Consistent online backups: the database as one snapshot (SQLite's `VACUUM INTO`, which reads in
/// one transaction while the server keeps writing; PostgreSQL's `pg_dump`, a snapshot too) and the
/// uploaded files, in one `.tar.gz` with a manifest. The database is taken first and the files after
/// it: files are never changed in place, so every file the snapshot refers to is there.
enum Backup {
    struct Manifest: Codable, Equatable {
        var format = "kring-backup-1"
        var createdAt: Date
        /// "sqlite" or "postgresql".
        var database: String
        /// The PostgreSQL schema the dump holds (nil: the default search path).
        var schema: String?
        var files: Int
    }

    enum Failure: Error, CustomStringConvertible {
        case tool(String, Int32, String)
        case notABackup(String)
        case notEmpty

        var description: String {
            switch self {
            case .tool(let name, let status, let output): "\(name) failed (status \(status)): \(output)"
            case .notABackup(let why): "not a Kring backup: \(why)"
            case .notEmpty: "the target already holds a community; pass --force to replace it"
            }
        }
    }

    /// Writes a backup of the running community to `archive` and returns its manifest.
    static func create(_ app: Application, to archive: URL, progress: (String) -> Void = { _ in }) async throws -> Manifest {
        let config = app.kring.config
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("kring-backup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let postgres = config.databaseURL?.hasPrefix("postgres") == true
        var schema: String?
        progress("Taking the database snapshot…")
        if postgres, let url = config.databaseURL {
            schema = try await (app.db as! any SQLDatabase).raw("SELECT current_schema() AS s").first()?.decode(
                column: "s", as: String.self)
            try run(
                "pg_dump",
                [
                    "--no-owner", "--no-privileges", "--schema=\(schema ?? "public")", "--file",
                    work.appendingPathComponent("database.sql").path, url,
                ])
        } else {
            let target = work.appendingPathComponent("database.sqlite").path
            try await (app.db as! any SQLDatabase).raw("VACUUM INTO \(bind: target)").run()
        }
        progress("Copying the uploaded files…")
        var files = 0
        if FileManager.default.fileExists(atPath: config.filesDirectory.path) {
            try FileManager.default.copyItem(at: config.filesDirectory, to: work.appendingPathComponent("files"))
            files = FileManager.default.enumerator(atPath: work.appendingPathComponent("files").path)?.allObjects.count ?? 0
        }
        let manifest = Manifest(createdAt: Date(), database: postgres ? "postgresql" : "sqlite", schema: schema, files: files)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(manifest).write(to: work.appendingPathComponent("manifest.json"))
        progress("Packing \(archive.path)…")
        try run("tar", ["-czf", archive.path, "-C", work.path, "."])
        return manifest
    }

    /// Unpacks `archive` into the data directory and database `config` names. Refuses to overwrite a
    /// community (`occupied`) unless `force`. Run it with the server stopped.
    static func restore(_ archive: URL, into config: KringConfig, occupied: Bool, force: Bool, progress: (String) -> Void = { _ in })
        throws -> Manifest
    {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("kring-restore-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        progress("Unpacking \(archive.path)…")
        try run("tar", ["-xzf", archive.path, "-C", work.path])
        guard let data = FileManager.default.contents(atPath: work.appendingPathComponent("manifest.json").path) else {
            throw Failure.notABackup("no manifest.json")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let manifest = try decoder.decode(Manifest.self, from: data)
        guard manifest.format == "kring-backup-1" else { throw Failure.notABackup("format \(manifest.format)") }
        let postgres = config.databaseURL?.hasPrefix("postgres") == true
        guard postgres == (manifest.database == "postgresql") else {
            throw Failure.notABackup("it holds a \(manifest.database) database; restore it into the same kind")
        }
        guard !occupied || force else { throw Failure.notEmpty }
        try FileManager.default.createDirectory(at: config.dataDirectory, withIntermediateDirectories: true)
        progress("Restoring the database…")
        if postgres, let url = config.databaseURL {
            let schema = manifest.schema ?? "public"
            let exists = try output(
                "psql",
                [
                    url, "-tAc",
                    "SELECT count(*) FROM information_schema.tables WHERE table_schema = '\(schema.replacingOccurrences(of: "'", with: ""))'",
                ])
            // Tables without a community are an empty migrated schema: replaced as well.
            if Int(exists.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 > 0 {
                try run(
                    "psql",
                    [url, "-v", "ON_ERROR_STOP=1", "-qc", "DROP SCHEMA \"\(schema.replacingOccurrences(of: "\"", with: ""))\" CASCADE"])
            }
            if schema == "public" { try run("psql", [url, "-v", "ON_ERROR_STOP=1", "-qc", "CREATE SCHEMA IF NOT EXISTS public"]) }
            try run("psql", [url, "-v", "ON_ERROR_STOP=1", "-q", "-f", work.appendingPathComponent("database.sql").path])
        } else {
            let target = config.sqliteFile
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: target.path + suffix) }
            try FileManager.default.copyItem(at: work.appendingPathComponent("database.sqlite"), to: target)
        }
        progress("Restoring the uploaded files…")
        let files = work.appendingPathComponent("files")
        if FileManager.default.fileExists(atPath: config.filesDirectory.path) {
            try FileManager.default.removeItem(at: config.filesDirectory)
        }
        if FileManager.default.fileExists(atPath: files.path) { try FileManager.default.copyItem(at: files, to: config.filesDirectory) }
        return manifest
    }

    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws -> String { try output(tool, arguments) }

    /// Runs a tool found on the PATH (or PostgreSQL's own directory) and returns what it printed.
    static func output(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = (environment["PATH"] ?? "/usr/bin:/bin") + ":/usr/lib/postgresql/15/bin"
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else { throw Failure.tool(tool, process.terminationStatus, String(text.suffix(2_000))) }
        return text
    }
}

/// `kring backup [--to FILE]`: a consistent backup of the running community (database and uploads).
public struct BackupCommand: AsyncCommand {
    public struct Signature: CommandSignature {
        @Option(name: "to", help: "The archive to write (default: kring-backup-<date>.tar.gz in the current folder).")
        var to: String?

        public init() {}
    }

    public var help: String { "Writes a consistent backup (database snapshot and uploaded files) while the server runs." }

    public init() {}

    public func run(using context: CommandContext, signature: Signature) async throws {
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
        let archive = URL(fileURLWithPath: signature.to ?? "kring-backup-\(stamp).tar.gz")
        let manifest = try await Backup.create(context.application, to: archive) { context.console.print($0) }
        context.console.success("Backup written to \(archive.path): the \(manifest.database) database and \(manifest.files) files.")
    }
}

/// `kring restore FILE [--force]`: puts a backup back, with the server stopped.
public struct RestoreCommand: AsyncCommand {
    public struct Signature: CommandSignature {
        @Argument(name: "archive", help: "The backup archive (.tar.gz) to restore.")
        var archive: String
        @Flag(name: "force", help: "Replace the community that is there now.")
        var force: Bool

        public init() {}
    }

    public var help: String { "Restores a backup into the configured data directory and database (stop the server first)." }

    public init() {}

    public func run(using context: CommandContext, signature: Signature) async throws {
        let config = context.application.kring.config
        let occupied = try await context.application.repositories.community.settings() != nil
        // The restore replaces the database under the open connections: close them first.
        await context.application.databases.shutdownAsync()
        do {
            let manifest = try Backup.restore(
                URL(fileURLWithPath: signature.archive), into: config, occupied: occupied, force: signature.force
            ) {
                context.console.print($0)
            }
            context.console.success(
                "Restored the backup of \(ISO8601DateFormatter().string(from: manifest.createdAt)) (\(manifest.files) files).")
        } catch let failure as Backup.Failure {
            context.console.error(failure.description)
            throw DemoError.notEmpty
        }
    }
}
