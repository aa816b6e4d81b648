// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "StratusBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Stratus", path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "stratus-bench",
            dependencies: [
                .product(name: "Carbonara", package: "Stratus"),
                .product(name: "StratusStorage", package: "Stratus"),
                .product(name: "StratusIndex", package: "Stratus"),
                .product(name: "StratusCore", package: "Stratus"),
            ],
        ),
    ],
    swiftLanguageModes: [.v6]
)
