import LatheOpt
import LatheWasm
import Testing
import WAT

/// `remove-unused` must not remove a global that is the only declaration of a function code takes with `ref.func`.
@Suite struct RemoveUnusedDeclarationTests {
    func removeUnused(_ wat: String) throws -> Module {
        let module = try ModuleReader.read(try wat2wasm(wat))
        try ModuleValidator.validate(module)
        let manager = try PassManager(pipeline: ["remove-unused"], verifyEach: true)
        return try WasmOptimizer.optimize(module, manager: manager, threads: 1, verifyLifted: true).0
    }

    @Test func globalDeclaringARefFuncTargetStays() throws {
        let out = try removeUnused("""
            (module
              (global funcref (ref.func $f))
              (global i32 (i32.const 7))
              (func $f (export "f") (result funcref) ref.func $f))
            """)
        // The i32 global is unused and goes; the funcref one declares $f for the body's ref.func.
        #expect(out.globals.count == 1)
        #expect(throws: Never.self) { try ModuleValidator.validate(out) }
        #expect(throws: Never.self) { try ModuleValidator.validate(try ModuleReader.read(ModuleWriter.write(out))) }
    }

    @Test func globalNamingAFunctionNoCodeTakesStillGoes() throws {
        let out = try removeUnused("""
            (module
              (global funcref (ref.func $f))
              (func $f (export "f") (result i32) i32.const 1))
            """)
        #expect(out.globals.isEmpty)
        #expect(throws: Never.self) { try ModuleValidator.validate(out) }
    }
}
