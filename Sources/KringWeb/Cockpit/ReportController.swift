import Foundation
import KringCore
import KringStore
import Vapor

extension Repositories {
    /// A report's content for a period: the cockpit's figures for it and the one before, goals,
    /// top content, new champions, ideas, moderation, success stories and the open advice.
    func buildReport(period: MetricPeriod, timeZone: TimeZone) async throws -> ReportContent {
        // Two sides: the period's figures (on both analytics connections) and, alongside, the
        // previous period's values, top topics and top posters.
        func reports(side: Int) -> ReportRepository { ReportRepository(database: analyticsDatabase(side: side), clock: clock) }
        async let currentSide = (
            figures: figures(for: period, withCohorts: false),
            topTopics: reports(side: 0).topTopics(from: period.start, to: period.end)
        )
        async let previousSide = (
            values: comparisonValues(before: period),
            topPosters: reports(side: 1).topPosters(from: period.start, to: period.end),
            earlierTopPosters: reports(side: 1).topPosters(from: period.previous.start, to: period.previous.end)
        )
        let (current, topTopics) = try await currentSide
        let (previous, topPosters, earlierTopPosters) = try await previousSide
        var content = ReportContent()
        content.figures = MetricCatalog.all.map {
            ReportContent.Figure(id: $0.id, value: $0.value(current), previous: previous[$0.id] ?? nil)
        }
        content.dailyActive = current.visitors.dau
        content.goals = try await goalStandings(timeZone: timeZone).map {
            ReportContent.GoalLine(title: $0.goal.title, status: $0.status.rawValue, latest: $0.points.last?.value, target: $0.goal.target)
        }
        content.topTopics = topTopics
        content.champions = ReportRepository.newChampions(current: topPosters, before: earlierTopPosters)
        content.ideasSubmitted = current.content.ideas
        content.departments = current.departments.map {
            ReportContent.Department(name: $0.name, routed: $0.routed, responded: $0.responded, medianHours: $0.medianHours)
        }
        let moderation = current.moderation
        content.moderation = ReportContent.Moderation(
            flagsRaised: moderation.flagsRaised, flagsSettled: moderation.flagsSettled, flagsUpheld: moderation.flagsUpheld,
            medianHoursToResolve: moderation.medianHoursToResolve, sanctions: moderation.sanctionsImposed)
        content.stories = try await strategy.stories(from: period.start, to: period.end).map {
            ReportContent.Story(title: $0.title, value: $0.value)
        }
        content.nextSteps = try await reportableAdvice().prefix(10).map {
            ReportContent.Step(rule: $0.rule.rawValue, details: $0.details, link: $0.link)
        }
        return content
    }

    /// The catalog's values for the period before `period`, for comparison: a finished month's
    /// as stored (`finishedMonthValues`), other periods computed.
    func comparisonValues(before period: MetricPeriod) async throws -> [String: Double?] {
        let previous = period.previous
        if previous.kind == .month, previous.end <= clock.now() { return try await finishedMonthValues(previous, side: 1) }
        let figures = try await figures(for: previous, withCohorts: false, side: 1)
        return Dictionary(uniqueKeysWithValues: MetricCatalog.all.map { ($0.id, $0.value(figures)) })
    }

    /// A finished month's catalog values (the community's, or a group's): its stored snapshot when
    /// that holds every figure, else computed and stored. Goals measure months with them and a
    /// report compares with the month before; the rollup job stores each month once it is over.
    func finishedMonthValues(_ month: MetricPeriod, groupID: UUID? = nil, side: Int = 0) async throws -> [String: Double?] {
        let scope = groupID?.uuidString.lowercased() ?? "community"
        let key = MonthlyMetrics.snapshotKey(of: month)
        if let stored = try await goals.snapshots(scope: scope, months: [key])[key], MetricCatalog.all.allSatisfy({ stored[$0.id] != nil })
        {
            return stored
        }
        let figures = try await figures(for: month, groupID: groupID, withCohorts: false, side: side)
        let values = Dictionary(uniqueKeysWithValues: MetricCatalog.all.map { ($0.id, $0.value(figures)) })
        try await goals.storeSnapshot(scope: scope, month: key, values: values)
        return values
    }

    /// Stores the figures of the last finished month once (the rollup job's part): next month's
    /// report and the goals then compare with it without computing it again.
    func storeLastMonthSnapshot(timeZone: TimeZone) async throws {
        let thisMonth = MetricPeriod.containing(clock.now(), kind: .month, timeZone: timeZone)
        _ = try await comparisonValues(before: thisMonth)
    }

    /// The due advice a report may carry: what points at a topic or group that not everyone may
    /// read (a closed or secret group's) stays in the team's inbox.
    func reportableAdvice() async throws -> [AdviceItem] {
        let items = try await advice.items()
        func subject(_ item: AdviceItem, _ prefix: String) -> String? {
            item.link.hasPrefix(prefix) ? String(item.link.dropFirst(prefix.count)) : nil
        }
        let open = try await reports.openSubjects(
            topics: items.compactMap { subject($0, "/t/").flatMap(UUID.init(uuidString:)) }, groups: items.compactMap { subject($0, "/g/") }
        )
        return items.filter { item in
            if let topic = subject(item, "/t/") { return UUID(uuidString: topic).map(open.topics.contains) ?? false }
            if let group = subject(item, "/g/") { return open.groups.contains(group) }
            return true
        }
    }

    /// Generates and stores the report of `kind` for the period holding `date`.
    @discardableResult
    func generateReport(kind: ReportKind, containing date: Date, timeZone: TimeZone) async throws -> ReportRepository.Outcome {
        let period = MetricPeriod.containing(date, kind: kind.period, timeZone: timeZone)
        return try await reports.store(kind: kind, period: period, content: try await buildReport(period: period, timeZone: timeZone))
    }

    /// The job's part: a draft for each chosen kind's last finished period, once. Returns how many it made.
    @discardableResult
    func generateDueReports(timeZone: TimeZone) async throws -> Int {
        var made = 0
        for kind in try await ReportSettings.load(self).kinds {
            let last = MetricPeriod.containing(clock.now(), kind: kind.period, timeZone: timeZone).previous
            guard try await !reports.exists(kind: kind, start: last.start) else { continue }
            if case .created = try await reports.store(
                kind: kind, period: last, content: try await buildReport(period: last, timeZone: timeZone))
            {
                made += 1
            }
        }
        return made
    }
}

/// Which reports the job makes and who receives published ones.
struct ReportSettings: Sendable {
    var kinds: [ReportKind] = [.monthly]
    var recipients: [String] = []

    static func load(_ repositories: Repositories) async throws -> ReportSettings {
        let stored = try await repositories.strategy.settings(prefix: "reports.")
        var settings = ReportSettings()
        if let kinds = stored["reports.kinds"] {
            settings.kinds = kinds.split(separator: ",").compactMap { ReportKind(rawValue: String($0)) }
        }
        if let recipients = stored["reports.recipients"] { settings.recipients = recipients.split(separator: ",").map(String.init) }
        return settings
    }

    /// Addresses one a line or separated by commas; throws naming `recipients` at the first that is not one.
    static func recipients(from text: String) throws(ValidationFailure) -> [String] {
        var addresses = Set<String>()
        for raw in text.split(whereSeparator: { $0 == "," || $0.isNewline || $0 == ";" }) where !raw.allSatisfy(\.isWhitespace) {
            addresses.insert(try MemberRules.email(String(raw), field: "recipients"))
        }
        return addresses.sorted()
    }
}

/// Community reports: generated by the job or on demand, evaluated and published by a manager,
/// mailed to stakeholders, printed to A4, downloaded as CSV or PDF.
struct ReportController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let reports = routes.grouped("reports")
        reports.get(use: index)
        reports.post("generate", use: generate)
        reports.post("settings", use: saveSettings)
        reports.get(":report", use: show)
        reports.get(":report", "csv", use: csv)
        reports.get(":report", "pdf", use: pdf)
        reports.post(":report", "evaluation", use: saveEvaluation)
        reports.post(":report", "publish", use: publish)
    }

    @Sendable func index(request: Request) async throws -> Response {
        try request.authorize(.readCockpit)
        let manages = request.decide(.viewCockpit).isAllowed
        let reports = try await request.repositories.reports.list(publishedOnly: !manages)
        return ReportViews.index(
            request, reports: reports, settings: try await ReportSettings.load(request.repositories), state: FormState())
    }

    struct GenerateForm: Content {
        var kind: String?
        var date: String?
    }

    @Sendable func generate(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let form = try request.content.decode(GenerateForm.self)
        let zone = request.communityTimeZone
        guard let kind = ReportKind(rawValue: form.kind ?? ""),
            let date = LocalDay.start(of: form.date ?? "", in: zone)
        else {
            return ReportViews.index(
                request, reports: try await request.repositories.reports.list(),
                settings: try await ReportSettings.load(request.repositories),
                state: FormState(
                    values: ["kind": form.kind ?? "", "date": form.date ?? ""], errors: [FieldError(field: "date", code: "date.invalid")]),
                status: .unprocessableEntity)
        }
        switch try await request.repositories.generateReport(kind: kind, containing: date, timeZone: zone) {
        case .created(let id), .refreshed(let id):
            return request.redirect(to: "/reports/\(id.uuidString.lowercased())", flash: "flash.report_generated")
        case .published(let id):
            return request.redirect(to: "/reports/\(id.uuidString.lowercased())", flash: "flash.report_already_published")
        }
    }

    struct SettingsForm: Content {
        var kinds: [String]?
        var recipients: String?
    }

    @Sendable func saveSettings(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let form = try request.content.decode(SettingsForm.self)
        do {
            let recipients = try ReportSettings.recipients(from: form.recipients ?? "")
            let kinds = (form.kinds ?? []).compactMap(ReportKind.init(rawValue:))
            try await request.repositories.strategy.setSettings([
                "reports.kinds": kinds.map(\.rawValue).joined(separator: ","), "reports.recipients": recipients.joined(separator: ","),
            ])
            try await request.audit(
                "report.settings", subjectType: "community", label: "reports", after: recipients.joined(separator: ", "))
            return request.redirect(to: "/reports", flash: "flash.settings_saved")
        } catch let failure as ValidationFailure {
            return ReportViews.index(
                request, reports: try await request.repositories.reports.list(),
                settings: try await ReportSettings.load(request.repositories),
                state: FormState(values: ["recipients": form.recipients ?? ""], errors: failure.errors), status: .unprocessableEntity)
        }
    }

    /// The report, if the reader may see it: drafts only for managers.
    static func report(_ request: Request) async throws -> Report {
        try request.authorize(.readCockpit)
        guard let id = request.parameters.get("report", as: UUID.self), let report = try await request.repositories.reports.find(id),
            report.status == .published || request.decide(.viewCockpit).isAllowed
        else { throw Abort(.notFound) }
        return report
    }

    @Sendable func show(request: Request) async throws -> Response {
        let report = try await Self.report(request)
        return ReportViews.show(request, report: report, state: FormState(values: ["evaluation": report.evaluation]))
    }

    @Sendable func csv(request: Request) async throws -> Response {
        let report = try await Self.report(request)
        var rows = [["metric", "section", "unit", "value", "previous_value"]]
        for figure in report.content.figures {
            guard let metric = MetricCatalog.all.first(where: { $0.id == figure.id }) else { continue }
            rows.append([
                figure.id, metric.section.rawValue, metric.unit.rawValue, CockpitCSV.number(figure.value),
                CockpitCSV.number(figure.previous),
            ])
        }
        for goal in report.content.goals {
            rows.append(["goal:" + goal.title, "goals", goal.status, CockpitCSV.number(goal.latest), CockpitCSV.number(goal.target)])
        }
        return CSV.response(rows, filename: "kring-report-\(ReportViews.slug(report, request.communityTimeZone)).csv")
    }

    /// The report printed to PDF by a headless Chromium on the server, when one is installed.
    @Sendable func pdf(request: Request) async throws -> Response {
        let report = try await Self.report(request)
        guard let chromium = ReportPDF.chromium() else {
            throw Abort(.notFound, reason: request.context.localizer("reports.pdf_unavailable"))
        }
        let html = ReportViews.document(request, report: report)
        let data = try await ReportPDF.render(html: html, chromium: chromium, on: request)
        let response = Response(status: .ok, body: .init(data: data))
        response.headers.contentType = HTTPMediaType(type: "application", subType: "pdf")
        response.headers.replaceOrAdd(
            name: .contentDisposition,
            value: "attachment; filename=\"kring-report-\(ReportViews.slug(report, request.communityTimeZone)).pdf\"")
        return response
    }

    struct EvaluationForm: Content {
        var evaluation: String?
    }

    static func evaluation(_ raw: String?) throws(ValidationFailure) -> String {
        let text = (raw ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.count <= StrategyRules.maxSection else { throw ValidationFailure(field: "evaluation", code: "too_long") }
        return text
    }

    @Sendable func saveEvaluation(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let report = try await Self.report(request)
        let form = try request.content.decode(EvaluationForm.self)
        do {
            let text = try Self.evaluation(form.evaluation)
            guard try await request.repositories.reports.setEvaluation(report.id, text) else { throw Abort(.conflict) }
            return request.redirect(to: "/reports/\(report.id.uuidString.lowercased())", flash: "flash.report_saved")
        } catch let failure as ValidationFailure {
            return ReportViews.show(
                request, report: report, state: FormState(values: ["evaluation": form.evaluation ?? ""], errors: failure.errors),
                status: .unprocessableEntity)
        }
    }

    /// Publishes a draft with its evaluation (required) and mails it to the stakeholders.
    @Sendable func publish(request: Request) async throws -> Response {
        try request.authorize(.viewCockpit)
        let report = try await Self.report(request)
        let form = try request.content.decode(EvaluationForm.self)
        do {
            let text = try Self.evaluation(form.evaluation ?? report.evaluation)
            guard !text.isEmpty else { throw ValidationFailure(field: "evaluation", code: "report.evaluation_required") }
            guard try await request.repositories.reports.publish(report.id, evaluation: text, by: request.context.actor) else {
                return request.redirect(to: "/reports/\(report.id.uuidString.lowercased())", flash: "flash.report_already_published")
            }
            var published = report
            published.evaluation = text
            published.status = .published
            try await ReportMail.send(published, request: request)
            try await request.audit(
                "report.publish", subjectType: "report", subjectID: report.id, label: ReportViews.title(report, request.context.localizer))
            return request.redirect(to: "/reports/\(report.id.uuidString.lowercased())", flash: "flash.report_published")
        } catch let failure as ValidationFailure {
            return ReportViews.show(
                request, report: report, state: FormState(values: ["evaluation": form.evaluation ?? ""], errors: failure.errors),
                status: .unprocessableEntity)
        }
    }
}

/// Mails a published report to the chosen stakeholders through the outbox: the highlights, the key
/// figures, the evaluation and the link.
enum ReportMail {
    static func send(_ report: Report, request: Request) async throws {
        guard let community = request.context.community else { return }
        let services = request.application.kring
        let t = Localizer(language: community.defaultLanguage, catalog: services.catalog, timeZone: request.communityTimeZone)
        let title = ReportViews.title(report, t)
        var lines = [title, "", t("reports.highlights") + ":"]
        for highlight in report.content.highlights() {
            lines.append("- " + ReportViews.highlight(highlight.figure, change: highlight.change, t))
        }
        lines += ["", t("reports.key_figures") + ":"]
        for figure in report.content.figures.prefix(12) {
            guard let metric = MetricCatalog.all.first(where: { $0.id == figure.id }) else { continue }
            lines.append("- " + t("cockpit.metric.\(figure.id)") + ": " + CockpitViews.format(figure.value, metric.unit, t))
        }
        lines += [
            "", t("reports.evaluation") + ":", report.evaluation, "",
            services.config.baseURL + "/reports/\(report.id.uuidString.lowercased())",
        ]
        for recipient in try await ReportSettings.load(request.repositories).recipients {
            try await request.repositories.outbox.enqueue(
                NewOutboxMessage(
                    kind: "report", recipient: recipient, recipientName: recipient,
                    subject: t("mail.report.subject", ["community": community.name, "title": title]),
                    bodyText: lines.joined(separator: "\n")))
        }
    }
}

/// PDF output through a headless Chromium, found on the server (or named in `KRING_CHROMIUM`).
enum ReportPDF {
    static func chromium() -> String? {
        let candidates = [
            ProcessInfo.processInfo.environment["KRING_CHROMIUM"], "/usr/bin/chromium", "/usr/bin/chromium-browser",
            "/usr/bin/google-chrome",
        ]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Writes the self-contained page to a temporary folder and has Chromium print it (A4, from the
    /// page's print styles); the folder goes afterwards, whatever happened.
    static func render(html: String, chromium: String, on request: Request) async throws -> Data {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kring-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let page = folder.appendingPathComponent("report.html")
        let output = folder.appendingPathComponent("report.pdf")
        try Data(html.utf8).write(to: page)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium)
        process.arguments = [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-pdf-header-footer",
            "--user-data-dir=\(folder.appendingPathComponent("profile").path)", "--print-to-pdf=\(output.path)", page.absoluteString,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try await request.application.threadPool.runIfActive {
            try process.run()
            process.waitUntilExit()
        }
        guard process.terminationStatus == 0, let data = try? Data(contentsOf: output), !data.isEmpty else {
            throw Abort(.serviceUnavailable, reason: "Chromium could not print the report.")
        }
        return data
    }
}
