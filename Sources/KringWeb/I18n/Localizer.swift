import Foundation
import KringCore

/// The UI text in every language, loaded once from `Resources/i18n/<language>.json`.
public struct Catalog: Sendable {
    let messages: [Language: [String: String]]

    /// Loads every language's catalog from the bundled resources.
    public static func bundled() throws -> Catalog {
        var messages: [Language: [String: String]] = [:]
        for language in Language.allCases {
            guard let url = KringResources.url("i18n/\(language.rawValue).json") else {
                throw CatalogError.missing(language.rawValue)
            }
            messages[language] = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: url))
        }
        return Catalog(messages: messages)
    }

    /// The keys a language defines; tests compare languages with it.
    public func keys(for language: Language) -> Set<String> { Set(messages[language]?.keys ?? [:].keys) }

    func message(_ key: String, in language: Language) -> String? { messages[language]?[key] }
}

enum CatalogError: Error {
    case missing(String)
}

/// Says things in one language: messages from the catalog, dates and numbers in the language's
/// conventions and the community's time zone.
public struct Localizer: Sendable {
    public let language: Language
    let catalog: Catalog
    let timeZone: TimeZone

    public init(language: Language, catalog: Catalog, timeZone: TimeZone) {
        self.language = language
        self.catalog = catalog
        self.timeZone = timeZone
    }

    var locale: Locale { Locale(identifier: language.localeIdentifier) }

    /// The message for `key`, with `{name}` placeholders filled from `arguments`. A missing key
    /// falls back to English, then to the key itself, so a gap shows up but never breaks a page.
    public func callAsFunction(_ key: String, _ arguments: [String: String] = [:]) -> String {
        let message = catalog.message(key, in: language) ?? catalog.message(key, in: .en) ?? key
        return arguments.isEmpty ? message : Self.fill(message, arguments)
    }

    /// `{name}` placeholders filled in one pass (a page asks for hundreds of messages; searching
    /// the message once per argument was a twentieth of a long topic's render). Unknown names stay.
    static func fill(_ message: String, _ arguments: [String: String]) -> String {
        var result = ""
        var rest = message[...]
        while let open = rest.firstIndex(of: "{") {
            result += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else {
                result += rest[open...]
                return result
            }
            let name = String(rest[rest.index(after: open)..<close])
            if let value = arguments[name] { result += value } else { result += rest[open...close] }
            rest = rest[rest.index(after: close)...]
        }
        result += rest
        return result
    }

    /// A count with the right plural: looks up `key.one` or `key.other` and fills `{count}`.
    public func plural(_ key: String, count: Int, _ arguments: [String: String] = [:]) -> String {
        var all = arguments
        all["count"] = number(count)
        return self(count == 1 ? "\(key).one" : "\(key).other", all)
    }

    /// The message for a field error code, e.g. `error.handle.taken`.
    public func fieldError(_ error: FieldError) -> String { self("error.\(error.code)") }

    /// Below a thousand every language writes a number the same: no formatter needed.
    public func number(_ value: Int) -> String { abs(value) < 1000 ? String(value) : value.formatted(.number.locale(locale)) }

    /// A number with up to `digits` decimals, e.g. "1,3" in Dutch.
    public func decimal(_ value: Double, digits: Int = 1) -> String {
        value.formatted(FloatingPointFormatStyle<Double>.number.precision(.fractionLength(0...digits)).locale(locale))
    }

    /// A file size in bytes, KB or MB (binary multiples, as file managers show them).
    public func fileSize(_ bytes: Int) -> String {
        if bytes < 1024 { return self("units.bytes", ["count": number(bytes)]) }
        let kilobytes = Double(bytes) / 1024
        if kilobytes < 1024 { return self("units.kilobytes", ["count": decimal(kilobytes)]) }
        return self("units.megabytes", ["count": decimal(kilobytes / 1024)])
    }

    public func percent(_ fraction: Double) -> String {
        fraction.formatted(.percent.precision(.fractionLength(0...1)).locale(locale))
    }

    /// A date such as "25 November 2026" or "25 november 2026".
    public func date(_ date: Date) -> String {
        var style = Date.FormatStyle(date: .long, time: .omitted, locale: locale, calendar: Calendar(identifier: .gregorian))
        style.timeZone = timeZone
        return date.formatted(style)
    }

    /// A date with the time of day.
    public func dateTime(_ date: Date) -> String {
        var style = Date.FormatStyle(date: .abbreviated, time: .shortened, locale: locale, calendar: Calendar(identifier: .gregorian))
        style.timeZone = timeZone
        return date.formatted(style)
    }

    /// A short day for chart labels, e.g. "25 Nov" or "25 nov".
    public func shortDate(_ date: Date) -> String {
        var style = Date.FormatStyle(locale: locale, calendar: Calendar(identifier: .gregorian)).day().month(.abbreviated)
        style.timeZone = timeZone
        return date.formatted(style)
    }

    /// A month and year, e.g. "November 2026".
    public func month(_ date: Date) -> String {
        var style = Date.FormatStyle(locale: locale, calendar: Calendar(identifier: .gregorian)).month(.wide).year()
        style.timeZone = timeZone
        return date.formatted(style)
    }

    /// The time of day alone, e.g. "19:30".
    public func time(_ date: Date) -> String {
        var style = Date.FormatStyle(date: .omitted, time: .shortened, locale: locale, calendar: Calendar(identifier: .gregorian))
        style.timeZone = timeZone
        return date.formatted(style)
    }

    /// Whether two moments fall on the same day in this localizer's time zone.
    public func isSameDay(_ first: Date, _ second: Date) -> Bool {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.isDate(first, inSameDayAs: second)
    }

    /// Machine-readable form for `<time datetime>`.
    public func iso(_ date: Date) -> String { date.formatted(.iso8601) }
}

/// Finds files among the bundled resources.
enum KringResources {
    static func url(_ relativePath: String) -> URL? {
        let base = Bundle.module.bundleURL
        let url = base.appendingPathComponent("Resources").appendingPathComponent(relativePath)
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    static var publicDirectory: String {
        Bundle.module.bundleURL.appendingPathComponent("Resources/Public").path + "/"
    }
}
