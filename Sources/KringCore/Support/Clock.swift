import Foundation

/// The source of "now". Injected everywhere time matters so tests can pin it.
public struct KringClock: Sendable {
    public var now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date) { self.now = now }

    public static let system = KringClock { Date() }

    /// A clock stopped at one moment.
    public static func fixed(_ date: Date) -> KringClock { KringClock { date } }
}
