import Foundation
import KringCore
import KringStore
import KringTestSupport
import Testing
import Vapor

@testable import KringWeb

@Suite("Events and ideas API")
struct ParticipationAPITests {
    @discardableResult
    private func send(_ app: Application, _ method: HTTPMethod, _ path: String, _ token: String?, _ json: String?) async throws -> (
        status: HTTPStatus, object: [String: Any]
    ) {
        try await SpacesAPITests.send(app, method, path, token: token, json: json)
    }

    @Test func answeringAFullEventWaitlistsAndCancellingPromotes() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            let org = try await TestAccounts.member(app, handle: "org")
            for handle in ["anna", "bram"] { try await TestAccounts.member(app, handle: handle) }
            let start = Date().addingTimeInterval(7 * 86_400)
            let event = try await app.repositories.events.create(
                EventDraft(
                    groupID: nil, title: "Warmtescan-avond", description: "Met de **camera** door de wijk.", startsAt: start,
                    endsAt: start.addingTimeInterval(7_200), timeZone: "Europe/Amsterdam", location: "Buurthuis", onlineURL: "", capacity: 1
                ),
                by: org)
            let anna = try await APITests.token(app, login: "anna")
            let bram = try await APITests.token(app, login: "bram")
            let path = "/api/v1/events/\(event.id.uuidString.lowercased())"

            let list = try await send(app, .GET, "/api/v1/events", nil, nil)
            #expect((list.object["events"] as? [[String: Any]])?.map { $0["title"] as? String } == ["Warmtescan-avond"])
            #expect(try await send(app, .POST, "\(path)/rsvp", anna, #"{"status":"waitlisted"}"#).status == .unprocessableEntity)
            #expect(try await send(app, .POST, "\(path)/rsvp", nil, #"{"status":"going"}"#).status == .unauthorized)
            let going = try await send(app, .POST, "\(path)/rsvp", anna, #"{"status":"going"}"#)
            #expect(going.object["myStatus"] as? String == "going")
            let waiting = try await send(app, .POST, "\(path)/rsvp", bram, #"{"status":"going"}"#)
            #expect(waiting.object["myStatus"] as? String == "waitlisted", "the event is full")
            #expect(waiting.object["waitlistCount"] as? Int == 1)
            try await send(app, .POST, "\(path)/rsvp", anna, #"{"status":"not_going"}"#)
            let promoted = try await send(app, .GET, path, bram, nil)
            #expect(promoted.object["myStatus"] as? String == "going", "bram moved up when anna cancelled")
            #expect(try await send(app, .GET, "/api/v1/events?past=soon", nil, nil).status == .badRequest)
            #expect(try await send(app, .GET, "/api/v1/events/\(UUID())", bram, nil).status == .notFound)
        }
    }

    @Test func groupEventsStayInsideTheGroup() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            let org = try await TestAccounts.member(app, handle: "org")
            try await TestAccounts.member(app, handle: "outsider")
            let group = try await app.repositories.groups.create(
                NewGroup(name: "Kerngroep", description: "", welcomeMessage: "", visibility: .secret), by: org.actor)
            let start = Date().addingTimeInterval(86_400)
            let event = try await app.repositories.events.create(
                EventDraft(
                    groupID: group.id, title: "Geheim overleg", description: "", startsAt: start, endsAt: start.addingTimeInterval(3_600),
                    timeZone: "Europe/Amsterdam", location: "", onlineURL: "", capacity: nil),
                by: org)
            let outsider = try await APITests.token(app, login: "outsider")
            let list = try await send(app, .GET, "/api/v1/events", outsider, nil)
            #expect((list.object["events"] as? [Any])?.isEmpty == true)
            let path = "/api/v1/events/\(event.id.uuidString.lowercased())"
            #expect(try await send(app, .GET, path, outsider, nil).status == .notFound)
            #expect(try await send(app, .POST, "\(path)/rsvp", outsider, #"{"status":"going"}"#).status == .notFound)
            let organiser = try await APITests.token(app, login: "org")
            let seen = try await send(app, .GET, path, organiser, nil)
            #expect(seen.object["group"] as? String == group.slug)

            // Filters: by group (a secret one is no group to an outsider) and by a window of start times.
            #expect(try await send(app, .GET, "/api/v1/events?group=\(group.slug)", outsider, nil).status == .notFound)
            try await send(app, .POST, "\(path)/rsvp", organiser, #"{"status":"maybe"}"#)
            let inGroup = try await send(app, .GET, "/api/v1/events?group=\(group.slug)", organiser, nil)
            let listed = try #require((inGroup.object["events"] as? [[String: Any]])?.first)
            #expect(listed["title"] as? String == "Geheim overleg")
            #expect(listed["myStatus"] as? String == "maybe", "the list carries the caller's answer")
            let iso = ISO8601DateFormatter()
            let window =
                "from=\(iso.string(from: start.addingTimeInterval(7_200)))&to=\(iso.string(from: start.addingTimeInterval(86_400)))"
            #expect((try await send(app, .GET, "/api/v1/events?\(window)", organiser, nil).object["events"] as? [Any])?.isEmpty == true)
            #expect(try await send(app, .GET, "/api/v1/events?from=gisteren", organiser, nil).status == .badRequest)
        }
    }

    @Test func membersSubmitAndVoteForIdeas() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            for handle in ["anna", "bram"] { try await TestAccounts.member(app, handle: handle) }
            let anna = try await APITests.token(app, login: "anna")
            let bram = try await APITests.token(app, login: "bram")
            let bad = try await send(app, .POST, "/api/v1/ideas", anna, #"{"title":"Kort","description":" "}"#)
            #expect(bad.status == .unprocessableEntity)
            #expect(
                Set((bad.object["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } ?? []) == ["title", "description"])
            #expect(try await app.repositories.ideas.list().isEmpty, "nothing half-written")
            let created = try await send(
                app, .POST, "/api/v1/ideas", anna,
                #"{"title":"Laadpalen bij het buurthuis","description":"Voor deelauto's.","tags":["Mobiliteit"]}"#)
            #expect(created.status == .created)
            #expect(created.object["status"] as? String == "new")
            #expect(created.object["tags"] as? [String] == ["mobiliteit"])
            let id = try #require(created.object["id"] as? String)
            let voted = try await send(app, .POST, "/api/v1/ideas/\(id)/vote", bram, nil)
            #expect(voted.object["voteCount"] as? Int == 1)
            #expect(voted.object["myVote"] as? Bool == true)
            #expect(try await send(app, .POST, "/api/v1/ideas/\(id)/vote", bram, nil).object["voteCount"] as? Int == 1, "one vote each")
            let list = try await send(app, .GET, "/api/v1/ideas?status=new", anna, nil)
            #expect((list.object["ideas"] as? [[String: Any]])?.first?["myVote"] as? Bool == false)
            #expect(try await send(app, .GET, "/api/v1/ideas?status=someday", anna, nil).status == .unprocessableEntity)
            let withdrawn = try await send(app, .DELETE, "/api/v1/ideas/\(id)/vote", bram, nil)
            #expect(withdrawn.object["voteCount"] as? Int == 0)
        }
    }

    @Test func pollResultsShowAfterVotingAndVotesChangeUntilClosed() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            let org = try await TestAccounts.member(app, handle: "org")
            try await TestAccounts.member(app, handle: "anna")
            let pollID = try await app.repositories.polls.create(
                NewPoll(
                    topicID: nil, groupID: nil, question: "Welke avond?", options: ["Maandag", "Dinsdag"], allowsMultiple: false,
                    isAnonymous: true, resultsVisibility: .afterVote, closesAt: nil),
                by: org)
            let anna = try await APITests.token(app, login: "anna")
            let path = "/api/v1/polls/\(pollID.uuidString.lowercased())"
            let before = try await send(app, .GET, path, anna, nil)
            #expect(before.object["showsResults"] as? Bool == false)
            let options = try #require(before.object["options"] as? [[String: Any]])
            #expect(options.allSatisfy { $0["votes"] == nil }, "no counts before voting")
            let ids = options.compactMap { $0["id"] as? String }
            let both = try await send(app, .POST, "\(path)/vote", anna, #"{"options":["\#(ids[0])","\#(ids[1])"]}"#)
            #expect(both.status == .conflict, "one choice only")
            #expect(try await send(app, .POST, "\(path)/vote", anna, #"{"options":["\#(UUID())"]}"#).status == .conflict)
            #expect(try await send(app, .POST, "\(path)/vote", anna, #"{"options":[]}"#).status == .unprocessableEntity)
            try await send(app, .POST, "\(path)/vote", anna, #"{"options":["\#(ids[0])"]}"#)
            let changed = try await send(app, .POST, "\(path)/vote", anna, #"{"options":["\#(ids[1])"]}"#)
            let counts = (changed.object["options"] as? [[String: Any]])?.map { $0["votes"] as? Int }
            #expect(counts == [0, 1], "a changed vote replaces the old one")
            #expect((changed.object["options"] as? [[String: Any]])?.allSatisfy { $0["voters"] == nil } == true, "anonymous")
            #expect(changed.object["myChoices"] as? [String] == [ids[1]])
            let list = try await send(app, .GET, "/api/v1/polls", nil, nil)
            #expect((list.object["polls"] as? [Any])?.count == 1)
            try await app.repositories.polls.close(pollID)
            #expect(try await send(app, .POST, "\(path)/vote", anna, #"{"options":["\#(ids[0])"]}"#).status == .conflict)
        }
    }
}
