import LatheIR
import LatheWasm

extension LiftState {
    /// `v` seen as vector type `t`: itself, the source of the bitcast that made it, or a new no-op bitcast.
    mutating func vector(_ v: Value, as t: IRType) -> Value {
        let dfg = b.function.dfg
        let have = dfg.type(of: v)
        guard have != t, have.isVector else { return v }
        if case .result(let i, 0) = dfg.definition(of: v), dfg[i].opcode == .bitcast {
            let source = Value(index: Int(dfg[i].a))
            if dfg.type(of: source) == t { return source }
        }
        return b.bitcast(t, v)
    }

    /// Pushes a vector result as a wasm v128 value (type `WasmOps.v128`).
    mutating func pushV128(_ v: Value) { push(vector(v, as: WasmOps.v128)) }

    /// Translates one SIMD or relaxed SIMD instruction.
    mutating func translateVector(_ inst: Instruction) throws(NotLiftable) {
        let op = inst.opcode
        switch op {
        case .v128Const:
            guard case .v128(let c) = inst.immediate else { throw NotLiftable("bad v128.const") }
            push(b.vconst(WasmOps.v128, bytes: c.bytes))
        case .i8x16Shuffle:
            guard case .v128(let mask) = inst.immediate, mask.bytes.allSatisfy({ $0 < 32 }) else { throw NotLiftable("bad i8x16.shuffle") }
            let y = pop(), x = pop()
            push(b.shuffle(x, y, mask: mask.bytes))
        default:
            if let l = WasmOps.lane[op] {
                guard case .lane(let lane) = inst.immediate, Int(lane) < l.type.laneCount else { throw NotLiftable("bad lane") }
                if l.op == .insertlane {
                    let x = pop()
                    let v = vector(pop(), as: l.type)
                    pushV128(b.insertlane(v, x, Int(lane)))
                } else {
                    let v = vector(pop(), as: l.type)
                    push(l.op == .extractlane ? b.extractlane(v, Int(lane)) : b.sextractlane(v, Int(lane)))
                }
            } else if let m = WasmOps.vectorMemory[op] {
                try vectorMemory(inst, m)
            } else if let r = WasmOps.vector[op] {
                var args = pop(r.operands.count)
                for k in args.indices { args[k] = vector(args[k], as: r.operands[k]) }
                // wasm puts the mask of bitselect / laneselect last, IR first
                if r.op == .bitselect || r.op == .relaxedLaneselect { args = [args[2], args[0], args[1]] }
                var data = InstructionData(opcode: r.op, imm8: r.cc, a: args[0].raw)
                if args.count > 1 { data.b = args[1].raw }
                if args.count > 2 { data.c = args[2].raw }
                let i = b.insert(data, ctrl: resultControlled[Int(r.op.rawValue)] ? r.result : nil)
                let result = b.function.dfg.firstResult(i)!
                if b.function.dfg.type(of: result).isVector { pushV128(result) } else { push(result) }
            } else {
                throw NotLiftable(op.name)
            }
        }
    }

    mutating func vectorMemory(_ inst: Instruction, _ m: WasmOps.VectorShaped) throws(NotLiftable) {
        let ma: MemArg, lane: Int?
        switch inst.immediate {
        case .memArg(let a): ma = a; lane = nil
        case .memArgLane(let a, let l): ma = a; lane = Int(l)
        default: throw NotLiftable("bad memarg")
        }
        let mem = try memory(ma.memory)
        guard ma.offset <= UInt64(UInt32.max) else { throw NotLiftable("memory64: offset above 4 GiB") }
        let offset = UInt32(ma.offset), align = 1 << Int(ma.align)
        switch m.op {
        case .store:
            let x = pop(), a = pop()
            b.store(.store, x, a, offset: offset, memory: mem, align: align)
        case .loadLane, .storeLane:
            guard let lane, lane < m.type.laneCount else { throw NotLiftable("bad lane") }
            let v = vector(pop(), as: m.type), a = pop()
            if m.op == .loadLane { pushV128(b.loadLane(v, lane: lane, a, offset: offset, memory: mem, align: align)) }
            else { b.storeLane(v, lane: lane, a, offset: offset, memory: mem, align: align) }
        default:
            pushV128(b.load(m.op, m.type, pop(), offset: offset, memory: mem, align: align))
        }
    }
}
