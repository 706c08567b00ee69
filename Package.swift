// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Lathe",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "lathe", targets: ["lathe"]),
        .executable(name: "lathe-fuzz-reader", targets: ["lathe-fuzz-reader"]),
        .library(name: "LatheEntity", targets: ["LatheEntity"]),
        .library(name: "LatheWasm", targets: ["LatheWasm"]),
        .library(name: "LatheIR", targets: ["LatheIR"]),
        .library(name: "LatheWasmIR", targets: ["LatheWasmIR"]),
        .library(name: "LatheOpt", targets: ["LatheOpt"]),
        .library(name: "LatheX64", targets: ["LatheX64"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swiftwasm/WasmKit", from: "0.4.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // Typed UInt32 entity references and the arenas that hold them.
        .target(name: "LatheEntity"),
        // zlib, for gzip sizes and PNG deflate.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // WebAssembly: types, opcode table, module model, reader, writer, validator, printer.
        .target(name: "LatheWasm"),
        // The SSA IR: data flow graph, layout, builder, verifier, text format, interpreter.
        .target(name: "LatheIR", dependencies: ["LatheEntity"]),
        // The wasm <-> IR bridge: lift function bodies to SSA, lower them back to structured wasm.
        .target(name: "LatheWasmIR", dependencies: ["LatheWasm", "LatheIR"]),
        // The optimizer: function passes, their registry and pipelines, analyses, the pass manager, statistics.
        .target(name: "LatheOpt", dependencies: ["LatheIR", "LatheEntity", "LatheWasm", "LatheWasmIR"]),
        // Prospero `.vm` programs: parser, conversion to IR, interval-pruned SIMD renderer.
        .target(
            name: "LatheProspero",
            dependencies: ["LatheIR", "LatheWasm", "LatheWasmIR", "LatheX64"],
            swiftSettings: [.unsafeFlags(["-Xcc", "-mavx2", "-Xcc", "-fno-math-errno", "-target-cpu", "haswell"], .when(platforms: [.linux]))]
        ),
        // The x86-64 JIT: encoder, instruction selection, register allocation and its checker, executable memory.
        .target(name: "LatheX64", dependencies: ["LatheIR", "LatheEntity"]),
        // Differential fuzzing: a seeded module generator, before/after execution on WasmKit's engine,
        // a reducer, and reader robustness by mutation.
        .target(
            name: "LatheFuzz",
            dependencies: [
                "LatheWasm", "LatheIR", "LatheWasmIR", "LatheOpt",
                .product(name: "WasmKit", package: "WasmKit"),
                .product(name: "WAT", package: "WasmKit"),
            ]
        ),
        // Reader robustness under libFuzzer (built with -sanitize=fuzzer and -D LATHE_LIBFUZZER), or a
        // replayer of input files and a mutation driver in a plain build.
        .executableTarget(name: "lathe-fuzz-reader", dependencies: ["LatheFuzz"]),
        // The command line.
        .executableTarget(
            name: "lathe",
            dependencies: [
                "LatheWasm", "LatheIR", "LatheWasmIR", "LatheOpt", "LatheFuzz", "LatheProspero", "CZlib",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "WAT", package: "WasmKit"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Test-only helpers: golden-file runner, spec-suite loader (WasmKit's WAST parser), WASI runner.
        .target(
            name: "LatheTestSupport",
            dependencies: [
                "LatheWasm", "LatheIR",
                .product(name: "WAT", package: "WasmKit"),
                .product(name: "WasmKit", package: "WasmKit"),
                .product(name: "WasmKitWASI", package: "WasmKit"),
            ]
        ),
        .testTarget(name: "LatheWasmTests", dependencies: ["LatheWasm", "LatheTestSupport"]),
        .testTarget(name: "LatheIRTests", dependencies: ["LatheIR", "LatheEntity", "LatheTestSupport"]),
        .testTarget(
            name: "LatheWasmIRTests",
            dependencies: [
                "LatheWasmIR", "LatheOpt", "LatheTestSupport",
                .product(name: "WasmKit", package: "WasmKit"),
                .product(name: "WasmKitWASI", package: "WasmKit"),
                .product(name: "WAT", package: "WasmKit"),
            ]
        ),
        .testTarget(
            name: "LatheProsperoTests",
            dependencies: [
                "LatheProspero", "LatheIR", "LatheWasm", "LatheWasmIR", "LatheTestSupport",
                .product(name: "WasmParser", package: "WasmKit"),
                .product(name: "WasmKit", package: "WasmKit"),
            ]
        ),
        .testTarget(name: "LatheX64Tests", dependencies: ["LatheX64", "LatheIR"]),
        .testTarget(name: "LatheFuzzTests", dependencies: ["LatheFuzz", "LatheWasm", "LatheOpt", "LatheTestSupport"]),
        .testTarget(
            name: "LatheOptTests",
            dependencies: [
                "LatheOpt", "LatheIR", "LatheWasm", "LatheWasmIR", "LatheTestSupport",
                .product(name: "WasmKit", package: "WasmKit"),
                .product(name: "WAT", package: "WasmKit"),
                .product(name: "WasmParser", package: "WasmKit"),
            ]
        ),
    ]
)
