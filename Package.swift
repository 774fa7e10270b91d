// swift-tools-version:6.1
import PackageDescription

// Dependencies point one way: executables → Schedule → Pull and Replica → ExportLayout, VaultCore → C libraries.
let package = Package(
    name: "crmvault",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "crmvault", targets: ["crmvault"]),
        .executable(name: "crmvault-vendor-sim", targets: ["crmvault-vendor-sim"]),
        .executable(name: "crmvault-bench", targets: ["crmvault-bench"]),
        .library(name: "VaultCore", targets: ["VaultCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // Without its default traits (swift-configuration support and full Foundation): we need neither, and they
        // lengthen every fresh build.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
    ],
    targets: [
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium", providers: [.apt(["libsodium-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .target(name: "CSystemCalls"),  // prctl and syncfs, which Swift cannot call directly
        .target(
            name: "VaultCore",
            dependencies: [
                "CSodium", "CZstd", "CSystemCalls", .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(name: "ExportLayout"),
        .target(name: "CRMExportGenerator"),
        .target(name: "Definitions", dependencies: [.product(name: "TOMLKit", package: "TOMLKit")]),
        .target(
            name: "Pull",
            dependencies: [
                "VaultCore", "ExportLayout", "Definitions",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "Schedule",
            dependencies: [
                "Pull", "VaultCore", "Definitions",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "Replica", dependencies: ["VaultCore", "ExportLayout", "CSQLite", "CSystemCalls"]),
        .target(name: "Reader", dependencies: ["VaultCore", .product(name: "Crypto", package: "swift-crypto")]),
        .target(
            name: "VendorSimulator",
            dependencies: [
                "CRMExportGenerator", "ExportLayout",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
        .target(
            name: "DemoScenario",
            dependencies: [
                "VaultCore", "Definitions", "Pull", "Replica", "Schedule", "VendorSimulator",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "VaultTesting",
            dependencies: ["VaultCore", "CRMExportGenerator", .product(name: "ZIPFoundation", package: "ZIPFoundation")]
        ),
        .executableTarget(
            name: "crmvault",
            dependencies: [
                "VaultCore", "DemoScenario", "Definitions", "Pull", "Schedule", "Replica", "ExportLayout", "Reader",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "crmvault-vendor-sim",
            dependencies: ["VendorSimulator", "VaultCore", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(name: "crmvault-bench", dependencies: ["VaultCore", "CRMExportGenerator", "Replica", "ExportLayout"]),
        .testTarget(
            name: "VaultCoreTests",
            dependencies: ["VaultCore", "VaultTesting", "CRMExportGenerator", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            exclude: ["Fixtures"]  // read through #filePath, so tests see the committed bytes
        ),
        .testTarget(name: "DefinitionsTests", dependencies: ["Definitions", "VaultTesting"]),
        .testTarget(name: "PullTests", dependencies: ["Pull", "VendorSimulator", "VaultTesting", "ExportLayout"]),
        .testTarget(
            name: "ScheduleTests",
            dependencies: [
                "Schedule", "Pull", "VaultCore", "VendorSimulator", "VaultTesting", "CRMExportGenerator",
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "VendorSimulatorTests",
            dependencies: [
                "VendorSimulator", "crmvault-vendor-sim", "VaultTesting",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"), .product(name: "Crypto", package: "swift-crypto"), .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
        .testTarget(name: "ReplicaTests", dependencies: ["Replica", "VaultTesting", "ExportLayout", "CRMExportGenerator", "VaultCore", "CSQLite"]),
        .testTarget(name: "EndToEndTests", dependencies: ["crmvault", "VaultCore", "VaultTesting", "CRMExportGenerator", "VendorSimulator", "Reader"]),
    ],
    swiftLanguageModes: [.v6]
)
