import Foundation
import KringCore
import KringStore

/// Fills an empty database with a believable community: an energy co-operative whose customers,
/// volunteers and staff meet online. Deterministic, so screenshots and tests see the same people.
public struct DemoCommunity: Sendable {
    public static let password = "kring-demo-2026"

    /// The accounts printed after `kring demo`, with what each is for.
    public static let logins: [(handle: String, role: String)] = [
        ("demo-admin", "admin"), ("sanne", "manager (community manager)"), ("joost", "moderator"), ("amira", "member"),
    ]

    let repositories: Repositories
    let memberCount: Int
    let now: Date
    let progress: @Sendable (String) -> Void

    /// Where demo documents' files go; without one the demo has no documents.
    let fileStorage: (any FileStorage)?

    public init(
        repositories: Repositories, memberCount: Int = 300, now: Date = Date(), fileStorage: (any FileStorage)? = nil,
        progress: @escaping @Sendable (String) -> Void
    ) {
        self.repositories = repositories
        self.fileStorage = fileStorage
        self.memberCount = memberCount
        self.now = now
        self.progress = progress
    }

    static let firstNames = [
        "Anna", "Bram", "Chantal", "Daan", "Eva", "Fleur", "Gijs", "Hanna", "Ilse", "Jesse", "Kim", "Lars", "Maud", "Niels",
        "Olivia", "Pieter", "Quinten", "Roos", "Sem", "Tess", "Umut", "Vera", "Wouter", "Yara", "Zoë", "Mohamed", "Fatima",
        "Priya", "Lucas", "Emma", "Noah", "Julia", "Milan", "Sophie", "Thijs", "Lotte", "Ruben", "Iris", "Kees", "Marieke",
        "Ahmet", "Ayşe", "Wei", "Mei", "Jan", "Els", "Femke", "Hugo", "Nina", "Otto",
    ]
    static let lastNames = [
        "de Vries", "Jansen", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos",
        "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Smits", "Yilmaz", "El Amrani",
        "Kaya", "Chen", "Wang", "Singh", "Martens", "Kuipers", "Verhoeven", "Postma",
    ]
    static let organisations = [
        "", "", "", "Gemeente Utrecht", "Woningcorporatie Thuis", "Installatiebedrijf Groen", "Hogeschool Utrecht",
        "Buurtvereniging Oost", "Zelfstandig adviseur", "Energieloket", "Stichting Wijkkracht", "Netbeheerder Midden",
        "Freelance developer", "Basisschool De Regenboog",
    ]
    static let interests = [
        "zonnepanelen", "warmtepomp", "isolatie", "thuisbatterij", "laadpaal", "energiebesparing", "duurzaamheid",
        "buurtinitiatief", "subsidies", "windenergie", "dynamisch contract", "elektrisch rijden", "vloerverwarming",
        "ventilatie", "groene daken", "energiecoöperatie", "slimme meter", "warmtenet", "klimaatadaptatie", "circulair bouwen",
        "heat pumps", "solar", "home insulation", "community energy",
    ]
    static let bios = [
        "Ik woon sinds 2015 in een jaren-dertigwoning en ben stap voor stap aan het verduurzamen.",
        "Technisch nieuwsgierig. Vraag me gerust iets over omvormers en terugleveren.",
        "Vrijwilliger bij de energiecoöperatie; ik help buren met hun eerste stappen.",
        "We hebben vorig jaar een hybride warmtepomp laten plaatsen en delen graag onze ervaringen.",
        "Moved to Utrecht for work; learning Dutch and learning about heat pumps at the same time.",
        "Energiecoach in de wijk. Koffie en een warmtescan gaan prima samen.",
        "Installer by trade. Happy to explain what a quote should include.",
        "Ik zoek mensen in Oost die samen zonnepanelen op het schooldak willen.",
        "",
        "",
    ]

    /// Creates the community, its people and months of visits. Returns the number of members made.
    @discardableResult
    public func fill(passwordHash: String) async throws -> Int {
        var random = SeededRandom(seed: 2026)
        let start = now.addingTimeInterval(-365 * 86_400)
        progress("Creating the community…")
        let settings = CommunitySettings(
            name: "Energie Samen", tagline: "Samen werken aan schone energie in de buurt", defaultLanguage: .nl,
            registrationMode: .open, readAccess: .public)
        let admin = try await repositories.community.setUp(
            settings,
            administrator: NewMember(
                handle: "demo-admin", displayName: "Demo Admin", email: "admin@demo.kring.example", passwordHash: passwordHash,
                role: .admin, isStaff: true,
                profile: MemberProfile(bio: "Beheerder van deze demo.", organisation: "Energie Samen", preferredLanguage: .nl)))

        let named: [(String, String, Role, Bool, String, [String])] = [
            (
                "sanne", "Sanne Bakker", .manager, true,
                "Community manager bij Energie Samen. Ik verbind leden met elkaar en met onze afdelingen.",
                ["buurtinitiatief", "energiecoöperatie", "duurzaamheid"]
            ),
            (
                "joost", "Joost de Groot", .moderator, true, "Ik modereer de forums en beantwoord vragen over facturen.",
                ["dynamisch contract", "slimme meter"]
            ),
            (
                "amira", "Amira El Amrani", .member, false, "Huurder in Overvecht, bezig met energie besparen zonder grote verbouwing.",
                ["energiebesparing", "subsidies", "isolatie"]
            ),
        ]
        var members: [Member] = [admin]
        for (index, person) in named.enumerated() {
            let joined = start.addingTimeInterval(Double(index + 1) * 86_400)
            members.append(
                try await repositories.members.create(
                    NewMember(
                        handle: person.0, displayName: person.1, email: "\(person.0)@demo.kring.example", passwordHash: passwordHash,
                        role: person.2, isStaff: person.3,
                        profile: MemberProfile(
                            bio: person.4, organisation: person.3 ? "Energie Samen" : "", interests: person.5,
                            expertise: Array(person.5.prefix(1)), preferredLanguage: .nl)),
                    at: joined))
        }

        progress("Creating \(memberCount) members…")
        var usedHandles = Set(members.map(\.handle))
        for index in 0..<max(0, memberCount - members.count) {
            let first = Self.firstNames.randomElement(using: &random)!
            let last = Self.lastNames.randomElement(using: &random)!
            var handle = Self.handle(first: first, last: last)
            while usedHandles.contains(handle) { handle += String(Int.random(in: 1...9, using: &random)) }
            usedHandles.insert(handle)
            // Growth accelerates: more members joined in recent months.
            let position = pow(Double.random(in: 0..<1, using: &random), 0.7)
            let joined = start.addingTimeInterval(position * now.timeIntervalSince(start))
            let interestCount = Int.random(in: 0...4, using: &random)
            let interests = (0..<interestCount).map { _ in Self.interests[min(Self.interests.count - 1, Int(random.pareto(alpha: 1.1)) - 1)]
            }
            let expertise = random.next() % 5 == 0 ? Array(Set(interests).prefix(1)) : []
            let isStaff = index % 37 == 0
            let status: MemberStatus = index >= memberCount - 8 && index % 3 == 0 ? .pending : .active
            members.append(
                try await repositories.members.create(
                    NewMember(
                        handle: handle, displayName: "\(first) \(last)", email: "\(handle)@demo.kring.example", passwordHash: passwordHash,
                        isStaff: isStaff, status: status,
                        profile: MemberProfile(
                            bio: Self.bios.randomElement(using: &random)!,
                            organisation: isStaff ? "Energie Samen" : Self.organisations.randomElement(using: &random)!,
                            interests: Array(Set(interests)).sorted(), expertise: expertise,
                            preferredLanguage: random.next() % 4 == 0 ? .en : .nl)),
                    at: joined))
            if (index + 1) % 50 == 0 { progress("  \(index + 1 + named.count + 1) members") }
        }

        progress("Recording months of visits…")
        var events: [NewActivityEvent] = []
        for member in members where member.status == .active {
            // Heavy-tailed: most members visit a few times, a few visit almost daily.
            let span = now.timeIntervalSince(member.createdAt)
            guard span > 0 else { continue }
            // A visit is a member's first request of a day: at most one a day.
            let days = Int(span / 86_400) + 1
            let visits = min(days, Int(random.pareto(alpha: 0.9) * 3) - 2)
            var visitedDays = Set<Int>()
            while visitedDays.count < max(0, visits) { visitedDays.insert(Int(random.next() % UInt64(days))) }
            for day in visitedDays {
                let at = member.createdAt.addingTimeInterval(min(span - 1, Double(day) * 86_400 + Double(random.next() % 36_000)))
                events.append(NewActivityEvent(kind: .visit, by: member, occurredAt: at))
            }
        }
        try await repositories.activity.recordBatch(events)
        progress("  \(events.count) visits")

        progress("Starting groups and a year of conversations…")
        let (topics, replies) = try await fillConversations(members: members, random: &random, start: start)
        progress("  \(Self.groups.count) groups, \(topics) topics, \(replies) replies")
        progress("Planning events, a poll and ideas…")
        let participation = try await fillParticipation(members: members, random: &random)
        progress("  \(participation.events) events, \(participation.polls) poll, \(participation.ideas) ideas")
        progress("Sharing documents…")
        progress("  \(try await fillDocuments(members: members)) documents")
        progress("Filling the community manager's tools…")
        let tools = try await fillCockpitTools(members: members)
        progress("  \(tools.plan) calendar items, \(tools.terms) watched terms, \(tools.insights) insights")
        try await repositories.members.fillLastSeenFromActivity()
        return members.count
    }

    /// A handle from a name: lower-case ASCII letters, no spaces.
    static func handle(first: String, last: String) -> String {
        let base = (first + "-" + last.split(separator: " ").last.map(String.init)!).lowercased()
            .folding(options: .diacriticInsensitive, locale: Locale(identifier: "en"))
        return String(base.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }.prefix(28))
    }
}
