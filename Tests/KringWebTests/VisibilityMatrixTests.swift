import Foundation
import KringCore
import KringStore
import KringTestSupport
import Testing
import Vapor

@testable import KringWeb

/// For every kind of group × every kind of viewer × every read path, a topic's words are visible
/// exactly when the rules say so.
@Suite("Visibility matrix")
struct VisibilityMatrixTests {
    enum Space: String, CaseIterable {
        case open, closed, secret, archived

        /// A word that appears only in this space's topic, so its presence anywhere is a leak.
        var word: String {
            switch self {
            case .open: "appelboomgaard"
            case .closed: "beukenhoutzaag"
            case .secret: "cederhoutkist"
            case .archived: "dennenappelmand"
            }
        }
    }

    enum Viewer: String, CaseIterable {
        case anonymous, outsider, member, groupManager, moderator, admin
    }

    /// May this viewer read the space's content?
    static func readable(_ space: Space, by viewer: Viewer) -> Bool {
        switch viewer {
        case .anonymous, .outsider: space == .open
        case .member, .groupManager, .moderator, .admin: true
        }
    }

    /// Does the space's topic appear in the community-wide latest list?
    static func listed(_ space: Space, by viewer: Viewer) -> Bool { space != .archived && readable(space, by: viewer) }

    /// May this viewer see that the group exists?
    static func groupVisible(_ space: Space, by viewer: Viewer) -> Bool {
        switch viewer {
        case .anonymous, .outsider: space != .secret
        default: true
        }
    }

    @Test func contentIsVisibleExactlyWhenItShouldBe() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "owner")
            try await TestAccounts.member(app, handle: "outsider")
            try await TestAccounts.member(app, handle: "insider")
            try await TestAccounts.member(app, handle: "boss")
            try await TestAccounts.member(app, handle: "mod", role: .moderator)
            let owner = try await signedIn(app, "owner")
            var topics: [Space: String] = [:]
            var slugs: [Space: String] = [:]
            for space in Space.allCases {
                let visibility: GroupVisibility = space == .open ? .open : space == .secret ? .secret : .closed
                let slug = try await createGroup(owner, name: "Ruimte \(space.rawValue)", visibility: visibility)
                slugs[space] = slug
                let group = try #require(try await app.repositories.groups.find(slug: slug))
                for (handle, role) in [("insider", GroupRole.member), ("boss", GroupRole.manager)] {
                    let member = try #require(try await app.repositories.members.find(handle: handle))
                    try await app.repositories.groups.setMembership(
                        group.id, memberID: member.id, role: role, status: .active, invitedBy: nil)
                }
                let topic = try await createTopic(owner, group: slug, title: "Onderwerp \(space.word)", body: "Inhoud over \(space.word)")
                topics[space] = topic
                try await owner.post("\(topic)/replies", form: ["body": "Hallo @outsider @insider @boss @mod @admin, kijk: \(space.word)"])
            }
            try await owner.get("/g/\(slugs[.archived]!)/edit")
            try await owner.post("/g/\(slugs[.archived]!)/archive")

            let tokens = try await Self.tokens(app)
            for viewer in Viewer.allCases {
                let browser: TestBrowser
                switch viewer {
                case .anonymous: browser = TestBrowser(app)
                case .outsider: browser = try await signedIn(app, "outsider")
                case .member: browser = try await signedIn(app, "insider")
                case .groupManager: browser = try await signedIn(app, "boss")
                case .moderator: browser = try await signedIn(app, "mod")
                case .admin: browser = try await signedIn(app, "admin")
                }
                let latest = try await browser.get("/topics").text
                let home = try await browser.get("/").text
                let notifications = viewer == .anonymous ? "" : try await browser.get("/notifications").text
                for space in Space.allCases {
                    let label = "\(viewer.rawValue) × \(space.rawValue)"
                    let canRead = Self.readable(space, by: viewer)
                    let topicPage = try await browser.get(topics[space]!)
                    #expect((topicPage.status == .ok) == canRead, "topic page: \(label)")
                    #expect(topicPage.text.contains(space.word) == canRead, "topic page words: \(label)")
                    let groupPage = try await browser.get("/g/\(slugs[space]!)")
                    #expect((groupPage.status == .ok) == Self.groupVisible(space, by: viewer), "group page: \(label)")
                    #expect(groupPage.text.contains(space.word) == canRead, "group page words: \(label)")
                    #expect(latest.contains(space.word) == Self.listed(space, by: viewer), "latest list: \(label)")
                    #expect(home.contains(space.word) == Self.listed(space, by: viewer), "home page: \(label)")
                    let search = try await browser.get("/search?q=\(space.word)").text
                    #expect(search.contains("Onderwerp \(space.word)") == canRead, "search: \(label)")
                    let groups = try await browser.get("/groups").text
                    #expect(
                        groups.contains("Ruimte \(space.rawValue)") == (Self.groupVisible(space, by: viewer) && space != .archived),
                        "group list: \(label)")
                    if viewer != .anonymous {
                        #expect(notifications.contains(space.word) == canRead, "notifications: \(label)")
                    }
                    let topicID = String(topics[space]!.dropFirst(3))
                    var headers = HTTPHeaders()
                    if let token = tokens[viewer] { headers.bearerAuthorization = BearerAuthorization(token: token) }
                    try await app.testing().test(.GET, "/api/v1/topics/\(topicID)", headers: headers) { response in
                        #expect((response.status == .ok) == canRead, "API topic: \(label)")
                        #expect(response.body.string.contains(space.word) == canRead, "API topic words: \(label)")
                    }
                    try await app.testing().test(.GET, "/api/v1/search?q=\(space.word)", headers: headers) { response in
                        #expect(response.body.string.contains(space.word) == canRead, "API search: \(label)")
                    }
                    try await app.testing().test(.GET, "/api/v1/topics?limit=100", headers: headers) { response in
                        #expect(response.body.string.contains(space.word) == Self.listed(space, by: viewer), "API list: \(label)")
                    }
                    if viewer != .anonymous {
                        try await app.testing().test(.GET, "/api/v1/notifications", headers: headers) { response in
                            #expect(response.body.string.contains(space.word) == canRead, "API notifications: \(label)")
                        }
                    }
                }
            }
        }
    }

    @Test func losingAccessHidesWhatWasSeenBefore() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "owner")
            try await TestAccounts.member(app, handle: "leaver")
            let owner = try await signedIn(app, "owner")
            let slug = try await createGroup(owner, name: "Kerngroep", visibility: .closed)
            let leaver = try await signedIn(app, "leaver")
            try await leaver.post("/g/\(slug)/join")
            try await owner.post("/g/\(slug)/members/leaver/approve")
            let topic = try await createTopic(
                owner, group: slug, title: "Vertrouwelijk plan", body: "Het wachtwoord is zwaluwstaart, @leaver")
            #expect(try await leaver.get("/").visibleText(id: "unread-count") == "2")
            #expect(try await leaver.get("/notifications").text.contains("Vertrouwelijk plan"))
            #expect(try await leaver.get(topic).text.contains("zwaluwstaart"))
            try await leaver.post("/g/\(slug)/leave")
            #expect(try await leaver.get(topic).status == .notFound)
            #expect(!(try await leaver.get("/notifications").text.contains("Vertrouwelijk plan")))
            #expect(!(try await leaver.get("/search?q=zwaluwstaart").text.contains("Vertrouwelijk")))
            #expect(
                try await leaver.get("/").visibleText(id: "unread-count") == "1",
                "the badge counts the join approval, not the hidden mention")
        }
    }

    static func tokens(_ app: Application) async throws -> [Viewer: String] {
        var tokens: [Viewer: String] = [:]
        for (viewer, handle) in [
            (Viewer.outsider, "outsider"), (.member, "insider"), (.groupManager, "boss"), (.moderator, "mod"), (.admin, "admin"),
        ] {
            var headers = HTTPHeaders()
            headers.contentType = .json
            try await app.testing().test(
                .POST, "/api/v1/auth/token", headers: headers,
                body: ByteBuffer(string: #"{"login":"\#(handle)","password":"\#(TestAccounts.password)"}"#)
            ) { response in
                let object = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
                tokens[viewer] = object?["token"] as? String
            }
        }
        return tokens
    }
}
