import KringCore
import KringStore
import Vapor

/// The shipped sentiment lexicons (Sources/KringWeb/Resources/sentiment, licences in LICENSES.md
/// there), read once.
enum SentimentLexicons {
    static let analyzer: SentimentAnalyzer = {
        func lexicon(_ language: Language, contrast: String) -> SentimentLexicon {
            func text(_ name: String) -> String {
                KringResources.url("sentiment/" + name).flatMap { try? String(contentsOf: $0, encoding: .utf8) } ?? ""
            }
            return SentimentLexicon.parse(
                terms: text("\(language.rawValue).tsv"), modifiers: text("\(language.rawValue)-modifiers.tsv"), contrast: contrast)
        }
        return SentimentAnalyzer(lexicons: [.en: lexicon(.en, contrast: "but"), .nl: lexicon(.nl, contrast: "maar")])
    }()
}

/// Listens to new posts: scores each one's sentiment, finds the watched terms it mentions, and
/// tells the team members who watch them — for posts of the last day only, so a first run over an
/// imported history reports nothing. Runs every tick of the background job, in batches.
struct ListeningJob {
    let repositories: Repositories
    let services: KringServices

    static let batchSize = 500
    /// Alerts are for news: posts older than this are counted, not reported.
    static let alertWindow: TimeInterval = 86_400

    /// Hears up to `budget` posts; returns how many.
    @discardableResult
    func run(budget: Int = 5_000) async throws -> Int {
        guard let community = try await repositories.community.settings() else { return 0 }
        let zone = TimeZone(identifier: community.timeZone) ?? .gmt
        let terms = try await repositories.listening.terms()
        let matcher = TermMatcher(terms)
        let alerting = Dictionary(
            uniqueKeysWithValues: terms.filter(\.alerts).compactMap { term in term.createdByID.map { (term.id, $0) } })
        let now = services.clock.now()
        var heardTotal = 0
        while heardTotal < budget {
            let posts = try await repositories.listening.unheard(limit: Self.batchSize)
            guard !posts.isEmpty else { break }
            let heard = posts.map { post in
                let (language, score) = SentimentLexicons.analyzer.analyse(post.body, fallback: community.defaultLanguage)
                return HeardPost(
                    post: post, language: language, score: score, week: CalendarSpan.key(.week, containing: post.createdAt, in: zone),
                    terms: matcher.matches(ListenedPost(text: post.body, language: language, tags: post.tags)))
            }
            try await repositories.listening.store(heard)
            for item in heard where !item.post.isHidden && now.timeIntervalSince(item.post.createdAt) < Self.alertWindow {
                for watcher in Set(item.terms.compactMap({ alerting[$0] })) {
                    try await repositories.notifications.watchedTermMentioned(
                        to: watcher, topicID: item.post.topicID, postID: item.post.id, groupID: item.post.groupID,
                        authorID: item.post.authorID)
                }
            }
            heardTotal += posts.count
            if posts.count < Self.batchSize { break }
        }
        return heardTotal
    }

    /// A new term's past year: its mentions among posts already heard, so its trend starts full.
    func backfill(_ term: WatchedTerm) async throws {
        let matcher = TermMatcher([term])
        let since = services.clock.now().addingTimeInterval(-365 * 86_400)
        let candidates = try await repositories.listening.candidates(for: term, since: since)
        var found: [(post: UnheardPost, label: String, week: String)] = []
        for (post, labelAndLanguage, week) in candidates {
            let parts = labelAndLanguage.split(separator: "|").map(String.init)
            let language = Language(rawValue: parts.last ?? "") ?? .en
            guard !matcher.matches(ListenedPost(text: post.body, language: language, tags: post.tags)).isEmpty else { continue }
            found.append((post, parts.first ?? SentimentLabel.neutral.rawValue, week))
        }
        try await repositories.listening.addMentions(term: term.id, found)
    }
}

extension Repositories {
    public var listening: ListeningRepository { ListeningRepository(database: database, clock: clock) }
}

extension Application {
    var listeningJob: ListeningJob { ListeningJob(repositories: repositories, services: kring) }
}
