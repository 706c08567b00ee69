import Foundation
import LatheIR
import LatheTestSupport
import LatheWasm
import Testing
import WasmKit
import WasmParser
@testable import LatheProspero

@Suite struct LoweringTests {
    static let points: [(Float, Float)] = [(0, 0), (-1, 1), (1, -1), (0.3, -0.7), (-0.55, 0.2), (0.71, 0.69), (-0.9, -0.35), (0.125, 0.5)]

    @Test(arguments: ["hi.vm", "quarter.vm", "prospero.vm"])
    func scalarIRMatchesEvaluator(name: String) throws {
        let program = try RenderTests.program(name)
        let f = program.irFunction()
        let report = f.verify()
        #expect(report.isValid, "\(report.render())")
        var interp = Interpreter(module: LatheIR.Module(functions: [f]))
        for (x, y) in Self.points {
            let r = interp.call("eval", [.f32(x), .f32(y)])
            guard case .success(let values) = r else { Issue.record("\(r)"); continue }
            let got = Float(bitPattern: UInt32(truncatingIfNeeded: values[0].scalar))
            #expect(got.bitPattern == program.evaluate(x: x, y: y).bitPattern, "\(name) at (\(x), \(y))")
        }
    }

    @Test(arguments: ["hi.vm", "quarter.vm", "prospero.vm"])
    func wasmModuleValidatesAndRunsFourLanes(name: String) throws {
        let program = try RenderTests.program(name)
        #expect(program.irFunction(lanes: 4).verify().isValid)
        let module = try program.wasmModule()
        try ModuleValidator.validate(module)
        let bytes = ModuleWriter.write(module)
        var features = WasmFeatureSet.default
        features.insert(.simd)
        let store = Store(engine: Engine(configuration: EngineConfiguration(compilationMode: .eager, features: features)))
        let instance = try parseWasm(bytes: bytes, features: features).instantiate(store: store)
        guard case .function(let eval) = instance.export("eval") else { Issue.record("no eval export"); return }
        func v128(_ lanes: [Float]) -> WasmKit.Value {
            .v128(V128(bytes: lanes.flatMap { f in (0..<4).map { UInt8(truncatingIfNeeded: f.bitPattern >> (8 * $0)) } }))
        }
        for start in stride(from: 0, to: Self.points.count, by: 4) {
            let group = Array(Self.points[start..<(start + 4)])
            let result = try eval.invoke([v128(group.map(\.0)), v128(group.map(\.1))])
            guard case .v128(let v) = result.first else { Issue.record("result \(result)"); continue }
            for (lane, (x, y)) in group.enumerated() {
                let bits = (0..<4).reduce(UInt32(0)) { $0 | UInt32(v.bytes[lane * 4 + $1]) << (8 * $1) }
                #expect(bits == program.evaluate(x: x, y: y).bitPattern, "\(name) lane \(lane) at (\(x), \(y))")
            }
        }
    }
}

@Suite struct RenderCLITests {
    static let binary = LatheCLI.binary(repositoryRoot: RenderTests.repositoryRoot)

    @Test func writesPNGAndPGM() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-render-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let vm = RenderTests.directory.appendingPathComponent("hi.vm").path
        let png = dir.appendingPathComponent("hi.png").path
        let r = try LatheCLI.run(Self.binary, ["render", vm, "--size", "300", "-o", png, "--threads", "2"])
        #expect(r.status == 0, "\(r.stderr)")
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: png)))
        #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        #expect(Array(bytes[12..<16]) == Array("IHDR".utf8))
        #expect(Array(bytes[16..<24]) == [0, 0, 1, 44, 0, 0, 1, 44])
        #expect(Array(bytes[24..<29]) == [8, 0, 0, 0, 0])
        #expect(Array(bytes.suffix(12)) == [0, 0, 0, 0] + Array("IEND".utf8) + [0xAE, 0x42, 0x60, 0x82])
        // Deflate: far smaller than the raw 90,000 pixels.
        #expect(bytes.count < 10_000)

        let pgm = dir.appendingPathComponent("hi.pgm").path
        let p = try LatheCLI.run(Self.binary, ["render", vm, "--size", "300", "-o", pgm, "--bench", "2"])
        #expect(p.status == 0, "\(p.stderr)")
        #expect(p.stdout.contains("median") && p.stdout.contains("level 0"))
        let image = try #require(ProsperoFiles.readPGM([UInt8](try Data(contentsOf: URL(fileURLWithPath: pgm)))))
        #expect(image.pixels == ReferenceRenderer.render(try RenderTests.program("hi.vm"), size: 300))
    }

    @Test func malformedProgramIsAnErrorWithLine() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-render-bad-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let vm = dir.appendingPathComponent("bad.vm").path
        try Data("a var-x\n# fine\nb cube a\n".utf8).write(to: URL(fileURLWithPath: vm))
        let out = dir.appendingPathComponent("bad.png").path
        let r = try LatheCLI.run(Self.binary, ["render", vm, "-o", out])
        #expect(r.status != 0)
        #expect(r.stderr.contains("bad.vm:3: unknown operation `cube`"))
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func compilesToWasm() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-compile-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("quarter.wasm").path
        let r = try LatheCLI.run(Self.binary, ["compile", RenderTests.directory.appendingPathComponent("quarter.vm").path, "--target", "wasm", "-o", out])
        #expect(r.status == 0, "\(r.stderr)")
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: out)))
        try ModuleValidator.validate(try ModuleReader.read(bytes))
    }
}
