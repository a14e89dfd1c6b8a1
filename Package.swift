// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "cameo",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "cameo", targets: ["cameo"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .target(
            name: "CameoCatalog",
            dependencies: [.product(name: "GRDB", package: "GRDB.swift")]
        ),
        .systemLibrary(
            name: "CFFmpeg",
            pkgConfig: "libavformat",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libavutil-dev", "libswscale-dev"])]
        ),
        .target(name: "CameoMedia", dependencies: ["CFFmpeg"]),
        .target(name: "CameoPrompt"),
        .executableTarget(
            name: "cameo",
            dependencies: [
                "CameoCatalog",
                "CameoMedia",
                "CameoPrompt",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(name: "CameoTestSupport", path: "Tests/Support"),
        .testTarget(
            name: "CameoCatalogTests",
            dependencies: ["CameoCatalog", "CameoTestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "CameoMediaTests",
            dependencies: ["CameoMedia", "CFFmpeg", "CameoTestSupport"]
        ),
        .testTarget(
            name: "CameoCLITests",
            dependencies: ["cameo", "CameoCatalog", "CameoTestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
    ]
)
