import KringCore
import KringStore
import Vapor

/// The first visit: creates the community and its first administrator.
struct SetupController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("setup", use: form)
        routes.post("setup", use: setUp)
    }

    struct SetupForm: Content {
        var community_name: String?
        var tagline: String?
        var default_language: String?
        var handle: String?
        var display_name: String?
        var email: String?
        var password: String?
    }

    @Sendable func form(request: Request) async throws -> Response {
        guard request.context.community == nil else { return request.redirect(to: "/") }
        return SetupViews.form(request, state: FormState(values: ["default_language": request.context.language.rawValue]))
    }

    @Sendable func setUp(request: Request) async throws -> Response {
        guard request.context.community == nil else { return request.redirect(to: "/") }
        let form = try request.content.decode(SetupForm.self)
        var state = FormState(values: [
            "community_name": form.community_name ?? "", "tagline": form.tagline ?? "", "default_language": form.default_language ?? "",
            "handle": form.handle ?? "", "display_name": form.display_name ?? "", "email": form.email ?? "",
        ])
        do {
            let (settings, administrator) = try await SetupInput.validate(
                communityName: form.community_name, tagline: form.tagline, defaultLanguage: form.default_language,
                handle: form.handle, displayName: form.display_name, email: form.email, password: form.password,
                hashPassword: { try await Passwords.hash($0, on: request) })
            let member = try await request.repositories.community.setUp(settings, administrator: administrator)
            let response = request.redirect(to: "/", flash: "flash.setup_done")
            try await SignIn.start(request, member: member, on: response)
            return response
        } catch let failure as ValidationFailure {
            state.errors = failure.errors
            return SetupViews.form(request, state: state, status: .unprocessableEntity)
        }
    }
}

/// Checks setup input, shared by the setup page and `kring admin create`.
enum SetupInput {
    static func validate(
        communityName: String?, tagline: String?, defaultLanguage: String?, handle: String?, displayName: String?,
        email: String?, password: String?, hashPassword: (String) async throws -> String
    ) async throws -> (CommunitySettings, NewMember) {
        var errors = FieldErrorCollector()
        let name = errors.check { () throws(ValidationFailure) in try CommunityRules.name(communityName ?? "") }
        let tagline = errors.check { () throws(ValidationFailure) in try CommunityRules.tagline(tagline ?? "") }
        let language = errors.check { () throws(ValidationFailure) in
            try CommunityRules.choice(defaultLanguage, as: Language.self, field: "default_language")
        }
        let handle = errors.check { () throws(ValidationFailure) in try MemberRules.handle(handle ?? "") }
        let displayName = errors.check { () throws(ValidationFailure) in try MemberRules.displayName(displayName ?? "") }
        let email = errors.check { () throws(ValidationFailure) in try MemberRules.email(email ?? "") }
        let password = errors.check { () throws(ValidationFailure) in try MemberRules.password(password ?? "") }
        try errors.throwIfAny()
        guard let name, let tagline, let language, let handle, let displayName, let email, let password else {
            throw ValidationFailure(errors.errors)
        }
        let settings = CommunitySettings(name: name, tagline: tagline, defaultLanguage: language)
        let administrator = NewMember(
            handle: handle, displayName: displayName, email: email, passwordHash: try await hashPassword(password), role: .admin,
            isStaff: true, profile: MemberProfile(preferredLanguage: language))
        return (settings, administrator)
    }
}

enum SetupViews {
    static func form(_ request: Request, state: FormState, status: HTTPStatus = .ok) -> Response {
        let t = request.context.localizer
        let languages = Language.allCases.map { (value: $0.rawValue, label: $0.nativeName) }
        return Layout.page(request, title: t("setup.title"), status: status) {
            H.section(.class("auth-card auth-card-wide")) {
                H.h1 { t("setup.title") }
                H.p(.class("lead")) { t("setup.lead") }
                Forms.errorSummary(state, t)
                H.form(action: .to("/setup"), .id("setup-form"), .class("stack-form")) {
                    Forms.csrf(request)
                    H.fieldset {
                        H.legend { t("setup.community") }
                        Forms.field(
                            "community_name", label: t("field.community_name"), state: state, t: t, required: true,
                            maxLength: CommunityRules.nameMaxLength)
                        Forms.field(
                            "tagline", label: t("field.tagline"), state: state, t: t, hint: t("field.tagline.hint"),
                            maxLength: CommunityRules.taglineMaxLength)
                        Forms.select("default_language", label: t("field.default_language"), options: languages, state: state, t: t)
                    }
                    H.fieldset {
                        H.legend { t("setup.admin") }
                        Forms.field(
                            "handle", label: t("field.handle"), state: state, t: t, autocomplete: "username", required: true,
                            hint: t("field.handle.hint"))
                        Forms.field(
                            "display_name", label: t("field.display_name"), state: state, t: t, autocomplete: "name", required: true)
                        Forms.field(
                            "email", label: t("field.email"), state: state, t: t, type: "email", autocomplete: "email", required: true)
                        Forms.field(
                            "password", label: t("field.password"), state: state, t: t, type: "password", autocomplete: "new-password",
                            required: true, hint: t("field.password.hint"))
                    }
                    Forms.submit(t("setup.submit"), id: "setup-submit")
                }
            }
        }
    }
}
