import Foundation
import KringCore
import KringStore
import NIOConcurrencyHelpers
import Vapor

/// `kring reindex`: rebuilds the search index from the content, with progress — for a database
/// filled around the index (`kring generate` leaves it empty to stay fast) or one repaired by hand.
public struct ReindexCommand: AsyncCommand {
    public struct Signature: CommandSignature {
        public init() {}
    }

    public var help: String { "Empties the search index and fills it again from groups, members, topics and replies." }

    public init() {}

    public func run(using context: CommandContext, signature: Signature) async throws {
        let console = context.console
        let application = context.application
        guard try await application.repositories.community.settings() != nil else {
            console.error("This database holds no community yet: nothing to index.")
            throw DemoError.noCommunity
        }
        let started = Date()
        let reported = NIOLockedValueBox(0)
        let documents = try await SearchIndex(database: application.db, clock: application.repositories.clock).rebuild { done, total in
            // About every 5 %, and at the end.
            let step = max(1, total / 20)
            let report = reported.withLockedValue { last -> Bool in
                guard done == total || done - last >= step else { return false }
                last = done
                return true
            }
            if report { console.print("indexed \(done) of \(total) topics (\(total == 0 ? 100 : done * 100 / total) %)") }
        }
        console.success("Indexed \(documents) documents in \(String(format: "%.1f", Date().timeIntervalSince(started))) s.")
    }
}
