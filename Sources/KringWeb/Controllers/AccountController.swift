import KringCore
import KringStore
import Vapor

/// Registration, login, logout, password reset and the language switch.
struct AccountController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("register", use: registerForm)
        routes.post("register", use: register)
        routes.get("login", use: loginForm)
        routes.post("login", use: login)
        routes.post("logout", use: logout)
        routes.get("password", "forgot", use: forgotForm)
        routes.post("password", "forgot", use: forgot)
        routes.get("password", "reset", ":token", use: resetForm)
        routes.post("password", "reset", ":token", use: reset)
        routes.post("language", use: switchLanguage)
    }

    // MARK: Registration

    struct RegisterForm: Content {
        var handle: String?
        var display_name: String?
        var email: String?
        var password: String?
        var invite: String?
        var accept_rules: String?
    }

    /// The invitation named by a token, if it is still valid.
    private func invitation(_ token: String?, on request: Request) async throws -> EmailToken? {
        guard let token, !token.isEmpty else { return nil }
        return try await request.repositories.emailTokens.valid(.invitation, tokenHash: SecretToken.hash(token))
    }

    @Sendable func registerForm(request: Request) async throws -> Response {
        if request.context.member != nil { return request.redirect(to: "/") }
        let token = request.query[String.self, at: "invite"]
        let invite = try await invitation(token, on: request)
        var state = FormState()
        if let invite { state.values = ["email": invite.email, "invite": token ?? ""] }
        return AccountViews.register(request, state: state, invitation: invite, inviteTokenInvalid: token != nil && invite == nil)
    }

    @Sendable func register(request: Request) async throws -> Response {
        let form = try request.content.decode(RegisterForm.self)
        let t = request.context.localizer
        let mode = request.context.community?.registrationMode ?? .open
        let invite = try await invitation(form.invite, on: request)
        var state = FormState(values: [
            "handle": form.handle ?? "", "display_name": form.display_name ?? "", "email": form.email ?? "",
            "invite": form.invite ?? "",
        ])
        if mode == .invite, invite == nil {
            return AccountViews.register(request, state: state, invitation: nil, inviteTokenInvalid: form.invite != nil)
        }

        var errors = FieldErrorCollector()
        let handle = errors.check { () throws(ValidationFailure) in try MemberRules.handle(form.handle ?? "") }
        let displayName = errors.check { () throws(ValidationFailure) in try MemberRules.displayName(form.display_name ?? "") }
        let email = errors.check { () throws(ValidationFailure) in try MemberRules.email(form.email ?? "") }
        let password = errors.check { () throws(ValidationFailure) in try MemberRules.password(form.password ?? "") }
        guard errors.errors.isEmpty, let handle, let displayName, let email, let password else {
            state.errors = errors.errors
            return AccountViews.register(request, state: state, invitation: invite, inviteTokenInvalid: false, status: .unprocessableEntity)
        }

        let moderation = try await request.repositories.community.moderationSettings()
        let rulesPage = try await HouseRules.page(request.repositories)
        if rulesPage != nil, form.accept_rules != "1" {
            state.errors = [FieldError(field: "accept_rules", code: "rules.required")]
            return AccountViews.register(request, state: state, invitation: invite, inviteTokenInvalid: false, status: .unprocessableEntity)
        }
        if try await request.repositories.sanctions.isBlocked(email: email, handle: handle) {
            state.errors = [FieldError(field: "email", code: "email.blocked")]
            return AccountViews.register(request, state: state, invitation: invite, inviteTokenInvalid: false, status: .unprocessableEntity)
        }
        // Many registrations from one address in an hour: the next ones wait for a manager.
        // (A local address, such as a proxy's, says nothing about who registers: no burst check there.)
        var burst = false
        if !request.clientAddressIsLocal, invite == nil {
            burst = try await request.repositories.rateLimits.hit("register:ip:" + request.clientAddress, window: 3600) > 3
        }
        let isBurst = burst
        let status: MemberStatus = ((mode == .approval || isBurst) && invite == nil) ? .pending : .active
        let hash = try await Passwords.hash(password, on: request)
        let language = request.context.language
        let member: Member
        do {
            member = try await request.repositories.writeTransaction { repositories in
                if let invite {
                    guard try await repositories.emailTokens.consume(id: invite.id) else {
                        throw ValidationFailure(field: "invite", code: "invite.used")
                    }
                }
                let member = try await repositories.members.create(
                    NewMember(
                        handle: handle, displayName: displayName, email: email, passwordHash: hash, status: status,
                        profile: MemberProfile(preferredLanguage: language)))
                try await repositories.members.setRegistrationDetails(
                    of: member.id, ip: request.clientAddress, pendingReason: isBurst && status == .pending ? "registration_burst" : nil)
                if rulesPage != nil { try await repositories.members.acceptRules(of: member.id, version: moderation.rulesVersion) }
                if let groupID = invite?.groupID {
                    try await repositories.groups.setMembership(
                        groupID, memberID: member.id, role: .member, status: .active, invitedBy: invite?.createdByID)
                }
                let mailer = try request.mailer(repositories)
                if status == .pending {
                    for manager in try await repositories.members.team() where manager.role >= .manager {
                        try await mailer.awaitingApproval(member, notify: manager)
                    }
                } else {
                    try await mailer.welcome(member, message: try await repositories.welcomeMessage())
                }
                return member
            }
        } catch let failure as ValidationFailure {
            state.errors = failure.errors
            return AccountViews.register(request, state: state, invitation: invite, inviteTokenInvalid: false, status: .unprocessableEntity)
        }

        if status == .pending {
            return AccountViews.message(
                request, title: t("register.pending.title"), body: t("register.pending.body", ["email": member.email]),
                id: "register-pending")
        }
        let response = request.redirect(to: "/", flash: "flash.welcome")
        try await SignIn.start(request, member: member, on: response)
        return response
    }

    // MARK: Login

    struct LoginForm: Content {
        var login: String?
        var password: String?
        var next: String?
    }

    @Sendable func loginForm(request: Request) async throws -> Response {
        if request.context.member != nil { return request.redirect(to: "/") }
        let next = request.query[String.self, at: "next"]
        return AccountViews.login(request, state: FormState(values: ["next": SignInRedirect.safeNext(next)]))
    }

    @Sendable func login(request: Request) async throws -> Response {
        let form = try request.content.decode(LoginForm.self)
        let t = request.context.localizer
        let login = (form.login ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        var state = FormState(values: ["login": login, "next": SignInRedirect.safeNext(form.next)])
        let limits = request.repositories.rateLimits
        let buckets = AttemptLimits.loginBuckets(login: login, address: request.clientAddress)

        let accountFailures = try await limits.recentHits(buckets.account, window: AttemptLimits.window)
        let addressFailures = try await limits.recentHits(buckets.address, window: AttemptLimits.window)
        if accountFailures >= AttemptLimits.loginFailuresPerAccount || addressFailures >= AttemptLimits.loginFailuresPerAddress {
            state.formError = t("login.rate_limited")
            return AccountViews.login(request, state: state, status: .tooManyRequests)
        }

        let credentials = try await request.repositories.members.credentials(login: login)
        let passwordMatches = try await Passwords.verify(form.password ?? "", against: credentials?.passwordHash, on: request)
        guard let member = credentials?.member, passwordMatches else {
            try await limits.hit(buckets.account, window: AttemptLimits.window)
            try await limits.hit(buckets.address, window: AttemptLimits.window)
            state.formError = t("login.failed")
            return AccountViews.login(request, state: state, status: .unauthorized)
        }
        switch member.status {
        case .pending:
            state.formError = t("login.pending")
            return AccountViews.login(request, state: state, status: .forbidden)
        case .rejected:
            state.formError = t("login.rejected")
            return AccountViews.login(request, state: state, status: .forbidden)
        case .erased:  // No password matches an erased account; kept for exhaustiveness.
            state.formError = t("login.failed")
            return AccountViews.login(request, state: state, status: .unauthorized)
        case .active:
            break
        }
        let restriction = try await request.repositories.sanctions.restriction(of: member.id)
        if !restriction.mayLogIn, let sanction = restriction.sanction {
            state.formError = SanctionText.loginRefused(sanction, t: t)
            return AccountViews.login(request, state: state, status: .forbidden)
        }
        try await limits.reset(buckets.account)
        let response = request.redirect(to: state["next"])
        try await SignIn.start(request, member: member, on: response)
        return response
    }

    @Sendable func logout(request: Request) async throws -> Response {
        let response = request.redirect(to: "/")
        try await SignIn.end(request, on: response)
        return response
    }

    // MARK: Password reset

    struct ForgotForm: Content {
        var email: String?
    }

    @Sendable func forgotForm(request: Request) async throws -> Response {
        AccountViews.forgot(request, state: FormState())
    }

    @Sendable func forgot(request: Request) async throws -> Response {
        let form = try request.content.decode(ForgotForm.self)
        let t = request.context.localizer
        var state = FormState(values: ["email": form.email ?? ""])
        let email: String
        do {
            email = try MemberRules.email(form.email ?? "")
        } catch {
            state.errors = error.errors
            return AccountViews.forgot(request, state: state, status: .unprocessableEntity)
        }
        let limits = request.repositories.rateLimits
        let addressHits = try await limits.hit("reset:ip:" + request.clientAddress, window: AttemptLimits.resetWindow)
        let accountHits = try await limits.hit("reset:account:" + email, window: AttemptLimits.resetWindow)
        if addressHits > AttemptLimits.resetsPerAddress {
            state.formError = t("reset.rate_limited")
            return AccountViews.forgot(request, state: state, status: .tooManyRequests)
        }
        // Whether or not the address is known, the answer is the same: no one learns who is a member.
        if accountHits <= AttemptLimits.resetsPerAccount, let member = try await request.repositories.members.find(email: email),
            member.status == .active
        {
            let token = SecretToken.generate()
            try await request.repositories.writeTransaction { repositories in
                try await repositories.emailTokens.create(
                    .passwordReset, tokenHash: SecretToken.hash(token), email: member.email, memberID: member.id,
                    createdByID: nil, lifetime: 3600)
                try await request.mailer(repositories).passwordReset(for: member, token: token)
            }
        }
        return AccountViews.message(request, title: t("reset.sent.title"), body: t("reset.sent.body"), id: "reset-sent")
    }

    struct ResetForm: Content {
        var password: String?
    }

    @Sendable func resetForm(request: Request) async throws -> Response {
        let token = request.parameters.get("token") ?? ""
        guard try await request.repositories.emailTokens.valid(.passwordReset, tokenHash: SecretToken.hash(token)) != nil else {
            return AccountViews.resetInvalid(request)
        }
        return AccountViews.reset(request, token: token, state: FormState())
    }

    @Sendable func reset(request: Request) async throws -> Response {
        let token = request.parameters.get("token") ?? ""
        let form = try request.content.decode(ResetForm.self)
        guard let resetToken = try await request.repositories.emailTokens.valid(.passwordReset, tokenHash: SecretToken.hash(token)),
            let memberID = resetToken.memberID, let member = try await request.repositories.members.find(id: memberID)
        else {
            return AccountViews.resetInvalid(request)
        }
        let password: String
        do {
            password = try MemberRules.password(form.password ?? "")
        } catch {
            return AccountViews.reset(request, token: token, state: FormState(errors: error.errors), status: .unprocessableEntity)
        }
        let hash = try await Passwords.hash(password, on: request)
        let consumed = try await request.repositories.writeTransaction { repositories in
            guard try await repositories.emailTokens.consume(id: resetToken.id) else { return false }
            try await repositories.members.setPasswordHash(of: memberID, to: hash, kind: .passwordReset, by: member.actor)
            try await repositories.sessions.deleteAll(of: memberID)
            return true
        }
        guard consumed else { return AccountViews.resetInvalid(request) }
        let response = request.redirect(to: "/", flash: "flash.password_reset")
        if member.status == .active {
            try await SignIn.start(request, member: member, on: response)
        }
        return response
    }

    // MARK: Language

    struct LanguageForm: Content {
        var language: String?
        var return_to: String?
    }

    /// Remembers the chosen language: on the member's profile when signed in, in a cookie always.
    @Sendable func switchLanguage(request: Request) async throws -> Response {
        let form = try request.content.decode(LanguageForm.self)
        guard let language = form.language.flatMap(Language.init(rawValue:)) else {
            throw ValidationFailure(field: "language", code: "choice.invalid")
        }
        if let member = request.context.member {
            try await request.repositories.members.setPreferredLanguage(of: member.id, to: language)
        }
        let target = SignInRedirect.safeNext(form.return_to)
        let response = request.redirect(to: target.hasPrefix("/password/reset/") ? "/" : target)
        response.cookies[CookieName.language] = request.application.cookie(language.rawValue, maxAge: 365 * 86_400)
        return response
    }
}
