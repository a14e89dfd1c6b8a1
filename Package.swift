// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "cameo",
    // Linux only: FFmpeg, OpenCV and libcurl are opened by their Linux sonames
    // and installed from Debian packages (scripts/bootstrap); macOS is not built or tested.
    products: [
        .executable(name: "cameo", targets: ["cameo"]),
        // The person check's face detector: built beside cameo and opened with
        // dlopen on first use, so that OpenCV is only mapped when faces are looked for.
        .library(name: "CameoFaces", type: .dynamic, targets: ["CameoFaces"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // The team catalog on PostgreSQL (only linked in; nothing of it runs until a postgres:// URL is seen).
        .package(url: "https://github.com/vapor/postgres-nio", exact: "1.33.2"),
        // Tests only: reads the spec's YAML so request bodies are checked against the schema as published.
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .target(name: "CameoText"),
        // The two SQLite connection settings that need C (read-only readers, WAL files kept).
        .target(name: "CSQLiteOptions", linkerSettings: [.linkedLibrary("sqlite3")]),
        .target(
            name: "CameoCatalog",
            dependencies: [
                "CameoText", "CSQLiteOptions", .product(name: "GRDB", package: "GRDB.swift"),
                // The team's catalog on a PostgreSQL server (Sources/CameoCatalog/Postgres).
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        // FFmpeg's headers. The libraries are not linked: CFFmpegLoader opens them
        // on first use, so commands that never touch media start fast.
        .systemLibrary(
            name: "CFFmpeg",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libavutil-dev", "libswscale-dev", "libswresample-dev"])]
        ),
        .target(name: "CFFmpegLoader", dependencies: ["CFFmpeg"]),
        .target(
            name: "CameoFaces",
            cxxSettings: [.unsafeFlags(["-I/usr/include/opencv4"])],
            // C++ only, linked by swiftc all the same: without its start-up object (which registers
            // Swift metadata and needs libswiftCore) and with the runtime offered only as a static
            // archive that nothing here uses, the library maps no Swift runtime of its own beside
            // the one statically linked into the release cameo. `readelf -d` shows no libswift*.
            linkerSettings: [.linkedLibrary("opencv_dnn"), .linkedLibrary("opencv_core"), .unsafeFlags(["-nostartfiles", "-static-stdlib"])]
        ),
        .target(name: "CameoMedia", dependencies: ["CFFmpeg", "CFFmpegLoader", "CameoText"]),
        .target(name: "CameoPrompt", dependencies: ["CameoText"]),
        // libcurl, opened on first use like FFmpeg: only commands that talk to a provider load it.
        .target(name: "CCurlLoader"),
        .target(name: "CameoAPI", dependencies: ["CCurlLoader", "CameoPrompt", "CameoText"]),
        // The life of a request that costs money: record, send, record; follow; download.
        .target(name: "CameoSubmissions", dependencies: ["CameoAPI", "CameoCatalog", "CameoMedia", "CameoText"]),
        .executableTarget(
            name: "cameo",
            dependencies: [
                "CameoAPI",
                "CameoSubmissions",
                "CameoCatalog",
                "CameoMedia",
                "CameoPrompt",
                "CameoText",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(
            name: "CameoTestSupport",
            dependencies: ["CameoCatalog", "CameoPrompt", "CameoText", .product(name: "Yams", package: "Yams")],
            path: "Tests/Support"
        ),
        .testTarget(
            name: "CameoTextTests",
            dependencies: ["CameoText"]
        ),
        .testTarget(
            name: "CameoCatalogTests",
            dependencies: ["CameoCatalog", "CameoText", "CameoTestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "CameoMediaTests",
            dependencies: ["CameoMedia", "CFFmpeg", "CFFmpegLoader", "CameoTestSupport"]
        ),
        .testTarget(
            name: "CameoPromptTests",
            dependencies: ["CameoPrompt", "CameoTestSupport"]
        ),
        .testTarget(
            name: "CameoAPITests",
            dependencies: ["CameoAPI", "CameoPrompt", "CameoText", "CameoTestSupport"]
        ),
        .testTarget(
            name: "CameoCLITests",
            dependencies: ["cameo", "CameoCatalog", "CameoTestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
    ]
)
