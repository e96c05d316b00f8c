import FluentKit
import Foundation
import KringCore

/// A main-menu entry configured by a community manager.
public struct MenuItem: Sendable, Equatable {
    public let id: UUID
    public var labelEN: String
    public var labelNL: String
    public var path: String
    public var position: Int

    public func label(in language: Language) -> String { language == .nl ? labelNL : labelEN }
}

/// A landing page: trusted Markdown at `/p/<slug>`, such as "Start here" or the house rules.
public struct LandingPage: Sendable, Equatable {
    public let id: UUID
    public var slug: String
    public var title: String
    public var body: String
    public var updatedAt: Date
}

/// The main menu and landing pages.
public struct NavigationRepository: Sendable {
    let database: any Database
    let clock: KringClock

    public init(database: any Database, clock: KringClock) {
        self.database = database
        self.clock = clock
    }

    public func menu() async throws -> [MenuItem] {
        try await MenuItemRecord.query(on: database).sort(\.$position).all().map {
            MenuItem(id: try $0.requireID(), labelEN: $0.labelEN, labelNL: $0.labelNL, path: $0.path, position: $0.position)
        }
    }

    public func addMenuItem(labelEN: String, labelNL: String, path: String) async throws {
        let record = MenuItemRecord()
        record.labelEN = labelEN
        record.labelNL = labelNL
        record.path = path
        record.position = (try await MenuItemRecord.query(on: database).max(\.$position) ?? 0) + 1
        try await record.create(on: database)
    }

    public func removeMenuItem(_ id: UUID) async throws {
        try await MenuItemRecord.query(on: database).filter(\.$id == id).delete()
    }

    /// Moves an item one place up (negative) or down (positive).
    public func moveMenuItem(_ id: UUID, by offset: Int) async throws {
        var items = try await MenuItemRecord.query(on: database).sort(\.$position).all()
        guard let index = items.firstIndex(where: { $0.id == id }) else { throw StoreError.notFound }
        let target = min(max(0, index + offset), items.count - 1)
        let item = items.remove(at: index)
        items.insert(item, at: target)
        for (position, record) in items.enumerated() where record.position != position + 1 {
            record.position = position + 1
            try await record.save(on: database)
        }
    }

    public func pages() async throws -> [LandingPage] {
        try await LandingPageRecord.query(on: database).sort(\.$title).all().map { try $0.domain() }
    }

    public func page(slug: String) async throws -> LandingPage? {
        try await LandingPageRecord.query(on: database).filter(\.$slug == slug.lowercased()).first()?.domain()
    }

    /// Creates or replaces the page at `slug`.
    public func savePage(slug: String, title: String, body: String) async throws {
        let record = try await LandingPageRecord.query(on: database).filter(\.$slug == slug).first() ?? LandingPageRecord()
        if record.id == nil {
            record.slug = slug
            record.createdAt = clock.now()
        }
        record.title = title
        record.body = body
        record.updatedAt = clock.now()
        try await record.save(on: database)
    }

    public func deletePage(slug: String) async throws {
        try await LandingPageRecord.query(on: database).filter(\.$slug == slug).delete()
    }
}

extension LandingPageRecord {
    func domain() throws -> LandingPage {
        LandingPage(id: try requireID(), slug: slug, title: title, body: body, updatedAt: updatedAt)
    }
}
