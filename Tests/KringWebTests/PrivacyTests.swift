import Foundation
import KringCore
import KringStore
import KringTestSupport
import SQLKit
import Testing
import Vapor

@testable import KringWeb

/// GDPR: members download all their data and delete their account; admins do both on request.
@Suite("Privacy: data export and erasure")
struct PrivacyTests {
    /// Strings only the member's personal data contains, so finding one anywhere is a leak.
    static let personal = [
        "quirinus", "Quirinus Tester", "quirinus@kring.test", "BIO-7731-ZEBRA", "ORG-4410-WALRUS", "interest-okapi", "expertise-narwhal",
    ]

    /// A member with something in every corner: profile, group, topic, reply, reaction, idea,
    /// document, notification, session and token; Bram replies to and mentions them.
    static func busyMember(_ app: Application) async throws -> (quirinus: TestBrowser, bram: TestBrowser, topic: String, group: String) {
        try await TestAccounts.member(
            app, handle: "quirinus",
            profile: MemberProfile(
                bio: "BIO-7731-ZEBRA", organisation: "ORG-4410-WALRUS", interests: ["interest-okapi"], expertise: ["expertise-narwhal"]))
        try await TestAccounts.member(app, handle: "bram")
        let quirinus = try await signedIn(app, "quirinus")
        let bram = try await signedIn(app, "bram")
        try await quirinus.get("/settings/profile")
        let profile = try await quirinus.post(
            "/settings/profile",
            form: [
                "display_name": "Quirinus Tester", "bio": "BIO-7731-ZEBRA", "organisation": "ORG-4410-WALRUS",
                "interests": "interest-okapi",
                "expertise": "expertise-narwhal", "preferred_language": "",
            ])
        #expect(profile.status == .seeOther)
        let group = try await createGroup(quirinus, name: "Vogelaars", visibility: .open)
        let topic = try await createTopic(quirinus, group: group, title: "TOPIC-5521-HERON", body: "OPENING-5521-EGRET")
        try await bram.post("/g/\(group)/join")
        try await bram.post("\(topic)/replies", form: ["body": "Mooi gezien!"])
        let bramsTopic = try await createTopic(bram, group: group, title: "Ganzen tellen", body: "Wie telt mee?")
        try await quirinus.post("\(bramsTopic)/replies", form: ["body": "REPLY-8812-CRANE"])
        let page = try await quirinus.get(bramsTopic)
        let postID = try #require(TestBrowser.firstMatch(#"/posts/([0-9a-f-]+)/react"#, in: page.text))
        try await quirinus.post("/posts/\(postID)/react", form: ["kind": ReactionKind.thanks.rawValue])
        try await quirinus.get("/ideas/new")
        #expect(try await quirinus.post("/ideas", form: ["title": "IDEA-3390-IBIS", "description": "Vogelhuisjes"]).status == .seeOther)
        let uploaded = try await quirinus.upload(
            "/g/\(group)/documents", form: ["title": "DOC-6603-OWL", "folder": "", "description": ""],
            file: .init(filename: "telling.pdf", contentType: "application/pdf", bytes: SampleFiles.pdf("FILE-6603-OWL")))
        #expect(uploaded.status == .seeOther)
        try await quirinus.get("/settings/tokens")
        try await quirinus.post("/settings/tokens", form: ["name": "TOKEN-2201-KITE"])
        let member = try #require(try await app.repositories.members.find(handle: "quirinus"))
        try await app.repositories.memberMail.setChoices(
            MailChoices(memberUpdate: .weekly, nudges: false, announcements: true), of: member.id)
        return (quirinus, bram, topic, group)
    }

    @Test func membersDownloadEverythingTheyLeftAsAZipArchive() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            let (quirinus, _, _, _) = try await Self.busyMember(app)
            try await app.repositories.engagement.refresh(timeZone: .gmt)
            let page = try await quirinus.get("/settings/privacy")
            #expect(page.status == .ok)
            #expect(page.visibleText(id: "erasure-policy")?.contains("Former member") == true, "the page says what erasure will do")

            let download = try await quirinus.get("/settings/privacy/export")
            #expect(download.status == .ok)
            #expect(download.headers.first(name: .contentType) == "application/zip")
            #expect(download.headers.first(name: .contentDisposition)?.hasPrefix("attachment; filename=\"kring-quirinus-") == true)
            #expect(download.headers.first(name: .cacheControl) == "no-store")
            let archive = try Self.unzip(Data(download.body.readableBytesView))
            #expect(archive.keys.contains("README.txt"))
            let json = try #require(archive["data.json"])
            let data = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
            let sections = try #require(data["sections"] as? [String: [[String: Any]]])
            #expect(sections["account"]?.first?["email"] as? String == "quirinus@kring.test")
            #expect(sections["account"]?.first?["bio"] as? String == "BIO-7731-ZEBRA")
            #expect(Set((sections["profile_tags"] ?? []).compactMap { $0["name"] as? String }) == ["interest-okapi", "expertise-narwhal"])
            #expect(sections["topics"]?.map { $0["title"] as? String } == ["TOPIC-5521-HERON"])
            #expect(Set((sections["posts"] ?? []).compactMap { $0["body"] as? String }) == ["OPENING-5521-EGRET", "REPLY-8812-CRANE"])
            #expect(sections["reactions"]?.first?["kind"] as? String == "thanks")
            #expect(sections["ideas"]?.first?["title"] as? String == "IDEA-3390-IBIS")
            #expect(sections["documents"]?.first?["title"] as? String == "DOC-6603-OWL")
            #expect(sections["group_memberships"]?.first?["group"] as? String == "Vogelaars")
            #expect(sections["access_tokens"]?.first?["name"] as? String == "TOKEN-2201-KITE")
            #expect((sections["sessions"] ?? []).count >= 1)
            #expect((sections["activity"] ?? []).contains { $0["kind"] as? String == "reply_created" })
            #expect(sections["engagement"]?.first?["level"] as? String != nil, "the score the team sees is theirs to see")
            let mailLists = (sections["mail_lists"] ?? []).map { row -> String in
                let list = row["list"] as? String ?? ""
                let choice = row["choice"] as? String ?? ""
                return list + "=" + choice
            }
            #expect(Set(mailLists) == ["member_update=weekly", "nudges=off", "announcements=on"], "their mail choices")
            #expect(!String(decoding: json, as: UTF8.self).contains("Mooi gezien"), "others' posts are not in the export")
            let files = archive.filter { $0.key.hasPrefix("files/") }
            #expect(files.count == 1)
            #expect(files.first?.key.hasSuffix("-v1-telling.pdf") == true)
            #expect(files.first.map { Array($0.value) } == SampleFiles.pdf("FILE-6603-OWL"))

            // The same archive through the API, for the caller only.
            let token = try await APITests.token(app, login: "quirinus")
            let viaAPI = try await TestBrowser(app).get("/api/v1/me/export", headers: APITests.headers(token: token))
            #expect(viaAPI.status == .ok)
            #expect(
                try Self.unzip(Data(viaAPI.body.readableBytesView))["data.json"].map { String(decoding: $0, as: UTF8.self) }?
                    .contains("REPLY-8812-CRANE") == true)
            let noToken = try await TestBrowser(app).get("/api/v1/me/export", headers: APITests.headers())
            #expect(noToken.status == .unauthorized)
            #expect(noToken.headers.first(name: .contentType)?.hasPrefix("application/problem+json") == true)

            // Signed out: no export, only the way to sign in.
            let anonymous = try await TestBrowser(app).get("/settings/privacy/export")
            #expect(anonymous.status == .seeOther)
            #expect(anonymous.headers.first(name: .location)?.hasPrefix("/login") == true)
        }
    }

    @Test func erasureAnonymisesPostsAndLeavesNoPersonalDataAnywhere() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            let (quirinus, bram, topic, _) = try await Self.busyMember(app)
            let memberID = try #require(try await app.repositories.members.find(handle: "quirinus")).id
            try await app.repositories.engagement.refresh(timeZone: .gmt)
            #expect(try await app.repositories.engagement.standing(of: memberID) != nil)
            // Mail to the member exists in the outbox and as a delivered copy.
            try await app.repositories.outbox.enqueue(
                NewOutboxMessage(
                    kind: "welcome", recipient: "quirinus@kring.test", recipientName: "Quirinus Tester", subject: "Hi", bodyText: "x"))
            try await app.outboxDelivery.deliverDue()
            #expect(Self.mailFiles(app).contains { $0.contains("quirinus@kring.test") })

            #expect(try await bram.get("/search?q=quirinus").visibleText(id: "no-results") == nil, "found before erasure")

            // Wrong password or no confirmation: a form error and nothing erased.
            try await quirinus.get("/settings/privacy")
            let wrong = try await quirinus.post("/settings/privacy/delete", form: ["password": "nope", "confirm": "1"])
            #expect(wrong.status == .unprocessableEntity)
            #expect(wrong.visibleText(id: "form-error")?.isEmpty == false)
            let unconfirmed = try await quirinus.post(
                "/settings/privacy/delete", form: ["password": TestAccounts.password, "confirm": "0"])
            #expect(unconfirmed.status == .unprocessableEntity)
            #expect(try await app.repositories.members.find(id: memberID)?.status == .active)

            let deleted = try await quirinus.post("/settings/privacy/delete", form: ["password": TestAccounts.password, "confirm": "1"])
            #expect(deleted.status == .seeOther)
            #expect(deleted.headers.first(name: .location) == "/")
            #expect(try await quirinus.get("/settings/privacy").headers.first(name: .location)?.hasPrefix("/login") == true, "signed out")
            #expect(try await bram.get("/members/quirinus").status == .notFound)

            // The conversation stays, under the placeholder.
            let thread = try await bram.get(topic)
            #expect(thread.text.contains("OPENING-5521-EGRET"))
            #expect(thread.text.contains("Former member"))
            #expect(try await bram.get("/search?q=quirinus").visibleText(id: "no-results") != nil, "gone from the search index")
            #expect(try await bram.get("/search?q=BIO-7731-ZEBRA").visibleText(id: "no-results") != nil)

            let placeholder = ErasedMember.handle(for: memberID)
            let audit = try await app.repositories.audit.list(action: "member.erase")
            #expect(audit.count == 1)
            #expect(audit.first?.actorHandle == placeholder, "the member erased themselves; the log names the placeholder")
            #expect(audit.first?.after.contains("policy=anonymise") == true)

            #expect(try await app.repositories.engagement.standing(of: memberID) == nil, "no profile of the person is kept")
            #expect(try await app.repositories.memberMail.choices(of: memberID) == .standard, "their mail choices are gone")
            let leaks = try await Self.databaseRows(app, containing: Self.personal)
            #expect(leaks.isEmpty, "personal data left in \(leaks)")
            #expect(!Self.mailFiles(app).contains { $0.contains("quirinus@kring.test") }, "mail copies forgotten")
            #expect(DocumentTests.storedFiles(app).count == 1, "the anonymised document stays")
            let login = try await TestBrowser(app).post("/login", form: ["login": "quirinus", "password": TestAccounts.password])
            #expect(login.status == .unauthorized, "the old credentials open nothing")
        }
    }

    @Test func adminsEraseOnRequestAndTheRemovePolicyDeletesWhatTheyWrote() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            let (_, bram, topic, _) = try await Self.busyMember(app)
            let memberID = try #require(try await app.repositories.members.find(handle: "quirinus")).id
            let admin = try await signedIn(app, "admin")
            #expect(try await bram.get("/admin/privacy").status == .forbidden)
            #expect(try await admin.get("/admin/privacy").visibleText(id: "privacy-history") == nil, "no requests yet")
            #expect(try await admin.post("/admin/privacy", form: ["erasure_policy": "shred"]).status == .unprocessableEntity)
            #expect(try await admin.post("/admin/privacy", form: ["erasure_policy": "remove"]).status == .seeOther)
            #expect(try await app.repositories.community.erasurePolicy() == .remove)

            // An export on request is logged.
            let export = try await admin.get("/admin/privacy/export?member=quirinus")
            #expect(export.status == .ok)
            #expect(try Self.unzip(Data(export.body.readableBytesView))["data.json"] != nil)
            #expect(try await admin.get("/admin/privacy/export?member=nobody").status == .notFound)

            // Safeguards: the handle typed twice, never oneself, never the last admin.
            try await admin.get("/admin/privacy")
            let mismatch = try await admin.post(
                "/admin/privacy/erase", form: ["handle": "quirinus", "confirm_handle": "quirinu", "reason": "Ticket 42"])
            #expect(mismatch.status == .unprocessableEntity)
            #expect(mismatch.visibleText(id: "form-error")?.contains("differ") == true)
            #expect(
                try await admin.post("/admin/privacy/erase", form: ["handle": "admin", "confirm_handle": "admin"]).status
                    == .unprocessableEntity)
            let adminSelf = try await admin.post("/settings/privacy/delete", form: ["password": TestAccounts.password, "confirm": "1"])
            #expect(adminSelf.status == .conflict, "the only administrator cannot leave")
            #expect(try await app.repositories.members.find(id: memberID)?.status == .active)

            let erased = try await admin.post(
                "/admin/privacy/erase", form: ["handle": "@Quirinus", "confirm_handle": "quirinus", "reason": "Ticket 42"])
            #expect(erased.status == .seeOther)
            let history = try await admin.follow(erased)
            #expect(history.visibleText(id: "erased-notice")?.contains(ErasedMember.handle(for: memberID)) == true)
            #expect(history.visibleText(id: "privacy-history")?.contains("Ticket 42") == true)
            #expect(history.visibleText(id: "privacy-history")?.contains("Data exported") == true)

            // Their topic, reply, idea and document are gone; others' topics count one reply fewer.
            #expect(try await bram.get(topic).status == .notFound)
            #expect(try await bram.get("/search?q=REPLY-8812-CRANE").visibleText(id: "no-results") != nil)
            #expect(!(try await bram.get("/ideas").text.contains("IDEA-3390-IBIS")))
            #expect(DocumentTests.storedFiles(app).isEmpty, "the uploaded file is deleted")
            let sql = try #require(app.db as? any SQLDatabase)
            let replies = try await sql.raw("SELECT reply_count FROM topics WHERE title = 'Ganzen tellen'").first()?
                .decode(column: "reply_count", as: Int.self)
            #expect(replies == 0)

            #expect(try await admin.get("/search?q=TOPIC-5521-HERON").visibleText(id: "no-results") != nil)
            let writing = ["TOPIC-5521-HERON", "OPENING-5521-EGRET", "REPLY-8812-CRANE", "IDEA-3390-IBIS", "DOC-6603-OWL", "FILE-6603-OWL"]
            let leaks = try await Self.databaseRows(app, containing: Self.personal + writing)
            #expect(leaks.isEmpty, "left behind in \(leaks)")
            let audit = try #require(try await app.repositories.audit.list(action: "member.erase").first)
            #expect(audit.actorHandle == "admin")
            #expect(audit.reason == "Ticket 42")
            #expect(audit.after.contains("policy=remove"))
            #expect(
                try await app.repositories.audit.list(action: "member.export").first?.subjectLabel == "@"
                    + ErasedMember.handle(for: memberID))
        }
    }

    // MARK: Helpers

    /// "table.column" for every column, in every table, whose text contains one of `needles`.
    static func databaseRows(_ app: Application, containing needles: [String]) async throws -> [String] {
        let sql = try #require(app.db as? any SQLDatabase)
        let columns: [(String, String)]
        if sql.dialect.name == "sqlite" {
            var found: [(String, String)] = []
            for table in try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table'").all() {
                let name = try table.decode(column: "name", as: String.self)
                for column in try await sql.raw("SELECT name FROM pragma_table_info(\(bind: name))").all() {
                    found.append((name, try column.decode(column: "name", as: String.self)))
                }
            }
            columns = found
        } else {
            columns = try await sql.raw(
                "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()"
            ).all().map { (try $0.decode(column: "table_name", as: String.self), try $0.decode(column: "column_name", as: String.self)) }
        }
        var leaks: [String] = []
        for (table, column) in columns {
            let conditions = needles.map { "LOWER(CAST(\"\(column)\" AS TEXT)) LIKE '%\($0.lowercased())%'" }.joined(separator: " OR ")
            let count = try await sql.raw("SELECT COUNT(*) AS n FROM \(ident: table) WHERE \(unsafeRaw: conditions)").first()?
                .decode(column: "n", as: Int.self)
            if (count ?? 0) > 0 { leaks.append("\(table).\(column)") }
        }
        return leaks
    }

    /// The text of every mail file Kring delivered.
    static func mailFiles(_ app: Application) -> [String] {
        let directory = app.kring.config.mailDirectory
        let files = (try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)) ?? []
        return files.compactMap { try? String(contentsOf: $0, encoding: .utf8) }
    }

    /// Reads an archive with Python's zipfile (a reader we did not write): path → contents, after
    /// checking every entry's CRC.
    static func unzip(_ data: Data) throws -> [String: Data] {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kring-export-\(UUID().uuidString).zip")
        try data.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c",
            """
            import base64, json, sys, zipfile
            archive = zipfile.ZipFile(sys.argv[1])
            assert archive.testzip() is None
            print(json.dumps({name: base64.b64encode(archive.read(name)).decode() for name in archive.namelist()}))
            """,
            file.path,
        ]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let bytes = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "python's zipfile reads the archive")
        let entries = try JSONSerialization.jsonObject(with: bytes) as? [String: String] ?? [:]
        return entries.compactMapValues { Data(base64Encoded: $0) }
    }
}
