import KringCore
import KringStore
import Vapor

/// Watched words with their dry run and CSV import/export, archiving suggestions, profile flags,
/// slow mode, and the house rules members accept.
struct DefenceController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let words = routes.grouped("moderation", "words")
        words.get(use: wordsPage)
        words.post(use: saveWord)
        words.post("dry-run", use: dryRun)
        words.get("export.csv", use: exportWords)
        words.post("import", use: importWords)
        words.post(":id", ":action", use: changeWord)
        routes.get("moderation", "archive", use: archiveSuggestions)
        routes.post("moderation", "archive", use: archive)
        routes.post("members", ":handle", "flag", use: flagProfile)
        routes.post("t", ":topic", "slow-mode", use: slowMode)
        routes.get("rules", use: rules)
        routes.post("rules", "accept", use: acceptRules)
    }

    // MARK: Watched words

    struct WordForm: Content {
        var pattern: String?
        var action: String?
        var case_sensitive: String?
        var replacement: String?
        var tag: String?
        var days: String?
    }

    /// Validates a word from the form.
    static func word(from form: WordForm) throws(ValidationFailure) -> WatchedWord {
        var errors = FieldErrorCollector()
        let pattern = (form.pattern ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if pattern.isEmpty || pattern.count > 100 || pattern.allSatisfy({ $0 == "*" }) { errors.add("pattern", "pattern.invalid") }
        let action = errors.check { () throws(ValidationFailure) in
            try CommunityRules.choice(form.action, as: WatchedWordAction.self, field: "action")
        }
        let tags = errors.check { () throws(ValidationFailure) in try MemberRules.tags(form.tag ?? "", field: "tag") } ?? []
        if action == .tag, tags.isEmpty { errors.add("tag", "required") }
        try errors.throwIfAny()
        let replacement = (form.replacement ?? "").trimmingCharacters(in: .whitespaces)
        return WatchedWord(
            pattern: pattern, action: action ?? .flag, caseSensitive: form.case_sensitive == "1",
            replacement: replacement.isEmpty ? "■■■" : String(replacement.prefix(40)),
            tag: tags.first ?? "")
    }

    @Sendable func wordsPage(request: Request) async throws -> Response {
        try request.authorize(.moderateContent)
        return DefenceViews.words(
            request, words: try await request.repositories.watchedWords.all(), state: FormState(values: ["action": "flag", "days": "30"]))
    }

    @Sendable func saveWord(request: Request) async throws -> Response {
        try request.authorize(.moderateContent)
        let form = try request.content.decode(WordForm.self)
        do {
            let word = try Self.word(from: form)
            try await request.repositories.watchedWords.save(word)
            try await request.audit("words.save", subjectType: "watched_word", label: word.pattern, after: word.action.rawValue)
            return request.redirect(to: "/moderation/words", flash: "flash.word_saved")
        } catch let failure as ValidationFailure {
            let state = FormState(values: Self.values(form), errors: failure.errors)
            return DefenceViews.words(
                request, words: try await request.repositories.watchedWords.all(), state: state, status: .unprocessableEntity)
        }
    }

    static func values(_ form: WordForm) -> [String: String] {
        [
            "pattern": form.pattern ?? "", "action": form.action ?? "", "replacement": form.replacement ?? "", "tag": form.tag ?? "",
            "case_sensitive": form.case_sensitive ?? "", "days": form.days ?? "30",
        ]
    }

    /// Runs a word against the posts of the last N days and shows what it would have caught.
    @Sendable func dryRun(request: Request) async throws -> Response {
        try request.authorize(.moderateContent)
        let form = try request.content.decode(WordForm.self)
        do {
            let word = try Self.word(from: form)
            guard let days = Int(form.days ?? ""), (1...3650).contains(days) else {
                throw ValidationFailure(field: "days", code: "days.invalid")
            }
            let result = try await request.repositories.watchedWords.dryRun(word, days: days)
            return DefenceViews.words(
                request, words: try await request.repositories.watchedWords.all(), state: FormState(values: Self.values(form)),
                dryRun: (word, days, result.count, result.examples))
        } catch let failure as ValidationFailure {
            let state = FormState(values: Self.values(form), errors: failure.errors)
            return DefenceViews.words(
                request, words: try await request.repositories.watchedWords.all(), state: state, status: .unprocessableEntity)
        }
    }

    @Sendable func changeWord(request: Request) async throws -> Response {
        try request.authorize(.moderateContent)
        guard let id = request.parameters.get("id", as: UUID.self) else { throw Abort(.notFound) }
        let words = request.repositories.watchedWords
        let action = request.parameters.get("action") ?? ""
        switch action {
        case "delete": try await words.delete(id)
        case "enable": try await words.setEnabled(id, true)
        case "disable": try await words.setEnabled(id, false)
        default: throw Abort(.notFound)
        }
        try await request.audit("words.\(action)", subjectType: "watched_word", subjectID: id, label: id.uuidString)
        return request.redirect(to: "/moderation/words", flash: "flash.word_saved")
    }

    @Sendable func exportWords(request: Request) async throws -> Response {
        try request.authorize(.moderateContent)
        var csv = "pattern,action,case_sensitive,replacement,tag,enabled\r\n"
        for word in try await request.repositories.watchedWords.all() {
            csv +=
                [word.pattern, word.action.rawValue, word.caseSensitive ? "1" : "0", word.replacement, word.tag, word.enabled ? "1" : "0"]
                .map(CSV.field).joined(separator: ",") + "\r\n"
        }
        let response = Response(status: .ok, body: .init(string: csv))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"kring-watched-words.csv\"")
        return response
    }

    struct ImportForm: Content {
        var csv: String?
    }

    /// Imports words from CSV (the export's columns). All rows are checked first; one bad row stops the import.
    @Sendable func importWords(request: Request) async throws -> Response {
        try request.authorize(.moderateContent)
        let text = try request.content.decode(ImportForm.self).csv ?? ""
        var words: [WatchedWord] = []
        for (index, row) in CSV.rows(text).enumerated() {
            if index == 0, row.first?.lowercased() == "pattern" { continue }
            guard !row.allSatisfy({ $0.isEmpty }) else { continue }
            let field = { (i: Int) in i < row.count ? row[i] : "" }
            do {
                var word = try Self.word(
                    from: WordForm(
                        pattern: field(0), action: field(1), case_sensitive: field(2), replacement: field(3), tag: field(4)))
                word.enabled = field(5) != "0"
                words.append(word)
            } catch {
                let state = FormState(
                    values: ["csv": text, "action": "flag", "days": "30"], errors: [FieldError(field: "csv", code: "csv.row")])
                return DefenceViews.words(
                    request, words: try await request.repositories.watchedWords.all(), state: state, status: .unprocessableEntity)
            }
        }
        for word in words { try await request.repositories.watchedWords.save(word) }
        try await request.audit("words.import", subjectType: "watched_word", label: "\(words.count) words")
        return request.redirect(to: "/moderation/words", flash: "flash.words_imported")
    }

    // MARK: Archiving

    @Sendable func archiveSuggestions(request: Request) async throws -> Response {
        try request.authorize(.moderateContent)
        let months = min(max(request.query[Int.self, at: "months"] ?? 6, 1), 60)
        let before = request.application.kring.clock.now().addingTimeInterval(-Double(months) * 30 * 86_400)
        let topics = try await request.repositories.topics.quietTopics(before: before)
        let groups = try await request.repositories.groups.list(for: try await request.viewer(), limit: 1000).filter {
            $0.lastActivityAt < before
        }
        return DefenceViews.archive(request, months: months, topics: topics, groups: groups)
    }

    /// Archives (or restores) the topics and groups ticked in the list, in one go.
    @Sendable func archive(request: Request) async throws -> Response {
        try request.authorize(.moderateContent)
        let form = try request.content.decode([String: String].self)
        let topicIDs = form.filter { $0.key.hasPrefix("topic_") && $0.value == "1" }.compactMap {
            UUID(uuidString: String($0.key.dropFirst(6)))
        }
        let groupSlugs = form.filter { $0.key.hasPrefix("group_") && $0.value == "1" }.map { String($0.key.dropFirst(6)) }
        let restore = form["restore"] == "1"
        try await request.repositories.topics.setArchived(topicIDs, !restore)
        for slug in groupSlugs {
            guard let group = try await request.repositories.groups.find(slug: slug) else { continue }
            try await request.repositories.groups.setArchived(group.id, !restore, by: request.context.actor)
        }
        try await request.audit(
            restore ? "archive.restore" : "archive.bulk", subjectType: "content",
            label: "\(topicIDs.count) topics, \(groupSlugs.count) groups")
        return request.redirect(to: "/moderation/archive", flash: restore ? "flash.restored" : "flash.archived")
    }

    // MARK: Profile flags and slow mode

    @Sendable func flagProfile(request: Request) async throws -> Response {
        let member = try request.requireContributor()
        guard let target = try await request.repositories.members.find(handle: request.parameters.get("handle") ?? ""),
            target.id != member.id
        else {
            throw Abort(.notFound)
        }
        let input = try await request.flagInput()
        try await request.repositories.moderation.flag(profileOf: target.id, by: member, reason: input.reason, note: input.note)
        return request.redirect(to: "/members/\(target.handle)", flash: "flash.flagged")
    }

    struct SlowModeForm: Content {
        var seconds: String?
    }

    @Sendable func slowMode(request: Request) async throws -> Response {
        try request.authorize(.moderateContent)
        guard let topicID = request.parameters.get("topic", as: UUID.self) else { throw Abort(.notFound) }
        let raw = try request.content.decode(SlowModeForm.self).seconds ?? ""
        let seconds = Int(raw.trimmingCharacters(in: .whitespaces)) ?? 0
        guard (0...86_400).contains(seconds) else { throw ValidationFailure(field: "seconds", code: "number.invalid") }
        try await request.repositories.topics.setSlowMode(of: topicID, seconds: seconds == 0 ? nil : seconds)
        try await request.audit(
            "topic.slow_mode", subjectType: "topic", subjectID: topicID, label: topicID.uuidString, after: "\(seconds) s")
        return request.redirect(to: "/t/\(topicID.uuidString.lowercased())", flash: "flash.settings_saved")
    }

    // MARK: House rules

    @Sendable func rules(request: Request) async throws -> Response {
        let page = try await HouseRules.page(request.repositories)
        let settings = try await request.repositories.community.moderationSettings()
        return DefenceViews.rules(request, page: page, version: settings.rulesVersion)
    }

    @Sendable func acceptRules(request: Request) async throws -> Response {
        let member = try request.requireMember()
        let settings = try await request.repositories.community.moderationSettings()
        try await request.repositories.members.acceptRules(of: member.id, version: settings.rulesVersion)
        return request.redirect(to: "/", flash: "flash.rules_accepted")
    }
}

/// Where the house rules live: the landing page `huisregels` or `house-rules`.
enum HouseRules {
    static let slugs = ["huisregels", "house-rules"]

    static func page(_ repositories: Repositories) async throws -> LandingPage? {
        for slug in slugs { if let page = try await repositories.navigation.page(slug: slug) { return page } }
        return nil
    }
}

extension CSV {
    /// Splits CSV text into rows of fields (RFC 4180 quoting).
    static func rows(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var iterator = Array(text).makeIterator()
        var pending: Character? = nil
        while let character = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if character == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" {
                            field.append("\"")
                        } else {
                            quoted = false
                            pending = next
                        }
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(character)
                }
                continue
            }
            switch character {
            case "\"": quoted = true
            case ",":
                row.append(field)
                field = ""
            case "\n", "\r\n":
                row.append(field)
                rows.append(row)
                row = []
                field = ""
            case "\r": break
            default: field.append(character)
            }
        }
        if !field.isEmpty || !row.isEmpty {
            row.append(field)
            rows.append(row)
        }
        return rows.map { $0.map { $0.hasPrefix("'") && "=+-@".contains($0.dropFirst().first ?? " ") ? String($0.dropFirst()) : $0 } }
    }
}
