import Foundation

/// The statistics the cockpit's metrics are made of, each in one place.
public enum Statistics {
    public static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// The middle value; the mean of the two middle ones for an even count.
    public static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// The Lorenz curve of a distribution: from (0, 0), for each person in ascending order of
    /// their amount, the cumulative share of people and of the total. With more than `points`
    /// people, the curve at every 1/`points` of them: a month of 30,000 posters drew 30,000 points
    /// (1.8 MB of chart and table on the dashboard) where a hundred show the same curve.
    public static func lorenz(_ amounts: [Int], points: Int = 100) -> [(people: Double, share: Double)] {
        let sorted = amounts.filter { $0 >= 0 }.sorted()
        let total = Double(sorted.reduce(0, +))
        guard !sorted.isEmpty, total > 0 else { return [] }
        var cumulative = [0]
        cumulative.reserveCapacity(sorted.count + 1)
        for amount in sorted { cumulative.append(cumulative[cumulative.count - 1] + amount) }
        let people = sorted.count
        let positions = people <= points ? Array(0...people) : (0...points).map { $0 * people / points }
        return positions.map { (Double($0) / Double(people), Double(cumulative[$0]) / total) }
    }

    /// The Gini coefficient: 0 when everyone contributes equally, towards 1 when one person does
    /// everything. G = 2·Σ i·xᵢ ÷ (n·Σ xᵢ) − (n + 1) ÷ n, with x ascending and i from 1.
    public static func gini(_ amounts: [Int]) -> Double? {
        let sorted = amounts.filter { $0 >= 0 }.sorted()
        let total = Double(sorted.reduce(0, +))
        guard !sorted.isEmpty, total > 0 else { return nil }
        let n = Double(sorted.count)
        let weighted = sorted.enumerated().reduce(0.0) { $0 + Double($1.offset + 1) * Double($1.element) }
        return 2 * weighted / (n * total) - (n + 1) / n
    }

    /// The share of the total produced by the top `fraction` of people (at least one person).
    public static func topShare(_ amounts: [Int], fraction: Double) -> Double? {
        let sorted = amounts.filter { $0 > 0 }.sorted(by: >)
        let total = sorted.reduce(0, +)
        guard total > 0 else { return nil }
        let count = max(1, Int((Double(sorted.count) * fraction).rounded(.up)))
        return Double(sorted.prefix(count).reduce(0, +)) / Double(total)
    }

    /// CHAOSS's contributor absence factor: the fewest people who together produced at least half.
    public static func absenceFactor(_ amounts: [Int]) -> Int {
        let sorted = amounts.filter { $0 > 0 }.sorted(by: >)
        let total = sorted.reduce(0, +)
        guard total > 0 else { return 0 }
        var running = 0
        for (index, amount) in sorted.enumerated() {
            running += amount
            if running * 2 >= total { return index + 1 }
        }
        return sorted.count
    }

    /// `part ÷ whole`, or nil when there is nothing to divide.
    public static func ratio(_ part: Int, _ whole: Int) -> Double? {
        whole > 0 ? Double(part) / Double(whole) : nil
    }
}
