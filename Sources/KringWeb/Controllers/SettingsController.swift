import KringCore
import KringStore
import Vapor

/// A member's own settings: profile, password and API tokens.
struct SettingsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let settings = routes.grouped("settings")
        settings.get { request in request.redirect(to: "/settings/profile") }
        settings.get("profile", use: profileForm)
        settings.post("profile", use: saveProfile)
        settings.get("password", use: passwordForm)
        settings.post("password", use: changePassword)
        settings.get("tokens", use: tokens)
        settings.post("tokens", use: createToken)
        settings.post("tokens", ":id", "revoke", use: revokeToken)
    }

    // MARK: Profile

    struct ProfileForm: Content {
        var display_name: String?
        var bio: String?
        var organisation: String?
        var interests: String?
        var expertise: String?
        var preferred_language: String?
    }

    @Sendable func profileForm(request: Request) async throws -> Response {
        let member = try request.requireMember()
        let state = FormState(values: [
            "display_name": member.displayName, "bio": member.profile.bio, "organisation": member.profile.organisation,
            "interests": member.profile.interests.joined(separator: ", "),
            "expertise": member.profile.expertise.joined(separator: ", "),
            "preferred_language": member.profile.preferredLanguage?.rawValue ?? "",
        ])
        return SettingsViews.profile(request, state: state)
    }

    @Sendable func saveProfile(request: Request) async throws -> Response {
        let member = try request.requireMember()
        try request.authorize(.editProfile(of: member.id))
        let form = try request.content.decode(ProfileForm.self)
        var state = FormState(values: [
            "display_name": form.display_name ?? "", "bio": form.bio ?? "", "organisation": form.organisation ?? "",
            "interests": form.interests ?? "", "expertise": form.expertise ?? "", "preferred_language": form.preferred_language ?? "",
        ])
        do {
            let (displayName, profile) = try ProfileInput.validate(
                displayName: form.display_name ?? "", bio: form.bio ?? "", organisation: form.organisation ?? "",
                interests: MemberRules.tags(form.interests ?? "", field: "interests"),
                expertise: MemberRules.tags(form.expertise ?? "", field: "expertise"),
                preferredLanguage: form.preferred_language)
            try await request.repositories.members.updateProfile(of: member.id, displayName: displayName, profile: profile)
        } catch let failure as ValidationFailure {
            state.errors = failure.errors
            return SettingsViews.profile(request, state: state, status: .unprocessableEntity)
        }
        return request.redirect(to: "/settings/profile", flash: "flash.profile_saved")
    }

    // MARK: Password

    struct PasswordForm: Content {
        var current_password: String?
        var new_password: String?
    }

    @Sendable func passwordForm(request: Request) async throws -> Response {
        _ = try request.requireMember()
        return SettingsViews.password(request, state: FormState())
    }

    @Sendable func changePassword(request: Request) async throws -> Response {
        let member = try request.requireMember()
        let form = try request.content.decode(PasswordForm.self)
        var state = FormState()
        let stored = try await request.repositories.members.passwordHash(of: member.id)
        guard try await Passwords.verify(form.current_password ?? "", against: stored, on: request) else {
            state.errors = [FieldError(field: "current_password", code: "password.wrong")]
            return SettingsViews.password(request, state: state, status: .unprocessableEntity)
        }
        let password: String
        do {
            password = try MemberRules.password(form.new_password ?? "", field: "new_password")
        } catch {
            state.errors = error.errors
            return SettingsViews.password(request, state: state, status: .unprocessableEntity)
        }
        let hash = try await Passwords.hash(password, on: request)
        try await request.repositories.writeTransaction { repositories in
            try await repositories.members.setPasswordHash(of: member.id, to: hash, kind: .passwordChange, by: member.actor)
            // Other browsers signed in as this member are signed out; this one stays.
            try await repositories.sessions.deleteAll(of: member.id, except: request.context.sessionToken.map(SecretToken.hash))
        }
        return request.redirect(to: "/settings/password", flash: "flash.password_changed")
    }

    // MARK: Tokens

    struct TokenForm: Content {
        var name: String?
    }

    @Sendable func tokens(request: Request) async throws -> Response {
        let member = try request.requireMember()
        let tokens = try await request.repositories.accessTokens.list(of: member.id)
        return SettingsViews.tokens(request, tokens: tokens, newToken: nil, state: FormState())
    }

    @Sendable func createToken(request: Request) async throws -> Response {
        let member = try request.requireMember()
        try request.authorize(.manageAccessTokens(of: member.id))
        let form = try request.content.decode(TokenForm.self)
        do {
            let name = try AccessTokenRules.name(form.name ?? "")
            let token = SecretToken.generate(prefix: AccessTokenRules.prefix)
            _ = try await request.repositories.accessTokens.create(
                memberID: member.id, name: name, tokenHash: SecretToken.hash(token),
                prefix: String(token.prefix(AccessTokenRules.prefix.count + 4)), actor: member.actor)
            let tokens = try await request.repositories.accessTokens.list(of: member.id)
            return SettingsViews.tokens(request, tokens: tokens, newToken: token, state: FormState())
        } catch let failure as ValidationFailure {
            let tokens = try await request.repositories.accessTokens.list(of: member.id)
            return SettingsViews.tokens(
                request, tokens: tokens, newToken: nil, state: FormState(values: ["name": form.name ?? ""], errors: failure.errors),
                status: .unprocessableEntity)
        }
    }

    @Sendable func revokeToken(request: Request) async throws -> Response {
        let member = try request.requireMember()
        guard let id = request.parameters.get("id", as: UUID.self),
            try await request.repositories.accessTokens.revoke(id: id, of: member.id, actor: member.actor)
        else { throw Abort(.notFound) }
        return request.redirect(to: "/settings/tokens", flash: "flash.token_revoked")
    }

}

/// Checks profile input, shared by the settings page and the API.
enum ProfileInput {
    static func validate(
        displayName: String, bio: String, organisation: String, interests: @autoclosure () throws(ValidationFailure) -> [String],
        expertise: @autoclosure () throws(ValidationFailure) -> [String], preferredLanguage: String?
    ) throws(ValidationFailure) -> (String, MemberProfile) {
        var errors = FieldErrorCollector()
        let name = errors.check { () throws(ValidationFailure) in try MemberRules.displayName(displayName) }
        let bio = errors.check { () throws(ValidationFailure) in try MemberRules.bio(bio) }
        let organisation = errors.check { () throws(ValidationFailure) in try MemberRules.organisation(organisation) }
        let interests = errors.check { () throws(ValidationFailure) in try interests() }
        let expertise = errors.check { () throws(ValidationFailure) in try expertise() }
        var language: Language?
        if let preferredLanguage, !preferredLanguage.isEmpty {
            language = errors.check { () throws(ValidationFailure) in
                try CommunityRules.choice(preferredLanguage, as: Language.self, field: "preferred_language")
            }
        }
        try errors.throwIfAny()
        return (
            name ?? displayName,
            MemberProfile(
                bio: bio ?? "", organisation: organisation ?? "", interests: interests ?? [], expertise: expertise ?? [],
                preferredLanguage: language)
        )
    }
}

/// Rules for personal access tokens.
enum AccessTokenRules {
    static let prefix = "kring_"

    static func name(_ raw: String) throws(ValidationFailure) -> String {
        let name = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw ValidationFailure(field: "name", code: "required") }
        guard name.count <= 60 else { throw ValidationFailure(field: "name", code: "too_long") }
        return name
    }
}
