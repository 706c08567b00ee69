import Dispatch
import LatheIR
import LatheX64

/// How leaf blocks are evaluated: the SIMD tape interpreter, or native code compiled per distinct leaf tape.
public enum RenderEngine: String, Sendable, CaseIterable {
    case interp, jit
}

/// Builds and compiles leaf tapes to native functions over one `f32x8` vector, cached by tape content.
enum TapeJIT {
    /// `(memoryBase: nil, xs: the block's column x values, ys: its row y values, out: its f32x8 vectors, vectors: count) -> ()`;
    /// vector k covers row k / chunksPerRow, columns 8 * (k % chunksPerRow) ..< +8.
    typealias Entry = @convention(c) (UnsafeRawPointer?, UnsafeRawPointer, UnsafeRawPointer, UnsafeMutableRawPointer, Int) -> Void

    /// The tape as an IR function `(xs: i64, ys: i64, out: i64)` over raw pointers (a memory64 with a null base).
    ///
    /// `min(a, b)` is `b < a ? b : a` and `max(a, b)` is `a < b ? b : a`, built from `fcmp` and
    /// `bitselect`, so every lane matches `VMSemantics` (NaN and ±0 included).
    static func irFunction(_ ops: UnsafePointer<TapeOp>, count: Int, output: UInt32, chunksPerRow: Int) -> Function {
        var b = FunctionBuilder(name: "leaf", signature: Signature(params: [.i64, .i64, .i64, .i64], results: []))
        _ = b.declareMemory(MemoryDecl(minPages: 0, is64: true))
        let entry = b.createBlock(), loop = b.createBlock(), exit = b.createBlock()
        let params = b.appendFunctionParams(entry)
        // Loop variables: x address offset, y address, out address, vectors left.
        let xOff = b.declareVar(.i64), yAddr = b.declareVar(.i64), outAddr = b.declareVar(.i64), left = b.declareVar(.i64)
        b.switchToBlock(entry)
        b.sealBlock(entry)
        b.defVar(xOff, b.iconst(.i64, 0)); b.defVar(yAddr, params[1]); b.defVar(outAddr, params[2]); b.defVar(left, params[3])
        b.jump(loop)
        b.switchToBlock(loop)
        let xAddr = b.iadd(params[0], b.useVar(xOff))
        let p = [xAddr, b.useVar(yAddr), b.useVar(outAddr)]
        var slotCount = Int(output) + 1
        for i in 0..<count { slotCount = max(slotCount, Int(ops[i].out) + 1, Int(ops[i].a) + 1, Int(ops[i].b) + 1) }
        var slots = [Value](repeating: p[0], count: slotCount)
        func vector(_ x: Float) -> Value { b.splat(.f32x8, b.f32const(x)) }
        func lanewise(_ mask: Value, _ x: Value, _ y: Value) -> Value { b.bitselect(b.bitcast(.f32x8, mask), x, y) }
        for i in 0..<count {
            let op = ops[i]
            let a = slots[Int(op.a)], c = slots[Int(op.b)]
            let v: Value
            switch op.code {
            case .varX: v = b.load(.f32x8, p[0])
            case .varY: v = b.splat(.f32x8, b.load(.f32, p[1]))
            case .const: v = vector(op.imm)
            case .copy: v = a
            case .add: v = b.fadd(a, c)
            case .sub: v = b.fsub(a, c)
            case .mul: v = b.fmul(a, c)
            case .div: v = b.fdiv(a, c)
            case .min: v = lanewise(b.fcmp(.lt, c, a), c, a)
            case .max: v = lanewise(b.fcmp(.lt, a, c), c, a)
            case .neg: v = b.fneg(a)
            case .square: v = b.fmul(a, a)
            case .sqrt: v = b.sqrt(a)
            case .abs: v = b.fabs(a)
            case .addImm: v = b.fadd(a, vector(op.imm))
            case .subImm: v = b.fsub(a, vector(op.imm))
            case .rsubImm: v = b.fsub(vector(op.imm), a)
            case .mulImm: v = b.fmul(a, vector(op.imm))
            case .divImm: v = b.fdiv(a, vector(op.imm))
            case .rdivImm: v = b.fdiv(vector(op.imm), a)
            }
            slots[Int(op.out)] = v
        }
        b.store(slots[Int(output)], p[2])
        let nextX = b.iadd(b.useVar(xOff), b.iconst(.i64, 32))
        let rowEnd = b.icmp(.eq, nextX, b.iconst(.i64, Int64(32 * chunksPerRow)))
        b.defVar(xOff, b.select(rowEnd, b.iconst(.i64, 0), nextX))
        b.defVar(yAddr, b.iadd(b.useVar(yAddr), b.select(rowEnd, b.iconst(.i64, 4), b.iconst(.i64, 0))))
        b.defVar(outAddr, b.iadd(b.useVar(outAddr), b.iconst(.i64, 32)))
        b.defVar(left, b.isub(b.useVar(left), b.iconst(.i64, 1)))
        b.brif(b.icmp(.ne, b.useVar(left), b.iconst(.i64, 0)), loop, [], exit, [])
        b.sealBlock(loop)
        b.switchToBlock(exit); b.sealBlock(exit)
        b.return([])
        return b.finalize()
    }

    /// Compiles a tape (NaN bits are not canonicalized: a pixel only tests `< 0`).
    static func compile(_ ops: UnsafePointer<TapeOp>, count: Int, output: UInt32, chunksPerRow: Int) throws -> JITFunction {
        let f = irFunction(ops, count: count, output: output, chunksPerRow: chunksPerRow)
        let module = try JITModule(functions: [f], options: JITOptions(canonicalizeNaNs: false))
        return module.function(named: "leaf")!
    }
}

/// One worker's compiled leaf tapes, keyed by content (kept across renders); counts what it compiled.
final class TapeJITCache {
    struct Compiled {
        var ops: [TapeOp]
        var output: UInt32
        var function: JITFunction
        var entry: TapeJIT.Entry
    }
    private var table: [UInt64: [Compiled]] = [:]
    var compiledTapes = 0
    var compiledOps = 0
    var compileNanoseconds: UInt64 = 0
    let chunksPerRow: Int
    init(chunksPerRow: Int) { self.chunksPerRow = chunksPerRow }

    /// The native code for the tape, compiled on first sight.
    func entry(_ ops: UnsafePointer<TapeOp>, count: Int, output: UInt32) -> TapeJIT.Entry {
        let h = Self.hash(ops, count: count, output: output)
        if let list = table[h] {
            for c in list where c.output == output && c.ops.count == count {
                var same = true
                for i in 0..<count where c.ops[i] != ops[i] { same = false; break }
                if same { return c.entry }
            }
        }
        let start = DispatchTime.now().uptimeNanoseconds
        let function: JITFunction
        do { function = try TapeJIT.compile(ops, count: count, output: output, chunksPerRow: chunksPerRow) } catch {
            fatalError("leaf tape does not compile: \(error)")
        }
        compileNanoseconds += DispatchTime.now().uptimeNanoseconds - start
        compiledTapes += 1
        compiledOps += count
        let e = function.entryPoint(as: TapeJIT.Entry.self)
        table[h, default: []].append(Compiled(ops: Array(UnsafeBufferPointer(start: ops, count: count)), output: output, function: function, entry: e))
        return e
    }

    /// FNV-1a over the fields (not the padding) of every op and the output slot.
    static func hash(_ ops: UnsafePointer<TapeOp>, count: Int, output: UInt32) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        @inline(__always) func mix(_ x: UInt32) { h = (h ^ UInt64(x)) &* 0x100_0000_01b3 }
        mix(output)
        for i in 0..<count {
            let op = ops[i]
            mix(op.out); mix(op.a); mix(op.b); mix(op.imm.bitPattern); mix(UInt32(op.code.rawValue))
        }
        return h
    }
}
