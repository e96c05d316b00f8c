import Foundation
import KringCore
import KringStore

/// The community manager's tools with something in them: a content plan, watched terms, insights,
/// badge rules, a member in the spotlight and a note for the member update.
extension DemoCommunity {
    static let demoPlan: [(title: String, kind: ContentItemKind, status: ContentItemStatus, days: Double?, body: String)] = [
        ("Terugblik: het energiecafé over huurwoningen", .post, .published, -9, "Wat we leerden over zonnepanelen op huurwoningen."),
        (
            "Nieuwe huisregels: zo houden we het gezellig", .announcement, .scheduled, 2,
            "We hebben de huisregels aangescherpt. **Lees ze even door** voor je reageert."
        ),
        (
            "Vraag van de week: wat levert jouw warmtepomp op?", .post, .scheduled, 5,
            "Deel je verbruik van deze winter en vergelijk met anderen."
        ),
        ("Uitleg dynamische contracten in vijf minuten", .post, .draft, 12, "Concept: Joost schrijft een korte uitleg."),
        ("Interview met een energiecoach", .post, .idea, nil, ""),
    ]

    /// Fills the cockpit's tools; returns how many items each got.
    func fillCockpitTools(members: [Member]) async throws -> (plan: Int, terms: Int, insights: Int) {
        guard let sanne = members.first(where: { $0.handle == "sanne" }), let amira = members.first(where: { $0.handle == "amira" })
        else { return (0, 0, 0) }
        for (title, kind, status, days, body) in Self.demoPlan {
            let moment = days.map {
                Calendar(identifier: .iso8601).startOfDay(for: now.addingTimeInterval($0 * 86_400)).addingTimeInterval(10 * 3600)
            }
            try await repositories.contentCalendar.save(
                ContentItem(
                    title: title, kind: kind, status: status, ownerID: sanne.id, groupID: nil, scheduledAt: moment, body: body,
                    publishedAt: status == .published ? moment : nil, createdAt: now, updatedAt: now))
        }
        let terms: [(String, WatchedTermKind, Bool)] = [
            ("warmtepomp", .word, true), ("salderingsregeling", .word, false), ("dynamisch contract", .phrase, false),
            ("subsidies", .tag, false),
        ]
        for (term, kind, alerts) in terms {
            _ = try await repositories.listening.add(
                WatchedTerm(term: term, kind: kind, alerts: alerts, createdByID: sanne.id, createdAt: now))
        }
        // Three posts the team marked: a problem, a wish and a success.
        let latest = try await repositories.topics.list(
            viewer: Viewer(actor: sanne.actor, activeGroupIDs: [], invitedGroupIDs: []), limit: 12)
        var insights = 0
        for (topic, kind) in zip(latest.topics.prefix(3), [InsightKind.problem, .wish, .success]) {
            guard let postID = try await repositories.topics.postID(topicID: topic.id, number: 1) else { continue }
            try await repositories.listening.mark(
                Insight(postID: postID, topicID: topic.id, kind: kind, note: "", createdByID: sanne.id, createdAt: now))
            insights += 1
        }
        try await repositories.badges.add(BadgeRule(name: "Vraagbaak", level: .silver, metric: .replies, threshold: 25), at: now)
        try await repositories.badges.add(BadgeRule(name: "Helper", level: .bronze, metric: .acceptedAnswers, threshold: 3), at: now)
        try await repositories.badges.applyRules(at: now)
        try await repositories.badges.award([
            NewBadge(memberID: amira.id, name: "Gastvrouw", level: .gold, awardedAt: now, source: "hand:sanne")
        ])
        try await repositories.strategy.setSettings([
            Spotlight.handleSetting: amira.handle,
            Spotlight.textSetting: "Amira verwelkomt elke nieuwe huurder en weet alles van energie besparen zonder verbouwing.",
            MemberUpdateSettings.noteSetting: "Op de ledenavond presenteren we de plannen voor 2027. Kom je ook?",
        ])
        return (Self.demoPlan.count, terms.count, insights)
    }
}
