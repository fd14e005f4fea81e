// swift-tools-version:6.2
// libFuzzer targets for myc (issue #8, item 3). Built by `make fuzz` (Fuzz/run) into its own
// scratch path with `-Xswiftc -sanitize=fuzzer,address`; never part of the main build.
import PackageDescription

// libFuzzer supplies `main`; each target only defines LLVMFuzzerTestOneInput.
let fuzzTarget: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]

let package = Package(
    name: "myc-fuzz",
    platforms: [.macOS(.v14)],
    targets: [
        .target(name: "FuzzSupport", dependencies: ["FuzzMain", "MycKit"]),
        .target(name: "FuzzMain"),
        // The pure protocol core only, compiled from ../Sources/MycKit through symlinks: the
        // folders with no I/O (wire, sodium, identity, relay core, peer engine; from MCP/ only
        // the notification builder). Without NIO,
        // GRDB and the MCP SDK the sanitizer build takes minutes, not a quarter of an hour.
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium"),
        // Whole folders are linked, the edges excluded: a new file in a core folder is fuzzed
        // (and must stay free of I/O libraries) without touching this list.
        .target(name: "MycKit", dependencies: ["CSodium"],
                exclude: ["Relay/Edge", "Relay/Store", "Peer/Link", "Peer/Runtime", "Peer/Store", "Peer/RelayProbe.swift",
                          "Support/SQLiteDatabase.swift", "Support/JSONLineLogHandler.swift"]),
        .executableTarget(name: "fuzz-frames", dependencies: ["FuzzSupport", "MycKit"],
                          swiftSettings: fuzzTarget),
        .executableTarget(name: "fuzz-canonical", dependencies: ["FuzzSupport", "MycKit"],
                          swiftSettings: fuzzTarget),
        .executableTarget(name: "fuzz-relay-core", dependencies: ["FuzzSupport", "MycKit"],
                          swiftSettings: fuzzTarget),
        .executableTarget(name: "fuzz-peer-inbound", dependencies: ["FuzzSupport", "MycKit"],
                          swiftSettings: fuzzTarget),
    ]
)
