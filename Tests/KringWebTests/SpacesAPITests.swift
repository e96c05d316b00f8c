import Foundation
import KringCore
import KringStore
import KringTestSupport
import Testing
import Vapor

@testable import KringWeb

@Suite("Spaces API")
struct SpacesAPITests {
    static func send(
        _ app: Application, _ method: HTTPMethod, _ path: String, token: String?, json: String? = nil
    ) async throws -> (status: HTTPStatus, object: [String: Any]) {
        var result: (HTTPStatus, [String: Any]) = (.internalServerError, [:])
        try await app.testing().test(method, path, headers: APITests.headers(token: token), body: json.map { ByteBuffer(string: $0) }) {
            response in
            let object = (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]) ?? [:]
            result = (response.status, object)
        }
        return result
    }

    @Test func aMemberLivesInTheCommunityThroughTheAPI() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "anna")
            try await TestAccounts.member(app, handle: "bram")
            let anna = try await APITests.token(app, login: "anna")
            let bram = try await APITests.token(app, login: "bram")

            let group = try await Self.send(
                app, .POST, "/api/v1/groups", token: anna, json: #"{"name":"Buurtbatterij","visibility":"closed"}"#)
            #expect(group.status == .created)
            #expect(group.object["slug"] as? String == "buurtbatterij")
            #expect(group.object["role"] as? String == "manager")
            let request = try await Self.send(app, .POST, "/api/v1/groups/buurtbatterij/join", token: bram)
            #expect(request.object["status"] as? String == "requested")
            let created = try await Self.send(
                app, .POST, "/api/v1/topics", token: anna,
                json:
                    #"{"title":"Wie wil meedoen met de buurtbatterij?","body":"We zoeken **tien** huishoudens.","kind":"question","group":"buurtbatterij","tags":["Batterij"]}"#
            )
            #expect(created.status == .created)
            let topicID = try #require(created.object["id"] as? String)
            #expect(try await Self.send(app, .GET, "/api/v1/topics/\(topicID)", token: bram).status == .notFound, "not yet a member")
            let hidden = try await Self.send(app, .GET, "/api/v1/topics?group=buurtbatterij", token: bram)
            #expect((hidden.object["topics"] as? [Any])?.isEmpty == true)
            #expect(
                try await Self.send(app, .POST, "/api/v1/topics/\(topicID)/replies", token: bram, json: #"{"body":"Ik!"}"#).status
                    == .notFound)

            let slug = "buurtbatterij"
            let bramMember = try #require(try await app.repositories.members.find(handle: "bram"))
            let groupRecord = try #require(try await app.repositories.groups.find(slug: slug))
            try await app.repositories.groups.setMembership(
                groupRecord.id, memberID: bramMember.id, role: .member, status: .active, invitedBy: nil)

            let reply = try await Self.send(
                app, .POST, "/api/v1/topics/\(topicID)/replies", token: bram, json: #"{"body":"Ik doe mee, @anna!"}"#)
            #expect(reply.status == .created)
            #expect(reply.object["number"] as? Int == 2)
            let replyID = try #require(reply.object["id"] as? String)
            let answer = try await Self.send(
                app, .POST, "/api/v1/topics/\(topicID)/replies", token: anna, json: #"{"body":"Welkom!","replyTo":"\#(replyID)"}"#)
            #expect(answer.status == .created)
            #expect(answer.object["number"] as? Int == 3 && answer.object["replyToNumber"] as? Int == 2, "answers bram's reply, #2")
            #expect(
                try await Self.send(app, .POST, "/api/v1/posts/\(replyID)/reactions", token: anna, json: #"{"kind":"thanks"}"#).status
                    == .noContent)
            #expect(
                try await Self.send(app, .POST, "/api/v1/posts/\(replyID)/reactions", token: anna, json: #"{"kind":"hug"}"#).status
                    == .unprocessableEntity)
            #expect(
                try await Self.send(app, .POST, "/api/v1/topics/\(topicID)/accept", token: bram, json: #"{"postId":"\#(replyID)"}"#).status
                    == .forbidden)
            let accepted = try await Self.send(
                app, .POST, "/api/v1/topics/\(topicID)/accept", token: anna, json: #"{"postId":"\#(replyID)"}"#)
            #expect(accepted.status == .ok)
            #expect((accepted.object["acceptedAnswer"] as? String)?.lowercased() == replyID.lowercased())
            let posts = try #require(accepted.object["posts"] as? [[String: Any]])
            #expect((posts.first { $0["number"] as? Int == 2 }?["reactions"] as? [String: [String]])?["thanks"] == ["Anna Tester"])
            #expect((posts.first?["html"] as? String)?.contains("<strong>tien</strong>") == true)

            let solved = try await Self.send(app, .GET, "/api/v1/topics?filter=solved", token: bram)
            #expect((solved.object["topics"] as? [[String: Any]])?.first?["isSolved"] as? Bool == true)
            let search = try await Self.send(app, .GET, "/api/v1/search?q=huishouden", token: bram)
            #expect((search.object["results"] as? [[String: Any]])?.first?["title"] as? String == "Wie wil meedoen met de buurtbatterij?")
            let tags = try await Self.send(app, .GET, "/api/v1/tags", token: bram)
            #expect((tags.object["tags"] as? [[String: Any]])?.first?["name"] as? String == "batterij")

            let notifications = try await Self.send(app, .GET, "/api/v1/notifications", token: anna)
            let kinds = Set(((notifications.object["notifications"] as? [[String: Any]]) ?? []).compactMap { $0["kind"] as? String })
            #expect(kinds.isSuperset(of: ["reply", "mention", "join_request"]))
            #expect(try await Self.send(app, .POST, "/api/v1/notifications/read", token: anna, json: "{}").status == .noContent)
            #expect(try await Self.send(app, .GET, "/api/v1/notifications", token: anna).object["unread"] as? Int == 0)
            #expect(try await Self.send(app, .POST, "/api/v1/groups/\(slug)/leave", token: bram).status == .noContent)
            #expect(
                try await Self.send(app, .GET, "/api/v1/topics/\(topicID)", token: bram).status == .notFound, "gone with the membership")
        }
    }
}
