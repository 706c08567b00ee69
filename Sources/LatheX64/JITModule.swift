import LatheIR

/// Compiles IR functions to x86-64 (AVX2, BMI1/2, LZCNT, POPCNT) in executable memory.
///
/// Each function gets two entry points: the native one (System V, see `ABILayout`) for typed calls
/// through `entryPoint(as:)`, and a raw one, `void raw(void *memory, const void *args, void *results)`,
/// with every parameter and result in a 32-byte slot, used by `call(_:memory:)`. Memory 0 of a
/// function is addressed as `memory + address + offset`, unchecked: the caller provides memory
/// large enough for every access (no `heap_oob` traps).
public final class JITModule: @unchecked Sendable {
    public let memory: ExecutableMemory
    public private(set) var functions: [String: JITFunction] = [:]
    /// Statistics of the last compilation.
    public let statistics: Statistics

    public struct Statistics: Sendable {
        public var irInstructions = 0
        public var machineInstructions = 0
        public var spilledVRegs = 0
        public var codeBytes = 0
    }

    /// Verifies, selects, allocates and emits every function; the first failure is thrown.
    /// `hostFunctions` maps names that functions call but the module does not define to C function
    /// addresses (System V, no memory base argument).
    public init(functions irFunctions: [Function], hostFunctions: [String: UnsafeRawPointer] = [:],
                options: JITOptions = JITOptions(), checkAllocation: Bool = false) throws {
        var asm = X64Assembler()
        var functionLabels: [String: Label] = [:]
        var usesMemory: [String: Bool] = [:]
        for f in irFunctions {
            functionLabels[f.name] = asm.newLabel()
            usesMemory[f.name] = f.memories.count > 0
        }
        let resolve: (String) -> (CallSite.Target, usesMemory: Bool)? = { name in
            if let m = usesMemory[name] { return (.jit(name), m) }
            if let p = hostFunctions[name] { return (.host(UInt(bitPattern: p)), false) }
            return nil
        }
        var stats = Statistics()
        var entries: [(String, Signature, ABILayout, Label, Label)] = []
        for f in irFunctions {
            let report = f.verify()
            guard report.isValid else { throw JITError(function: f.name, message: "does not verify:\n\(report.render())") }
            let mf = try InstructionSelector.select(f, resolve: resolve)
            let alloc = LinearScan.allocate(mf)
            if checkAllocation {
                let failures = AllocationChecker.check(mf, alloc)
                if let first = failures.first { throw JITError(function: f.name, message: "allocation check: \(first)") }
            }
            stats.irInstructions += f.layout.blocks.reduce(0) { $0 + f.layout.insts($1).count }
            stats.machineInstructions += mf.insts.count
            stats.spilledVRegs += alloc.spilled
            let native = functionLabels[f.name]!, raw = asm.newLabel()
            var e = Emitter(asm: asm, f: mf, alloc: alloc, options: options)
            e.functionLabels = functionLabels
            e.emitFunction(entry: native)
            asm = e.asm
            Self.emitRawEntry(&asm, entry: raw, native: native, signature: f.signature, abi: mf.abi)
            entries.append((f.name, f.signature, mf.abi, native, raw))
        }
        let code = asm.finish()
        stats.codeBytes = code.count
        memory = try ExecutableMemory(code: code)
        statistics = stats
        for (name, sig, abi, native, raw) in entries {
            functions[name] = JITFunction(module: self, name: name, signature: sig, usesMemory: abi.memoryBase != nil,
                                          native: memory.address(asm.offset(of: native)!),
                                          raw: memory.address(asm.offset(of: raw)!))
        }
    }

    public func function(named name: String) -> JITFunction? { functions[name] }

    /// The raw entry: loads each parameter from its 32-byte slot into its ABI register, calls the
    /// native entry, and stores each result into its 32-byte slot (out-pointer results are copied).
    static func emitRawEntry(_ asm: inout X64Assembler, entry: Label, native: Label, signature: Signature, abi: ABILayout) {
        asm.bind(entry)
        asm.push(.rbp)
        asm.mov(.rbp, .rsp, is64: true)
        asm.push(.rbx); asm.push(.r12); asm.push(.r13)
        let outArea = 32 * abi.outSlotCount
        asm.alu(.sub, .rsp, imm: Int32(8 + outArea), is64: true)
        asm.mov(.rbx, .rsi, is64: true)  // args
        asm.mov(.r12, .rdx, is64: true)  // results
        asm.mov(.r13, .rdi, is64: true)  // memory
        for (k, (t, l)) in zip(signature.params, abi.params).enumerated() {
            let m = Mem(base: .rbx, disp: Int32(32 * k))
            switch l {
            case .gpr(let r): asm.load(r, m, is64: true)
            case .xmm(let x): asm.v(.movups, x, .mem(m), wide: t.bits == 256)
            case .outSlot: break
            }
        }
        if let r = abi.memoryBase { asm.mov(r, .r13, is64: true) }
        if let r = abi.outPointer { asm.mov(r, .rsp, is64: true) }
        asm.call(native)
        for (k, (t, l)) in zip(signature.results, abi.results).enumerated() {
            let m = Mem(base: .r12, disp: Int32(32 * k))
            switch l {
            case .gpr(let r): asm.store(m, r, is64: true)
            case .xmm(let x): storeXMM(&asm, m, x, t)
            case .outSlot(let s):
                asm.v(.movups, XMM(15), .mem(Mem(base: .rsp, disp: Int32(32 * s))), wide: true)
                storeXMM(&asm, m, XMM(15), t)
            }
        }
        asm.lea(.rsp, Mem(base: .rbp, disp: -24))
        asm.pop(.r13); asm.pop(.r12); asm.pop(.rbx); asm.pop(.rbp)
        asm.vzeroupper()
        asm.ret()
    }

    static func storeXMM(_ asm: inout X64Assembler, _ m: Mem, _ x: XMM, _ t: IRType) {
        switch t.bits {
        case 32: asm.vstore(.movssStore, m, x)
        case 64: asm.vstore(.movsdStore, m, x)
        default: asm.vstore(.movupsStore, m, x, wide: t.bits == 256)
        }
    }
}

/// A compiled function; keeps its module (and so its code) alive.
public struct JITFunction: @unchecked Sendable {
    public let module: JITModule
    public let name: String
    public let signature: Signature
    /// Whether the native entry takes memory 0's base address (after the out-pointer, if any).
    public let usesMemory: Bool
    /// The System V entry point.
    public let native: UnsafeRawPointer
    /// `void raw(void *memory, const void *args, void *results)`, 32-byte slots.
    public let raw: UnsafeRawPointer

    /// The native entry as a C function type, e.g. `(@convention(c) (Int32, Int32) -> Int32).self`.
    /// The type must match the signature (and ABI layout); nothing checks it.
    public func entryPoint<F>(as type: F.Type) -> F { unsafeBitCast(native, to: type) }

    typealias RawEntry = @convention(c) (UnsafeMutableRawPointer?, UnsafeRawPointer, UnsafeMutableRawPointer) -> Void

    /// Calls through the raw entry with runtime values; `memory` is memory 0's base (when used).
    public func call(_ args: [RuntimeValue], memory: UnsafeMutableRawPointer? = nil) -> [RuntimeValue] {
        precondition(args.count == signature.params.count, "wrong number of arguments")
        var argSlots = [SIMD4<UInt64>](repeating: .zero, count: max(1, args.count))
        for (k, a) in args.enumerated() { argSlots[k] = a.bits }
        var resultSlots = [SIMD4<UInt64>](repeating: .zero, count: max(1, signature.results.count))
        let f = unsafeBitCast(raw, to: RawEntry.self)
        argSlots.withUnsafeBytes { a in
            resultSlots.withUnsafeMutableBytes { r in f(memory, a.baseAddress!, r.baseAddress!) }
        }
        withExtendedLifetime(module) {}
        return signature.results.enumerated().map { k, t in
            var bits = resultSlots[k]
            switch t.bits {
            case 32: bits = SIMD4(bits[0] & 0xffff_ffff, 0, 0, 0)
            case 64: bits = SIMD4(bits[0], 0, 0, 0)
            case 128: bits = SIMD4(bits[0], bits[1], 0, 0)
            default: break
            }
            return RuntimeValue(type: t, bits: bits)
        }
    }

    /// Calls a function of signature `(i32, i32) -> i32`.
    public func call(_ a: Int32, _ b: Int32) -> Int32 {
        precondition(signature == Signature(params: [.i32, .i32], results: [.i32]) && !usesMemory)
        return entryPoint(as: (@convention(c) (Int32, Int32) -> Int32).self)(a, b)
    }
}
