// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "crmvault",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "crmvault", targets: ["crmvault"]),
        .executable(name: "crmvault-bench", targets: ["crmvault-bench"]),
        .library(name: "VaultCore", targets: ["VaultCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium", providers: [.apt(["libsodium-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .target(
            name: "VaultCore",
            dependencies: [
                "CSodium", "CZstd", .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(name: "CRMExportGenerator"),
        .target(name: "Configuration", dependencies: [.product(name: "TOMLKit", package: "TOMLKit")]),
        .target(
            name: "DemoScenario",
            dependencies: ["VaultCore", "CRMExportGenerator", .product(name: "ZIPFoundation", package: "ZIPFoundation")]
        ),
        .target(
            name: "VaultTesting",
            dependencies: ["VaultCore", "CRMExportGenerator", .product(name: "ZIPFoundation", package: "ZIPFoundation")]
        ),
        .executableTarget(
            name: "crmvault",
            dependencies: [
                "VaultCore", "DemoScenario", "Configuration",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "crmvault-bench", dependencies: ["VaultCore", "CRMExportGenerator"]),
        .testTarget(
            name: "VaultCoreTests",
            dependencies: ["VaultCore", "VaultTesting", "CRMExportGenerator", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            exclude: ["Fixtures"]  // read through #filePath, so tests see the committed bytes
        ),
        .testTarget(name: "ConfigurationTests", dependencies: ["Configuration", "VaultTesting"]),
        .testTarget(name: "EndToEndTests", dependencies: ["crmvault", "VaultTesting", "CRMExportGenerator"]),
    ],
    swiftLanguageModes: [.v6]
)
