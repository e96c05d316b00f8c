import Foundation
import KringCore
import KringStore
import KringTestSupport
import Testing
import Vapor

@testable import KringWeb

@Suite("Organising and documents API")
struct OrganisingAPITests {
    @discardableResult
    private func send(_ app: Application, _ method: HTTPMethod, _ path: String, _ token: String?, _ json: String? = nil) async throws -> (
        status: HTTPStatus, object: [String: Any]
    ) {
        try await SpacesAPITests.send(app, method, path, token: token, json: json)
    }

    private func upload(_ app: Application, _ path: String, _ token: String, fields: [String: String] = [:], file: TestBrowser.UploadFile?)
        async throws -> (status: HTTPStatus, object: [String: Any])
    {
        let (body, contentType) = TestBrowser.multipart(fields: fields, file: file)
        var headers = APITests.headers(token: token)
        headers.replaceOrAdd(name: .contentType, value: contentType)
        var result: (HTTPStatus, [String: Any]) = (.internalServerError, [:])
        try await app.testing().test(.POST, path, headers: headers, body: body) { response in
            result = (
                response.status, (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]) ?? [:]
            )
        }
        return result
    }

    @Test func organisersRunEventsFromCreationToCheckIn() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            for handle in ["org", "anna", "bram"] { try await TestAccounts.member(app, handle: handle) }
            let org = try await APITests.token(app, login: "org")
            let anna = try await APITests.token(app, login: "anna")

            let bad = try await send(
                app, .POST, "/api/v1/events", org,
                #"{"title":" ","startsAt":"2031-13-01T10:00:00Z","durationMinutes":0,"onlineUrl":"javascript:alert(1)"}"#)
            #expect(bad.status == .unprocessableEntity)
            let fields = Set(((bad.object["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String })
            #expect(fields.isSuperset(of: ["title", "startsAt", "durationMinutes", "onlineUrl"]))
            #expect(try await app.repositories.events.list(viewer: .anonymous).isEmpty, "nothing half-written")

            let created = try await send(
                app, .POST, "/api/v1/events", org,
                #"{"title":"Repair café","startsAt":"2031-05-01T10:00:00.250+02:00","durationMinutes":150,"timeZone":"Europe/Amsterdam","capacity":1}"#
            )
            #expect(created.status == .created)
            #expect(created.object["startsAt"] as? String == "2031-05-01T08:00:00Z")
            #expect(created.object["endsAt"] as? String == "2031-05-01T10:30:00Z")
            let id = try #require(created.object["id"] as? String)
            let path = "/api/v1/events/\(id.lowercased())"

            #expect(try await send(app, .PATCH, path, anna, #"{"title":"Mijn café"}"#).status == .forbidden)
            #expect(try await send(app, .PATCH, path, org, #"{"organisers":["niemand"]}"#).status == .conflict)
            let shared = try await send(app, .PATCH, path, org, #"{"organisers":["@bram"]}"#)
            #expect(shared.object["organisers"] as? [String] == ["org", "bram"])
            let bram = try await APITests.token(app, login: "bram")
            #expect(try await send(app, .GET, "\(path)/attendees", bram).status == .ok, "co-organisers see the attendees")
            let changed = try await send(app, .PATCH, path, org, #"{"location":"Buurthuis De Pit","capacity":null}"#)
            #expect(changed.object["location"] as? String == "Buurthuis De Pit")
            #expect(changed.object["capacity"] == nil || changed.object["capacity"] is NSNull, "null clears the capacity")
            #expect(changed.object["title"] as? String == "Repair café", "fields left out stay")

            try await send(app, .POST, "\(path)/rsvp", anna, #"{"status":"going"}"#)
            #expect(try await send(app, .GET, "\(path)/attendees", anna).status == .forbidden)
            #expect(try await send(app, .PUT, "\(path)/attendees/bram/check-in", org).status == .notFound, "bram never answered")
            let checked = try await send(app, .PUT, "\(path)/attendees/anna/check-in", org)
            let attendees = try #require(checked.object["attendees"] as? [[String: Any]])
            #expect(attendees.first?["handle"] as? String == "anna")
            #expect(attendees.first?["checkedIn"] as? Bool == true)
            #expect(try await app.repositories.activity.count(.checkIn) == 1)

            let cancelled = try await send(app, .POST, "\(path)/cancel", org)
            #expect(cancelled.object["isCancelled"] as? Bool == true)
            #expect(try await send(app, .POST, "\(path)/rsvp", anna, #"{"status":"going"}"#).status == .conflict)
        }
    }

    @Test func pollsAreCreatedWithDistinctOptionsAndClosedByTheirAuthor() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            for handle in ["anna", "bram"] { try await TestAccounts.member(app, handle: handle) }
            let anna = try await APITests.token(app, login: "anna")
            let bram = try await APITests.token(app, login: "bram")
            let duplicate = try await send(
                app, .POST, "/api/v1/polls", anna, #"{"question":"Welke dag?","options":["Maandag","maandag "]}"#)
            #expect(duplicate.status == .unprocessableEntity)
            #expect(
                try await send(
                    app, .POST, "/api/v1/polls", anna, #"{"question":"Welke dag?","options":["Ma","Di"],"closesAt":"2001-01-01T00:00:00Z"}"#
                )
                .status == .conflict)
            #expect(
                try await send(app, .POST, "/api/v1/polls", anna, #"{"question":"Welke dag?","options":["Ma","Di"],"group":"nergens"}"#)
                    .status
                    == .notFound)
            let created = try await send(
                app, .POST, "/api/v1/polls", anna,
                #"{"question":"Welke dag?","options":["Maandag","Dinsdag"],"resultsVisibility":"after_close"}"#)
            #expect(created.status == .created)
            let id = try #require(created.object["id"] as? String)
            #expect(try await send(app, .POST, "/api/v1/polls/\(id)/close", bram).status == .forbidden)
            let closed = try await send(app, .POST, "/api/v1/polls/\(id)/close", anna)
            #expect(closed.object["isClosed"] as? Bool == true)
            #expect(closed.object["showsResults"] as? Bool == true)

            // A topic's polls are listed by topic, apart from the standalone ones.
            let annaMember = try #require(try await app.repositories.members.find(handle: "anna"))
            let topicID = try await app.repositories.topics.create(
                NewTopic(groupID: nil, title: "Wanneer de klusdag?", kind: .discussion, body: "Kies maar", tags: []),
                rendered: RenderedBody(html: "<p>Kies maar</p>", version: 1), by: annaMember)
            let inTopic = try await send(
                app, .POST, "/api/v1/polls", anna, #"{"question":"Welk weekend?","options":["Eerste","Tweede"],"topicId":"\#(topicID)"}"#)
            #expect(inTopic.status == .created)
            let topicPolls = try await send(app, .GET, "/api/v1/polls?topic=\(topicID.uuidString.lowercased())", nil)
            #expect((topicPolls.object["polls"] as? [[String: Any]])?.map { $0["question"] as? String } == ["Welk weekend?"])
            let standalone = try await send(app, .GET, "/api/v1/polls", nil)
            #expect((standalone.object["polls"] as? [[String: Any]])?.map { $0["question"] as? String } == ["Welke dag?"])
            #expect(try await send(app, .GET, "/api/v1/polls?topic=klusdag", nil).status == .badRequest)
        }
    }

    @Test func ideasAreRoutedAnsweredOfficiallyAndDepartmentsKeptByManagers() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "lid")
            try await TestAccounts.member(app, handle: "liaison")
            try await TestAccounts.member(app, handle: "chef", role: .manager)
            let member = try await APITests.token(app, login: "lid")
            let liaison = try await APITests.token(app, login: "liaison")
            let manager = try await APITests.token(app, login: "chef")

            #expect(try await send(app, .POST, "/api/v1/departments", member, #"{"name":"Product"}"#).status == .forbidden)
            let department = try await send(app, .POST, "/api/v1/departments", manager, #"{"name":"Product","description":"Het app-team"}"#)
            let departmentID = try #require(department.object["id"] as? String)
            let withLiaison = try await send(app, .PUT, "/api/v1/departments/\(departmentID)/liaisons/liaison", manager)
            #expect(withLiaison.object["liaisons"] as? [String] == ["liaison"])
            #expect(
                (try await send(app, .GET, "/api/v1/departments", nil).object["departments"] as? [[String: Any]])?.first?["name"] as? String
                    == "Product")

            let idea = try await send(
                app, .POST, "/api/v1/ideas", member, #"{"title":"Donkere modus in de app","description":"Prettiger in de avond."}"#)
            let ideaID = try #require(idea.object["id"] as? String)
            let comment = try await send(app, .POST, "/api/v1/ideas/\(ideaID)/comments", liaison, #"{"body":"Goed idee!"}"#)
            #expect(comment.status == .created)
            #expect(comment.object["isOfficial"] as? Bool == false)
            #expect(
                try await send(
                    app, .POST, "/api/v1/ideas/\(ideaID)/responses", liaison, #"{"body":"We kijken ernaar.","status":"planned"}"#
                )
                .status == .forbidden, "not routed to the liaison's department yet")
            #expect(
                try await send(app, .PUT, "/api/v1/ideas/\(ideaID)/department", member, #"{"department":"\#(departmentID)"}"#).status
                    == .forbidden)
            #expect(
                try await send(app, .PUT, "/api/v1/ideas/\(ideaID)/department", manager, #"{"department":"\#(UUID().uuidString)"}"#).status
                    == .conflict)
            let routed = try await send(app, .PUT, "/api/v1/ideas/\(ideaID)/department", manager, #"{"department":"\#(departmentID)"}"#)
            #expect(routed.object["department"] as? String == "Product")
            let response = try await send(
                app, .POST, "/api/v1/ideas/\(ideaID)/responses", liaison, #"{"body":"Staat gepland voor het voorjaar.","status":"planned"}"#
            )
            #expect(response.status == .created)
            #expect(response.object["isOfficial"] as? Bool == true)
            #expect(response.object["status"] as? String == "planned")
            let after = try await send(app, .GET, "/api/v1/ideas/\(ideaID)", nil)
            #expect(after.object["status"] as? String == "planned")
            #expect(after.object["firstResponseAt"] is String)
            let routedHere = try await send(app, .GET, "/api/v1/ideas?department=\(departmentID)", nil)
            #expect((routedHere.object["ideas"] as? [[String: Any]])?.count == 1)
            #expect((try await send(app, .GET, "/api/v1/ideas?department=\(UUID())", nil).object["ideas"] as? [Any])?.isEmpty == true)
            #expect(try await send(app, .GET, "/api/v1/ideas?department=product", nil).status == .badRequest)
            let comments = try await send(app, .GET, "/api/v1/ideas/\(ideaID)/comments", nil)
            #expect((comments.object["comments"] as? [[String: Any]])?.count == 2)
            let submitter = try #require(try await app.repositories.members.find(handle: "lid"))
            let viewer = try await Viewer.load(submitter.actor, on: app.db)
            #expect(try await app.repositories.notifications.list(for: viewer).contains { $0.kind == .ideaResponse })
        }
    }

    @Test func documentsThroughTheAPIFollowTheLimitsAndTheGroup() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            let anna = try await TestAccounts.member(app, handle: "anna")
            try await TestAccounts.member(app, handle: "buiten")
            let group = try await app.repositories.groups.create(
                NewGroup(name: "Werkgroep", description: "", welcomeMessage: "", visibility: .closed), by: anna.actor)
            let token = try await APITests.token(app, login: "anna")
            let outsider = try await APITests.token(app, login: "buiten")
            let base = "/api/v1/groups/\(group.slug)/documents"

            let disguised = try await upload(app, base, token, file: .init(filename: "begroting.pdf", bytes: SampleFiles.executable))
            #expect(disguised.status == .unsupportedMediaType)
            #expect(
                disguised.object["detail"] as? String
                    == "the file's content does not match its name (for example a renamed file): upload the real file")
            let noFile = try await upload(app, base, token, fields: ["title": "Zonder bestand"], file: nil)
            #expect(noFile.status == .unprocessableEntity, "\(noFile)")
            #expect(try await send(app, .POST, base, token, #"{"title":"json"}"#).status == .unsupportedMediaType)
            for (raw, expected) in [
                ("--b--\r\n", HTTPStatus.badRequest),
                (
                    "--b\r\nContent-Disposition: form-data; name=\"folder\"\r\n\r\nA\r\n--b\r\nContent-Disposition: form-data; name=\"folder\"\r\n\r\nB\r\n"
                        + "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.4\r\n--b--\r\n",
                    .unprocessableEntity
                ),
            ] {
                var headers = APITests.headers(token: token)
                headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=b")
                try await app.testing().test(.POST, base, headers: headers, body: ByteBuffer(string: raw)) { response in
                    #expect(response.status == expected, "an empty or ambiguous form is refused, not half-read")
                }
            }
            #expect(DocumentTests.storedFiles(app).isEmpty)

            let created = try await upload(
                app, base, token, fields: ["folder": "Begroting", "description": "Concept"],
                file: .init(filename: "begroting-2027.pdf", bytes: SampleFiles.pdf()))
            #expect(created.status == .created)
            #expect(created.object["title"] as? String == "begroting-2027")
            let id = try #require(created.object["id"] as? String)
            let version = try await upload(
                app, "/api/v1/documents/\(id)/versions", token, fields: ["note": "Na de ALV"],
                file: .init(filename: "begroting-2027.pdf", bytes: SampleFiles.pdf("v2")))
            let versions = try #require(version.object["versions"] as? [[String: Any]])
            #expect(versions.map { $0["number"] as? Int } == [2, 1])
            #expect(versions.first?["note"] as? String == "Na de ALV")

            var downloaded: [UInt8] = []
            try await app.testing().test(.GET, "/api/v1/documents/\(id)/versions/1/content", headers: APITests.headers(token: token)) {
                response in
                #expect(response.status == .ok)
                #expect(response.headers.first(name: .contentType) == "application/pdf")
                downloaded = Array(response.body.readableBytesView)
            }
            #expect(downloaded == SampleFiles.pdf())

            #expect(try await send(app, .GET, base, outsider).status == .notFound)
            #expect(try await send(app, .GET, "/api/v1/documents/\(id)", outsider).status == .notFound)
            #expect(try await send(app, .GET, "/api/v1/documents/\(id)/versions/1/content", nil).status == .notFound)
            #expect(try await send(app, .PATCH, "/api/v1/documents/\(id)", token, #"{"folder":"a/b"}"#).status == .unprocessableEntity)
            let moved = try await send(app, .PATCH, "/api/v1/documents/\(id)", token, #"{"folder":"Archief"}"#)
            #expect(moved.object["folder"] as? String == "Archief")
            let listed = try await send(app, .GET, base + "?folder=Archief", token)
            #expect((listed.object["documents"] as? [[String: Any]])?.count == 1)
            #expect(try await send(app, .DELETE, "/api/v1/documents/\(id)", token).status == .noContent)
            #expect(try await send(app, .GET, "/api/v1/documents/\(id)", token).status == .notFound)

            // The limits: anyone may read them, administrators set them, and an upload then meets them.
            let limits = try await send(app, .GET, "/api/v1/upload-limits", nil)
            #expect(limits.object["maxMegabytes"] as? Int == 10)
            #expect((limits.object["allowedKinds"] as? [String])?.contains("pdf") == true)
            #expect(
                try await send(app, .PUT, "/api/v1/upload-limits", token, #"{"maxMegabytes":1,"allowedKinds":["png"]}"#).status
                    == .forbidden)
            let admin = try await APITests.token(app, login: "admin")
            #expect(
                try await send(app, .PUT, "/api/v1/upload-limits", admin, #"{"maxMegabytes":1,"allowedKinds":["exe"]}"#).status
                    == .unprocessableEntity)
            #expect(
                try await send(app, .PUT, "/api/v1/upload-limits", admin, #"{"maxMegabytes":0,"allowedKinds":[]}"#).status
                    == .unprocessableEntity)
            let set = try await send(app, .PUT, "/api/v1/upload-limits", admin, #"{"maxMegabytes":1,"allowedKinds":["png"]}"#)
            #expect(set.object["allowedKinds"] as? [String] == ["png"])
            let refused = try await upload(app, base, token, file: .init(filename: "plan.pdf", bytes: SampleFiles.pdf()))
            #expect(refused.status == .unsupportedMediaType, "PDFs are no longer allowed")
        }
    }

    @Test func theCalendarFeedAddressThroughTheAPI() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "anna")
            let token = try await APITests.token(app, login: "anna")
            #expect(try await send(app, .GET, "/api/v1/me/calendar", nil).status == .unauthorized)
            let first = try #require(try await send(app, .GET, "/api/v1/me/calendar", token).object["url"] as? String)
            #expect(first.hasSuffix("/events.ics"))
            #expect(try await send(app, .GET, "/api/v1/me/calendar", token).object["url"] as? String == first, "stable until renewed")
            let path = String(first.drop { $0 != "/" }.dropFirst(2).drop { $0 != "/" })
            try await app.testing().test(.GET, path) { #expect($0.body.string.hasPrefix("BEGIN:VCALENDAR")) }
            let renewed = try #require(try await send(app, .POST, "/api/v1/me/calendar/renew", token).object["url"] as? String)
            #expect(renewed != first)
            try await app.testing().test(.GET, path) { #expect($0.status == .notFound, "the old address stops working") }
        }
    }
}
