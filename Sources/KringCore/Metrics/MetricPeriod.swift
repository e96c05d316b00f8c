import Foundation

/// The kinds of period the cockpit reports on. Weeks start on Monday (ISO 8601, as in the Netherlands).
public enum PeriodKind: String, CaseIterable, Codable, Sendable {
    case day, week, month, quarter, custom
}

/// A reporting period: whole calendar days in the community's time zone, `start` inclusive and
/// `end` exclusive.
public struct MetricPeriod: Sendable, Equatable {
    public let kind: PeriodKind
    public let start: Date
    public let end: Date
    public let timeZone: TimeZone

    public init(kind: PeriodKind, start: Date, end: Date, timeZone: TimeZone) {
        self.kind = kind
        self.start = start
        self.end = end
        self.timeZone = timeZone
    }

    /// The longest custom period, so that a report stays a report.
    public static let longestCustomDays = 732

    public var calendar: Calendar { Self.calendar(timeZone) }

    public static func calendar(_ timeZone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = timeZone
        calendar.firstWeekday = 2
        calendar.minimumDaysInFirstWeek = 4
        return calendar
    }

    /// The period of `kind` that contains `date` (for `custom`, that day alone).
    public static func containing(_ date: Date, kind: PeriodKind, timeZone: TimeZone) -> MetricPeriod {
        let calendar = calendar(timeZone)
        let day = calendar.startOfDay(for: date)
        let start: Date
        let end: Date
        switch kind {
        case .day, .custom:
            start = day
            end = calendar.date(byAdding: .day, value: 1, to: day)!
        case .week:
            start = calendar.dateInterval(of: .weekOfYear, for: day)!.start
            end = calendar.date(byAdding: .day, value: 7, to: start)!
        case .month:
            start = calendar.dateInterval(of: .month, for: day)!.start
            end = calendar.date(byAdding: .month, value: 1, to: start)!
        case .quarter:
            let month = calendar.component(.month, from: day)
            let year = calendar.component(.year, from: day)
            start = calendar.date(from: DateComponents(year: year, month: (month - 1) / 3 * 3 + 1, day: 1))!
            end = calendar.date(byAdding: .month, value: 3, to: start)!
        }
        return MetricPeriod(kind: kind, start: start, end: end, timeZone: timeZone)
    }

    /// Whole days from `first` through `last` (both included), at most `longestCustomDays`.
    public static func custom(from first: Date, through last: Date, timeZone: TimeZone) -> MetricPeriod? {
        let calendar = calendar(timeZone)
        let start = calendar.startOfDay(for: first)
        guard let end = calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: last)), end > start,
            let days = calendar.dateComponents([.day], from: start, to: end).day, days <= longestCustomDays
        else { return nil }
        return MetricPeriod(kind: .custom, start: start, end: end, timeZone: timeZone)
    }

    /// The period just before, of the same kind (the previous month, quarter…; for a custom period,
    /// as many days right before it).
    public var previous: MetricPeriod {
        let calendar = calendar
        switch kind {
        case .day, .week, .month, .quarter:
            return Self.containing(calendar.date(byAdding: .second, value: -1, to: start)!, kind: kind, timeZone: timeZone)
        case .custom:
            let days = dayStarts.count
            return MetricPeriod(
                kind: .custom, start: calendar.date(byAdding: .day, value: -days, to: start)!, end: start, timeZone: timeZone)
        }
    }

    /// The start of each calendar day in the period.
    public var dayStarts: [Date] {
        var days: [Date] = []
        var day = start
        while day < end {
            days.append(day)
            day = calendar.date(byAdding: .day, value: 1, to: day)!
        }
        return days
    }

    /// The day `date` falls on, as its start (in the period's time zone).
    public func dayStart(of date: Date) -> Date { calendar.startOfDay(for: date) }

    public func contains(_ date: Date) -> Bool { date >= start && date < end }
}
