// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "StratusBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Stratus", path: ".."),
        // Already in the main package's graph (same pinned version): only to name `Logger`.
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .executableTarget(
            name: "stratus-bench",
            dependencies: [
                .product(name: "Carbonara", package: "Stratus"),
                .product(name: "StratusStorage", package: "Stratus"),
                .product(name: "StratusIndex", package: "Stratus"),
                .product(name: "StratusCore", package: "Stratus"),
                .product(name: "StratusCompute", package: "Stratus"),
                .product(name: "StratusPipeline", package: "Stratus"),
                .product(name: "StratusPolling", package: "Stratus"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
