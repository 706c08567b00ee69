import Foundation
import LatheWasm
import LatheTestSupport
import LatheWasmIR
import WasmKit
import WasmKitWASI
import XCTest

/// Real C programs (Tests/programs/c, built by utils/build-c-programs.sh): every function round-trips,
/// the result validates, prints the same output with the same exit code, and its code does not grow.
final class CProgramTests: XCTestCase {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let wasmDirectory = repositoryRoot.appendingPathComponent("Tests/programs/wasm")

    /// Size gates (round-tripped code bytes over input code bytes), by clang optimization level.
    static let sizeLimit: [String: (limit: Double, inclusive: Bool)] = ["O0": (0.95, false), "O2": (1.00, true)]

    /// Runs a WASI command module on WasmKit with stdout captured in a temporary file.
    static func run(_ bytes: [UInt8], name: String) throws -> WASIRun { try WASIRunner.run(bytes, name: name) }

    /// Names of the functions a C source defines (definitions start at column 0); `main` is `__original_main` in WASI modules.
    static func definedFunctions(inSource text: String) -> Set<String> {
        var names = Set<String>()
        let keywords: Set<String> = ["if", "while", "for", "switch", "return", "sizeof"]
        for line in text.split(separator: "\n") where !line.hasPrefix(" ") && !line.hasSuffix(";") && line.contains("(") {
            guard let first = line.first, first.isLetter || first == "_", !line.hasPrefix("typedef"), !line.hasPrefix("#") else { continue }
            let head = line[..<line.firstIndex(of: "(")!]
            guard let name = head.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }).last, !keywords.contains(String(name)) else { continue }
            names.insert(name == "main" ? "__original_main" : String(name))
        }
        return names
    }

    func testDefinedFunctionNamesComeFromTheSource() {
        let names = Self.definedFunctions(inSource: "static int f(int x) {\n    return g(x);\n}\nint main(void) {\nint h(int);\ntypedef int (*fp)(int);\n")
        XCTAssertEqual(names, ["f", "__original_main"])
    }

    func testProgramsRoundTripKeepBehaviourAndSize() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.wasmDirectory.path).filter { $0.hasSuffix(".wasm") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 8, "C program modules missing in \(Self.wasmDirectory.path)")
        var table = ["program          level  module code: input  output  ratio   program functions: input  output  ratio"]
        for file in files {
            let parts = file.split(separator: ".")
            guard parts.count == 3, let gate = Self.sizeLimit[String(parts[1])] else {
                XCTFail("\(file): expected NAME.O0.wasm or NAME.O2.wasm"); continue
            }
            let bytes = [UInt8](try Data(contentsOf: Self.wasmDirectory.appendingPathComponent(file)))
            let module = try ModuleReader.read(bytes)
            try ModuleValidator.validate(module)
            let (out, stats) = WasmRoundTrip.run(module)
            XCTAssertEqual(stats.failures, [], "\(file): round trip failures")
            XCTAssertEqual(stats.lifted, module.bodies.count, "\(file): functions kept \(stats.kept)")
            do { try ModuleValidator.validate(out) } catch { XCTFail("\(file): round-tripped module is invalid: \(error)"); continue }
            let outBytes = ModuleWriter.write(out)

            let before = try Self.run(bytes, name: "\(file)-in")
            let after = try Self.run(outBytes, name: "\(file)-out")
            XCTAssertFalse(before.stdout.isEmpty, "\(file) printed nothing")
            XCTAssertEqual(before.exitCode, 0, "\(file) exit code")
            XCTAssertEqual(after.exitCode, before.exitCode, "\(file): exit code changed")
            XCTAssertEqual(after.stdout, before.stdout, "\(file): output changed")

            // The whole code section, and the functions compiled from the program's own source
            // (the rest is Debian's wasi-libc, built with optimization whatever the program's level).
            let input = WasmRoundTrip.codeSectionSize(module.bodies)
            let output = WasmRoundTrip.codeSectionSize(out.bodies)
            let ratio = Double(output) / Double(input)
            let source = try String(contentsOf: Self.repositoryRoot.appendingPathComponent("Tests/programs/c/\(parts[0]).c"), encoding: .utf8)
            let own = Self.definedFunctions(inSource: source)
            let names = module.names?.functions ?? [:]
            let ownBodies = module.bodies.indices.filter { names[UInt32(module.importedFunctionCount + $0)].map(own.contains) ?? false }
            XCTAssertFalse(ownBodies.isEmpty, "\(file): no function of the program found by name")
            let ownInput = WasmRoundTrip.codeSectionSize(ownBodies.map { module.bodies[$0] })
            let ownOutput = WasmRoundTrip.codeSectionSize(ownBodies.map { out.bodies[$0] })
            let ownRatio = Double(ownOutput) / Double(ownInput)
            table.append("\(String(parts[0]).padding(toLength: 16, withPad: " ", startingAt: 0)) \(parts[1])    \(String(format: "%18d  %6d  %5.3f   %24d  %6d  %5.3f", input, output, ratio, ownInput, ownOutput, ownRatio))")
            // The gate holds for the whole code section and for the program's own functions.
            for (what, r) in [("code section", ratio), ("program's functions", ownRatio)] {
                if gate.inclusive {
                    XCTAssertLessThanOrEqual(r, gate.limit, "\(file): \(what) grew")
                } else {
                    XCTAssertLessThan(r, gate.limit, "\(file): \(what) did not shrink enough")
                }
            }
        }
        print(table.joined(separator: "\n"))
    }
}
