// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "kring",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "kring", targets: ["kring"])
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-kit.git", from: "1.57.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/JohnSundell/Ink.git", from: "0.6.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.65.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.27.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        /// The domain: value types, validation, permission policy, metric maths. Foundation only.
        .target(name: "KringCore"),
        /// Persistence: Fluent models, migrations, repositories. No Vapor.
        .target(
            name: "KringStore",
            dependencies: [
                "KringCore",
                .product(name: "FluentKit", package: "fluent-kit"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        /// HTTP: routes, controllers, views, JSON API, auth, i18n.
        .target(
            name: "KringWeb",
            dependencies: [
                "KringCore", "KringStore",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Ink", package: "Ink"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            resources: [.copy("Resources")]
        ),
        .executableTarget(name: "kring", dependencies: ["KringWeb", "KringCore"]),
        /// Shared test helpers: a configured app on a fresh database, and a cookie-keeping browser.
        .target(
            name: "KringTestSupport",
            dependencies: ["KringWeb", "KringStore", "KringCore", .product(name: "VaporTesting", package: "vapor")],
            path: "Tests/KringTestSupport"
        ),
        .testTarget(name: "KringCoreTests", dependencies: ["KringCore"], exclude: ["Resources"]),
        .testTarget(name: "KringStoreTests", dependencies: ["KringStore", "KringTestSupport"]),
        .testTarget(name: "KringWebTests", dependencies: ["KringWeb", "KringTestSupport"], exclude: ["Fixtures"]),
    ]
)
