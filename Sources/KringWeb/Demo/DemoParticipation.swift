import Foundation
import KringCore
import KringStore

/// Events, polls and ideas for the demo, so the calendar, trial balloons and the feedback loop have something to show.
extension DemoCommunity {
    static let demoEvents:
        [(title: String, description: String, daysFromNow: Double, hours: Double, location: String, online: String, capacity: Int?)] = [
            (
                "Energiecafé: zonnepanelen op een huurwoning",
                "Wat mag je als huurder? Onze adviseur vertelt en **beantwoordt je vragen**. Koffie staat klaar.",
                -40, 2, "Buurthuis De Kroon, Utrecht", "", 30
            ),
            (
                "Online spreekuur dynamische contracten", "Een half uur vragen stellen over uurprijzen en je slimme meter.", -12, 1, "",
                "https://meet.example.org/spreekuur", nil
            ),
            (
                "Warmtescan-avond", "We lopen samen met een warmtecamera door de wijk en bespreken waar het lekt.", 6, 2.5,
                "Startpunt: Oudwijkerdwarsstraat 1, Utrecht", "", 12
            ),
            (
                "Ledenavond: de plannen voor 2027", "De coöperatie laat zien wat er komt en vraagt wat jij belangrijk vindt.", 21, 2,
                "Buurthuis De Kroon, Utrecht", "https://meet.example.org/ledenavond", 80
            ),
        ]

    static let demoIdeas: [(title: String, description: String, tags: [String], department: Int, status: IdeaStatus?, response: String?)] =
        [
            (
                "Laat het verbruik per uur zien in de app", "Met een dynamisch contract wil ik zien wanneer ik het meest verbruik.",
                ["app", "dynamisch contract"], 0, .planned, "Goed idee! We bouwen dit in het voorjaar; leden uit de pilot testen mee."
            ),
            (
                "Een vast aanspreekpunt voor huurders", "Huurders hebben andere vragen dan kopers. Eén contactpersoon zou helpen.",
                ["huurders"], 1, .underReview, "We bekijken met de klantenservice hoe we dit kunnen organiseren."
            ),
            (
                "Samen inkopen van isolatiemateriaal", "Als buurt kunnen we korting krijgen bij de bouwmarkt.",
                ["isolatie", "buurtinitiatief"], 2, nil, nil
            ),
            (
                "Factuur op papier afschaffen", "Scheelt papier en kosten.", ["factuur"], 1, .declined,
                "Sommige leden hebben geen e-mail; papier blijft daarom mogelijk, maar digitaal wordt de standaard."
            ),
        ]

    static let demoDepartments: [(name: String, description: String)] = [
        ("Product", "De app, het klantportaal en nieuwe diensten."),
        ("Klantenservice", "Vragen, klachten en facturen."),
        ("Buurtprojecten", "Initiatieven in de wijken."),
    ]

    /// Adds events with RSVPs and check-ins, a poll with votes, and ideas routed to departments with official responses.
    func fillParticipation(members: [Member], random: inout SeededRandom) async throws -> (events: Int, polls: Int, ideas: Int) {
        let active = members.filter { $0.status == .active }
        guard active.count > 10 else { return (0, 0, 0) }
        let manager = active[1]
        func at(_ date: Date) -> Repositories { Repositories(database: repositories.database, clock: .fixed(date)) }

        for plan in Self.demoEvents {
            let startsAt = Calendar(identifier: .gregorian).startOfDay(for: now.addingTimeInterval(plan.daysFromNow * 86_400))
                .addingTimeInterval(18.5 * 3_600)
            let created = min(now, startsAt.addingTimeInterval(-30 * 86_400))
            let event = try await at(created).events.create(
                EventDraft(
                    groupID: nil, title: plan.title, description: plan.description, startsAt: startsAt,
                    endsAt: startsAt.addingTimeInterval(plan.hours * 3_600), timeZone: "Europe/Amsterdam", location: plan.location,
                    onlineURL: plan.online, capacity: plan.capacity),
                by: manager)
            let attendees = active.shuffled(using: &random).prefix((plan.capacity ?? 20) + 3)
            for attendee in attendees where attendee.id != manager.id {
                let answer: RSVPStatus = random.next() % 5 == 0 ? .maybe : .going
                let status = try await at(created.addingTimeInterval(86_400)).events.rsvp(event.id, member: attendee, answer)
                // Past events: most of those who said yes came.
                if plan.daysFromNow < 0, status == .going, random.next() % 4 != 0 {
                    try await at(startsAt).events.checkIn(event.id, memberID: attendee.id, true)
                }
            }
        }

        let pollID = try await at(now.addingTimeInterval(-5 * 86_400)).polls.create(
            NewPoll(
                topicID: nil, groupID: nil, question: "Welk onderwerp wil je op de volgende ledenavond bespreken?",
                options: ["Thuisbatterijen", "Warmtepompen", "Samen inkopen", "Zonnepanelen op scholen"], allowsMultiple: true,
                isAnonymous: false, resultsVisibility: .afterVote, closesAt: now.addingTimeInterval(14 * 86_400)),
            by: manager)
        if let poll = try await repositories.polls.find(pollID, viewer: Viewer.load(manager.actor, on: repositories.database)) {
            for voter in active.shuffled(using: &random).prefix(active.count / 4) {
                let first = poll.options[min(poll.options.count - 1, Int(random.pareto(alpha: 1.2)) - 1)].id
                let second = poll.options.randomElement(using: &random)!.id
                try await repositories.polls.vote(pollID, choices: [first, second], by: voter)
            }
        }

        for department in Self.demoDepartments {
            try await repositories.ideas.saveDepartment(name: department.name, description: department.description)
        }
        let departments = try await repositories.ideas.departments()
        for department in departments { try await repositories.ideas.setLiaison(manager.id, of: department.id, true) }
        for (index, plan) in Self.demoIdeas.enumerated() {
            let submitted = now.addingTimeInterval(-Double(60 - index * 12) * 86_400)
            let author = active[(index * 7 + 11) % active.count]
            let ideaID = try await at(submitted).ideas.submit(title: plan.title, description: plan.description, tags: plan.tags, by: author)
            for voter in active.shuffled(using: &random).prefix(min(active.count / 5, Int(random.pareto(alpha: 0.8) * 4)))
            where voter.id != author.id {
                try await at(submitted.addingTimeInterval(2 * 86_400)).ideas.vote(ideaID, by: voter, true)
            }
            guard let status = plan.status, let response = plan.response else { continue }
            let department = departments.first { $0.name == Self.demoDepartments[plan.department].name }!
            try await at(submitted.addingTimeInterval(3 * 86_400)).ideas.route(ideaID, to: department.id, by: manager.actor)
            try await at(submitted.addingTimeInterval(6 * 86_400)).ideas.comment(
                ideaID, body: response, html: UserMarkdown.render(response).html, official: true, status: status, by: manager)
        }
        return (Self.demoEvents.count, 1, Self.demoIdeas.count)
    }
}
