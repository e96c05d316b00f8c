// swift-format-ignore-file: LineLength

import Foundation
import KringCore
import KringStore

/// The groups and conversations of the demo community: a year of questions, answers and
/// discussions, spread over groups of every visibility.
extension DemoCommunity {
    struct DemoGroup {
        let name: String
        let description: String
        let welcome: String
        let visibility: GroupVisibility
        let archived: Bool
        let topics: [(title: String, body: String, kind: TopicKind, tags: [String])]
    }

    static let groups: [DemoGroup] = [
        DemoGroup(
            name: "Zonnepanelen", description: "Alles over zonnepanelen: offertes, opbrengst, omvormers en terugleveren.",
            welcome: "Welkom bij de zonnepanelengroep! Vertel in een eerste bericht hoe je dak ligt en wat je wilt weten.",
            visibility: .open,
            archived: false,
            topics: [
                (
                    "Hoeveel panelen passen op een rijtjeshuis?", "Ons dak is zuid-oost, ongeveer 30 m². Hoeveel panelen is verstandig?",
                    .question, ["zonnepanelen"]
                ),
                (
                    "Omvormer geeft foutcode E21", "Sinds gisteren knippert de omvormer met **E21**. Iemand ervaring?", .question,
                    ["omvormer", "storing"]
                ),
                (
                    "Opbrengst in november valt tegen", "Is 40 kWh in november normaal voor 10 panelen?", .discussion,
                    ["zonnepanelen", "opbrengst"]
                ),
                (
                    "Salderingsregeling verdwijnt: wat nu?", "Wat betekent het einde van salderen voor onze terugverdientijd?", .discussion,
                    ["saldering", "subsidies"]
                ),
                (
                    "Offerte vergelijken: 3 installateurs", "Ik heb drie offertes tussen €4.800 en €6.900. Waar let je op?", .question,
                    ["offerte", "zonnepanelen"]
                ),
                ("Panelen schoonmaken: ja of nee?", "Heeft schoonmaken echt zin, of doet de regen het werk?", .discussion, ["onderhoud"]),
            ]),
        DemoGroup(
            name: "Warmtepompen", description: "Hybride of volledig elektrisch? Ervaringen, vragen en tips over warmtepompen.",
            welcome: "Fijn dat je er bent. Zoek eerst even of je vraag al gesteld is — en anders: stel hem gerust!", visibility: .open,
            archived: false,
            topics: [
                (
                    "Hybride warmtepomp in een jaren-30 woning?", "Ons huis is uit 1932, spouwmuur geïsoleerd. Is hybride verstandig?",
                    .question, ["warmtepomp", "isolatie"]
                ),
                (
                    "Which heat pump is quietest?", "Our neighbours worry about noise. Any models you can recommend?", .question,
                    ["warmtepomp", "heat pumps"]
                ),
                (
                    "Stookgrens en aanvoertemperatuur instellen", "Welke stooklijn gebruiken jullie bij lage temperatuurverwarming?",
                    .discussion, ["warmtepomp", "instellingen"]
                ),
                (
                    "ISDE-subsidie aangevraagd: zo ging het", "Een stap-voor-stap verslag van mijn aanvraag.", .discussion,
                    ["subsidies", "warmtepomp"]
                ),
                (
                    "Warmtepomp en vloerverwarming in de badkamer", "Wordt de badkamer warm genoeg met een warmtepomp?", .question,
                    ["vloerverwarming"]
                ),
            ]),
        DemoGroup(
            name: "Isolatie & ventilatie", description: "Spouwmuur, vloer, dak en ventilatie: wat levert het meeste op?",
            welcome: "Welkom! Foto's van je situatie helpen anderen je goed te adviseren.", visibility: .closed, archived: false,
            topics: [
                ("Vloerisolatie met schuim of folie?", "Kruipruimte van 40 cm. Wat raden jullie aan?", .question, ["isolatie"]),
                (
                    "Condens op de ramen na het isoleren", "Sinds de spouwmuurisolatie is er veel condens. Ventilatie?", .question,
                    ["ventilatie", "isolatie"]
                ),
                (
                    "Ervaringen met dakisolatie van binnenuit", "Wie heeft het zelf gedaan en hoe ging dat?", .discussion,
                    ["isolatie", "zelf doen"]
                ),
            ]),
        DemoGroup(
            name: "Vrijwillige energiecoaches",
            description: "Voor de energiecoaches van de coöperatie: planning, vragen uit huisbezoeken en kennisdeling.",
            welcome: "Welkom in het team! Lees eerst het bericht 'Zo werkt een huisbezoek'.", visibility: .closed, archived: false,
            topics: [
                ("Zo werkt een huisbezoek", "Een checklist voor je eerste huisbezoek als energiecoach.", .discussion, ["energiecoach"]),
                ("Rooster december", "Wie kan er op zaterdag 14 december in Overvecht?", .discussion, ["planning"]),
                (
                    "Vraag uit huisbezoek: tochtstrips bij draaikiepramen", "Welke tochtstrips gebruiken jullie bij oude kozijnen?",
                    .question, ["energiecoach", "tocht"]
                ),
            ]),
        DemoGroup(
            name: "Bestuur en kerngroep", description: "Overleg van het bestuur en de kerngroep van Energie Samen.",
            welcome: "Welkom in de kerngroep. Vertrouwelijke stukken staan alleen hier.", visibility: .secret, archived: false,
            topics: [
                (
                    "Begroting 2027 — concept", "Het concept voor de begroting staat klaar. Graag reacties voor vrijdag.", .discussion,
                    ["bestuur"]
                ),
                (
                    "Gesprek met de gemeente over het warmtenet", "Verslag van het gesprek van dinsdag.", .discussion,
                    ["warmtenet", "gemeente"]
                ),
            ]),
        DemoGroup(
            name: "Projectgroep Zonneweide 2025", description: "De projectgroep van de zonneweide aan de Noordweg (afgerond).",
            welcome: "", visibility: .secret, archived: true,
            topics: [
                ("Eindverslag zonneweide", "De zonneweide is opgeleverd. Dank aan iedereen die meehielp!", .discussion, ["zonneweide"])
            ]),
    ]

    static let communityTopics: [(title: String, body: String, kind: TopicKind, tags: [String])] = [
        ("Even voorstellen!", "Nieuw hier? Vertel wie je bent en wat je hoopt te vinden in de community.", .discussion, ["voorstellen"]),
        ("Hoe werkt lid worden van de coöperatie?", "Wat kost het en wat krijg ik ervoor?", .question, ["lidmaatschap"]),
        (
            "Energie besparen als huurder", "Ik huur en mag niet verbouwen. Welke tips hebben jullie?", .question,
            ["energiebesparing", "huurders"]
        ),
        (
            "Dynamisch energiecontract: ervaringen?", "Wie heeft een dynamisch contract en is het bevallen?", .discussion,
            ["dynamisch contract"]
        ),
        ("Welcome — English speakers", "A place for members who prefer English. Ask anything!", .discussion, ["english"]),
    ]

    static let replies = [
        "Goede vraag! Bij ons werkte het prima, maar laat vooral eerst een warmtescan maken.",
        "Ik had precies hetzelfde. De installateur heeft het binnen een week opgelost.",
        "Kijk ook eens op de pagina met veelgestelde vragen, daar staat veel uitleg.",
        "Wij hebben het vorig jaar gedaan en de terugverdientijd valt mee: ongeveer zeven jaar.",
        "Let op de garantievoorwaarden, die verschillen nogal per leverancier.",
        "Thanks, this helped a lot! We went for the hybrid option in the end.",
        "Ik kan je de contactgegevens van onze installateur sturen als je wilt.",
        "Misschien iets voor een huisbezoek door een van de energiecoaches?",
        "Mooi verslag, dank voor het delen!",
        "Ik twijfel nog, maar dit maakt het wel duidelijker.",
        "Bij ons in de straat hebben vijf huizen dit samen laten doen, dat scheelde flink in de prijs.",
        "In my experience the noise is less than a fridge at 3 metres.",
    ]

    /// Creates the groups, memberships and a year of conversations. Returns (topics, replies).
    func fillConversations(members: [Member], random: inout SeededRandom, start: Date) async throws -> (Int, Int) {
        let active = members.filter { $0.status == .active }
        guard let admin = active.first, active.count > 4 else { return (0, 0) }
        var topicCount = 0
        var replyCount = 0
        let span = now.timeIntervalSince(start)
        func at(_ date: Date) -> Repositories { Repositories(database: repositories.database, clock: .fixed(date)) }

        var spaces:
            [(group: Group?, members: [Member], topics: [(title: String, body: String, kind: TopicKind, tags: [String])], archived: Bool)] =
                []
        for (index, plan) in Self.groups.enumerated() {
            let created = start.addingTimeInterval(Double(index) * 86_400 * 3)
            let owner = index < 2 ? active[1] : active[min(index, active.count - 1)]
            let group = try await at(created).groups.create(
                NewGroup(name: plan.name, description: plan.description, welcomeMessage: plan.welcome, visibility: plan.visibility),
                by: owner.actor)
            // Heavy-tailed group sizes: open groups draw many members, secret ones a few.
            let size = plan.visibility == .open ? active.count / 3 : plan.visibility == .closed ? active.count / 8 : 6
            var chosen = [owner]
            for member in active.shuffled(using: &random).prefix(size) where member.id != owner.id { chosen.append(member) }
            if plan.visibility == .secret, !chosen.contains(where: { $0.id == admin.id }) { chosen.append(admin) }
            for member in chosen.dropFirst() {
                let joined = created.addingTimeInterval(Double.random(in: 0..<max(1, now.timeIntervalSince(created) * 0.8), using: &random))
                try await at(joined).groups.setMembership(group.id, memberID: member.id, role: .member, status: .active, invitedBy: nil)
            }
            spaces.append((group, chosen, plan.topics, plan.archived))
        }
        spaces.append((nil, active, Self.communityTopics, false))

        for space in spaces {
            for (index, topic) in space.topics.enumerated() {
                let position = (Double(index) + Double.random(in: 0..<1, using: &random)) / Double(space.topics.count)
                let posted = start.addingTimeInterval(span * (0.1 + 0.85 * position))
                let author = space.members[Int.random(in: 0..<space.members.count, using: &random)]
                let topicID = try await at(posted).topics.create(
                    NewTopic(groupID: space.group?.id, title: topic.title, kind: topic.kind, body: topic.body, tags: topic.tags),
                    rendered: UserMarkdown.render(topic.body), by: author)
                topicCount += 1
                // Response times: most within hours, some after days, a few never.
                let replies = random.next() % 7 == 0 ? 0 : min(12, Int(random.pareto(alpha: 1.3) * 2))
                var moment = posted
                var firstReplyNumber: Int?
                for _ in 0..<replies {
                    moment = moment.addingTimeInterval(3600 * random.pareto(alpha: 1.1))
                    guard moment < now else { break }
                    let replier = space.members[Int.random(in: 0..<space.members.count, using: &random)]
                    let text = Self.replies.randomElement(using: &random)!
                    let number = try await at(moment).topics.reply(
                        to: topicID, body: text, rendered: UserMarkdown.render(text), replyTo: nil, by: replier)
                    if replier.id != author.id, firstReplyNumber == nil { firstReplyNumber = number }
                    replyCount += 1
                }
                if let page = try await repositories.topics.page(
                    topicID: topicID, viewer: Viewer(actor: admin.actor, activeGroupIDs: [], invitedGroupIDs: []),
                    render: UserMarkdown.renderer,
                    currentRenderVersion: UserMarkdown.version)
                {
                    for post in page.posts where random.next() % 3 == 0 {
                        let reactor = space.members[Int.random(in: 0..<space.members.count, using: &random)]
                        let kind = ReactionKind.allCases.randomElement(using: &random)!
                        try await at(min(now, post.createdAt.addingTimeInterval(7200))).topics.react(
                            postID: post.id, kind: kind, on: true, by: reactor)
                    }
                    if topic.kind == .question, let number = firstReplyNumber, random.next() % 3 != 0,
                        let answer = page.posts.first(where: { $0.number == number })
                    {
                        try await at(min(now, answer.createdAt.addingTimeInterval(86_400))).topics.acceptAnswer(
                            topicID: topicID, postID: answer.id, by: author.actor)
                    }
                }
            }
            if space.archived, let group = space.group {
                try await at(now.addingTimeInterval(-30 * 86_400)).groups.setArchived(group.id, true, by: admin.actor)
            }
        }
        try await repositories.navigation.savePage(
            slug: "start-here", title: "Begin hier",
            body: """
                Welkom bij **Energie Samen**! Zo haal je het meeste uit de community:

                1. Vertel wie je bent in je [profiel](/settings/profile).
                2. Word lid van een [groep](/groups) die bij je past.
                3. Stel je voor in het onderwerp *Even voorstellen!* of stel meteen je vraag.

                Lees ook de [huisregels](/p/huisregels).
                """)
        try await repositories.navigation.savePage(
            slug: "huisregels", title: "Huisregels",
            body: """
                - Wees vriendelijk en ga ervan uit dat de ander het goed bedoelt.
                - Deel geen persoonsgegevens van anderen.
                - Reclame alleen na overleg met de communitymanager.
                - Zie je iets dat niet klopt? Meld het bij een moderator.
                """)
        try await repositories.navigation.addMenuItem(labelEN: "Start here", labelNL: "Begin hier", path: "/p/start-here")
        try await repositories.navigation.addMenuItem(labelEN: "House rules", labelNL: "Huisregels", path: "/p/huisregels")
        return (topicCount, replyCount)
    }
}
