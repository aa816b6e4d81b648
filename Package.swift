// swift-tools-version:6.2
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Stratus",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "stratus", targets: ["stratus"]),
        .library(name: "StratusCore", targets: ["StratusCore"]),
        .library(name: "Carbonara", targets: ["Carbonara"]),
        .library(name: "StratusIndex", targets: ["StratusIndex"]),
        .library(name: "StratusStorage", targets: ["StratusStorage"]),
        .library(name: "StratusAPI", targets: ["StratusAPI"]),
        .library(name: "StratusTesting", targets: ["StratusTesting"]),
        .library(name: "StratusCompute", targets: ["StratusCompute"]),
        .library(name: "StratusAlarms", targets: ["StratusAlarms"]),
        .library(name: "StratusPolling", targets: ["StratusPolling"]),
        .library(name: "StratusPipeline", targets: ["StratusPipeline"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .target(
            name: "StratusCore",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Carbonara",
            dependencies: ["StratusCore"],
            swiftSettings: strict
        ),
        .target(
            name: "StratusIndex",
            dependencies: [
                "StratusCore", "Carbonara",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "StratusStorage",
            dependencies: [
                "StratusCore", "Carbonara", "StratusIndex",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "StratusAPI",
            dependencies: [
                "StratusCore", "Carbonara", "StratusIndex", "StratusStorage", "StratusAlarms",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            exclude: ["Console/web"],
            swiftSettings: strict,
            plugins: ["EmbedConsoleAssets"]
        ),
        // The web console's files (Sources/StratusAPI/Console/web) become a generated Swift file at build time.
        .executableTarget(name: "ConsoleAssetEmbedder", swiftSettings: strict),
        .plugin(name: "EmbedConsoleAssets", capability: .buildTool(), dependencies: ["ConsoleAssetEmbedder"]),
        // libvirt's API, loaded with dlopen on first use (headers from libvirt-dev): only the roles
        // that poll libvirt load it (Sources/CLibvirt/include/CLibvirt.h).
        .target(
            name: "CLibvirt",
            linkerSettings: [.linkedLibrary("dl"), .linkedLibrary("pthread")]
        ),
        .target(
            name: "StratusCompute",
            dependencies: [
                "StratusCore", "StratusPolling", "CLibvirt",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "StratusPolling",
            dependencies: [
                "StratusCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "StratusPipeline",
            dependencies: [
                "StratusCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "StratusAlarms",
            dependencies: [
                "StratusCore", "StratusIndex",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "StratusTesting",
            dependencies: [
                "StratusCore", "Carbonara", "StratusIndex", "StratusStorage",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "stratus",
            dependencies: [
                "StratusCore", "Carbonara", "StratusIndex", "StratusStorage", "StratusAPI", "StratusPolling",
                "StratusCompute", "StratusPipeline", "StratusAlarms",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict,
            // Linked with lld: the binary's ~155,000 relative relocations as a packed bitmap (DT_RELR, glibc ≥ 2.36)
            // instead of 3.7 MB of `.rela.dyn` entries that the loader reads at start and that then stay resident
            // in every role; read-only data in the code segment (`--no-rosegment`, as gold lays it out), where
            // `StartupCodePages` can give back what start-up touched (docs/performance.md, "Alarm evaluation").
            linkerSettings: [.unsafeFlags(["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs", "-Xlinker", "--no-rosegment"], .when(platforms: [.linux]))]
        ),
        .testTarget(
            name: "StratusCoreTests",
            dependencies: ["StratusCore"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CarbonaraTests",
            dependencies: [
                "Carbonara", "StratusCore", "StratusTesting",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "StratusIndexTests",
            dependencies: ["StratusIndex", "StratusTesting"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "StratusStorageTests",
            dependencies: [
                "StratusStorage", "StratusTesting",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "StratusAPITests",
            dependencies: [
                "StratusAPI", "StratusTesting",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "StratusComputeTests",
            dependencies: ["StratusCompute", "StratusPolling", "StratusCore", "CLibvirt"],
            resources: [.copy("Fixtures")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "StratusPollingTests",
            dependencies: [
                "StratusPolling", "StratusCore", "StratusTesting",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "StratusPipelineTests",
            dependencies: [
                "StratusPipeline", "StratusCore", "StratusTesting", "StratusAPI", "StratusPolling",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "StratusAlarmsTests",
            dependencies: [
                "StratusAlarms", "StratusCore", "StratusTesting", "StratusAPI", "StratusIndex",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "StratusEndToEndTests",
            dependencies: ["StratusTesting"],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
