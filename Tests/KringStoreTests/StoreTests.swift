import Foundation
import KringCore
import KringStore
import KringTestSupport
import SQLKit
import Testing
import Vapor

/// A clock tests can move forward.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    init(_ start: Date = Date(timeIntervalSince1970: 1_790_000_000)) { current = start }

    var now: Date { lock.withLock { current } }
    func advance(_ seconds: TimeInterval) { lock.withLock { current += seconds } }
    var kringClock: KringClock { KringClock { [self] in now } }
}

@Suite("Store")
struct StoreTests {
    @Test func membersAreUniqueByHandleAndEmail() async throws {
        try await withKringApp { app in
            try await TestAccounts.member(app, handle: "anna")
            let repository = app.repositories.members
            await #expect(throws: ValidationFailure([FieldError(field: "handle", code: "handle.taken")])) {
                try await repository.create(NewMember(handle: "anna", displayName: "A", email: "other@kring.test", passwordHash: "x"))
            }
            await #expect(throws: ValidationFailure([FieldError(field: "email", code: "email.taken")])) {
                try await repository.create(NewMember(handle: "anna2", displayName: "A", email: "anna@kring.test", passwordHash: "x"))
            }
            #expect(try await repository.count() == 1, "a refused member leaves nothing behind")
            #expect(try await app.repositories.activity.count(.signup) == 1)
        }
    }

    @Test func profilesKeepTagsInOrderAndShareTheVocabulary() async throws {
        try await withKringApp { app in
            let anna = try await TestAccounts.member(
                app, handle: "anna", profile: MemberProfile(interests: ["solar", "heat pumps"], expertise: ["insulation"]))
            let bram = try await TestAccounts.member(app, handle: "bram", profile: MemberProfile(interests: ["heat pumps"]))
            try await app.repositories.members.updateProfile(
                of: anna.id, displayName: "Anna V.",
                profile: MemberProfile(bio: "Hallo", organisation: "Coop", interests: ["wind", "solar"], preferredLanguage: .nl))
            let loaded = try #require(try await app.repositories.members.find(handle: "anna"))
            #expect(loaded.displayName == "Anna V.")
            #expect(
                loaded.profile == MemberProfile(bio: "Hallo", organisation: "Coop", interests: ["wind", "solar"], preferredLanguage: .nl))
            #expect(try await app.repositories.members.find(id: bram.id)?.profile.interests == ["heat pumps"])
            try await TestAccounts.member(app, handle: "carla", profile: MemberProfile(interests: ["solar"]))
            let popular = try await app.repositories.tags.popular(kind: .interest, limit: 5)
            #expect(popular.map(\.name) == ["solar", "heat pumps", "wind"], "most members first, then by name")
            #expect(popular.map(\.members) == [2, 1, 1])
        }
    }

    @Test func membersCanBeListedAndSearched() async throws {
        try await withKringApp { app in
            for handle in ["anna", "bram", "chantal"] { try await TestAccounts.member(app, handle: handle) }
            try await TestAccounts.member(app, handle: "dirk", status: .pending)
            let active = try await app.repositories.members.list(status: .active)
            #expect(Set(active.map(\.handle)) == ["anna", "bram", "chantal"])
            #expect(try await app.repositories.members.list(search: "CHAN").map(\.handle) == ["chantal"])
            #expect(try await app.repositories.members.list(search: "100%").isEmpty)
        }
    }

    @Test func sessionsExpireAndExtend() async throws {
        let clock = TestClock()
        try await withKringApp(clock: clock.kringClock) { app in
            let anna = try await TestAccounts.member(app, handle: "anna")
            let sessions = app.repositories.sessions
            try await sessions.create(tokenHash: "h1", memberID: anna.id, lifetime: 100, ipAddress: "127.0.0.1", userAgent: "t")
            #expect(try await sessions.member(forTokenHash: "h1", lifetime: 100)?.handle == "anna")
            clock.advance(60)
            #expect(try await sessions.member(forTokenHash: "h1", lifetime: 100) != nil, "used after half its life: extended")
            clock.advance(90)
            #expect(try await sessions.member(forTokenHash: "h1", lifetime: 100) != nil, "still valid thanks to the extension")
            clock.advance(101)
            #expect(try await sessions.member(forTokenHash: "h1", lifetime: 100) == nil)
            #expect(try await sessions.member(forTokenHash: "unknown", lifetime: 100) == nil)
        }
    }

    @Test func rateLimitsCountPerWindow() async throws {
        let clock = TestClock(Date(timeIntervalSince1970: 1_800_000_000))
        try await withKringApp(clock: clock.kringClock) { app in
            let limits = app.repositories.rateLimits
            #expect(try await limits.hit("k", window: 600) == 1)
            #expect(try await limits.hit("k", window: 600) == 2)
            #expect(try await limits.hit("other", window: 600) == 1)
            #expect(try await limits.hits("k", window: 600) == 2)
            clock.advance(600)
            #expect(try await limits.hits("k", window: 600) == 0, "a new window starts empty")
            #expect(try await limits.recentHits("k", window: 600) == 2, "failures just before the boundary still count")
            clock.advance(600)
            #expect(try await limits.recentHits("k", window: 600) == 0)
            try await limits.hit("k", window: 600)
            try await limits.reset("k")
            #expect(try await limits.hits("k", window: 600) == 0)
        }
    }

    @Test func outboxRetriesWithBackoffThenGivesUp() async throws {
        let clock = TestClock()
        try await withKringApp(clock: clock.kringClock) { app in
            let outbox = app.repositories.outbox
            let id = try await outbox.enqueue(
                NewOutboxMessage(kind: "test", recipient: "a@kring.test", recipientName: "A", subject: "S", bodyText: "B"))
            #expect(try await outbox.due(limit: 10).map(\.id) == [id])
            try await outbox.markFailed(id: id, error: "connection refused")
            #expect(try await outbox.due(limit: 10).isEmpty, "the retry waits a minute")
            clock.advance(61)
            #expect(try await outbox.due(limit: 10).map(\.id) == [id])
            for _ in 2...OutboxRepository.maxAttempts { try await outbox.markFailed(id: id, error: "still down") }
            let failed = try #require(try await outbox.find(id: id))
            #expect(failed.status == .failed)
            #expect(failed.attempts == OutboxRepository.maxAttempts)
            #expect(failed.lastError == "still down")
            try await outbox.retry(id: id)
            #expect(try await outbox.due(limit: 10).map(\.id) == [id])
            try await outbox.markSent(id: id)
            #expect(try await outbox.find(id: id)?.status == .sent)
        }
    }

    @Test func emailTokensWorkOnceAndExpire() async throws {
        let clock = TestClock()
        try await withKringApp(clock: clock.kringClock) { app in
            let tokens = app.repositories.emailTokens
            try await tokens.create(.passwordReset, tokenHash: "r1", email: "a@kring.test", memberID: nil, createdByID: nil, lifetime: 3600)
            let token = try #require(try await tokens.valid(.passwordReset, tokenHash: "r1"))
            #expect(try await tokens.valid(.invitation, tokenHash: "r1") == nil, "a token is only good for its purpose")
            #expect(try await tokens.consume(id: token.id))
            #expect(try await tokens.consume(id: token.id) == false)
            #expect(try await tokens.valid(.passwordReset, tokenHash: "r1") == nil)
            try await tokens.create(.invitation, tokenHash: "i1", email: "b@kring.test", memberID: nil, createdByID: nil, lifetime: 60)
            clock.advance(61)
            #expect(try await tokens.valid(.invitation, tokenHash: "i1") == nil)
        }
    }

    @Test func setupHappensOnce() async throws {
        try await withKringApp { app in
            let admin = try await TestAccounts.setUpCommunity(app)
            #expect(admin.role == .admin)
            #expect(try await app.repositories.community.settings()?.name == "Testgemeenschap")
            await #expect(throws: SetupError.self) {
                try await app.repositories.community.setUp(
                    CommunitySettings(name: "Second", tagline: "", defaultLanguage: .nl),
                    administrator: NewMember(handle: "second", displayName: "S", email: "s@kring.test", passwordHash: "x"))
            }
            #expect(try await app.repositories.members.count() == 1, "the refused setup left no member behind")
        }
    }

    @Test func secretsAreCreatedOnceAndShared() async throws {
        try await withKringApp { app in
            let first = try await app.repositories.community.secret(named: "test") { "one" }
            let second = try await app.repositories.community.secret(named: "test") { "two" }
            #expect(first == "one")
            #expect(second == "one")
        }
    }

    @Test func activityEventsCanBeWrittenInBulk() async throws {
        try await withKringApp { app in
            let anna = try await TestAccounts.member(app, handle: "anna")
            let events = (0..<1234).map { index in
                NewActivityEvent(
                    kind: .visit, actorID: anna.id, actorIsStaff: false, occurredAt: Date(timeIntervalSince1970: Double(index) * 3600))
            }
            try await app.repositories.activity.recordBatch(events)
            #expect(try await app.repositories.activity.count(.visit, actorID: anna.id) == 1234)
        }
    }

    @Test func theDatabaseIsTheOneAskedFor() async throws {
        try await withKringApp { app in
            let sql = try #require(app.db as? any SQLDatabase)
            #expect(sql.dialect.name == TestDatabase.name)
            if TestDatabase.name == "sqlite" {
                let row = try #require(try await sql.raw("PRAGMA journal_mode").first())
                #expect(try row.decode(column: "journal_mode", as: String.self) == "wal")
            }
        }
    }
}
