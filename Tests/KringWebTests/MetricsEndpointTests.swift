import Foundation
import KringCore
import KringStore
import KringTestSupport
import Testing
import VaporTesting

@testable import KringWeb

/// `/metrics` for Prometheus: requests by route pattern (never a raw path), latency, the outbox
/// backlog and the jobs' queues; only for this machine or with the metrics token.
@Suite("Prometheus metrics")
struct MetricsEndpointTests {
    @Test func metricsCountRequestsByRoutePatternAndShowTheBacklogs() async throws {
        let withToken: (inout KringConfig) -> Void = { $0.metricsToken = "scrape-me" }
        try await withKringApp(adjust: withToken) { app in
            try await TestAccounts.setUpCommunity(app)
            try await TestAccounts.member(app, handle: "anna")
            let anna = try await signedIn(app, "anna")
            let topic = try await createTopic(anna, group: nil, title: "GEHEIME-TITEL-7781 voor de teller", body: "Tekst")
            for _ in 0..<3 { _ = try await anna.get(topic) }
            _ = try await anna.get("/t/00000000-0000-0000-0000-000000000000")
            try await app.repositories.outbox.enqueue(
                NewOutboxMessage(kind: "test", recipient: "x@kring.test", recipientName: "X", subject: "S", bodyText: "B"))

            let scraper = TestBrowser(app)
            for refused in [
                try await scraper.get("/metrics"), try await scraper.get("/metrics", headers: ["Authorization": "Bearer wrong"]),
            ] {
                #expect(refused.status != .ok && !refused.text.contains("kring_http"), "no token, no metrics: \(refused.status)")
            }
            let scrape = try await scraper.get("/metrics", headers: ["Authorization": "Bearer scrape-me"])
            #expect(scrape.status == .ok, "\(scrape.status)")
            let text = scrape.text
            #expect(text.contains(#"kring_http_requests_total{route="/t/:topic",method="GET",status="2xx"} 3"#), "\(text.prefix(3000))")
            #expect(text.contains(#"kring_http_requests_total{route="/t/:topic",method="GET",status="4xx"} 1"#))
            #expect(text.contains("kring_http_request_duration_seconds_bucket{route=\"/t/:topic\",method=\"GET\""))
            #expect(text.contains("kring_outbox_pending ") && !text.contains("kring_outbox_pending 0"))
            #expect(text.contains("kring_jobs_listening_backlog 1"), "the topic's post is not heard yet (no job in tests)")
            #expect(!text.contains("GEHEIME-TITEL") && !text.contains(topic), "patterns, not paths")
        }
    }

    @Test func withoutATokenOnlyThisMachineMayScrape() async throws {
        try await withKringApp { app in
            try await TestAccounts.setUpCommunity(app)
            // The in-memory test client has no peer address: it is not this machine.
            #expect(try await TestBrowser(app).get("/metrics").status == .forbidden)
        }
    }
}
