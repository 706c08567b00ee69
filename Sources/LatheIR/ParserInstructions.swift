import LatheEntity

extension Parser {
    fileprivate mutating func valueOperand(_ ops: inout [(name: Int, token: Token)]) throws(ParseError) {
        let t = peek
        ops.append((try entity("v"), t))
    }

    /// Parses one instruction line into a pending record (operands still as text numbers).
    mutating func instruction(_ f: inout Function, block: Block, blockFor: (Int, inout Function) -> Block) throws(ParseError) -> PendingInstRecord {
        let first = peek
        var resultNames: [Int] = []
        if first.text.hasPrefix("v"), Int(first.text.dropFirst()) != nil {
            repeat { resultNames.append(try entity("v")) } while accept(",")
            try expect("=")
        }
        let opToken = peek
        guard opToken.kind == .ident, let op = Opcode(name: opToken.text) else { throw error("an opcode") }
        pos += 1
        let info = op.info
        var ctrl: IRType? = nil
        if info.printsType {
            try expect(".")
            ctrl = try parseType()
        }
        var d = InstructionData(opcode: op)
        var ops: [(name: Int, token: Token)] = []
        var slots: [PendingSlot] = []
        func operand(_ slot: PendingSlot, _ p: inout Parser) throws(ParseError) {
            try p.valueOperand(&ops); slots.append(slot)
        }
        func comma(_ p: inout Parser) throws(ParseError) { try p.expect(",") }
        var alignPending = false
        func memarg(_ addressSlot: PendingSlot, offsetInB: Bool, _ p: inout Parser) throws(ParseError) {
            try operand(addressSlot, &p)
            var offset: UInt64 = 0
            if p.accept("+") { offset = try p.intImmediate() }
            guard offset <= UInt64(UInt32.max) else { throw p.error("an offset below 2^32") }
            if offsetInB { d.b = UInt32(offset) } else { d.c = UInt32(offset) }
            if p.peek.kind == .ident, p.peek.line == opToken.line, p.peek.text.hasPrefix("mem"), Int(p.peek.text.dropFirst(3)) != nil { d.imm16 = UInt16(truncatingIfNeeded: try p.entity("mem")) }
            var align: Int? = nil
            if p.peek.kind == .ident, p.peek.line == opToken.line, p.peek.text == "align" {
                p.pos += 1; try p.expect("=")
                let a = try p.number()
                guard a > 0, a & (a - 1) == 0 else { throw p.error("a power-of-two alignment") }
                align = a
            }
            d.imm8 = UInt8(truncatingIfNeeded: (align ?? 1).trailingZeroBitCount)
            alignPending = align == nil
        }
        func blockCall(_ k: Int, _ p: inout Parser, _ f: inout Function) throws(ParseError) -> UInt32 {
            let b = blockFor(try p.entity("block"), &f)
            let call = f.dfg.makeBlockCall(b, [])
            if p.accept("(") {
                repeat { try operand(.blockCall(k), &p) } while p.accept(",")
                try p.expect(")")
            }
            return call.handle
        }

        switch info.format {
        case .nullary, .refNull: break
        case .unary: try operand(.a, &self)
        case .binary: try operand(.a, &self); try comma(&self); try operand(.b, &self)
        case .ternary:
            try operand(.a, &self); try comma(&self); try operand(.b, &self); try comma(&self); try operand(.c, &self)
        case .intCompare, .floatCompare:
            let t = peek
            let code: UInt8? = info.format == .intCompare
                ? IntCC(name: t.text)?.rawValue
                : FloatCC(name: t.text)?.rawValue
            guard t.kind == .ident, let cc = code else { throw error("a condition code") }
            pos += 1
            d.imm8 = cc
            try operand(.a, &self); try comma(&self); try operand(.b, &self)
        case .intConst:
            let bits = try intImmediate()
            let v = ctrl == .i32 ? bits & 0xffff_ffff : bits
            d.b = UInt32(truncatingIfNeeded: v); d.c = UInt32(truncatingIfNeeded: v >> 32)
        case .floatConst:
            let bits = try floatImmediate(ctrl ?? .f64)
            d.b = UInt32(truncatingIfNeeded: bits); d.c = UInt32(truncatingIfNeeded: bits >> 32)
        case .vectorConst:
            guard let t = ctrl, t.isVector else { throw error("a vector type", opToken) }
            d.a = f.dfg.constants.push(try laneList(t)).raw
        case .shuffle:
            try operand(.a, &self); try comma(&self); try operand(.b, &self); try comma(&self)
            try expect("[")
            var mask: [UInt8] = []
            repeat {
                let n = try number()
                guard (0..<256).contains(n) else { throw error("a lane index") }
                mask.append(UInt8(n))
            } while accept(",")
            try expect("]")
            d.c = f.dfg.constants.push(mask).raw
        case .extractLane:
            try operand(.a, &self); try comma(&self); d.imm16 = UInt16(truncatingIfNeeded: try number())
        case .insertLane:
            try operand(.a, &self); try comma(&self); try operand(.b, &self); try comma(&self)
            d.imm16 = UInt16(truncatingIfNeeded: try number())
        case .load: try memarg(.a, offsetInB: true, &self)
        case .store: try operand(.a, &self); try comma(&self); try memarg(.b, offsetInB: false, &self)
        case .memoryLane:
            try operand(.a, &self); try comma(&self)
            let lane = try number()
            guard (0..<16).contains(lane) else { throw error("a lane below 16") }
            try comma(&self)
            try memarg(.b, offsetInB: false, &self)
            guard d.imm8 < 16 else { throw error("an alignment below 2^16") }
            d.imm8 |= UInt8(lane << 4)
        case .memorySize: d.imm16 = UInt16(truncatingIfNeeded: try entity("mem"))
        case .memoryGrow: d.imm16 = UInt16(truncatingIfNeeded: try entity("mem")); try comma(&self); try operand(.a, &self)
        case .memoryCopy:
            d.imm16 = UInt16(truncatingIfNeeded: try entity("mem")); try comma(&self)
            d.imm8 = UInt8(truncatingIfNeeded: try entity("mem")); try comma(&self)
            try operand(.a, &self); try comma(&self); try operand(.b, &self); try comma(&self); try operand(.c, &self)
        case .memoryFill:
            d.imm16 = UInt16(truncatingIfNeeded: try entity("mem")); try comma(&self)
            try operand(.a, &self); try comma(&self); try operand(.b, &self); try comma(&self); try operand(.c, &self)
        case .memoryInit, .tableInit:
            let isMemory = info.format == .memoryInit
            let target = try entity(isMemory ? "mem" : "table")
            guard target < 256 else { throw error(isMemory ? "a memory below mem256" : "a table below table256") }
            d.imm8 = UInt8(target); try comma(&self)
            let segment = try entity(isMemory ? "data" : "elem")
            guard segment < 65536 else { throw error("a segment index below 65536") }
            d.imm16 = UInt16(segment); try comma(&self)
            try operand(.a, &self); try comma(&self); try operand(.b, &self); try comma(&self); try operand(.c, &self)
        case .tableCopy:
            d.imm16 = UInt16(truncatingIfNeeded: try entity("table")); try comma(&self)
            let source = try entity("table")
            guard source < 256 else { throw error("a source table below table256") }
            d.imm8 = UInt8(source); try comma(&self)
            try operand(.a, &self); try comma(&self); try operand(.b, &self); try comma(&self); try operand(.c, &self)
        case .tableFill:
            d.imm16 = UInt16(truncatingIfNeeded: try entity("table")); try comma(&self)
            try operand(.a, &self); try comma(&self); try operand(.b, &self); try comma(&self); try operand(.c, &self)
        case .segmentDrop: d.a = UInt32(try entity(info.opcode == .dataDrop ? "data" : "elem"))
        case .globalGet: d.a = UInt32(try entity("gv"))
        case .globalSet: d.a = UInt32(try entity("gv")); try comma(&self); try operand(.b, &self)
        case .tableGet: d.a = UInt32(try entity("table")); try comma(&self); try operand(.b, &self)
        case .tableSet, .tableGrow:
            d.a = UInt32(try entity("table")); try comma(&self); try operand(.b, &self); try comma(&self); try operand(.c, &self)
        case .tableSize: d.a = UInt32(try entity("table"))
        case .refFunc: d.a = UInt32(try entity("fn"))
        case .call, .callIndirect, .callRef:
            if info.format == .call { d.a = UInt32(try entity("fn")) } else {
                d.a = UInt32(try entity("sig")); try comma(&self)
                if info.format == .callIndirect { d.c = UInt32(try entity("table")); try comma(&self) }
                try operand(.list, &self)
            }
            try expect("(")
            if !accept(")") {
                repeat { try operand(.list, &self) } while accept(",")
                try expect(")")
            }
        case .jump: d.a = try blockCall(0, &self, &f)
        case .branch:
            try operand(.a, &self); try comma(&self)
            d.b = try blockCall(0, &self, &f); try comma(&self)
            d.c = try blockCall(1, &self, &f)
        case .branchTable:
            try operand(.a, &self); try comma(&self)
            var calls = [ValueList(handle: try blockCall(0, &self, &f))]
            try comma(&self)
            try expect("[")
            if !accept("]") {
                repeat { calls.append(ValueList(handle: try blockCall(calls.count, &self, &f))) } while accept(",")
                try expect("]")
            }
            d.b = f.dfg.jumpTables.push(calls).raw
        case .return:
            if peek.kind == .ident, peek.text.hasPrefix("v"), Int(peek.text.dropFirst()) != nil, peek.line == opToken.line {
                repeat { try operand(.list, &self) } while accept(",")
            }
        case .trap, .condTrap:
            if info.format == .condTrap { try operand(.a, &self); try comma(&self) }
            let t = peek
            guard t.kind == .ident, let code = TrapCode(name: t.text) else { throw error("a trap code") }
            pos += 1
            d.imm16 = code.rawValue
        }
        guard peek.line != opToken.line || peek.kind == .end else { throw error("end of line") }
        return PendingInstRecord(token: opToken, opcode: op, ctrl: ctrl, resultNames: resultNames, data: d,
                                 operands: ops, slots: slots, block: block, naturalAlign: alignPending)
    }
}
