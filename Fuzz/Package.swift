// swift-tools-version:6.2
// libFuzzer targets for myc (issue #8, item 3). Built by `make fuzz` (Fuzz/run) into its own
// scratch path with `-Xswiftc -sanitize=fuzzer,address`; never part of the main build.
import PackageDescription

// libFuzzer supplies `main`; each target only defines LLVMFuzzerTestOneInput.
let fuzzTarget: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]

let package = Package(
    name: "myc-fuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "myc", path: "..")],
    targets: [
        .target(name: "FuzzSupport", dependencies: ["FuzzMain", .product(name: "MycKit", package: "myc")]),
        .target(name: "FuzzMain"),
        .executableTarget(name: "fuzz-frames", dependencies: ["FuzzSupport", .product(name: "MycKit", package: "myc")],
                          swiftSettings: fuzzTarget),
        .executableTarget(name: "fuzz-canonical", dependencies: ["FuzzSupport", .product(name: "MycKit", package: "myc")],
                          swiftSettings: fuzzTarget),
        .executableTarget(name: "fuzz-relay-core", dependencies: ["FuzzSupport", .product(name: "MycKit", package: "myc")],
                          swiftSettings: fuzzTarget),
        .executableTarget(name: "fuzz-peer-inbound", dependencies: ["FuzzSupport", .product(name: "MycKit", package: "myc")],
                          swiftSettings: fuzzTarget),
    ]
)
