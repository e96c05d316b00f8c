import Foundation

/// The calendar days of a range in one time zone, found by binary search: which day (and so which
/// day start) a moment falls on, without a calendar computation per moment. At a hundred thousand
/// members the calendar's own arithmetic, called per member, was most of the cohorts' time.
public struct DayIndex: Sendable {
    public let starts: [Date]
    public let end: Date

    /// Every day from the one holding `from` up to `to`.
    public init(from: Date, to: Date, calendar: Calendar) {
        var starts: [Date] = []
        var day = calendar.startOfDay(for: from)
        while day < to {
            starts.append(day)
            guard let next = calendar.date(byAdding: .day, value: 1, to: day) else { break }
            day = next
        }
        self.starts = starts
        self.end = max(to, starts.last ?? to)
    }

    /// The start of the day after the one holding `date` (the range's end after its last day).
    public func nextDayStart(after date: Date) -> Date? {
        guard let index = index(of: date) else { return nil }
        return index + 1 < starts.count ? starts[index + 1] : end
    }

    /// The position of the day holding `date`, or nil outside the range.
    public func index(of date: Date) -> Int? {
        guard let first = starts.first, date >= first, date < end else { return nil }
        var low = 0
        var high = starts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if starts[middle] <= date { low = middle } else { high = middle - 1 }
        }
        return low
    }
}
