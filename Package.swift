// swift-tools-version: 6.0
import PackageDescription

let strictConcurrency: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Switchyard",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "switchyard", targets: ["switchyard"]),
        .library(name: "SwitchyardCore", targets: ["SwitchyardCore"]),
        .library(name: "SwitchyardServer", targets: ["SwitchyardServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
    ],
    targets: [
        // System libraries. Each is imported by exactly one Swift wrapper module.
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "CPCRE2",
            pkgConfig: "libpcre2-8",
            providers: [.apt(["libpcre2-dev"])]
        ),
        // glibc's malloc.h (malloc_trim), part of libc: nothing to link or install.
        .systemLibrary(name: "CMalloc"),

        // Domain values: no I/O.
        .target(
            name: "SwitchyardCore",
            swiftSettings: strictConcurrency
        ),
        // Reading the YAML files people edit (rules, adapters), every problem with its place.
        .target(
            name: "SwitchyardYAML",
            dependencies: [.product(name: "Yams", package: "Yams")],
            swiftSettings: strictConcurrency
        ),
        .target(
            name: "SwitchyardRules",
            dependencies: [
                "SwitchyardCore", "SwitchyardYAML", "CPCRE2",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictConcurrency
        ),
        .target(
            name: "SwitchyardModels",
            dependencies: [
                // SwitchyardRules for its PCRE2 `Pattern`: configured redaction patterns.
                "SwitchyardCore", "SwitchyardRules",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            swiftSettings: strictConcurrency
        ),
        // The pipeline policy: rules, then the model chain, then the fallbacks. Used by the
        // server's workers and by the command-line tools, without the HTTP server.
        .target(
            name: "SwitchyardTriage",
            dependencies: [
                "SwitchyardCore", "SwitchyardYAML", "SwitchyardRules", "SwitchyardModels",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictConcurrency
        ),
        .target(
            name: "SwitchyardWebhooks",
            dependencies: [
                "SwitchyardCore", "SwitchyardYAML",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strictConcurrency
        ),
        // The store protocol and its values; no engine.
        .target(
            name: "SwitchyardStore",
            dependencies: ["SwitchyardCore"],
            swiftSettings: strictConcurrency
        ),
        // The single-node engine: one SQLite file.
        .target(
            name: "SwitchyardSQLite",
            dependencies: [
                "SwitchyardCore", "SwitchyardStore", "CSQLite",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictConcurrency
        ),
        // The shared engine for replicas: PostgreSQL through postgres-nio.
        .target(
            name: "SwitchyardPostgres",
            dependencies: [
                "SwitchyardCore", "SwitchyardStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictConcurrency
        ),
        .target(
            name: "SwitchyardServer",
            dependencies: [
                "SwitchyardCore", "SwitchyardYAML", "SwitchyardRules", "SwitchyardModels", "SwitchyardTriage",
                "SwitchyardWebhooks", "SwitchyardStore", "SwitchyardSQLite", "SwitchyardPostgres", "CMalloc",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            // The HTTP API's OpenAPI 3.1 document, served at /openapi.json.
            resources: [.copy("Resources/openapi.json")],
            swiftSettings: strictConcurrency
        ),
        .executableTarget(
            name: "switchyard",
            dependencies: [
                "SwitchyardServer", "SwitchyardCore", "SwitchyardRules", "SwitchyardModels", "SwitchyardTriage",
                "SwitchyardStore", "SwitchyardWebhooks",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictConcurrency
        ),

        // Rule evaluation speed (Benchmarks/rules.sh builds it in release and runs it).
        .executableTarget(
            name: "rules-benchmark",
            dependencies: ["SwitchyardRules", "SwitchyardCore", "SwitchyardModels"],
            path: "Benchmarks/RulesBenchmark",
            swiftSettings: strictConcurrency
        ),

        // The model gateway's overhead per call (Benchmarks/gateway.sh builds it in release and
        // runs it) against the tests' scripted OpenAI-compatible server.
        .executableTarget(
            name: "gateway-benchmark",
            dependencies: [
                "SwitchyardModels", "SwitchyardCore", "SwitchyardTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/GatewayBenchmark",
            swiftSettings: strictConcurrency
        ),
        // Accuracy with and without examples of confirmed tickets through a local LLM server
        // (Benchmarks/examples.sh starts one and runs it).
        .executableTarget(
            name: "examples-benchmark",
            dependencies: [
                "SwitchyardModels", "SwitchyardCore", "SwitchyardServer",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/ExamplesBenchmark",
            swiftSettings: strictConcurrency
        ),

        // Test doubles shared by the test targets: real HTTP servers on 127.0.0.1, temporary folders.
        .target(
            name: "SwitchyardTestSupport",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/SwitchyardTestSupport",
            swiftSettings: strictConcurrency
        ),
        .testTarget(name: "SwitchyardCoreTests", dependencies: ["SwitchyardCore", "SwitchyardTestSupport"]),
        .testTarget(name: "SwitchyardYAMLTests", dependencies: ["SwitchyardYAML", .product(name: "Yams", package: "Yams")]),
        .testTarget(name: "SwitchyardRulesTests", dependencies: ["SwitchyardRules", "SwitchyardCore", "SwitchyardYAML"]),
        .testTarget(name: "SwitchyardTriageTests", dependencies: ["SwitchyardTriage", "SwitchyardRules", "SwitchyardCore"]),
        .testTarget(
            name: "SwitchyardModelsTests",
            dependencies: [
                "SwitchyardModels", "SwitchyardCore", "SwitchyardRules", "SwitchyardTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "SwitchyardWebhooksTests",
            dependencies: [
                "SwitchyardWebhooks", "SwitchyardCore", "SwitchyardYAML",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .testTarget(
            name: "SwitchyardStoreTests",
            dependencies: [
                "SwitchyardStore", "SwitchyardSQLite", "SwitchyardPostgres", "SwitchyardCore", "SwitchyardTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "SwitchyardServerTests",
            dependencies: [
                "SwitchyardServer", "SwitchyardCore", "SwitchyardStore", "SwitchyardSQLite", "CSQLite", "SwitchyardWebhooks",
                "SwitchyardModels", "SwitchyardTriage", "SwitchyardRules", "SwitchyardYAML",
                "SwitchyardTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
    ]
)
