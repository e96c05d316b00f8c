import Foundation
import KringCore
import KringStore

/// Imports a Stack Exchange data dump into a community: members, one group, questions as question
/// topics, answers and comments as replies (in time order), accepted answers, up-votes as likes,
/// and the activity log rebuilt from the original timestamps. Every post says who wrote it with a
/// link to the original (CC BY-SA). Running it again adds only what is new.
struct StackExchangeImport {
    let repositories: Repositories
    let directory: URL
    let progress: @Sendable (String) -> Void

    struct Summary: Equatable {
        var members = 0
        var questions = 0
        var answers = 0
        var comments = 0
        var accepted = 0
        var likes = 0
        var badges = 0
        var tagsDescribed = 0
        var skipped = 0
    }

    /// The site's address, e.g. quantumcomputing.stackexchange.com, from the dump's folder name.
    var site: String { directory.standardizedFileURL.lastPathComponent }
    var source: String { "stackexchange:" + site }
    var base: String { "https://" + site }

    private struct Question {
        let id: String
        let owner: String?
        let ownerName: String?
        let created: Date
        let title: String
        let body: String
        let tags: [String]
        let acceptedAnswer: String?
    }

    private struct Reply {
        enum Kind { case answer, comment }
        let kind: Kind
        let id: String
        /// The post it belongs to: the question or answer (comments), the question (answers).
        let target: String
        let owner: String?
        let ownerName: String?
        let created: Date
        let body: String
    }

    func run() async throws -> Summary {
        var summary = Summary()
        let imports = ImportRepository(database: repositories.database, clock: repositories.clock)
        guard let admin = try await repositories.members.list(status: .active, limit: 500).first(where: { $0.role == .admin }) else {
            throw StackExchangeDump.Failure(description: "Set the community up first (kring admin create), then import into it.")
        }

        // Members.
        progress("Reading members…")
        var members = try await memberMap(imports)
        var newMembers: [(String, Member, Date, Date?)] = []
        try StackExchangeDump.rows(in: directory, file: "Users.xml") { row in
            guard let id = row["Id"], members[id] == nil, let created = StackExchangeDump.date(row["CreationDate"]) else { return }
            newMembers.append((id, Self.placeholder(for: row), created, StackExchangeDump.date(row["LastAccessDate"])))
        }
        var created: [(external: String, local: UUID)] = []
        var visits: [NewActivityEvent] = []
        for (index, entry) in newMembers.enumerated() {
            let (id, template, joined, lastSeen) = entry
            let member = try await createMember(id: id, template: template, at: joined)
            members[id] = member
            created.append((id, member.id))
            visits.append(NewActivityEvent(kind: .signup, by: member, occurredAt: joined))
            visits.append(NewActivityEvent(kind: .visit, by: member, occurredAt: joined))
            if let lastSeen, lastSeen > joined {
                visits.append(NewActivityEvent(kind: .visit, by: member, occurredAt: lastSeen))
            }
            if (index + 1) % 500 == 0 || index + 1 == newMembers.count {
                progress(ProgressBar.line("members", index + 1, of: newMembers.count))
            }
        }
        try await imports.remember(source: source, kind: "member", created)
        summary.members = created.count

        // The group.
        let group = try await siteGroup(imports, admin: admin, since: newMembers.map(\.2).min() ?? repositories.clock.now())

        // Questions, answers and comments.
        progress("Reading posts and comments…")
        var questions: [Question] = []
        var answers: [Reply] = []
        var questionOf: [String: String] = [:]
        var tagExcerpts: [String: String] = [:]
        try StackExchangeDump.rows(in: directory, file: "Posts.xml") { row in
            guard let id = row["Id"], let created = StackExchangeDump.date(row["CreationDate"]) else { return }
            switch row["PostTypeId"] {
            case "1":
                questions.append(
                    Question(
                        id: id, owner: row["OwnerUserId"], ownerName: row["OwnerDisplayName"], created: created, title: row["Title"] ?? "",
                        body: HTMLToMarkdown.convert(row["Body"] ?? ""), tags: StackExchangeDump.tags(row["Tags"]),
                        acceptedAnswer: row["AcceptedAnswerId"]))
                questionOf[id] = id
            case "2":
                guard let parent = row["ParentId"] else { return }
                answers.append(
                    Reply(
                        kind: .answer, id: id, target: parent, owner: row["OwnerUserId"], ownerName: row["OwnerDisplayName"],
                        created: created,
                        body: HTMLToMarkdown.convert(row["Body"] ?? "")))
                questionOf[id] = parent
            case "4":
                // A tag's wiki excerpt: Tags.xml says which tag it describes.
                tagExcerpts[id] = HTMLToMarkdown.convert(row["Body"] ?? "")
            default: return
            }
        }
        var comments: [Reply] = []
        try StackExchangeDump.rows(in: directory, file: "Comments.xml") { row in
            guard let id = row["Id"], let post = row["PostId"], let created = StackExchangeDump.date(row["CreationDate"]) else { return }
            comments.append(
                Reply(
                    kind: .comment, id: id, target: post, owner: row["UserId"], ownerName: row["UserDisplayName"], created: created,
                    body: row["Text"] ?? ""))
        }
        var repliesByQuestion: [String: [Reply]] = [:]
        for reply in answers + comments {
            guard let question = questionOf[reply.target] else {
                summary.skipped += 1
                continue
            }
            repliesByQuestion[question, default: []].append(reply)
        }

        var topics = try await imports.known(source: source, kind: "question")
        var posts = try await imports.known(source: source, kind: "post")
        var replies = try await imports.known(source: source, kind: "reply")
        for (id, topicID) in topics where posts[id] == nil {
            posts[id] = try await repositories.topics.postID(topicID: topicID, number: 1)
        }
        var remembered: [(kind: String, external: String, local: UUID)] = []
        let sorted = questions.sorted { $0.created < $1.created }
        for (index, question) in sorted.enumerated() {
            let author = try await owner(question.owner, name: question.ownerName, members: &members)
            let topicID: UUID
            let isNew = topics[question.id] == nil
            if let known = topics[question.id] {
                topicID = known
            } else {
                let body = Self.attributed(
                    question.body, verb: "Asked", author: author, authorID: question.owner, link: "\(base)/q/\(question.id)", site: site)
                topicID = try await at(question.created).topics.create(
                    NewTopic(
                        groupID: group.id, title: Self.title(question.title), kind: .question, body: body, tags: Self.tags(question.tags)),
                    rendered: UserMarkdown.render(body), by: author)
                topics[question.id] = topicID
                posts[question.id] = try await repositories.topics.postID(topicID: topicID, number: 1)
                remembered.append(("question", question.id, topicID))
                summary.questions += 1
                visits.append(NewActivityEvent(kind: .visit, by: author, occurredAt: question.created))
            }
            for reply in (repliesByQuestion[question.id] ?? []).sorted(by: { $0.created < $1.created }) {
                let key = (reply.kind == .answer ? "a" : "c") + reply.id
                guard replies[key] == nil else { continue }
                let replier = try await owner(reply.owner, name: reply.ownerName, members: &members)
                let link =
                    reply.kind == .answer ? "\(base)/a/\(reply.id)" : "\(base)/q/\(reply.target)#comment\(reply.id)_\(reply.target)"
                let body = Self.attributed(
                    reply.body, verb: reply.kind == .answer ? "Answer by" : "Comment by", author: replier, authorID: reply.owner,
                    link: link,
                    site: site)
                let number = try await at(max(reply.created, question.created)).topics.reply(
                    to: topicID, body: body, rendered: UserMarkdown.render(body),
                    replyTo: reply.kind == .comment ? posts[reply.target] : nil, by: replier)
                guard let postID = try await repositories.topics.postID(topicID: topicID, number: number) else { continue }
                replies[key] = postID
                remembered.append(("reply", key, postID))
                if reply.kind == .answer {
                    posts[reply.id] = postID
                    remembered.append(("post", reply.id, postID))
                    summary.answers += 1
                } else {
                    summary.comments += 1
                }
                visits.append(NewActivityEvent(kind: .visit, by: replier, occurredAt: reply.created))
            }
            if isNew, let accepted = question.acceptedAnswer, let answerPost = posts[accepted],
                let answer = answers.first(where: { $0.id == accepted })
            {
                try await at(max(answer.created, question.created)).topics.acceptAnswer(
                    topicID: topicID, postID: answerPost, by: author.actor)
                summary.accepted += 1
            }
            // Remembered per question, so an interrupted run continues where it stopped instead of repeating it.
            for kind in ["question", "reply", "post"] {
                try await imports.remember(
                    source: source, kind: kind, remembered.filter { $0.kind == kind }.map { ($0.external, $0.local) })
            }
            remembered.removeAll(keepingCapacity: true)
            if (index + 1) % 100 == 0 || index + 1 == sorted.count { progress(ProgressBar.line("questions", index + 1, of: sorted.count)) }
        }

        // Up-votes become likes from anonymous voters (the dump does not say who voted).
        progress("Reading votes…")
        summary.likes = try await importVotes(imports, posts: posts, group: group, skipped: &summary.skipped)

        progress("Reading badges and tags…")
        summary.badges = try await importBadges(imports, members: members)
        summary.tagsDescribed = try await describeTags(excerpts: tagExcerpts, admin: admin)

        try await ActivityLog(database: repositories.database, clock: repositories.clock).recordBatch(visits)
        try await imports.clearNotifications(of: Array(members.values.map(\.id)))
        try await repositories.rollups.reset()
        return summary
    }

    // MARK: Pieces

    /// Badges.xml: each badge on its member's profile, at its original date (only badges not imported before).
    private func importBadges(_ imports: ImportRepository, members: [String: Member]) async throws -> Int {
        guard FileManager.default.fileExists(atPath: directory.appendingPathComponent("Badges.xml").path) else { return 0 }
        let known = try await imports.known(source: source, kind: "badge")
        var badges: [(external: String, badge: NewBadge)] = []
        try StackExchangeDump.rows(in: directory, file: "Badges.xml") { row in
            guard let id = row["Id"], known[id] == nil, let user = row["UserId"], let member = members[user],
                let name = row["Name"].map(MemberRules.singleLine), !name.isEmpty, let at = StackExchangeDump.date(row["Date"])
            else { return }
            let level = BadgeLevel(stackExchangeClass: row["Class"] ?? "") ?? .bronze
            badges.append((id, NewBadge(memberID: member.id, name: name, level: level, awardedAt: at, source: source)))
        }
        try await BadgeRepository(database: repositories.database).award(badges.map(\.badge))
        try await imports.remember(source: source, kind: "badge", badges.map { ($0.external, $0.badge.id) })
        return badges.count
    }

    /// Tags.xml: a tag's wiki excerpt becomes the description of the Kring tag of that name, unless
    /// a community manager has described it already.
    private func describeTags(excerpts: [String: String], admin: Member) async throws -> Int {
        guard FileManager.default.fileExists(atPath: directory.appendingPathComponent("Tags.xml").path) else { return 0 }
        var wanted: [(name: String, text: String)] = []
        try StackExchangeDump.rows(in: directory, file: "Tags.xml") { row in
            guard let name = row["TagName"], let excerpt = row["ExcerptPostId"].flatMap({ excerpts[$0] }), !excerpt.isEmpty else { return }
            wanted.append((name, excerpt))
        }
        var described = 0
        for (name, text) in wanted {
            guard let tag = try await repositories.tags.find(slug: name), tag.description == nil else { continue }
            let line = MemberRules.singleLine(text)
            try await repositories.tags.update(tag.id, name: tag.name, description: String(line.prefix(500)), by: admin.actor)
            described += 1
        }
        return described
    }

    private func at(_ date: Date) -> Repositories { Repositories(database: repositories.database, clock: .fixed(date)) }

    private func memberMap(_ imports: ImportRepository) async throws -> [String: Member] {
        var result: [String: Member] = [:]
        for (external, local) in try await imports.known(source: source, kind: "member") {
            if let member = try await repositories.members.find(id: local) { result[external] = member }
        }
        return result
    }

    /// The member a dump row describes, before it has an id.
    private static func placeholder(for row: [String: String]) -> Member {
        let id = row["Id"] ?? "0"
        let name = MemberRules.singleLine(row["DisplayName"] ?? "")
        var member = Member(
            id: UUID(), handle: handle(name: name, id: id), displayName: String((name.isEmpty ? "User \(id)" : name).prefix(60)), email: "",
            role: .member, isStaff: false, status: .active,
            profile: MemberProfile(bio: String(HTMLToMarkdown.convert(row["AboutMe"] ?? "").prefix(2000))), createdAt: Date(),
            lastSeenAt: nil)
        // The site's own "Community" user (-1) posts wiki edits and bumps: a bot, not a member.
        member.isBot = id == "-1"
        return member
    }

    /// A handle from a display name and the site's user id: lower-case ASCII, unique through the id.
    static func handle(name: String, id: String) -> String {
        let folded = name.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: Locale(identifier: "en")).lowercased()
        var slug = String(folded.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" })
        while slug.contains("--") { slug = slug.replacingOccurrences(of: "--", with: "-") }
        slug = String(slug.trimmingCharacters(in: CharacterSet(charactersIn: "-")).prefix(20)).trimmingCharacters(
            in: CharacterSet(charactersIn: "-"))
        let suffix = id.hasPrefix("-") ? "system" + id.dropFirst() : id
        return (slug.isEmpty ? "user" : slug) + "-" + suffix
    }

    private func createMember(id: String, template: Member, at date: Date) async throws -> Member {
        try await at(date).members.create(
            NewMember(
                handle: template.handle, displayName: template.displayName,
                email: "\(id.replacingOccurrences(of: "-", with: "m"))@\(site).invalid",
                passwordHash: "!imported", role: .member, isStaff: template.isStaff, isBot: template.isBot, status: .active,
                profile: template.profile))
    }

    /// The author of a post: the imported member, or (for deleted accounts) one member per name left behind.
    private func owner(_ id: String?, name: String?, members: inout [String: Member]) async throws -> Member {
        if let id, let member = members[id] { return member }
        let label = MemberRules.singleLine(name ?? "")
        let key = "deleted:" + (label.isEmpty ? "unknown" : label)
        if let member = members[key] { return member }
        let imports = ImportRepository(database: repositories.database, clock: repositories.clock)
        let member: Member
        if let known = try await imports.known(source: source, kind: "member")[key],
            let existing = try await repositories.members.find(id: known)
        {
            member = existing
        } else {
            let handle = Self.handle(name: label.isEmpty ? "deleted" : label, id: "d\(abs(key.hashValue % 100_000))")
            member = try await createMember(
                id: "deleted-\(handle)",
                template: Member(
                    id: UUID(), handle: handle, displayName: label.isEmpty ? "Deleted account" : "\(label) (deleted account)", email: "",
                    role: .member, isStaff: false, status: .active, profile: MemberProfile(), createdAt: Date(), lastSeenAt: nil),
                at: Date(timeIntervalSince1970: 0))
            try await imports.remember(source: source, kind: "member", [(key, member.id)])
        }
        members[key] = member
        return member
    }

    private func siteGroup(_ imports: ImportRepository, admin: Member, since: Date) async throws -> Group {
        if let id = try await imports.known(source: source, kind: "group")[site], let group = try await repositories.groups.find(id: id) {
            return group
        }
        let name = site.split(separator: ".").first.map { $0.prefix(1).uppercased() + $0.dropFirst() } ?? site
        let group = try await at(since).groups.create(
            NewGroup(
                name: String("\(name) (Stack Exchange)".prefix(GroupRules.nameMaxLength)),
                description: "Imported from [\(site)](\(base)) (CC BY-SA): questions, answers and comments with their authors.",
                welcomeMessage: "", visibility: .open), by: admin.actor)
        try await imports.remember(source: source, kind: "group", [(site, group.id)])
        return group
    }

    private func importVotes(_ imports: ImportRepository, posts: [String: UUID], group: Group, skipped: inout Int) async throws -> Int {
        let known = try await imports.known(source: source, kind: "vote")
        var perPost: [String: [(id: String, at: Date)]] = [:]
        var missing = 0
        try StackExchangeDump.rows(in: directory, file: "Votes.xml") { row in
            guard row["VoteTypeId"] == "2", let id = row["Id"], known[id] == nil, let post = row["PostId"],
                let at = StackExchangeDump.date(row["CreationDate"])
            else { return }
            guard posts[post] != nil else {
                missing += 1
                return
            }
            perPost[post, default: []].append((id, at))
        }
        skipped += missing
        let existing = try await imports.known(source: source, kind: "voter")
        var voters: [Member] = []
        for index in 0..<(perPost.values.map(\.count).max() ?? 0) {
            let key = String(index + 1)
            if let id = existing[key], let member = try await repositories.members.find(id: id) {
                voters.append(member)
                continue
            }
            var template = Member(
                id: UUID(), handle: "se-voter-\(key)", displayName: "Anonymous voter \(key)", email: "", role: .member, isStaff: false,
                status: .active, profile: MemberProfile(bio: "Stands for one anonymous up-vote per post on \(site)."), createdAt: Date(),
                lastSeenAt: nil)
            // Stand-ins for votes whose voters the dump does not name: bots, so no figure counts them as members.
            template.isBot = true
            let member = try await createMember(id: "voter-\(key)", template: template, at: Date(timeIntervalSince1970: 0))
            try await imports.remember(source: source, kind: "voter", [(key, member.id)])
            voters.append(member)
        }
        // A post that already has likes from a previous run continues with the next voter.
        var reactions: [ImportedReaction] = []
        var votes: [(external: String, local: UUID)] = []
        for (post, list) in perPost {
            guard let postID = posts[post] else { continue }
            let already = try await imports.reactionCount(postID: postID, kind: .like)
            for (offset, vote) in list.sorted(by: { $0.at < $1.at }).enumerated() where already + offset < voters.count {
                let voter = voters[already + offset]
                reactions.append(
                    ImportedReaction(postID: postID, memberID: voter.id, memberIsBot: true, groupID: group.id, kind: .like, at: vote.at))
                votes.append((vote.id, postID))
            }
        }
        try await imports.addReactions(reactions)
        try await imports.remember(source: source, kind: "vote", votes)
        return reactions.count
    }

    // MARK: Text

    static func title(_ raw: String) -> String {
        let title = MemberRules.singleLine(HTMLToMarkdown.decodeEntities(raw))
        return title.count > 150 ? String(title.prefix(149)) + "…" : (title.isEmpty ? "(untitled)" : title)
    }

    static func tags(_ raw: [String]) -> [String] {
        Array(raw.prefix(20).map { String($0.prefix(40)) })
    }

    /// The text with a line that names the author and links the original, as CC BY-SA asks.
    static func attributed(_ body: String, verb: String, author: Member, authorID: String?, link: String, site: String) -> String {
        let who = authorID.map { "[\(escape(author.displayName))](https://\(site)/users/\($0))" } ?? escape(author.displayName)
        let footer = "\n\n---\n_\(verb) \(who) on [\(site)](\(link)), CC BY-SA. Imported into Kring; HTML converted to Markdown._"
        let room = PostRules.bodyMaxLength - footer.count
        let text = body.isEmpty ? "(empty)" : body
        return (text.count > room ? String(text.prefix(room - 1)) + "…" : text) + footer
    }

    /// Keeps a name from being read as Markdown.
    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "[", with: "(").replacingOccurrences(of: "]", with: ")").replacingOccurrences(of: "_", with: "\\_")
            .replacingOccurrences(of: "*", with: "\\*")
    }
}
