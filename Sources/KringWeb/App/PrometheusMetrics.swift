import Foundation
import Prometheus
import SQLKit
import Vapor

/// Prometheus metrics at `/metrics` (text exposition format): requests and their latency by route
/// pattern and status class, and — read when scraped — the outbox backlog, scheduled calendar items
/// due, posts the listening job has not heard yet, the database pool's size and the process's memory.
/// Each application keeps its own registry (the tests run many side by side).
final class KringMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    /// 5 ms … 10 s: pages render in milliseconds; the cockpit on a large community takes seconds.
    static let buckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .milliseconds(2_500), .seconds(5), .seconds(10),
    ]

    func observe(route: String, method: String, status: UInt, duration: Duration) {
        let labels = [("route", route), ("method", method), ("status", "\(status / 100)xx")]
        registry.makeCounter(name: "kring_http_requests_total", labels: labels, help: "HTTP requests by route pattern").increment()
        registry.makeDurationHistogram(
            name: "kring_http_request_duration_seconds", labels: [("route", route), ("method", method)], buckets: Self.buckets,
            help: "Time to answer, by route pattern"
        ).record(duration)
    }

    /// Sets the gauges that are read from the database when Prometheus scrapes.
    func refreshGauges(_ app: Application) async {
        guard let sql = app.db as? any SQLDatabase else { return }
        func count(_ query: SQLQueryString) async -> Double {
            (try? await sql.raw(query).first()?.decode(column: "n", as: Int.self)).map(Double.init) ?? -1
        }
        registry.makeGauge(name: "kring_outbox_pending", help: "Mail waiting in the outbox").set(
            to: await count("SELECT COUNT(*) AS n FROM outbox_messages WHERE status = 'pending'"))
        registry.makeGauge(name: "kring_outbox_failed", help: "Mail the outbox gave up on").set(
            to: await count("SELECT COUNT(*) AS n FROM outbox_messages WHERE status = 'failed'"))
        registry.makeGauge(name: "kring_jobs_queue_depth", help: "Queued jobs due and not yet taken by a process").set(
            to: await count("SELECT COUNT(*) AS n FROM jobs WHERE status = 'pending' AND run_at <= \(bind: Date())"))
        registry.makeGauge(name: "kring_jobs_failed", help: "Queued jobs that gave up after their last attempt").set(
            to: await count("SELECT COUNT(*) AS n FROM jobs WHERE status = 'failed'"))
        registry.makeGauge(name: "kring_jobs_calendar_due", help: "Scheduled content-calendar items whose moment has passed").set(
            to: await count("SELECT COUNT(*) AS n FROM content_items WHERE status = 'scheduled' AND scheduled_at <= \(bind: Date())"))
        registry.makeGauge(name: "kring_jobs_listening_backlog", help: "Posts the listening job has not heard yet").set(
            to: await count("SELECT (SELECT COUNT(*) FROM posts) - (SELECT COUNT(*) FROM post_sentiment) AS n"))
        let config = app.kring.config
        registry.makeGauge(name: "kring_db_pool_connections", help: "Database connections the pool may open").set(
            to: Double((config.usesPostgres ? config.databaseConnectionsPerLoop : 2) * System.coreCount))
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "")
        {
            registry.makeGauge(name: "kring_process_resident_memory_bytes", help: "Resident memory").set(to: kilobytes * 1024)
        }
    }
}

/// Times every request and counts it under its route pattern ("GET /t/:topic"), never the raw
/// path: a scraper must not see member content, and the label set stays small.
struct PrometheusMiddleware: AsyncMiddleware {
    let metrics: KringMetrics

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let started = ContinuousClock.now
        let route = { request.route.map { "/" + $0.path.map(\.description).joined(separator: "/") } ?? "unmatched" }
        do {
            let response = try await next.respond(to: request)
            metrics.observe(
                route: route(), method: request.method.rawValue, status: response.status.code, duration: ContinuousClock.now - started)
            return response
        } catch {
            let status = (error as? any AbortError)?.status.code ?? 500
            metrics.observe(route: route(), method: request.method.rawValue, status: status, duration: ContinuousClock.now - started)
            throw error
        }
    }
}

extension Application {
    private struct MetricsKey: StorageKey {
        typealias Value = KringMetrics
    }

    var kringMetrics: KringMetrics {
        if let metrics = storage[MetricsKey.self] { return metrics }
        let metrics = KringMetrics()
        storage[MetricsKey.self] = metrics
        return metrics
    }
}

/// `GET /metrics`: for Prometheus. With `KRING_METRICS_TOKEN` set it wants that bearer token;
/// without, it answers only connections from this machine (the peer itself, not a forwarded address).
struct MetricsEndpoint {
    func register(_ app: Application) {
        app.get("metrics") { request async throws -> Response in
            if let token = request.application.kring.config.metricsToken {
                guard let sent = request.headers.bearerAuthorization?.token, SecretToken.constantTimeEquals(sent, token) else {
                    throw Abort(.unauthorized, reason: "Give the metrics token as a bearer token.")
                }
            } else {
                guard let peer = request.remoteAddress?.ipAddress, peer == "127.0.0.1" || peer == "::1" else {
                    throw Abort(
                        .forbidden, reason: "Metrics are served to this machine only; set KRING_METRICS_TOKEN to scrape from elsewhere.")
                }
            }
            let metrics = request.application.kringMetrics
            await metrics.refreshGauges(request.application)
            var headers = HTTPHeaders()
            headers.contentType = HTTPMediaType(type: "text", subType: "plain", parameters: ["version": "0.0.4", "charset": "utf-8"])
            return Response(status: .ok, headers: headers, body: .init(string: metrics.registry.emitToString()))
        }
    }
}
