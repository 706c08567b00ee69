import LatheWasm
import WAT
import XCTest

final class ValidatorTests: XCTestCase {
    func module(_ wat: String, names: Bool = false) throws -> Module {
        let bytes = try wat2wasm(wat, features: .all, options: EncodeOptions(nameSection: names))
        return try ModuleReader.read(bytes)
    }

    func assertValid(_ wat: String, file: StaticString = #filePath, line: UInt = #line) {
        do {
            try ModuleValidator.validate(try module(wat))
        } catch {
            XCTFail("expected valid, got \(error)", file: file, line: line)
        }
    }

    @discardableResult
    func assertInvalid(_ wat: String, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) -> WasmError? {
        let m: Module
        do { m = try module(wat, names: true) } catch {
            XCTFail("could not build the module: \(error)", file: file, line: line)
            return nil
        }
        do {
            try ModuleValidator.validate(m)
            XCTFail("expected invalid (\(fragment))", file: file, line: line)
        } catch {
            XCTAssertTrue(error.message.contains(fragment), "message \"\(error.message)\" lacks \"\(fragment)\"", file: file, line: line)
            return error
        }
        return nil
    }

    func testValidArithmeticAndControl() {
        assertValid("""
        (module
          (func (export "f") (param i32 i64) (result i32)
            (block (result i32)
              (br_if 0 (local.get 0) (i32.eqz (local.get 0)))
              (drop)
              (i32.wrap_i64 (local.get 1)))
            (if (result i32) (then (i32.const 1)) (else (i32.const 2)))
            (local.get 0)
            (i32.add)
            (loop $l (br_if $l (i32.const 0)))))
        """)
    }

    func testTypeMismatchMessageNamesFunctionAndOffset() throws {
        let e = assertInvalid("""
        (module (func $adder (result i32) (i32.add (i32.const 1) (f64.const 2))))
        """, "type mismatch in i32.add: expected i32, found f64")
        XCTAssertEqual(e?.section, "code")
        XCTAssertEqual(e?.function, 0)
        XCTAssertEqual(e?.functionName, "adder")
        XCTAssertGreaterThan(e?.offset ?? 0, 0)
    }

    func testStackPolymorphismAfterUnreachable() {
        assertValid("(module (func (result i32) unreachable i32.add))")
        assertValid("(module (func (result i32) (br 0 (unreachable)) i64.add drop i32.const 0 (select)))")
        assertInvalid("(module (func unreachable i32.const 0 i64.add drop))", "type mismatch")
        assertInvalid("(module (func (result i32) (i32.const 1) (i32.const 2)))", "type mismatch")
    }

    func testLocals() {
        assertInvalid("(module (type $t (func)) (func (local (ref $t)) (local.get 0) drop))", "uninitialized local")
        assertValid("(module (type $t (func)) (elem declare func $f) (func $f (local (ref $t)) (local.set 0 (ref.func $f)) (local.get 0) drop))")
        // Initialisation inside a block does not survive the block.
        assertInvalid("""
        (module (type $t (func)) (elem declare func $f)
          (func $f (local (ref $t)) (block (local.set 0 (ref.func $f))) (local.get 0) drop))
        """, "uninitialized local")
    }

    func testHugeLocalCountIsNotAllocatedPerLocal() throws {
        var m = Module()
        m.recGroups = [RecGroup(types: [SubType(composite: .func(FuncType(params: [], results: [.i32])))])]
        m.functions = [0]
        m.bodies = [FunctionBody(locals: [LocalGroup(count: 10, type: .f32), LocalGroup(count: UInt32.max - 20, type: .i32)],
                                 instructions: [Instruction(.localGet, .index(UInt32.max - 11)), Instruction(.end)])]
        try ModuleValidator.validate(m)
        m.bodies[0] = FunctionBody(locals: m.bodies[0].locals,
                                   instructions: [Instruction(.localGet, .index(5)), Instruction(.end)])
        XCTAssertThrowsError(try ModuleValidator.validate(m)) { XCTAssertTrue("\($0)".contains("type mismatch")) }
        m.bodies[0] = FunctionBody(locals: m.bodies[0].locals,
                                   instructions: [Instruction(.localGet, .index(UInt32.max - 10)), Instruction(.end)])
        XCTAssertThrowsError(try ModuleValidator.validate(m)) { XCTAssertTrue("\($0)".contains("unknown local")) }
    }

    func testMemoryRules() {
        assertInvalid("(module (memory 1) (func (drop (i32.load align=8 (i32.const 0)))))", "alignment must not be larger than natural")
        assertInvalid("(module (func (drop (i32.load (i32.const 0)))))", "unknown memory")
        assertInvalid("(module (memory 65537))", "memory size")
        assertValid("(module (memory 1 1 shared) (func (drop (i32.atomic.load align=4 (i32.const 0)))))")
        assertInvalid("(module (memory 1 1 shared) (func (drop (i32.atomic.load align=2 (i32.const 0)))))", "alignment must be equal to natural")
        assertInvalid("(module (memory 1 shared))", "shared memory must have maximum")
        assertValid("(module (memory i64 1) (func (drop (i32.load offset=0x100000000 (i64.const 0)))))")
        assertInvalid("(module (memory i64 1) (func (drop (i32.load (i32.const 0)))))", "type mismatch")
        assertValid("(module (memory 1) (memory i64 1) (func (memory.copy 0 1 (i32.const 0) (i64.const 0) (i32.const 1))))")
    }

    func testModuleLevelRules() {
        assertInvalid("(module (func) (export \"a\" (func 0)) (export \"a\" (func 0)))", "duplicate export name")
        assertInvalid("(module (func (param i32)) (start 0))", "start function")
        assertInvalid("(module (global i32 (i32.const 0)) (global i32 (global.get 0)) (global (mut i32) (i32.const 0)) (global i32 (global.get 2)))", "constant expression required")
        assertValid("(module (global i32 (i32.const 0)) (global i32 (i32.add (global.get 0) (i32.const 1))))")
        assertInvalid("(module (global i32 (i32.const 0) (i32.const 1) (i32.add) (nop)))", "constant expression required")
        assertInvalid("(module (func) (func (drop (ref.func 0))))", "undeclared function reference")
        assertValid("(module (func) (export \"f\" (func 0)) (func (drop (ref.func 0))))")
        assertInvalid("(module (tag (result i32)))", "non-empty tag result type")
    }

    func testSIMDLanes() {
        assertValid("(module (func (result i32) (i8x16.extract_lane_s 15 (v128.const i64x2 0 0))))")
        assertInvalid("(module (func (result i32) (i8x16.extract_lane_s 16 (v128.const i64x2 0 0))))", "invalid lane index")
    }

    func testGCSubtypingAndCanonicalTypes() {
        // Two identical rec groups define equivalent types.
        assertValid("""
        (module
          (rec (type $a (struct (field i32))))
          (rec (type $b (struct (field i32))))
          (func (param (ref $a)) (result (ref $b)) (local.get 0)))
        """)
        assertInvalid("""
        (module
          (type $a (struct (field i32)))
          (type $b (sub $a (struct (field i32)))))
        """, "sub type")
        assertValid("""
        (module
          (type $a (sub (struct (field i32))))
          (type $b (sub $a (struct (field i32) (field i64))))
          (func (param (ref $b)) (result (ref $a) i32)
            (local.get 0) (struct.get $a 0 (local.get 0))))
        """)
        assertInvalid("""
        (module (type $a (struct (field i8))) (func (param (ref $a)) (result i32) (struct.get $a 0 (local.get 0))))
        """, "packed")
        assertInvalid("""
        (module (type $a (array i32)) (func (param (ref $a)) (array.set $a (local.get 0) (i32.const 0) (i32.const 0))))
        """, "immutable")
    }

    func testCastsAndBranches() {
        assertValid("""
        (module
          (type $s (sub (struct)))
          (type $t (sub $s (struct (field i32))))
          (func (param anyref) (result (ref null $t))
            (block $l (result (ref null $t))
              (br_on_cast $l anyref (ref null $t) (local.get 0))
              (drop) (ref.null $t))))
        """)
        assertInvalid("""
        (module (func (param funcref) (result i32) (ref.test (ref any) (local.get 0))))
        """, "type mismatch")
    }

    func testExceptions() {
        assertValid("""
        (module (tag $e (param i32))
          (func (result i32)
            (block $h (result i32)
              (try_table (catch $e $h) (throw $e (i32.const 1)))
              (i32.const 0))))
        """)
        assertInvalid("""
        (module (tag $e (param i64))
          (func (result i32)
            (block $h (result i32)
              (try_table (catch $e $h) (throw $e (i64.const 1)))
              (i32.const 0))))
        """, "type mismatch")
        // Legacy try/catch/rethrow (the text parser lacks them): tag 0 of type 0 () -> ().
        var m = Module()
        m.recGroups = [RecGroup(types: [SubType(composite: .func(FuncType(params: [], results: [])))])]
        m.functions = [0]
        m.tags = [TagType(typeIndex: 0)]
        m.bodies = [FunctionBody(locals: [], instructions: [
            Instruction(.try, .blockType(.empty)), Instruction(.throw, .index(0)),
            Instruction(.catch, .index(0)), Instruction(.rethrow, .index(0)),
            Instruction(.catchAll), Instruction(.end), Instruction(.end),
        ])]
        XCTAssertNoThrow(try ModuleValidator.validate(m))
        m.bodies = [FunctionBody(locals: [], instructions: [
            Instruction(.block, .blockType(.empty)), Instruction(.rethrow, .index(0)), Instruction(.end), Instruction(.end),
        ])]
        XCTAssertThrowsError(try ModuleValidator.validate(m)) { XCTAssertTrue("\($0)".contains("invalid rethrow label")) }
        m.bodies = [FunctionBody(locals: [LocalGroup(count: 1, type: .i32)], instructions: [
            Instruction(.localGet, .index(1)), Instruction(.drop), Instruction(.end),
        ])]
        XCTAssertThrowsError(try ModuleValidator.validate(m)) { XCTAssertTrue("\($0)".contains("unknown local")) }
    }
}
