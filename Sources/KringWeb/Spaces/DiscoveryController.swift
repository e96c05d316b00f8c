import KringCore
import KringStore
import Vapor

/// Finding things: search, tags and tag pages (with management), notifications.
struct DiscoveryController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("search", use: search)
        routes.get("tags", use: tags)
        routes.get("tags", ":tag", use: tag)
        routes.post("tags", ":tag", use: updateTag)
        routes.post("tags", ":tag", "merge", use: mergeTag)
        routes.get("notifications", use: notifications)
        routes.post("notifications", "read", use: markRead)
        routes.get("notifications", ":id", use: openNotification)
        routes.get("settings", "notifications", use: preferencesForm)
        routes.post("settings", "notifications", use: savePreferences)
    }

    // MARK: Search

    @Sendable func search(request: Request) async throws -> Response {
        let query = String((request.query[String.self, at: "q"] ?? "").prefix(200))
        let viewer = try await request.viewer()
        let hits = try await request.repositories.search.search(query, viewer: viewer)
        let groups = try await request.repositories.groups.find(ids: Array(Set(hits.compactMap(\.groupID))))
        let handles = try await request.repositories.members.handles(of: hits.filter { $0.kind == .member }.map(\.refID))
        return DiscoveryViews.search(request, query: query, hits: hits, groups: groups, handles: handles)
    }

    // MARK: Tags

    @Sendable func tags(request: Request) async throws -> Response {
        let tags = try await request.repositories.topics.tagCounts(viewer: try await request.viewer())
        return DiscoveryViews.tags(request, tags: tags)
    }

    @Sendable func tag(request: Request) async throws -> Response {
        let name = (request.parameters.get("tag") ?? "").removingPercentEncoding ?? ""
        guard let tag = try await request.repositories.tags.find(slug: name) else { throw Abort(.notFound) }
        let cursor = request.query[String.self, at: "after"]
        let page = try await request.repositories.topics.list(viewer: try await request.viewer(), tag: tag.slug, cursor: cursor)
        // A tag on no topic the viewer may read (only in a secret group, only on a held post) does not exist for them.
        if page.topics.isEmpty && cursor == nil { throw Abort(.notFound) }
        return DiscoveryViews.tag(request, tag: tag, page: page)
    }

    struct TagForm: Content {
        var name: String?
        var description: String?
        var into: String?
    }

    /// Renames and describes a tag (community managers).
    @Sendable func updateTag(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        guard let tag = try await request.repositories.tags.find(slug: (request.parameters.get("tag") ?? "").removingPercentEncoding ?? "")
        else {
            throw Abort(.notFound)
        }
        let form = try request.content.decode(TagForm.self)
        let name = try MemberRules.tags(form.name ?? tag.name, field: "name").first ?? tag.name
        let description = try GroupRules.text(form.description ?? "", field: "description")
        try await request.repositories.tags.update(tag.id, name: name, description: description, by: request.context.actor)
        try await request.audit(
            "tag.update", subjectType: "tag", subjectID: tag.id, label: tag.name, before: "\(tag.name): \(tag.description ?? "")",
            after: "\(name): \(description)")
        return request.redirect(to: "/tags/\(TagLink.slug(name))", flash: "flash.tag_saved")
    }

    /// Merges a tag into another: its topics and members move over, the tag disappears.
    @Sendable func mergeTag(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let repository = request.repositories.tags
        guard let source = try await repository.find(slug: (request.parameters.get("tag") ?? "").removingPercentEncoding ?? "") else {
            throw Abort(.notFound)
        }
        let form = try request.content.decode(TagForm.self)
        let targetName = try MemberRules.tags(form.into ?? "", field: "into").first ?? ""
        guard let target = try await repository.find(slug: targetName), target.id != source.id else {
            throw ValidationFailure(field: "into", code: "tag.unknown")
        }
        try await repository.merge(source.id, into: target.id, by: request.context.actor)
        try await request.audit(
            "tag.merge", subjectType: "tag", subjectID: target.id, label: target.name, before: source.name, after: target.name)
        return request.redirect(to: "/tags/\(TagLink.slug(target.name))", flash: "flash.tag_merged")
    }

    // MARK: Notifications

    @Sendable func notifications(request: Request) async throws -> Response {
        _ = try request.requireMember()
        let items = try await request.repositories.notifications.list(for: try await request.viewer())
        return DiscoveryViews.notifications(request, items: items)
    }

    struct ReadForm: Content {
        var id: UUID?
    }

    @Sendable func markRead(request: Request) async throws -> Response {
        let member = try request.requireMember()
        try await request.repositories.notifications.markRead(try request.content.decode(ReadForm.self).id, for: member.id)
        return request.redirect(to: "/notifications")
    }

    /// Opens what a notification points at and marks it read.
    @Sendable func openNotification(request: Request) async throws -> Response {
        let member = try request.requireMember()
        guard let id = request.parameters.get("id", as: UUID.self),
            let item = try await request.repositories.notifications.list(for: try await request.viewer(), limit: 200).first(where: {
                $0.id == id
            })
        else { throw Abort(.notFound) }
        try await request.repositories.notifications.markRead(id, for: member.id)
        return request.redirect(to: DiscoveryViews.target(of: item))
    }

    @Sendable func preferencesForm(request: Request) async throws -> Response {
        let member = try request.requireMember()
        let preferences = try await request.repositories.notifications.preferences(of: member.id)
        return DiscoveryViews.preferences(
            request, preferences: preferences, mail: try await request.repositories.memberMail.choices(of: member.id))
    }

    @Sendable func savePreferences(request: Request) async throws -> Response {
        let member = try request.requireMember()
        let form = try request.content.decode([String: String].self)
        var preferences: [NotificationPreference] = []
        for kind in NotificationKind.allCases {
            let email = try CommunityRules.choice(
                form["email_\(kind.rawValue)"] ?? kind.defaultEmail.rawValue, as: EmailFrequency.self, field: "email_\(kind.rawValue)")
            preferences.append(NotificationPreference(kind: kind, inApp: form["app_\(kind.rawValue)"] == "1", email: email))
        }
        let mail = MailChoices(
            memberUpdate: try CommunityRules.choice(
                form["member_update"] ?? UpdateFrequency.standard.rawValue, as: UpdateFrequency.self, field: "member_update"),
            nudges: (form["nudges"] ?? "1") == "1", announcements: (form["announcements"] ?? "1") == "1")
        try await request.repositories.writeTransaction { [preferences] tx in
            try await tx.notifications.setPreferences(preferences, for: member.id)
            try await tx.memberMail.setChoices(mail, of: member.id)
        }
        return request.redirect(to: "/settings/notifications", flash: "flash.settings_saved")
    }
}

/// Landing pages and the main menu.
struct PagesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("p", ":slug", use: show)
        let admin = routes.grouped("admin")
        admin.get("pages", use: pages)
        admin.post("pages", use: savePage)
        admin.get("pages", ":slug", use: editPage)
        admin.post("pages", ":slug", "delete", use: deletePage)
        admin.get("menu", use: menu)
        admin.post("menu", use: addMenuItem)
        admin.post("menu", ":id", ":action", use: changeMenuItem)
    }

    @Sendable func show(request: Request) async throws -> Response {
        guard let page = try await request.repositories.navigation.page(slug: request.parameters.get("slug") ?? "") else {
            throw Abort(.notFound)
        }
        return DiscoveryViews.landingPage(request, page: page)
    }

    @Sendable func pages(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        return DiscoveryViews.pagesAdmin(request, pages: try await request.repositories.navigation.pages(), state: FormState())
    }

    @Sendable func editPage(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        guard let page = try await request.repositories.navigation.page(slug: request.parameters.get("slug") ?? "") else {
            throw Abort(.notFound)
        }
        let state = FormState(values: ["slug": page.slug, "title": page.title, "body": page.body])
        return DiscoveryViews.pagesAdmin(request, pages: try await request.repositories.navigation.pages(), state: state)
    }

    struct PageForm: Content {
        var slug: String?
        var title: String?
        var body: String?
    }

    @Sendable func savePage(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let form = try request.content.decode(PageForm.self)
        var errors = FieldErrorCollector()
        let slug = GroupRules.slug(from: form.slug ?? "")
        if (form.slug ?? "").trimmingCharacters(in: .whitespaces).isEmpty { errors.add("slug", "required") }
        let title = errors.check { () throws(ValidationFailure) in try GroupRules.name(form.title ?? "") }
        let body = errors.check { () throws(ValidationFailure) in try PostRules.body(form.body ?? "") }
        guard errors.errors.isEmpty, let title, let body else {
            let state = FormState(
                values: ["slug": form.slug ?? "", "title": form.title ?? "", "body": form.body ?? ""],
                errors: errors.errors.map {
                    $0.field == "name" ? FieldError(field: "title", code: $0.code) : $0
                })
            return DiscoveryViews.pagesAdmin(
                request, pages: try await request.repositories.navigation.pages(), state: state, status: .unprocessableEntity)
        }
        let previous = try await request.repositories.navigation.page(slug: slug)
        try await request.repositories.navigation.savePage(slug: slug, title: title, body: body)
        try await request.audit("page.save", subjectType: "page", label: "/p/\(slug)", before: previous?.body ?? "", after: body)
        return request.redirect(to: "/p/\(slug)", flash: "flash.page_saved")
    }

    @Sendable func deletePage(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let slug = request.parameters.get("slug") ?? ""
        let previous = try await request.repositories.navigation.page(slug: slug)
        try await request.repositories.navigation.deletePage(slug: slug)
        try await request.audit("page.delete", subjectType: "page", label: "/p/\(slug)", before: previous?.body ?? "")
        return request.redirect(to: "/admin/pages", flash: "flash.page_deleted")
    }

    @Sendable func menu(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        return DiscoveryViews.menuAdmin(request, items: try await request.repositories.navigation.menu(), state: FormState())
    }

    struct MenuForm: Content {
        var label_en: String?
        var label_nl: String?
        var path: String?
    }

    @Sendable func addMenuItem(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let form = try request.content.decode(MenuForm.self)
        var errors = FieldErrorCollector()
        let english = errors.check { () throws(ValidationFailure) in try GroupRules.name(form.label_en ?? "") }
        let dutch = errors.check { () throws(ValidationFailure) in try GroupRules.name(form.label_nl ?? "") }
        let path = (form.path ?? "").trimmingCharacters(in: .whitespaces)
        if SafeURL(path: path) == nil, SafeURL(external: path) == nil { errors.add("path", "url.invalid") }
        guard errors.errors.isEmpty, let english, let dutch else {
            let state = FormState(
                values: ["label_en": form.label_en ?? "", "label_nl": form.label_nl ?? "", "path": path],
                errors: errors.errors.map {
                    FieldError(field: $0.field == "name" ? "label_en" : $0.field, code: $0.code)
                })
            return DiscoveryViews.menuAdmin(
                request, items: try await request.repositories.navigation.menu(), state: state, status: .unprocessableEntity)
        }
        try await request.repositories.navigation.addMenuItem(labelEN: english, labelNL: dutch, path: path)
        try await request.audit("menu.add", subjectType: "menu", label: english, after: path)
        return request.redirect(to: "/admin/menu", flash: "flash.settings_saved")
    }

    @Sendable func changeMenuItem(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        guard let id = request.parameters.get("id", as: UUID.self) else { throw Abort(.notFound) }
        let navigation = request.repositories.navigation
        try await request.audit("menu.\(request.parameters.get("action") ?? "")", subjectType: "menu", subjectID: id, label: id.uuidString)
        switch request.parameters.get("action") {
        case "up": try await navigation.moveMenuItem(id, by: -1)
        case "down": try await navigation.moveMenuItem(id, by: 1)
        case "delete": try await navigation.removeMenuItem(id)
        default: throw Abort(.notFound)
        }
        return request.redirect(to: "/admin/menu")
    }
}
