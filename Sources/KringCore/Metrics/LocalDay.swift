import Foundation

/// Day keys (`YYYY-MM-DD`) read back into the start of that day in a time zone.
///
/// A `DateFormatter` answers nil for a day that does not begin at midnight — where daylight saving
/// time starts at 00:00, as it did in Brazil until 2019, the day begins at 01:00 — so a valid date
/// became a "not a date" error. This parser checks the form strictly and asks the calendar for the
/// day's real start instead.
public enum LocalDay {
    /// The first instant of the day `key` names in `timeZone`, or nil when `key` is not a real
    /// calendar day written as `YYYY-MM-DD`.
    public static func start(of key: some StringProtocol, in timeZone: TimeZone) -> Date? {
        let bytes = Array(key.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), year >= 1 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        // Noon exists on every day, whatever the clocks do around midnight.
        guard let noon = calendar.date(from: DateComponents(year: year, month: month, day: day, hour: 12)) else { return nil }
        let found = calendar.dateComponents([.year, .month, .day], from: noon)
        guard found.year == year, found.month == month, found.day == day else { return nil }
        return calendar.startOfDay(for: noon)
    }

    /// The `YYYY-MM-DD` key of the day `date` falls on in `timeZone`.
    public static func key(of date: Date, in timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return zeroPadded(parts.year ?? 0, 4) + "-" + zeroPadded(parts.month ?? 0, 2) + "-" + zeroPadded(parts.day ?? 0, 2)
    }

    /// `value` in decimal with leading zeros to `width` digits, as `%0Nd` would write it, without
    /// going through Foundation's formatter (every page view counts its day).
    public static func zeroPadded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
