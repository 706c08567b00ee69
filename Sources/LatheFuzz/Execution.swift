import LatheWasm
import WasmKit
import WasmParser

/// The calls a differential run makes: each exported function with a few argument tuples, in export order.
public struct CallPlan: Sendable {
    public struct Call: Sendable {
        public var export: String
        public var arguments: [WasmKit.Value]
    }
    public var calls: [Call]
    /// Exported memories and globals, whose final contents are compared.
    public var memories: [String]
    public var globals: [String]

    /// The plan for `module`: every exported function with `tuples` argument tuples derived from `seed`.
    public init(module: LatheWasm.Module, seed: UInt64, tuples: Int = 3) {
        calls = []
        memories = []
        globals = []
        let types = module.types
        for (k, e) in module.exports.enumerated() {
            switch e.kind {
            case .function:
                guard let t = module.functionTypeIndex(e.index), Int(t) < types.count, let f = types[Int(t)].funcType else { continue }
                for tuple in Values.argumentTuples(f.params, seed: seed, function: k, count: tuples) {
                    calls.append(Call(export: e.name, arguments: zip(f.params, tuple).map { Self.value($0, bits: $1) }))
                }
            case .memory: memories.append(e.name)
            case .global: globals.append(e.name)
            default: break
            }
        }
    }

    /// A WasmKit value of type `t` from 64 random bits (v128: the bits and their complement; references: null).
    static func value(_ t: ValType, bits: UInt64) -> WasmKit.Value {
        switch t {
        case .i32: return .i32(UInt32(truncatingIfNeeded: bits))
        case .i64: return .i64(bits)
        case .f32: return .f32(UInt32(truncatingIfNeeded: bits))
        case .f64: return .f64(bits)
        case .v128: return .v128(WasmKit.V128(bytes: LatheWasm.V128(lo: bits, hi: ~bits).bytes))
        case .ref(let r):
            if case .abstract(let h) = r.heapType, h.top == .extern { return .ref(.extern(nil)) }
            return .ref(.function(nil))
        }
    }
}

/// What one call did.
public enum Outcome: Sendable, Equatable, CustomStringConvertible {
    case values([WasmKit.Value])
    /// A trap, by kind (WasmKit's message without element indices or types).
    case trap(String)
    /// The interpreter's call stack ran out.
    case exhausted
    /// The fuel budget ran out (a loop ran longer than the generator allows: only the reducer makes such code).
    case outOfFuel
    /// Something other than a trap went wrong (the function is missing, an argument has no form).
    case error(String)

    public var description: String {
        switch self {
        case .values(let v): "[" + v.map(Execution.describe).joined(separator: ", ") + "]"
        case .trap(let k): "trap: \(k)"
        case .exhausted: "call stack exhausted"
        case .outOfFuel: "out of fuel"
        case .error(let e): "error: \(e)"
        }
    }
}

/// One module's run on WasmKit: the outcome of every call of a plan and the final memories and globals.
public struct Execution: Sendable {
    public var instantiation: String?
    public var outcomes: [Outcome] = []
    /// Per exported memory: size in bytes and a hash of the contents.
    public var memories: [(size: Int, hash: UInt64)] = []
    public var globals: [WasmKit.Value] = []

    /// The features generated and corpus modules may use.
    public static let features: WasmFeatureSet = {
        var f = WasmFeatureSet.default
        f.insert(.simd)
        return f
    }()

    /// Instantiates `bytes` and runs the plan's calls in order on that one instance; each call gets `fuel` units.
    public static func run(_ bytes: [UInt8], plan: CallPlan, fuel: UInt64 = 2_000_000) -> Execution {
        var out = Execution()
        let store = Store(engine: Engine(configuration: EngineConfiguration(features: features, fuelMetering: true)))
        let instance: Instance
        do {
            store.fuel = Fuel(remaining: fuel)
            instance = try parseWasm(bytes: bytes, features: features).instantiate(store: store)
        } catch {
            out.instantiation = describe(error: error).description
            return out
        }
        for call in plan.calls {
            guard case .function(let f) = instance.export(call.export) else {
                out.outcomes.append(.error("no function \(call.export)"))
                continue
            }
            store.fuel = Fuel(remaining: fuel)
            do {
                out.outcomes.append(.values(try f.invoke(call.arguments)))
            } catch {
                let o = describe(error: error)
                out.outcomes.append(o)
                if o == .outOfFuel || o == .exhausted { return out }
            }
        }
        for name in plan.memories {
            guard case .memory(let m) = instance.export(name) else { continue }
            let size = m.byteCount
            out.memories.append((size, size == 0 ? 0 : m.withUnsafeBufferPointer(offset: 0, count: size) { hash($0) }))
        }
        for name in plan.globals {
            if case .global(let g) = instance.export(name) { out.globals.append(g.value) }
        }
        return out
    }

    /// FNV-1a over 8-byte words (then the tail bytes).
    static func hash(_ buffer: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        let words = buffer.count / 8
        for i in 0..<words {
            h = (h ^ buffer.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)) &* 0x100_0000_01B3
        }
        for i in (words * 8)..<buffer.count { h = (h ^ UInt64(buffer[i])) &* 0x100_0000_01B3 }
        return h
    }

    /// The outcome an error stands for; trap messages lose the details that name elements or types.
    static func describe(error: any Error) -> Outcome {
        guard let trap = error as? Trap else { return .error("\(error)") }
        var text = trap.description.split(separator: "\n").first.map(String.init) ?? ""
        if text.hasPrefix("Trap: ") { text.removeFirst(6) }
        if text.hasPrefix("call stack exhausted") { return .exhausted }
        if text.hasPrefix("out of fuel") { return .outOfFuel }
        for cut in [",", " (", " at "] {
            if let r = text.range(of: cut) { text = String(text[..<r.lowerBound]) }
        }
        return .trap(text)
    }

    static func describe(_ v: WasmKit.Value) -> String {
        switch v {
        case .i32(let x): "i32:\(Int32(bitPattern: x))"
        case .i64(let x): "i64:\(Int64(bitPattern: x))"
        case .f32(let x): "f32:\(Float(bitPattern: x)) (0x\(String(x, radix: 16)))"
        case .f64(let x): "f64:\(Double(bitPattern: x)) (0x\(String(x, radix: 16)))"
        case .v128(let x): "v128:0x" + x.bytes.reversed().map { String($0 >> 4, radix: 16) + String($0 & 15, radix: 16) }.joined()
        case .ref(let r): "ref:\(r)"
        }
    }

    /// Whether `got` is a result the spec allows where the original gave `expected`.
    ///
    /// Bits must match, except that a NaN may come out as another NaN: when the original NaN is
    /// quiet (an arithmetic result, whose payload and sign the spec leaves open) any quiet NaN is
    /// allowed; a signalling NaN can only have been passed through bit for bit, so it must match exactly.
    public static func allowed(_ got: WasmKit.Value, for expected: WasmKit.Value) -> Bool {
        switch (expected, got) {
        case (.f32(let a), .f32(let b)):
            let nanA = a & 0x7F80_0000 == 0x7F80_0000 && a & 0x7F_FFFF != 0
            let nanB = b & 0x7F80_0000 == 0x7F80_0000 && b & 0x7F_FFFF != 0
            if nanA && nanB && a & 0x40_0000 != 0 { return b & 0x40_0000 != 0 }
            return a == b
        case (.f64(let a), .f64(let b)):
            let nanA = a & 0x7FF0_0000_0000_0000 == 0x7FF0_0000_0000_0000 && a & 0xF_FFFF_FFFF_FFFF != 0
            let nanB = b & 0x7FF0_0000_0000_0000 == 0x7FF0_0000_0000_0000 && b & 0xF_FFFF_FFFF_FFFF != 0
            if nanA && nanB && a & 0x8_0000_0000_0000 != 0 { return b & 0x8_0000_0000_0000 != 0 }
            return a == b
        case (.ref(let a), .ref(let b)):
            // Function references differ in their store addresses; only nullness is comparable.
            return "\(a)".contains("nil") == "\(b)".contains("nil")
        default:
            return expected == got
        }
    }
}
