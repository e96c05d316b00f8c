import SQLKit
import Vapor

/// `/healthz` says the process is alive; `/readyz` that it can reach its database, so a load
/// balancer sends traffic only to processes that can serve it.
struct HealthController {
    func register(_ app: Application) {
        app.get("healthz") { _ in HealthStatus(status: "ok") }
        app.get("readyz") { request async throws -> Response in
            do {
                guard let sql = request.db as? any SQLDatabase else { throw Abort(.serviceUnavailable) }
                _ = try await sql.raw("SELECT 1 AS one").first()
                return try await HealthStatus(status: "ready").encodeResponse(for: request)
            } catch {
                request.logger.warning("Readiness check failed", metadata: ["error": "\(error)"])
                let response = try await HealthStatus(status: "database unreachable").encodeResponse(for: request)
                response.status = .serviceUnavailable
                return response
            }
        }
    }
}

struct HealthStatus: Content {
    let status: String
}
