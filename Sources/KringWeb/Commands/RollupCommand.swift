import Foundation
import KringCore
import KringStore
import Vapor

/// `kring rollup`: brings the cockpit's daily rollups up to yesterday now, with progress, instead
/// of waiting for the server's job (after an upgrade that added a rollup, or a long downtime).
public struct RollupCommand: AsyncCommand {
    public struct Signature: CommandSignature {
        @Flag(name: "rebuild", help: "Forget every rollup and roll the whole activity log up again.")
        var rebuild: Bool

        public init() {}
    }

    public var help: String { "Rolls finished days of the activity log up for the cockpit (what the server's job does every ten minutes)." }

    public init() {}

    public func run(using context: CommandContext, signature: Signature) async throws {
        let console = context.console
        guard let community = try await context.application.repositories.community.settings() else {
            console.error("This database holds no community yet: nothing to roll up.")
            throw DemoError.noCommunity
        }
        let rollups = context.application.repositories.rollups
        if signature.rebuild { try await rollups.reset() }
        let started = Date()
        let zone = TimeZone(identifier: community.timeZone) ?? .gmt
        let days = try await rollups.catchUp(timeZone: zone) { done, total in
            if done == total || done % 10 == 0 { console.print("rolled up \(done) of \(total) days") }
        }
        console.success(
            "Rolled up \(days) days in \(String(format: "%.1f", Date().timeIntervalSince(started))) s (time zone \(zone.identifier)).")
    }
}
