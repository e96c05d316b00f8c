import Foundation

/// The rules for what members type into account and profile fields. Each function returns the
/// normalised value or throws a `ValidationFailure` naming the field.
public enum MemberRules {
    public static let handleLength = 3...30
    public static let displayNameMaxLength = 60
    /// bcrypt reads at most 72 bytes; a longer password would be silently cut, so it is refused.
    public static let passwordLength = 10...72
    public static let bioMaxLength = 2000
    public static let organisationMaxLength = 120
    public static let tagMaxLength = 40
    public static let tagsPerKindMax = 20

    /// Handles that would collide with paths or impersonate the platform.
    public static let reservedHandles: Set<String> = [
        "admin", "administrator", "api", "setup", "settings", "login", "logout", "register", "members",
        "member", "kring", "moderator", "staff", "system", "support", "root", "me", "new", "password",
        "healthz", "readyz", "static", "css", "js", "language",
    ]

    public static func handle(_ raw: String, field: String = "handle") throws(ValidationFailure) -> String {
        let handle = raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard !handle.isEmpty else { throw ValidationFailure(field: field, code: "required") }
        guard handleLength.contains(handle.count) else { throw ValidationFailure(field: field, code: "handle.length") }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789_-")
        guard handle.allSatisfy({ allowed.contains($0) }),
            let first = handle.first, first.isLetter || first.isNumber
        else { throw ValidationFailure(field: field, code: "handle.characters") }
        guard !reservedHandles.contains(handle) else { throw ValidationFailure(field: field, code: "handle.reserved") }
        return handle
    }

    public static func displayName(_ raw: String, field: String = "display_name") throws(ValidationFailure) -> String {
        let name = singleLine(raw)
        guard !name.isEmpty else { throw ValidationFailure(field: field, code: "required") }
        guard name.count <= displayNameMaxLength else { throw ValidationFailure(field: field, code: "too_long") }
        return name
    }

    public static func email(_ raw: String, field: String = "email") throws(ValidationFailure) -> String {
        let email = raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard !email.isEmpty else { throw ValidationFailure(field: field, code: "required") }
        guard email.count <= 254, isPlausibleEmail(email) else { throw ValidationFailure(field: field, code: "email.invalid") }
        return email
    }

    public static func password(_ raw: String, field: String = "password") throws(ValidationFailure) -> String {
        guard !raw.isEmpty else { throw ValidationFailure(field: field, code: "required") }
        guard raw.count >= passwordLength.lowerBound else { throw ValidationFailure(field: field, code: "password.short") }
        guard raw.utf8.count <= passwordLength.upperBound else { throw ValidationFailure(field: field, code: "password.long") }
        return raw
    }

    public static func bio(_ raw: String) throws(ValidationFailure) -> String {
        let bio = raw.replacingOccurrences(of: "\r\n", with: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        guard bio.count <= bioMaxLength else { throw ValidationFailure(field: "bio", code: "too_long") }
        return bio
    }

    public static func organisation(_ raw: String) throws(ValidationFailure) -> String {
        let organisation = singleLine(raw)
        guard organisation.count <= organisationMaxLength else { throw ValidationFailure(field: "organisation", code: "too_long") }
        return organisation
    }

    /// Splits a comma-separated list into normalised tags: trimmed, lower-cased, inner spaces
    /// collapsed, duplicates removed, order kept.
    public static func tags(_ raw: String, field: String) throws(ValidationFailure) -> [String] {
        try tags(raw.split(separator: ",").map(String.init), field: field)
    }

    public static func tags(_ values: [String], field: String) throws(ValidationFailure) -> [String] {
        var seen = Set<String>()
        var result: [String] = []
        for value in values {
            let tag = singleLine(value).lowercased()
            guard !tag.isEmpty else { continue }
            guard tag.count <= tagMaxLength else { throw ValidationFailure(field: field, code: "tag.too_long") }
            if seen.insert(tag).inserted { result.append(tag) }
        }
        guard result.count <= tagsPerKindMax else { throw ValidationFailure(field: field, code: "tag.too_many") }
        return result
    }

    /// Trims, turns control and format characters (Unicode Cc and Cf) into spaces and collapses runs
    /// of whitespace to one space. (Foundation's
    /// `CharacterSet.controlCharacters` is not used: on Linux it also holds a few unassigned code
    /// points and combining marks, so what a client could predict and what the server did differed.)
    public static func singleLine(_ raw: String) -> String {
        let cleaned = raw.unicodeScalars.map { scalar -> Character in
            switch scalar.properties.generalCategory {
            case .control, .format: " "
            default: Character(scalar)
            }
        }
        return String(cleaned).split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    private static func isPlausibleEmail(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64 else { return false }
        let domain = parts[1]
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty && $0.count <= 63 }) else { return false }
        let forbidden = Set(" \t\n\r<>()[]\\,;:\"")
        return !email.contains(where: { forbidden.contains($0) })
    }
}

/// The rules for the community's own settings.
public enum CommunityRules {
    public static let nameMaxLength = 80
    public static let taglineMaxLength = 160

    public static func name(_ raw: String, field: String = "community_name") throws(ValidationFailure) -> String {
        let name = MemberRules.singleLine(raw)
        guard !name.isEmpty else { throw ValidationFailure(field: field, code: "required") }
        guard name.count <= nameMaxLength else { throw ValidationFailure(field: field, code: "too_long") }
        return name
    }

    public static func tagline(_ raw: String, field: String = "tagline") throws(ValidationFailure) -> String {
        let tagline = MemberRules.singleLine(raw)
        guard tagline.count <= taglineMaxLength else { throw ValidationFailure(field: field, code: "too_long") }
        return tagline
    }

    public static func timeZone(_ raw: String, field: String = "time_zone") throws(ValidationFailure) -> String {
        let identifier = raw.trimmingCharacters(in: .whitespaces)
        guard TimeZone(identifier: identifier) != nil else { throw ValidationFailure(field: field, code: "time_zone.invalid") }
        return identifier
    }

    /// Parses a raw enum value from a form or payload, naming the field when it is unknown.
    public static func choice<T: RawRepresentable>(_ raw: String?, as type: T.Type, field: String) throws(ValidationFailure) -> T
    where T.RawValue == String {
        guard let raw, let value = T(rawValue: raw) else { throw ValidationFailure(field: field, code: "choice.invalid") }
        return value
    }
}
