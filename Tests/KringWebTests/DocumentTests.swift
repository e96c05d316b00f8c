import Foundation
import KringCore
import KringStore
import KringTestSupport
import Testing
import Vapor

@testable import KringWeb

/// Sample files whose first bytes are what real ones start with.
enum SampleFiles {
    static func pdf(_ text: String = "Notulen") -> [UInt8] {
        Array("%PDF-1.4\n1 0 obj << /Title (\(text)) >> endobj\ntrailer\n%%EOF\n".utf8)
    }
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 0, count: 24)
    /// A Windows executable's header, as someone might rename it to look like a PDF.
    static let executable: [UInt8] = Array("MZ\u{90}\u{0}This program cannot be run in DOS mode.".utf8)
}

@Suite("Documents")
struct DocumentTests {
    /// Files in the uploads directory (ignoring folders), to prove refused uploads leave nothing behind.
    static func storedFiles(_ app: Application) -> [String] {
        let root = app.kring.config.filesDirectory
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        return walker.compactMap { $0 as? URL }.filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
            .map(\.lastPathComponent)
    }

    @Test func membersShareVersionedDocumentsThatOnlyTheGroupCanDownload() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            for handle in ["anna", "bram", "carla"] { try await TestAccounts.member(app, handle: handle) }
            let anna = try await signedIn(app, "anna")
            let slug = try await createGroup(anna, name: "Bestuur", visibility: .closed)
            let empty = try await anna.get("/g/\(slug)/documents")
            #expect(empty.visibleText(id: "no-documents")?.contains("Share the first one") == true)

            let uploaded = try await anna.upload(
                "/g/\(slug)/documents", form: ["title": "", "folder": "Verslagen", "description": "Van de **ledenvergadering**."],
                file: .init(filename: "C:\\Users\\anna\\notulen-maart.pdf", contentType: "application/pdf", bytes: SampleFiles.pdf()))
            #expect(uploaded.status == .seeOther)
            let path = try #require(uploaded.headers.first(name: .location))
            let page = try await anna.get(path)
            #expect(page.text.contains("<h1>notulen-maart</h1>"), "the title defaults to the file name without the browser's path")
            #expect(page.text.contains("<strong>ledenvergadering</strong>"))

            let download = try await anna.get(path + "/download")
            #expect(download.status == .ok)
            #expect(download.headers.first(name: .contentType) == "application/pdf")
            #expect(download.headers.first(name: .contentDisposition)?.hasPrefix("attachment; filename=\"notulen-maart.pdf\"") == true)
            #expect(Array(download.body.readableBytesView) == SampleFiles.pdf())

            let replaced = try await anna.upload(
                path + "/versions", form: ["note": "Correctie agendapunt 3"],
                file: .init(filename: "notulen-maart-v2.pdf", bytes: SampleFiles.pdf("Notulen, gecorrigeerd")))
            #expect(replaced.status == .seeOther)
            let history = try await anna.get(path)
            #expect(history.text.contains("Correctie agendapunt 3"))
            #expect(Array(try await anna.get(path + "/download").body.readableBytesView) == SampleFiles.pdf("Notulen, gecorrigeerd"))
            #expect(
                Array(try await anna.get(path + "/versions/1/download").body.readableBytesView) == SampleFiles.pdf(), "old versions stay")
            #expect(Self.storedFiles(app).count == 2)

            let library = try await anna.get("/g/\(slug)/documents?folder=Verslagen")
            #expect(library.visibleText(id: "document-list")?.contains("notulen-maart") == true)
            #expect(library.visibleText(id: "folders")?.contains("Verslagen (1)") == true)

            // Outside the closed group: no library, no page, no download; not for visitors either.
            let bram = try await signedIn(app, "bram")
            for target in ["/g/\(slug)/documents", path, path + "/download", path + "/versions/1/download"] {
                #expect(try await bram.get(target).status == .notFound, "\(target) stays closed to non-members")
                #expect(try await TestBrowser(app).get(target).status == .notFound)
            }
            #expect(
                try await bram.upload("/g/\(slug)/documents", file: .init(filename: "x.pdf", bytes: SampleFiles.pdf())).status == .notFound)
            #expect(try await bram.upload(path + "/versions", file: .init(filename: "x.pdf", bytes: SampleFiles.pdf())).status == .notFound)
            #expect(try await app.repositories.activity.count(.documentUploaded) == 1)
            #expect(try await app.repositories.activity.count(.documentReplaced) == 1)

            #expect(try await anna.post(path + "/delete").status == .seeOther)
            #expect(try await anna.get(path).status == .notFound)
        }
    }

    @Test func oversizedDisguisedAndDisallowedUploadsAreRefusedAndLeaveNothingBehind() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            let admin = try await signedIn(app, "admin")
            try await admin.get("/admin/uploads")
            #expect(try await admin.post("/admin/uploads", form: ["max_mb": "500", "kinds[]": "pdf"]).status == .unprocessableEntity)
            let saved = try await admin.post("/admin/uploads", form: ["max_mb": "1", "kinds[]": "pdf"])
            #expect(saved.status == .seeOther)
            #expect(
                try await app.repositories.community.documentSettings() == DocumentSettings(maxUploadBytes: 1_048_576, allowedKinds: [.pdf])
            )
            let slug = try await createGroup(admin, name: "Archief", visibility: .open)

            let tooLarge = try await admin.upload(
                "/g/\(slug)/documents",
                file: .init(filename: "jaarverslag.pdf", bytes: SampleFiles.pdf() + Array(repeating: 0x20, count: 1_200_000)))
            #expect(tooLarge.status == .payloadTooLarge)
            #expect(tooLarge.text.contains("larger than this community allows (1 MB per file)"))

            let justOver = try await admin.upload(
                "/g/\(slug)/documents",
                file: .init(filename: "bijna.pdf", bytes: SampleFiles.pdf() + Array(repeating: 0x20, count: 1_048_576)))
            #expect(justOver.status == .payloadTooLarge)
            #expect(justOver.visibleText(id: "file-error") == "the file is larger than this community allows")

            let disguised = try await admin.upload(
                "/g/\(slug)/documents", file: .init(filename: "factuur.pdf", contentType: "application/pdf", bytes: SampleFiles.executable))
            #expect(disguised.status == .unsupportedMediaType)
            #expect(disguised.visibleText(id: "file-error")?.contains("does not match its name") == true)

            for name in ["foto.png", "pagina.html", "script.svg", "zonder-extensie"] {
                let refused = try await admin.upload("/g/\(slug)/documents", file: .init(filename: name, bytes: SampleFiles.png))
                #expect(refused.status == .unsupportedMediaType, "\(name)")
                #expect(refused.visibleText(id: "file-error") == "this type of file is not allowed here")
            }
            let nothing = try await admin.upload("/g/\(slug)/documents", form: ["title": "Leeg"], file: nil)
            #expect(nothing.status == .unprocessableEntity)
            let emptyFile = try await admin.upload("/g/\(slug)/documents", file: .init(filename: "leeg.pdf", bytes: []))
            #expect(emptyFile.status == .unprocessableEntity)
            #expect(emptyFile.visibleText(id: "file-error") == "the file is empty")
            let badFolder = try await admin.upload(
                "/g/\(slug)/documents", form: ["folder": "2026/maart"], file: .init(filename: "ok.pdf", bytes: SampleFiles.pdf()))
            #expect(badFolder.status == .unprocessableEntity)

            #expect(
                try await app.repositories.documents.library(
                    ofGroup: try #require(app.repositories.groups.find(slug: slug)).id, viewer: .anonymous
                ).isEmpty)
            #expect(Self.storedFiles(app).isEmpty, "refused uploads leave no file behind")
            #expect(
                try await admin.upload("/g/\(slug)/documents", file: .init(filename: "ok.pdf", bytes: SampleFiles.pdf())).status
                    == .seeOther)
            #expect(Self.storedFiles(app).count == 1)
        }
    }

    @Test func flaggedEventsAndDocumentsAreHiddenUntilAModeratorDecides() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            var settings = try await app.repositories.community.moderationSettings()
            settings.flagThreshold = 1
            try await app.repositories.community.setModerationSettings(settings)
            for handle in ["anna", "bram", "carla"] { try await TestAccounts.member(app, handle: handle) }
            let anna = try await signedIn(app, "anna")
            let slug = try await createGroup(anna, name: "Buurt", visibility: .open)
            let document = try #require(
                try await anna.upload("/g/\(slug)/documents", file: .init(filename: "flyer.pdf", bytes: SampleFiles.pdf())).headers.first(
                    name: .location))
            try await anna.get("/events/new")
            let created = try await anna.post(
                "/events",
                form: [
                    "title": "Klusdag", "description": "Samen klussen", "starts_at": "2031-05-01T10:00", "ends_at": "2031-05-01T16:00",
                    "time_zone": "Europe/Amsterdam",
                ])
            let event = try #require(created.headers.first(name: .location))

            let bram = try await signedIn(app, "bram")
            try await bram.get(document)
            #expect(try await bram.post(document + "/flag", form: ["reason": "spam"]).status == .seeOther)
            try await bram.get(event)
            #expect(try await bram.post(event + "/flag", form: ["reason": "offensive"]).status == .seeOther)

            let carla = try await signedIn(app, "carla")
            #expect(try await carla.get(document).status == .notFound, "hidden after enough flags")
            #expect(try await carla.get(document + "/download").status == .notFound)
            #expect(try await carla.get(event).status == .notFound)
            #expect(try await carla.get("/events").text.contains("Klusdag") == false)
            #expect(try await carla.get("/g/\(slug)/documents").text.contains("flyer") == false)

            let moderator = try await signedIn(app, "admin")
            let queue = try await moderator.get("/moderation")
            #expect(queue.visibleText(id: "content-queue")?.contains("flyer") == true)
            #expect(queue.visibleText(id: "content-queue")?.contains("Klusdag") == true)
            #expect(try await moderator.get(document).visibleText(id: "hidden-notice") != nil, "moderators still see it")

            let documentID = String(document.split(separator: "/").last!)
            let eventID = String(event.split(separator: "/").last!)
            #expect(try await moderator.post("/moderation/documents/\(documentID)/keep").status == .seeOther)
            #expect(try await moderator.post("/moderation/events/\(eventID)/hide").status == .seeOther)
            #expect(try await carla.get(document).status == .ok, "kept: visible again")
            #expect(try await carla.get(event).status == .notFound, "upheld: stays hidden")
            #expect(try await moderator.get("/moderation").visibleText(id: "content-queue") == nil, "both settled")
            #expect(
                try await anna.get("/notifications").text.contains("A moderator hid or removed something you wrote."),
                "the organiser hears the event was taken down")
        }
    }
}
