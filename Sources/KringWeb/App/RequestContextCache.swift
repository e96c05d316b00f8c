import Foundation
import KringCore
import KringStore
import NIOConcurrencyHelpers
import Vapor

/// What every page looks up before its own work, kept while the database has not changed
/// (`ContentVersion`): the community's settings, menu and house rules, and per signed-in member
/// their account with tags, their unlifted sanctions, their group memberships and the header's
/// unread count.
///
/// A signed-in page asked the database sixteen questions before it started — most of a simple
/// page's time. Sessions and notifications are not content (on PostgreSQL their writes notify no
/// one), so the session is checked on every request, and the unread count is reused only while
/// the member's unread notifications are the same ones (`UnreadFingerprint`). Sanctions are kept
/// as a list and judged at the request's own moment, so one that starts or ends needs no write.
final class RequestContextCache: Sendable {
    /// The community-wide part of every page.
    struct Chrome: Sendable {
        let community: (settings: CommunitySettings, moderation: ModerationSettings)?
        let menu: [MenuItem]
        let hasHouseRules: Bool
    }

    /// The signed-in member's part.
    struct MemberEntry: Sendable {
        let member: Member
        let unliftedSanctions: [Sanction]
        let viewer: Viewer
        var unread: UnreadFingerprint?
        var unreadCount = 0
    }

    private struct State {
        var stamp: ContentVersion.Stamp?
        var chrome: Chrome?
        var members: [UUID: MemberEntry] = [:]

        /// Forgets what was kept under an older stamp. False when `stamp` itself is older than what
        /// is kept: a request that began before the last change neither reads nor keeps anything.
        mutating func align(to stamp: ContentVersion.Stamp) -> Bool {
            if let current = self.stamp {
                if current == stamp { return true }
                if current.isLater(than: stamp) { return false }
            }
            self.stamp = stamp
            chrome = nil
            members = [:]
            return true
        }
    }

    /// More members than this at once and the cache starts over (a few hundred kB at most).
    let maxMembers: Int
    private let state = NIOLockedValueBox(State())

    init(maxMembers: Int = 10_000) {
        self.maxMembers = maxMembers
    }

    func chrome(at stamp: ContentVersion.Stamp) -> Chrome? {
        state.withLockedValue { state in
            state.align(to: stamp) ? state.chrome : nil
        }
    }

    func keep(_ chrome: Chrome, at stamp: ContentVersion.Stamp) {
        state.withLockedValue { state in
            if state.align(to: stamp) { state.chrome = chrome }
        }
    }

    func member(_ id: UUID, at stamp: ContentVersion.Stamp) -> MemberEntry? {
        state.withLockedValue { state in
            state.align(to: stamp) ? state.members[id] : nil
        }
    }

    func keep(_ entry: MemberEntry, at stamp: ContentVersion.Stamp) {
        state.withLockedValue { state in
            guard state.align(to: stamp) else { return }
            if state.members.count >= maxMembers { state.members = [:] }
            state.members[entry.member.id] = entry
        }
    }
}

extension Request {
    private struct ContentStampKey: StorageKey {
        typealias Value = ContentVersion.Stamp?
    }

    /// The database's content version at the start of this request, asked once (nil: nothing kept
    /// may be used now).
    func contentStamp() async -> ContentVersion.Stamp? {
        if let stamp = storage[ContentStampKey.self] { return stamp }
        let stamp = await application.anonymousPages.version.current()
        storage[ContentStampKey.self] = .some(stamp)
        return stamp
    }
}
