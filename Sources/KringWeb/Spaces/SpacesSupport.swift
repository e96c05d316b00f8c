import KringCore
import KringStore
import Vapor

extension Request {
    /// Things that live in a group (events, polls) are for those who may post there: a 403 otherwise.
    func requireParticipation(inGroup groupID: UUID?, member: Member) async throws {
        guard let groupID, let group = try await repositories.groups.find(id: groupID) else { return }
        let membership = try await repositories.groups.membership(of: member.id, in: groupID)
        guard GroupAccess.canPost(in: group, actor: member.actor, membership: membership) else {
            throw Abort(.forbidden, reason: "Only members of the group take part in what happens there.")
        }
    }

    private struct ViewerKey: StorageKey {
        typealias Value = Viewer
    }

    /// The viewer with their group memberships, loaded once per request. Every read of groups,
    /// topics, search and notifications filters with it.
    func viewer() async throws -> Viewer {
        if let viewer = storage[ViewerKey.self] { return viewer }
        let viewer = try await Viewer.load(context.actor, on: db)
        storage[ViewerKey.self] = viewer
        return viewer
    }

    /// Sets the viewer for this request when it is already known (`RequestContextCache`).
    func useViewer(_ viewer: Viewer) {
        storage[ViewerKey.self] = viewer
    }

    /// The group named in the path, if the viewer may see it; otherwise a 404 that says nothing
    /// about whether it exists.
    func visibleGroup(_ parameter: String = "slug") async throws -> (Group, Membership?) {
        guard let group = try await repositories.groups.find(slug: parameters.get(parameter) ?? "") else { throw Abort(.notFound) }
        let membership = try await context.member.asyncMap { try await repositories.groups.membership(of: $0.id, in: group.id) }
        guard GroupAccess.canSee(group, actor: context.actor, membership: membership ?? nil) else { throw Abort(.notFound) }
        return (group, membership ?? nil)
    }

}

extension Repositories {
    public var groups: GroupRepository { GroupRepository(database: database, clock: clock) }
    public var topics: TopicRepository { TopicRepository(database: database, clock: clock) }
    public var notifications: NotificationRepository { NotificationRepository(database: database, clock: clock) }
    public var search: SearchIndex { SearchIndex(database: database, clock: clock) }
    public var navigation: NavigationRepository { NavigationRepository(database: database, clock: clock) }
    public var moderation: ModerationRepository { ModerationRepository(database: database, clock: clock) }
    public var sanctions: SanctionRepository { SanctionRepository(database: database, clock: clock) }
    public var audit: StaffAuditLog { StaffAuditLog(database: database, clock: clock) }
    public var watchedWords: WatchedWordRepository { WatchedWordRepository(database: database, clock: clock) }
}
