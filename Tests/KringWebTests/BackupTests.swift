import Foundation
import KringCore
import KringStore
import KringTestSupport
import SQLKit
import Testing
import VaporTesting

@testable import KringWeb

/// `kring backup` / `kring restore`: a backup taken while the server runs restores to the same
/// content — on SQLite into a new data folder, on PostgreSQL into the same schema.
@Suite("Backup and restore")
struct BackupTests {
    @Test func aBackupRestoresTheSameTopicsMembersAndFiles() async throws {
        let archive = FileManager.default.temporaryDirectory.appendingPathComponent("kring-backup-test-\(UUID().uuidString).tar.gz")
        let restored = FileManager.default.temporaryDirectory.appendingPathComponent("kring-restored-\(UUID().uuidString)")
        defer {
            try? FileManager.default.removeItem(at: archive)
            try? FileManager.default.removeItem(at: restored)
        }
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "anna")
            let anna = try await signedIn(app, "anna")
            let slug = try await createGroup(anna, name: "Archief", visibility: .open)
            let topic = try await createTopic(anna, group: slug, title: "BEWAARD-4411 in de backup", body: "Met **inhoud**.")
            let uploaded = try await anna.upload(
                "/g/\(slug)/documents", form: ["title": "Jaarverslag"],
                file: .init(filename: "jaarverslag.pdf", contentType: "application/pdf", bytes: SampleFiles.pdf("Jaarverslag 2026")))
            let document = try #require(uploaded.headers.first(name: .location))

            let manifest = try await Backup.create(app, to: archive)
            #expect(manifest.files >= 1)
            // Written after the backup: gone after the restore.
            _ = try await createTopic(anna, group: slug, title: "NA-DE-BACKUP-9902", body: "Later.")

            let schema =
                TestDatabase.postgresURL == nil
                ? nil
                : try await (app.db as! any SQLDatabase).raw("SELECT current_schema() AS s").first()?.decode(column: "s", as: String.self)
            var config = app.kring.config
            config.dataDirectory = restored
            // Occupied: refused without --force.
            #expect(throws: Backup.Failure.self) { try Backup.restore(archive, into: config, occupied: true, force: false) }
            _ = try Backup.restore(archive, into: config, occupied: true, force: true)

            let copy = try await Application.make(.testing)
            do {
                try await configure(
                    copy, config: config,
                    options: ConfigureOptions(runsBackgroundJobs: false, postgresSchema: schema))
                let reader = TestBrowser(copy)
                let page = try await reader.get(topic)
                #expect(
                    page.status == .ok && page.text.contains("BEWAARD-4411 in de backup") && page.text.contains("<strong>inhoud</strong>"))
                let list = try await copy.repositories.topics.list(viewer: .anonymous).topics.map(\.title)
                #expect(list == ["BEWAARD-4411 in de backup"], "\(list)")
                #expect(try await copy.repositories.members.find(handle: "anna") != nil)
                let annaAgain = try await signedIn(copy, "anna")
                let download = try await annaAgain.get(document + "/download")
                #expect(download.status == .ok && Array(download.body.readableBytesView) == SampleFiles.pdf("Jaarverslag 2026"))
            } catch {
                try? await copy.asyncShutdown()
                throw error
            }
            try await copy.asyncShutdown()
        }
    }
}
