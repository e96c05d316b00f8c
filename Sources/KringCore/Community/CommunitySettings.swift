/// A language the user interface speaks.
public enum Language: String, Codable, CaseIterable, Sendable {
    case en
    case nl

    /// The language's own name, shown in language pickers so everybody can find theirs.
    public var nativeName: String {
        switch self {
        case .en: "English"
        case .nl: "Nederlands"
        }
    }

    /// The Foundation locale identifier used for dates and numbers.
    public var localeIdentifier: String {
        switch self {
        case .en: "en_GB"
        case .nl: "nl_NL"
        }
    }

    /// Picks the best supported language from an HTTP `Accept-Language` header, honouring q-values.
    /// Returns nil when the header names no supported language.
    public static func preferred(fromAcceptLanguage header: String) -> Language? {
        let ranked = header.split(separator: ",").enumerated().compactMap { index, part -> (Language, Double, Int)? in
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = pieces.first?.lowercased(), !tag.isEmpty else { return nil }
            let primary = String(tag.split(separator: "-").first ?? Substring(tag))
            guard let language = Language(rawValue: primary) else { return nil }
            var quality = 1.0
            for parameter in pieces.dropFirst() where parameter.hasPrefix("q=") {
                quality = Double(parameter.dropFirst(2)) ?? 0
            }
            guard quality > 0 else { return nil }
            return (language, quality, index)
        }
        return ranked.sorted { ($0.1, -$0.2) > ($1.1, -$1.2) }.first?.0
    }
}

/// Who may join the community.
public enum RegistrationMode: String, Codable, CaseIterable, Sendable {
    /// Anyone may register and start at once.
    case open
    /// Anyone may register; an administrator or manager approves the account before it can be used.
    case approval
    /// Only people holding an invitation may register.
    case invite
}

/// Who may read the community.
public enum ReadAccess: String, Codable, CaseIterable, Sendable {
    case `public`
    case members
}

/// The community's own settings, edited by administrators.
public struct CommunitySettings: Codable, Sendable, Equatable {
    public var name: String
    public var tagline: String
    public var defaultLanguage: Language
    public var registrationMode: RegistrationMode
    public var readAccess: ReadAccess
    /// IANA time zone name; periods in reports are calendar periods in this zone.
    public var timeZone: String

    public init(
        name: String, tagline: String, defaultLanguage: Language,
        registrationMode: RegistrationMode = .open, readAccess: ReadAccess = .public,
        timeZone: String = "Europe/Amsterdam"
    ) {
        self.name = name
        self.tagline = tagline
        self.defaultLanguage = defaultLanguage
        self.registrationMode = registrationMode
        self.readAccess = readAccess
        self.timeZone = timeZone
    }
}
