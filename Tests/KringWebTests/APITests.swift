import Foundation
import KringCore
import KringStore
import KringTestSupport
import Testing
import Vapor

@testable import KringWeb

@Suite("JSON API")
struct APITests {
    static func json(_ object: [String: Any]) throws -> ByteBuffer {
        ByteBuffer(data: try JSONSerialization.data(withJSONObject: object))
    }

    static func headers(token: String? = nil) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.contentType = .json
        if let token { headers.bearerAuthorization = BearerAuthorization(token: token) }
        return headers
    }

    static func object(_ response: TestingHTTPResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    static func token(_ app: Application, login: String) async throws -> String {
        var token: String?
        try await app.testing().test(
            .POST, "/api/v1/auth/token", headers: headers(),
            body: try json(["login": login, "password": TestAccounts.password, "name": "tests"])
        ) { response in
            #expect(response.status == .created)
            token = try Self.object(response)["token"] as? String
        }
        return try #require(token)
    }

    @Test func tokensAreIssuedForCorrectCredentialsOnly() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "anna")
            let token = try await Self.token(app, login: "anna")
            #expect(token.hasPrefix("kring_"))
            try await app.testing().test(
                .POST, "/api/v1/auth/token", headers: Self.headers(), body: try Self.json(["login": "anna", "password": "wrong password"])
            ) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers.contentType?.description.hasPrefix("application/problem+json") == true)
                #expect(response.headers.first(name: .wwwAuthenticate)?.hasPrefix("Bearer") == true)
                let problem = try Self.object(response)
                #expect(problem["status"] as? Int == 401)
                #expect(problem["title"] as? String == "Unauthorized")
            }
            try await app.testing().test(.POST, "/api/v1/auth/token", headers: Self.headers(), body: try Self.json(["login": "anna"])) {
                response in
                #expect(response.status == .unprocessableEntity)
                let errors = try #require(try Self.object(response)["errors"] as? [[String: Any]])
                #expect(errors.first?["field"] as? String == "password")
                #expect(errors.first?["code"] as? String == "required")
            }
        }
    }

    @Test func meAnswersOnlyToALiveToken() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "anna", profile: MemberProfile(interests: ["solar"]))
            let token = try await Self.token(app, login: "anna")
            try await app.testing().test(.GET, "/api/v1/me", headers: Self.headers(token: token)) { response in
                #expect(response.status == .ok)
                let me = try Self.object(response)
                #expect(me["handle"] as? String == "anna")
                #expect(me["email"] as? String == "anna@kring.test")
                #expect(me["interests"] as? [String] == ["solar"])
            }
            try await app.testing().test(.GET, "/api/v1/me") { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers.contentType?.description.hasPrefix("application/problem+json") == true)
            }
            try await app.testing().test(.GET, "/api/v1/me", headers: Self.headers(token: "kring_made-up")) { response in
                #expect(response.status == .unauthorized)
            }
            var tokenID = ""
            try await app.testing().test(.GET, "/api/v1/auth/tokens", headers: Self.headers(token: token)) { response in
                let tokens = try #require(try Self.object(response)["tokens"] as? [[String: Any]])
                #expect(tokens.count == 1)
                tokenID = tokens.first?["id"] as? String ?? ""
                #expect(tokens.first?["token"] == nil, "the secret is never listed")
            }
            try await app.testing().test(.DELETE, "/api/v1/auth/tokens/\(tokenID)", headers: Self.headers(token: token)) { response in
                #expect(response.status == .noContent)
            }
            try await app.testing().test(.GET, "/api/v1/me", headers: Self.headers(token: token)) { response in
                #expect(response.status == .unauthorized, "a revoked token no longer works")
            }
        }
    }

    @Test func membersAreReadableWithoutPrivateFields() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "anna", profile: MemberProfile(bio: "Hallo"))
            try await TestAccounts.member(app, handle: "bram")
            let token = try await Self.token(app, login: "bram")
            try await app.testing().test(.GET, "/api/v1/members/anna", headers: Self.headers(token: token)) { response in
                let anna = try Self.object(response)
                #expect(anna["bio"] as? String == "Hallo")
                #expect(anna["email"] == nil)
                #expect(anna["memberSince"] as? String != nil)
            }
            try await app.testing().test(.GET, "/api/v1/members/nobody") { response in
                #expect(response.status == .notFound)
                let problem = try Self.object(response)
                #expect(problem["status"] as? Int == 404)
            }
        }
    }

    @Test func onlyAdminsPatchTheCommunityAndBadValuesNameTheirField() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "anna", role: .manager)
            let manager = try await Self.token(app, login: "anna")
            let admin = try await Self.token(app, login: "admin")
            try await app.testing().test(
                .PATCH, "/api/v1/community", headers: Self.headers(token: manager), body: try Self.json(["name": "Mine"])
            ) { response in
                #expect(response.status == .forbidden)
                #expect(response.headers.contentType?.description.hasPrefix("application/problem+json") == true)
            }
            try await app.testing().test(
                .PATCH, "/api/v1/community", headers: Self.headers(token: admin),
                body: try Self.json(["timeZone": "Nowhere/Land", "registrationMode": "sometimes"])
            ) { response in
                #expect(response.status == .unprocessableEntity)
                let errors = try #require(try Self.object(response)["errors"] as? [[String: Any]])
                #expect(Set(errors.compactMap { $0["field"] as? String }) == ["timeZone", "registrationMode"])
            }
            try await app.testing().test(
                .PATCH, "/api/v1/community", headers: Self.headers(token: admin),
                body: try Self.json(["name": "Buurtkracht", "readAccess": "members"])
            ) { response in
                #expect(response.status == .ok)
                let community = try Self.object(response)
                #expect(community["name"] as? String == "Buurtkracht")
            }
            let settings = try #require(try await app.repositories.community.settings())
            #expect(settings.name == "Buurtkracht")
            #expect(settings.readAccess == .members)
            #expect(settings.tagline == "Where tests meet", "fields left out stay as they were")
            try await app.testing().test(.GET, "/api/v1/community") { response in
                #expect(response.status == .unauthorized, "members-only now")
            }
        }
    }

    @Test func membersPatchTheirOwnProfile() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "anna")
            let token = try await Self.token(app, login: "anna")
            try await app.testing().test(
                .PATCH, "/api/v1/me", headers: Self.headers(token: token),
                body: try Self.json(["bio": "Nieuw hier", "interests": ["Solar", "solar", "Wind"], "preferredLanguage": "nl"])
            ) { response in
                #expect(response.status == .ok)
                let me = try Self.object(response)
                #expect(me["interests"] as? [String] == ["solar", "wind"])
                #expect(me["preferredLanguage"] as? String == "nl")
            }
            try await app.testing().test(
                .PATCH, "/api/v1/me", headers: Self.headers(token: token),
                body: try Self.json(["displayName": "", "interests": "not a list"])
            ) { response in
                #expect(response.status == .unprocessableEntity)
                let errors = try #require(try Self.object(response)["errors"] as? [[String: Any]])
                #expect(errors.first?["field"] as? String == "interests")
            }
            try await app.testing().test(
                .PATCH, "/api/v1/me", headers: Self.headers(token: token), body: try Self.json(["displayName": " "])
            ) { response in
                #expect(response.status == .unprocessableEntity)
                let errors = try #require(try Self.object(response)["errors"] as? [[String: Any]])
                #expect(errors.first?["field"] as? String == "displayName")
            }
            #expect(try await app.repositories.members.find(handle: "anna")?.profile.bio == "Nieuw hier")
        }
    }

    @Test func malformedBodiesGetProblemsNotCrashes() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await app.testing().test(.POST, "/api/v1/auth/token", headers: Self.headers(), body: ByteBuffer(string: "{not json")) {
                response in
                #expect(response.status.code >= 400 && response.status.code < 500)
                #expect(response.headers.contentType?.description.hasPrefix("application/problem+json") == true)
            }
            try await app.testing().test(.GET, "/api/v1/no-such-thing") { response in
                #expect(response.status == .notFound)
                #expect(response.headers.contentType?.description.hasPrefix("application/problem+json") == true)
                #expect(response.headers.first(name: "Content-Security-Policy") != nil)
            }
        }
    }

    @Test func theOpenAPIDocumentDescribesEveryOperation() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await app.testing().test(.GET, "/api/v1/openapi.json") { response in
                #expect(response.status == .ok)
                let document = try Self.object(response)
                #expect((document["openapi"] as? String)?.hasPrefix("3.1") == true)
                let paths = try #require(document["paths"] as? [String: [String: Any]])
                let operations = Set(paths.flatMap { path, methods in methods.keys.map { "\($0.uppercased()) /api/v1\(path)" } })
                let routes = Set(
                    app.routes.all.filter { $0.path.first?.description == "api" }.map { route in
                        "\(route.method.rawValue) /"
                            + route.path.map { component -> String in
                                if case .parameter(let name) = component { return "{\(name)}" }
                                return component.description
                            }.joined(separator: "/")
                    })
                #expect(routes.subtracting(operations).isEmpty, "undocumented: \(routes.subtracting(operations))")
                #expect(operations.subtracting(routes).isEmpty, "documented but missing: \(operations.subtracting(routes))")
            }
        }
    }
}

@Suite("API input strictness")
struct APIStrictnessTests {
    @Test func explicitNullsAreRefusedWhereTheyMeanNothing() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            let admin = try await APITests.token(app, login: "admin")
            try await app.testing().test(
                .PATCH, "/api/v1/community", headers: APITests.headers(token: admin), body: ByteBuffer(string: #"{"name":null}"#)
            ) { response in
                #expect(response.status == .unprocessableEntity)
                let errors = try #require(try APITests.object(response)["errors"] as? [[String: Any]])
                #expect(errors.first?["field"] as? String == "name")
                #expect(errors.first?["code"] as? String == "type.invalid")
            }
            #expect(try await app.repositories.community.settings()?.name == "Testgemeenschap")
        }
    }

    @Test func unsupportedMethodsAnswer405WithAllow() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            try await app.testing().test(.PUT, "/api/v1/me") { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers.first(name: .allow) == "GET, PATCH")
                #expect(response.headers.contentType?.description.hasPrefix("application/problem+json") == true)
            }
            try await app.testing().test(.DELETE, "/api/v1/members/anna") { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers.first(name: .allow) == "GET")
            }
            try await app.testing().test(.GET, "/api/v1/members/nobody") { response in
                #expect(response.status == .notFound, "a missing member is still a 404")
            }
        }
    }

    @Test func hugePathsAndBadQueriesAreClientErrors() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            let long = String(repeating: "a", count: 4100)
            for path in ["/api/v1/members/\(long)", "/members/\(long)", "/\(long)", "/css/\(long)"] {
                try await app.testing().test(.GET, path) { response in
                    #expect(response.status == .notFound, "\(path.prefix(20))…")
                }
            }
            try await app.testing().test(.GET, "/api/v1/topics?limit=101") { response in #expect(response.status == .badRequest) }
            try await app.testing().test(.GET, "/api/v1/topics?limit=abc") { response in #expect(response.status == .badRequest) }
            try await app.testing().test(.GET, "/api/v1/groups?archived=maybe") { response in #expect(response.status == .badRequest) }
            try await app.testing().test(.GET, "/api/v1/search?q=\(String(repeating: "x", count: 201))") { response in
                #expect(response.status == .unprocessableEntity)
            }
        }
    }
}
