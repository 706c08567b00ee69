import LatheIR
import LatheWasm

/// How the lifter's direct path handles an instruction by its first byte (`LiftState.liftDirect`).
enum DirectKind: UInt8, Sendable {
    /// Through the decoder and `LiftState.step`: control, calls, prefixed opcodes and the rare rest.
    case decode
    case drop, localGet, localSet, localTee, i32Const, i64Const, f32Const, f64Const, numeric, load, store
}

extension LiftState {
    /// Lifts the next instruction straight from the bytes if it is a common one whose immediates are
    /// plain integers (locals, constants, numeric operators, loads, stores, `drop`).
    ///
    /// Returns false, having read nothing, for any other instruction; that one goes through the
    /// decoder and `step`. Skipping the decoder saves building an `Instruction` value and matching
    /// its immediate for most of a body. Call only in reachable code (unreachable code is skipped by
    /// `step`, which tracks its nesting). The instructions taken here never open or close a block,
    /// so the decoder's nesting count stays right.
    @inline(__always)
    mutating func liftDirect(_ r: inout ByteReader) throws(NotLiftable) -> Bool {
        let start = r.position
        guard start < r.limit else { return false }
        let first = r.bytes[start]
        let kind = directKinds[Int(first)]
        if kind == .decode { return false }
        r.position = start + 1
        switch kind {
        case .decode: preconditionFailure()
        case .drop: _ = pop()
        case .localGet:
            let i = Int(try Self.decoding { () throws(WasmError) in try r.readU32() })
            guard i < vars.count else { throw NotLiftable("bad local") }
            push(b.useVar(vars[i]))
        case .localSet:
            let i = Int(try Self.decoding { () throws(WasmError) in try r.readU32() })
            guard i < vars.count else { throw NotLiftable("bad local") }
            b.defVar(vars[i], pop())
        case .localTee:
            let i = Int(try Self.decoding { () throws(WasmError) in try r.readU32() })
            guard i < vars.count else { throw NotLiftable("bad local") }
            b.defVar(vars[i], stack[stack.count - 1])
        case .i32Const:
            let v = try Self.decoding { () throws(WasmError) in try r.readS32() }
            push(b.insertUnchecked(.iconst(.i32, Int64(v)), result: .i32))
        case .i64Const:
            let v = try Self.decoding { () throws(WasmError) in try r.readS64() }
            push(b.insertUnchecked(.iconst(.i64, v), result: .i64))
        case .f32Const:
            let v = try Self.decoding { () throws(WasmError) in try r.readFixed32() }
            push(b.insertUnchecked(.fconst(bits: UInt64(v)), result: .f32))
        case .f64Const:
            let v = try Self.decoding { () throws(WasmError) in try r.readFixed64() }
            push(b.insertUnchecked(.fconst(bits: v), result: .f64))
        case .numeric:
            try numeric(numericByByte[Int(first)].unsafelyUnwrapped)
        case .load:
            let ma = try Self.decoding { () throws(WasmError) in try r.readMemArg() }
            try load(loadByByte[Int(first)].unsafelyUnwrapped, ma)
        case .store:
            let ma = try Self.decoding { () throws(WasmError) in try r.readMemArg() }
            try store(storeByByte[Int(first)].unsafelyUnwrapped, ma)
        }
        return true
    }

    /// Runs a read of immediates; a malformed one makes the body a decode error, as in the decoder.
    @inline(__always)
    static func decoding<T>(_ read: () throws(WasmError) -> T) throws(NotLiftable) -> T {
        do { return try read() } catch { throw NotLiftable("decode error") }
    }
}
