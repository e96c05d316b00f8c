import NIOConcurrencyHelpers
import Vapor

/// Counts the requests being answered, so a graceful shutdown can wait for them: a request keeps
/// running after its connection closed, and the database pools are shut down right after the
/// lifecycle handlers — a request still writing would then find no database (seen under load:
/// SIGTERM while replies were queued crashed the process).
final class InFlightRequests: Sendable {
    private let count = NIOLockedValueBox(0)

    var current: Int { count.withLockedValue { $0 } }
    func enter() { count.withLockedValue { $0 += 1 } }
    func leave() { count.withLockedValue { $0 -= 1 } }
}

struct InFlightMiddleware: AsyncMiddleware {
    let requests: InFlightRequests

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        requests.enter()
        defer { requests.leave() }
        return try await next.respond(to: request)
    }
}

/// At shutdown, waits (at most `limit`) until no request is being answered.
struct RequestDrain: LifecycleHandler {
    let requests: InFlightRequests
    var limit: Duration = .seconds(20)

    func shutdownAsync(_ application: Application) async {
        let deadline = ContinuousClock.now + limit
        while requests.current > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if requests.current > 0 {
            application.logger.warning("Shutting down with requests still running", metadata: ["requests": "\(requests.current)"])
        }
    }
}
