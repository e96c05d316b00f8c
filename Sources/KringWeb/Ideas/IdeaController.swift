import KringCore
import KringStore
import Vapor

extension Repositories {
    public var ideas: IdeaRepository { IdeaRepository(database: database, clock: clock) }
}

/// Ideas and feedback routed to departments: the feedback loop from members to the organisation.
struct IdeaController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("ideas", use: list)
        routes.get("ideas", "new", use: newForm)
        routes.post("ideas", use: submit)
        routes.get("ideas", ":idea", use: show)
        routes.post("ideas", ":idea", "vote", use: vote)
        routes.post("ideas", ":idea", "comments", use: comment)
        routes.post("ideas", ":idea", "route", use: route)
        routes.get("admin", "departments", use: departments)
        routes.post("admin", "departments", use: saveDepartment)
        routes.post("admin", "departments", ":department", "liaisons", use: liaison)
    }

    @Sendable func list(request: Request) async throws -> Response {
        let status = request.query[String.self, at: "status"].flatMap(IdeaStatus.init(rawValue:))
        let departments = try await request.repositories.ideas.departments()
        let department = request.query[UUID.self, at: "department"]
        let newest = request.query[String.self, at: "sort"] == "new"
        let ideas = try await request.repositories.ideas.list(status: status, departmentID: department, newestFirst: newest)
        return IdeaViews.list(request, ideas: ideas, departments: departments, status: status, newest: newest)
    }

    struct IdeaForm: Content {
        var title: String?
        var description: String?
        var tags: String?
    }

    @Sendable func newForm(request: Request) async throws -> Response {
        _ = try request.requireContributor()
        return IdeaViews.form(request, state: FormState())
    }

    @Sendable func submit(request: Request) async throws -> Response {
        let member = try request.requireContributor()
        let form = try request.content.decode(IdeaForm.self)
        var errors = FieldErrorCollector()
        let title = errors.check { () throws(ValidationFailure) in try PostRules.title(form.title ?? "") }
        let description = errors.check { () throws(ValidationFailure) in try PostRules.body(form.description ?? "", field: "description") }
        let tags = errors.check { () throws(ValidationFailure) in try MemberRules.tags(form.tags ?? "", field: "tags") }
        guard errors.errors.isEmpty, let title, let description else {
            let state = FormState(
                values: ["title": form.title ?? "", "description": form.description ?? "", "tags": form.tags ?? ""], errors: errors.errors)
            return IdeaViews.form(request, state: state, status: .unprocessableEntity)
        }
        let id = try await request.repositories.ideas.submit(title: title, description: description, tags: tags ?? [], by: member)
        return request.redirect(to: "/ideas/\(id.uuidString.lowercased())", flash: "flash.idea_submitted")
    }

    private func idea(_ request: Request) async throws -> Idea {
        guard let id = request.parameters.get("idea", as: UUID.self), let idea = try await request.repositories.ideas.find(id) else {
            throw Abort(.notFound)
        }
        return idea
    }

    @Sendable func show(request: Request) async throws -> Response {
        try await page(request, idea: try await idea(request), state: FormState())
    }

    /// The idea's page with its department, author, the viewer's vote and the discussion; also shown again with form errors.
    private func page(_ request: Request, idea: Idea, state: FormState, status: HTTPStatus = .ok) async throws -> Response {
        let departments = try await request.repositories.ideas.departments()
        let department = idea.departmentID.flatMap { id in departments.first { $0.id == id } }
        let voted =
            try await request.context.member.asyncMap { try await request.repositories.ideas.hasVoted(idea.id, memberID: $0.id) } ?? false
        let author = try await request.repositories.members.find(id: idea.authorID)
        return IdeaViews.page(
            request, idea: idea, author: author, department: department, departments: departments, voted: voted,
            comments: try await request.repositories.ideas.comments(of: idea.id), state: state, status: status)
    }

    @Sendable func vote(request: Request) async throws -> Response {
        let member = try request.requireContributor()
        let idea = try await idea(request)
        let voted = try await request.repositories.ideas.hasVoted(idea.id, memberID: member.id)
        try await request.repositories.ideas.vote(idea.id, by: member, !voted)
        return request.redirect(to: "/ideas/\(idea.id.uuidString.lowercased())")
    }

    struct CommentForm: Content {
        var body: String?
        var official: String?
        var status: String?
    }

    /// A comment by any member; an official response (with a status) by managers and the department's liaisons.
    @Sendable func comment(request: Request) async throws -> Response {
        let member = try request.requireContributor()
        let idea = try await idea(request)
        let form = try request.content.decode(CommentForm.self)
        let departments = try await request.repositories.ideas.departments()
        let department = idea.departmentID.flatMap { id in departments.first { $0.id == id } }
        let official = form.official == "1"
        if official, !IdeaAccess.mayRespond(member.actor, department: department) { throw Abort(.forbidden) }
        do {
            let body = try PostRules.body(form.body ?? "")
            var status: IdeaStatus?
            if official, let raw = form.status, !raw.isEmpty {
                status = try CommunityRules.choice(raw, as: IdeaStatus.self, field: "status")
            }
            try await request.repositories.ideas.comment(
                idea.id, body: body, html: UserMarkdown.render(body).html, official: official, status: status, by: member)
            if official {
                try await request.audit(
                    "idea.respond", subjectType: "idea", subjectID: idea.id, label: idea.title, before: idea.status.rawValue,
                    after: (status ?? idea.status).rawValue)
            }
            return request.redirect(
                to: "/ideas/\(idea.id.uuidString.lowercased())", flash: official ? "flash.idea_responded" : "flash.comment_added")
        } catch let failure as ValidationFailure {
            return try await page(
                request, idea: idea, state: FormState(values: ["body": form.body ?? ""], errors: failure.errors),
                status: .unprocessableEntity)
        }
    }

    struct RouteForm: Content {
        var department: UUID?
    }

    @Sendable func route(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let idea = try await idea(request)
        guard let departmentID = try request.content.decode(RouteForm.self).department,
            try await request.repositories.ideas.departments().contains(where: { $0.id == departmentID })
        else { throw ValidationFailure(field: "department", code: "choice.invalid") }
        try await request.repositories.ideas.route(idea.id, to: departmentID, by: request.context.actor)
        try await request.audit("idea.route", subjectType: "idea", subjectID: idea.id, label: idea.title, after: departmentID.uuidString)
        return request.redirect(to: "/ideas/\(idea.id.uuidString.lowercased())", flash: "flash.idea_routed")
    }

    // MARK: Departments

    @Sendable func departments(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let departments = try await request.repositories.ideas.departments()
        let handles = try await request.repositories.members.handles(of: Array(Set(departments.flatMap(\.liaisonIDs))))
        return IdeaViews.departments(request, departments: departments, handles: handles, state: FormState())
    }

    struct DepartmentForm: Content {
        var name: String?
        var description: String?
    }

    @Sendable func saveDepartment(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let form = try request.content.decode(DepartmentForm.self)
        let name = try GroupRules.name(form.name ?? "")
        let description = try GroupRules.text(form.description ?? "", field: "description")
        try await request.repositories.ideas.saveDepartment(name: name, description: description)
        try await request.audit("department.save", subjectType: "department", label: name, after: description)
        return request.redirect(to: "/admin/departments", flash: "flash.settings_saved")
    }

    struct LiaisonForm: Content {
        var handle: String?
        var remove: String?
    }

    @Sendable func liaison(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        guard let departmentID = request.parameters.get("department", as: UUID.self),
            try await request.repositories.ideas.departments().contains(where: { $0.id == departmentID })
        else { throw Abort(.notFound) }
        let form = try request.content.decode(LiaisonForm.self)
        let handle = (form.handle ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "@ "))
        guard let member = try await request.repositories.members.find(handle: handle) else {
            throw ValidationFailure(field: "handle", code: "invitee.unknown")
        }
        try await request.repositories.ideas.setLiaison(member.id, of: departmentID, form.remove != "1")
        try await request.audit(
            "department.liaison", subjectType: "department", subjectID: departmentID, label: "@\(member.handle)",
            after: form.remove == "1" ? "removed" : "added")
        return request.redirect(to: "/admin/departments", flash: "flash.settings_saved")
    }
}
