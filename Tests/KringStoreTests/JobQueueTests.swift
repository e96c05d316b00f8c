import Foundation
import KringCore
import KringStore
import KringTestSupport
import SQLKit
import Testing
import Vapor

/// The database job queue: a periodic slot is scheduled once however many processes ask, claimed by
/// one worker at a time, taken over when its worker's lease runs out, retried with back-off.
@Suite("Job queue")
struct JobQueueTests {
    @Test func aSlotIsScheduledOnceAndClaimedByOneWorker() async throws {
        let clock = TestClock(Date(timeIntervalSince1970: 1_790_000_000))
        try await withKringApp { app in
            let queue = JobQueue(database: app.db, clock: clock.kringClock)
            // Two processes schedule the same hourly slot, ten workers race for it.
            try await queue.schedulePeriodic("hourly", every: 3600)
            try await queue.schedulePeriodic("hourly", every: 3600)
            let claims = try await withThrowingTaskGroup(of: String?.self) { group in
                for worker in 0..<10 { group.addTask { try await queue.claim(worker: "w\(worker)")?.kind } }
                return try await group.reduce(into: [String]()) { if let kind = $1 { $0.append(kind) } }
            }
            #expect(claims == ["hourly"], "exactly one worker runs the slot")
            #expect(try await queue.claim(worker: "late") == nil)
            #expect(try await queue.depth() == 0)

            // While its worker holds the lease nobody else takes it; when its worker died, another does (at least once).
            clock.advance(600)
            #expect(try await queue.claim(worker: "w2") == nil)
            clock.advance(JobQueue.lease)
            let takenOver = try #require(try await queue.claim(worker: "w2"))
            #expect(takenOver.kind == "hourly" && takenOver.attempts == 2)
            try await queue.complete(takenOver.id)

            // The next hour is a new slot.
            clock.advance(3600)
            try await queue.schedulePeriodic("hourly", every: 3600)
            let next = try #require(try await queue.claim(worker: "w1"))
            #expect(next.attempts == 1)
            try await queue.complete(next.id)
            #expect(try await queue.counts()["hourly"]?[.done] == 2)
        }
    }

    @Test func failuresRetryWithBackOffThenGiveUp() async throws {
        let clock = TestClock(Date(timeIntervalSince1970: 1_790_000_000))
        try await withKringApp { app in
            let queue = JobQueue(database: app.db, clock: clock.kringClock)
            try await queue.enqueue("report")
            for attempt in 1...JobQueue.maxAttempts {
                let job = try #require(try await queue.claim(worker: "w"), "attempt \(attempt)")
                #expect(job.attempts == attempt)
                try await queue.fail(job.id, attempts: job.attempts, error: "SMTP down")
                #expect(try await queue.claim(worker: "w") == nil, "not again at once")
                clock.advance(60 * pow(2, Double(attempt - 1)) + 1)
            }
            let failed = try await queue.list(status: .failed)
            #expect(failed.count == 1 && failed.first?.lastError == "SMTP down")
            #expect(try await queue.retry(try #require(failed.first).id))
            #expect(try await queue.claim(worker: "w")?.kind == "report")
        }
    }
}
