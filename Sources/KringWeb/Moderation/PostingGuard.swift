import KringCore
import KringStore
import Vapor

/// What to do with a post a member is about to write, after the community's defences looked at it.
struct PostingPlan {
    /// The text to store (watched words may have censored it).
    var body: String
    /// The title to store, for a new topic (censored like the body).
    var title: String?
    /// Tags watched words add to the topic.
    var tags: [String] = []
    /// Set when the post waits for a moderator: "newcomer", "watched_word", "spam_links", "spam_duplicate".
    var holdReason: String?
    /// Notes for automatic flags that put the post in the review queue.
    var flags: [String] = []
}

/// The automatic defences every new post and reply passes, on pages and in the API alike: house
/// rules accepted, rate limits, slow mode, watched words, newcomer approval, link limits, duplicates.
/// Moderators and managers pass without limits or holds.
enum PostingGuard {
    static func check(
        _ request: Request, member: Member, body: String, title: String? = nil, topicID: UUID?, isEdit: Bool = false
    ) async throws -> PostingPlan {
        let repositories = request.repositories
        let settings = try await repositories.community.moderationSettings()
        let t = request.context.localizer
        let trusted = member.role >= .moderator
        if settings.rulesVersion > 0, member.acceptedRulesVersion < settings.rulesVersion, !trusted {
            throw Abort(.forbidden, reason: t("rules.accept_first"))
        }
        if !isEdit, !trusted {
            try await rateLimit(request, member: member, settings: settings, topicID: topicID)
        }
        let words = try await repositories.watchedWords.all()
        let verdict = WatchedWordVerdict.check(body, against: words)
        let titleVerdict = title.map { WatchedWordVerdict.check($0, against: words) }
        if titleVerdict?.blockedBy != nil { throw ValidationFailure(field: "title", code: "watched.blocked") }
        if verdict.blockedBy != nil { throw ValidationFailure(field: "body", code: "watched.blocked") }
        let flagged = Array(Set(verdict.flaggedFor + (titleVerdict?.flaggedFor ?? []))).sorted()
        var plan = PostingPlan(
            body: verdict.text, title: titleVerdict?.text, tags: Array(Set(verdict.tags + (titleVerdict?.tags ?? []))).sorted(),
            flags: flagged.map { t("moderation.flag.watched", ["word": $0]) })
        if verdict.holdFor != nil || titleVerdict?.holdFor != nil { plan.holdReason = "watched_word" }
        guard !trusted, !isEdit else { return plan }
        let count = try await repositories.topics.postCount(authorID: member.id)
        if plan.holdReason == nil, count < settings.newcomerHeldPosts { plan.holdReason = "newcomer" }
        if plan.holdReason == nil, count < ModerationSettings.newcomerPostCount, LinkCounter.count(in: body) > settings.newcomerMaxLinks {
            plan.holdReason = "spam_links"
        }
        let since = request.application.kring.clock.now().addingTimeInterval(-86_400)
        if plan.holdReason == nil,
            try await repositories.topics.hasDuplicate(authorID: member.id, body: plan.body, since: since, excludingTopic: topicID)
        {
            plan.holdReason = "spam_duplicate"
        }
        return plan
    }

    /// Posts per minute and per hour for everyone, and slow mode per topic.
    private static func rateLimit(_ request: Request, member: Member, settings: ModerationSettings, topicID: UUID?) async throws {
        let limits = request.repositories.rateLimits
        let t = request.context.localizer
        if let topicID, let seconds = try await request.repositories.topics.slowMode(of: topicID), seconds > 0 {
            let bucket = "slow:\(topicID.uuidString):\(member.id.uuidString)"
            if try await limits.hits(bucket, window: TimeInterval(seconds)) > 0 {
                throw Abort(
                    .tooManyRequests, headers: ["Retry-After": String(seconds)], reason: t("limits.slow_mode", ["seconds": String(seconds)])
                )
            }
            try await limits.hit(bucket, window: TimeInterval(seconds))
        }
        let minuteBucket = "post:minute:\(member.id.uuidString)"
        let hourBucket = "post:hour:\(member.id.uuidString)"
        try await limits.hit(minuteBucket, window: 60)
        try await limits.hit(hourBucket, window: 3600)
        let minute = try await limits.slidingHits(minuteBucket, window: 60)
        let hour = try await limits.slidingHits(hourBucket, window: 3600)
        if minute > Double(settings.postsPerMinute) || hour > Double(settings.postsPerHour) {
            throw Abort(
                .tooManyRequests, headers: ["Retry-After": minute > Double(settings.postsPerMinute) ? "60" : "3600"],
                reason: t("limits.posting"))
        }
    }

    /// Applies the plan's holds and automatic flags to a post that was just written.
    static func apply(_ plan: PostingPlan, postID: UUID?, repositories: Repositories) async throws {
        guard let postID else { return }
        if let reason = plan.holdReason { try await repositories.moderation.hold(postID: postID, reason: reason) }
        for note in plan.flags { try await repositories.moderation.systemFlag(postID: postID, note: note) }
    }
}
