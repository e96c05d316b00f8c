import Foundation

/// A member's answer to an event invitation. Raw values are stored.
public enum RSVPStatus: String, Codable, CaseIterable, Sendable {
    case going
    case maybe
    case notGoing = "not_going"
    /// Wanted to go when the event was full; moves up when a place frees.
    case waitlisted
}

/// An event as pages show it.
public struct Event: Sendable, Equatable, Identifiable {
    public let id: UUID
    public var groupID: UUID?
    public var organiserID: UUID
    public var title: String
    public var description: String
    public var startsAt: Date
    public var endsAt: Date
    public var timeZone: String
    public var location: String
    public var onlineURL: String
    public var capacity: Int?
    public var goingCount: Int
    public var waitlistCount: Int
    public var cancelledAt: Date?
    /// Hidden by moderators after flags: only moderators still see it.
    public var isHidden: Bool
    public var createdAt: Date
    public var updatedAt: Date
    /// How often it changed (iCalendar's SEQUENCE).
    public var revision: Int

    public init(
        id: UUID, groupID: UUID?, organiserID: UUID, title: String, description: String, startsAt: Date, endsAt: Date, timeZone: String,
        location: String, onlineURL: String, capacity: Int?, goingCount: Int, waitlistCount: Int, cancelledAt: Date?, createdAt: Date,
        isHidden: Bool = false, updatedAt: Date? = nil, revision: Int = 0
    ) {
        self.updatedAt = updatedAt ?? createdAt
        self.revision = revision
        self.id = id
        self.groupID = groupID
        self.organiserID = organiserID
        self.title = title
        self.description = description
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.timeZone = timeZone
        self.location = location
        self.onlineURL = onlineURL
        self.capacity = capacity
        self.goingCount = goingCount
        self.waitlistCount = waitlistCount
        self.cancelledAt = cancelledAt
        self.isHidden = isHidden
        self.createdAt = createdAt
    }

    public var isFull: Bool { capacity.map { goingCount >= $0 } ?? false }
    public var placesLeft: Int? { capacity.map { max(0, $0 - goingCount) } }
}

/// The rules of answering: who gets a place, who waits, who moves up.
public enum RSVPRules {
    /// The status a member ends up with when asking for `requested`, given the event's capacity and
    /// how many are going (not counting the member). Going on a full event means the waitlist.
    public static func resolve(requested: RSVPStatus, capacity: Int?, goingWithoutMember: Int) -> RSVPStatus {
        guard requested == .going || requested == .waitlisted else { return requested }
        guard let capacity else { return .going }
        return goingWithoutMember < capacity ? .going : .waitlisted
    }

    /// How many of the waitlist move up when `going` members hold a place out of `capacity`.
    public static func promotions(capacity: Int?, going: Int, waiting: Int) -> Int {
        guard let capacity else { return waiting }
        return max(0, min(waiting, capacity - going))
    }
}

/// Rules for event input.
public enum EventRules {
    public static let titleMaxLength = 120
    public static let locationMaxLength = 200
    public static let longestEvent: TimeInterval = 31 * 86_400

    public static func title(_ raw: String) throws(ValidationFailure) -> String {
        let title = MemberRules.singleLine(raw)
        guard !title.isEmpty else { throw ValidationFailure(field: "title", code: "required") }
        guard title.count <= titleMaxLength else { throw ValidationFailure(field: "title", code: "too_long") }
        return title
    }

    /// Parses a local date-time (`2026-12-05T19:30`, as `<input type=datetime-local>` sends it) in a time zone.
    public static func localDateTime(_ raw: String, timeZone: TimeZone, field: String) throws(ValidationFailure) -> Date {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        for format in ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: raw.trimmingCharacters(in: .whitespaces)) { return date }
        }
        throw ValidationFailure(field: field, code: "datetime.invalid")
    }

    /// Checks the times: the end after the start, an event at most a month long.
    public static func period(start: Date, end: Date) throws(ValidationFailure) {
        guard end > start else { throw ValidationFailure(field: "ends_at", code: "event.end_before_start") }
        guard end.timeIntervalSince(start) <= longestEvent else { throw ValidationFailure(field: "ends_at", code: "event.too_long") }
    }

    public static func capacity(_ raw: String?) throws(ValidationFailure) -> Int? {
        guard let raw = raw?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
        guard let capacity = Int(raw), (1...100_000).contains(capacity) else {
            throw ValidationFailure(field: "capacity", code: "number.invalid")
        }
        return capacity
    }

    public static func location(_ raw: String) throws(ValidationFailure) -> String {
        let location = MemberRules.singleLine(raw)
        guard location.count <= locationMaxLength else { throw ValidationFailure(field: "location", code: "too_long") }
        return location
    }

    /// An online link must be http(s).
    public static func onlineURL(_ raw: String) throws(ValidationFailure) -> String {
        let url = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !url.isEmpty else { return "" }
        let lower = url.lowercased()
        guard url.count <= 500, lower.hasPrefix("https://") || lower.hasPrefix("http://"), !url.contains(where: \.isWhitespace) else {
            throw ValidationFailure(field: "online_url", code: "url.invalid")
        }
        return url
    }
}

/// Writes iCalendar (RFC 5545) documents.
public enum ICalendar {
    public struct Entry: Sendable {
        public let uid: String
        public let title: String
        public let description: String
        public let startsAt: Date
        public let endsAt: Date
        public let location: String
        public let url: String
        public let isCancelled: Bool
        public let updatedAt: Date
        public let sequence: Int

        public init(
            uid: String, title: String, description: String, startsAt: Date, endsAt: Date, location: String, url: String, isCancelled: Bool,
            updatedAt: Date, sequence: Int = 0
        ) {
            self.sequence = sequence
            self.uid = uid
            self.title = title
            self.description = description
            self.startsAt = startsAt
            self.endsAt = endsAt
            self.location = location
            self.url = url
            self.isCancelled = isCancelled
            self.updatedAt = updatedAt
        }
    }

    /// A VCALENDAR with one VEVENT per entry; times in UTC, lines folded at 75 octets, CRLF endings.
    public static func document(name: String, entries: [Entry], now: Date) -> String {
        var lines = [
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Kring//Community events//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
            "X-WR-CALNAME:" + escape(name),
        ]
        for entry in entries {
            lines += [
                "BEGIN:VEVENT", "UID:" + entry.uid, "DTSTAMP:" + stamp(now), "DTSTART:" + stamp(entry.startsAt),
                "DTEND:" + stamp(entry.endsAt),
                "LAST-MODIFIED:" + stamp(entry.updatedAt), "SEQUENCE:" + String(entry.sequence), "SUMMARY:" + escape(entry.title),
            ]
            if !entry.description.isEmpty { lines.append("DESCRIPTION:" + escape(entry.description)) }
            if !entry.location.isEmpty { lines.append("LOCATION:" + escape(entry.location)) }
            if !entry.url.isEmpty { lines.append("URL:" + entry.url) }
            lines.append("STATUS:" + (entry.isCancelled ? "CANCELLED" : "CONFIRMED"))
            lines.append("END:VEVENT")
        }
        lines.append("END:VCALENDAR")
        return lines.map(fold).joined(separator: "\r\n") + "\r\n"
    }

    static func stamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }

    /// TEXT escaping: backslash, semicolon, comma and line breaks.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: ";", with: "\\;").replacingOccurrences(
            of: ",", with: "\\,"
        )
        .replacingOccurrences(of: "\r\n", with: "\\n").replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(
            of: "\r", with: "\\n")
    }

    /// Folds a content line into pieces of at most 75 octets, never splitting a character.
    static func fold(_ line: String) -> String {
        var pieces: [String] = []
        var current = ""
        var octets = 0
        for character in line {
            let size = String(character).utf8.count
            let limit = pieces.isEmpty ? 75 : 74
            if octets + size > limit {
                pieces.append(current)
                current = ""
                octets = 0
            }
            current.append(character)
            octets += size
        }
        pieces.append(current)
        return pieces.joined(separator: "\r\n ")
    }
}
