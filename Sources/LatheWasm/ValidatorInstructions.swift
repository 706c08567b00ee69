/// The typing rules of the individual instructions (the part of `CodeValidator` after decoding),
/// and the per-opcode tables the validator's loop reads.
extension CodeValidator {
    // MARK: Instructions with fast paths in `run` (also reached through `special`)

    @inline(__always) mutating func end() throws(WasmError) {
        try checkFrameEnd()
        let top = ctrls[ctrls.count - 1]
        if top.kind == .if {
            // The missing else passes the parameters through: they must match the results.
            restartFrame(.else)
            pushPool(top.paramStart ..< top.paramStart + top.paramCount)
            try checkFrameEnd()
        }
        let f = popFrame()
        if ctrls.isEmpty { return }
        pushPool(f.resultStart ..< f.resultStart + f.resultCount)
        pool.removeLast(pool.count - f.poolMark)
    }

    @inline(__always) mutating func br(_ l: UInt32) throws(WasmError) {
        let lt = try label(l)
        try popPool(lt)
        setUnreachable()
    }

    @inline(__always) mutating func brIf(_ l: UInt32) throws(WasmError) {
        let lt = try label(l)
        try pop(.i32)
        try popPool(lt)
        pushPool(lt)
    }

    @inline(__always) mutating func call(_ x: UInt32, tail: Bool) throws(WasmError) {
        guard Int(x) < ctx.funcTypes.count else { throw fail("unknown function \(x)") }
        let t = Int(ctx.funcTypes[Int(x)])
        try popSig(types.params(t))
        if tail {
            try checkReturnCall(types.results(t))
            setUnreachable()
        } else {
            pushSig(types.results(t))
        }
    }

    /// global.get outside constant expressions.
    @inline(__always) mutating func globalGet(_ x: UInt32) throws(WasmError) {
        guard Int(x) < ctx.globalTypes.count else { throw fail("unknown global \(x)") }
        push(ctx.globalTypes[Int(x)])
    }

    @inline(__always) mutating func globalSet(_ x: UInt32) throws(WasmError) {
        guard Int(x) < ctx.globalTypes.count else { throw fail("unknown global \(x)") }
        guard ctx.globalMutable[Int(x)] else { throw fail("global is immutable: global.set of global \(x)") }
        try pop(ctx.globalTypes[Int(x)])
    }

    mutating func special(_ o: Operands) throws(WasmError) {
        switch opcode {
        // Control.
        case .unreachable:
            setUnreachable()
        case .block, .loop:
            let bt = o.blockType
            try pushFrame(opcode == .block ? .block : .loop, bt)
        case .if:
            let bt = o.blockType
            try pop(.i32)
            try pushFrame(.if, bt)
        case .try:
            let bt = o.blockType
            try pushFrame(.try, bt)
        case .tryTable:
            let bt = o.blockType
            try pushFrame(.tryTable, bt)
        case .else:
            guard ctrls[ctrls.count - 1].kind == .if else { throw fail("else found outside an if block") }
            try checkFrameEnd()
            restartFrame(.else)
            let f = ctrls[ctrls.count - 1]
            pushPool(f.paramStart ..< f.paramStart + f.paramCount)
        case .catch:
            let k = ctrls[ctrls.count - 1].kind
            guard k == .try || k == .catch else {
                throw fail(k == .catchAll ? "catch found after catch_all" : "catch found outside a try block")
            }
            let x = o.a
            guard Int(x) < ctx.tagTypes.count else { throw fail("unknown tag \(o.a)") }
            try checkFrameEnd()
            restartFrame(.catch)
            pushSig(types.params(Int(ctx.tagTypes[Int(x)])))
        case .catchAll:
            let k = ctrls[ctrls.count - 1].kind
            guard k == .try || k == .catch else {
                throw fail(k == .catchAll ? "catch_all found after catch_all" : "catch_all found outside a try block")
            }
            try checkFrameEnd()
            restartFrame(.catchAll)
        case .delegate:
            guard ctrls[ctrls.count - 1].kind == .try else { throw fail("delegate found outside a try block") }
            try checkFrameEnd()
            let f = popFrame()
            let l = o.a
            guard Int(l) < ctrls.count else { throw fail("unknown label \(o.a)") }
            pushPool(f.resultStart ..< f.resultStart + f.resultCount)
            pool.removeLast(pool.count - f.poolMark)
        case .end:
            try end()
        case .br:
            try br(o.a)
        case .brIf:
            try brIf(o.a)
        case .brTable:
            let def = o.a
            try pop(.i32)
            let dt = try label(def)
            for k in brTargets.indices {
                let l = brTargets[k]
                let lt = try label(l)
                if lt.count != dt.count {
                    throw fail("type mismatch in br_table: label \(l) takes \(lt.count) values, the default label \(def) takes \(dt.count)")
                }
                // Check the operands against this label and put back what was there.
                scratch.removeAll(keepingCapacity: true)
                var i = lt.upperBound
                while i > lt.lowerBound {
                    i -= 1
                    let t = try pop(pool[i])
                    scratch.append(t)
                }
                var j = scratch.count
                while j > 0 {
                    j -= 1
                    vals.append(scratch[j])
                }
            }
            try popPool(dt)
            setUnreachable()
        case .return:
            try popPool(returnTypes)
            setUnreachable()
        case .call, .returnCall:
            try call(o.a, tail: opcode == .returnCall)
        case .callIndirect, .returnCallIndirect:
            let x = o.a, tbl = o.b
            let tt = try table(tbl)
            let t = try funcType(x)
            if !types.isSub(tt.elem, .ref(nullable: true, .func)) {
                throw fail("type mismatch in \(opcode.name): table \(tbl) holds \(types.describe(tt.elem)), not function references")
            }
            try pop(tt.addr)
            try popSig(types.params(t))
            if opcode == .returnCallIndirect {
                try checkReturnCall(types.results(t))
                setUnreachable()
            } else {
                pushSig(types.results(t))
            }
        case .callRef, .returnCallRef:
            let t = try funcType(o.a)
            try pop(.ref(nullable: true, concrete: UInt32(t)))
            try popSig(types.params(t))
            if opcode == .returnCallRef {
                try checkReturnCall(types.results(t))
                setUnreachable()
            } else {
                pushSig(types.results(t))
            }
        case .throw:
            let x = o.a
            guard Int(x) < ctx.tagTypes.count else { throw fail("unknown tag \(o.a)") }
            try popSig(types.params(Int(ctx.tagTypes[Int(x)])))
            setUnreachable()
        case .throwRef:
            try pop(.ref(nullable: true, .exn))
            setUnreachable()
        case .rethrow:
            let l = o.a
            guard Int(l) < ctrls.count else { throw fail("unknown label \(l)") }
            let k = ctrls[ctrls.count - 1 - Int(l)].kind
            guard k == .catch || k == .catchAll else { throw fail("invalid rethrow label \(l): not a catch block") }
            setUnreachable()

        // Parametric.
        case .drop:
            _ = try popAny()
        case .select:
            try pop(.i32)
            let t1 = try popAny()
            let t2 = try popAny()
            func plain(_ t: VT) -> Bool { t.kind == VT.kBottom || t.isNumeric || t.kind == VT.kV128 }
            guard plain(t1) && plain(t2) else {
                throw mismatch("numeric or vector operands (use a typed select for references)", plain(t1) ? t2 : t1)
            }
            if t1.raw != t2.raw && t1.kind != VT.kBottom && t2.kind != VT.kBottom { throw mismatch(t1, t2) }
            push(t1.kind == VT.kBottom ? t2 : t1)
        case .selectTyped:
                        guard o.count == 1 else { throw fail("invalid result arity in select: \(o.count) types") }
            let t = try valType(o.valType)
            try pop(.i32)
            try pop(t)
            try pop(t)
            push(t)

        // Variables.
        case .localGet:
            try localGet(o.a)
        case .localSet, .localTee:
            try localSet(o.a, tee: opcode == .localTee)
        case .globalGet:
            let x = o.a
            if constMode {
                guard Int(x) < globalLimit else { throw fail("unknown global \(x)") }
                if ctx.globalMutable[Int(x)] { throw fail("constant expression required: global \(x) is mutable") }
            }
            guard Int(x) < ctx.globalTypes.count else { throw fail("unknown global \(x)") }
            push(ctx.globalTypes[Int(x)])
        case .globalSet:
            try globalSet(o.a)

        // Tables.
        case .tableGet:
            let t = try table(o.a)
            try pop(t.addr)
            push(t.elem)
        case .tableSet:
            let t = try table(o.a)
            try pop(t.elem)
            try pop(t.addr)
        case .tableSize:
            push(try table(o.a).addr)
        case .tableGrow:
            let t = try table(o.a)
            try pop(t.addr)
            try pop(t.elem)
            push(t.addr)
        case .tableFill:
            let t = try table(o.a)
            try pop(t.addr)
            try pop(t.elem)
            try pop(t.addr)
        case .tableCopy:
            let dst = o.a, src = o.b
            let d = try table(dst), s = try table(src)
            if !types.isSub(s.elem, d.elem) {
                throw fail("type mismatch in table.copy: table \(src) of \(types.describe(s.elem)) into table \(dst) of \(types.describe(d.elem))")
            }
            try pop(d.addr.raw == VT.i64.raw && s.addr.raw == VT.i64.raw ? .i64 : .i32)
            try pop(s.addr)
            try pop(d.addr)
        case .tableInit:
            let e = o.a, tbl = o.b
            let et = try elemIndex(e)
            let t = try table(tbl)
            if !types.isSub(et, t.elem) {
                throw fail("type mismatch in table.init: segment \(e) of \(types.describe(et)) into table \(tbl) of \(types.describe(t.elem))")
            }
            try pop(.i32)
            try pop(.i32)
            try pop(t.addr)
        case .memoryCopy:
            let dst = o.a, src = o.b
            let d = try memory(dst), s = try memory(src)
            try pop(d.raw == VT.i64.raw && s.raw == VT.i64.raw ? .i64 : .i32)
            try pop(s)
            try pop(d)

        // References.
        case .refNull:
            let h = o.heap
            push(.ref(nullable: true, try heapType(h)))
        case .refIsNull:
            _ = try popRef()
            push(.i32)
        case .refFunc:
            let x = o.a
            guard Int(x) < ctx.funcTypes.count else { throw fail("unknown function \(x)") }
            if !constMode && !ctx.declaredRefs[Int(x)] {
                throw fail("undeclared function reference: function \(x) must be declared in an element segment, export or global before ref.func uses it")
            }
            push(.ref(nullable: false, concrete: ctx.funcTypes[Int(x)]))
        case .refEq:
            try pop(.ref(nullable: true, .eq))
            try pop(.ref(nullable: true, .eq))
            push(.i32)
        case .refAsNonNull:
            push(try popRef().withNullable(false))
        case .brOnNull:
            let r = try popRef()
            let lt = try label(o.a)
            try popPool(lt)
            pushPool(lt)
            push(r.withNullable(false))
        case .brOnNonNull:
            let r = try popRef()
            let lt = try label(o.a)
            guard let last = lt.last, pool[last].isRef || pool[last].kind == VT.kBottom else {
                throw fail("type mismatch in br_on_non_null: label \(o.a) must take a reference last, it takes \(types.describe(pool[lt]))")
            }
            if !types.isSub(r.withNullable(false), pool[last]) { throw mismatch(pool[last], r.withNullable(false)) }
            try popPool(lt.lowerBound ..< last)
            pushPool(lt.lowerBound ..< last)
        case .refTest, .refTestNullable, .refCast, .refCastNullable:
            let h = o.heap
            let ht = try heapType(h)
            try pop(.ref(nullable: true, types.top(ht)))
            if opcode == .refTest || opcode == .refTestNullable {
                push(.i32)
            } else {
                push(.ref(nullable: opcode == .refCastNullable, ht))
            }
        case .brOnCast, .brOnCastFail:
            let flags = o.flags, l = o.a, src = o.heap, dst = o.heap2
            let rt1 = VT.ref(nullable: flags & 1 != 0, try heapType(src))
            let rt2 = VT.ref(nullable: flags & 2 != 0, try heapType(dst))
            if !types.isSub(rt2, rt1) {
                throw fail("type mismatch in \(opcode.name): target type \(types.describe(rt2)) is not a subtype of source type \(types.describe(rt1))")
            }
            try pop(rt1)
            let lt = try label(l)
            let diff = rt1.withNullable(rt1.nullable && !rt2.nullable)
            let branchType = opcode == .brOnCast ? rt2 : diff
            guard let last = lt.last else {
                throw fail("type mismatch in \(opcode.name): label \(l) must take a reference last, it takes nothing")
            }
            if !types.isSub(branchType, pool[last]) { throw mismatch(pool[last], branchType) }
            try popPool(lt.lowerBound ..< last)
            pushPool(lt.lowerBound ..< last)
            push(opcode == .brOnCast ? diff : rt2)
        case .anyConvertExtern:
            let a = try pop(.ref(nullable: true, .extern))
            push(.ref(nullable: a.kind != VT.kBottom && a.nullable, .any))
        case .externConvertAny:
            let a = try pop(.ref(nullable: true, .any))
            push(.ref(nullable: a.kind != VT.kBottom && a.nullable, .extern))
        case .refI31:
            try pop(.i32)
            push(.ref(nullable: false, .i31))
        case .i31GetS, .i31GetU:
            try pop(.ref(nullable: true, .i31))
            push(.i32)

        // GC structs.
        case .structNew:
            let x = o.a
            let s = try structType(x)
            let start = Int(types.fieldStart[s])
            var i = start + Int(types.fieldCount[s])
            while i > start {
                i -= 1
                try pop(types.fieldPool[i].unpacked)
            }
            push(.ref(nullable: false, concrete: x))
        case .structNewDefault:
            let x = o.a
            let s = try structType(x)
            let start = Int(types.fieldStart[s])
            for i in start ..< start + Int(types.fieldCount[s]) where !types.fieldPool[i].isDefaultable {
                throw fail("struct.new_default: field \(i - start) of type \(x) is not defaultable (\(types.describe(types.fieldPool[i])))")
            }
            push(.ref(nullable: false, concrete: x))
        case .structGet, .structGetS, .structGetU:
            let x = o.a, i = o.b
            let f = try field(x, i)
            if (opcode == .structGet) == f.type.isPacked {
                throw fail(f.type.isPacked ? "type mismatch in struct.get: field \(i) is packed, use struct.get_s or struct.get_u"
                                           : "type mismatch in \(opcode.name): field \(i) is not packed, use struct.get")
            }
            try pop(.ref(nullable: true, concrete: x))
            push(f.type.unpacked)
        case .structSet:
            let x = o.a, i = o.b
            let f = try field(x, i)
            guard f.mutable else { throw fail("field is immutable: struct.set of field \(i) of type \(x)") }
            try pop(f.type.unpacked)
            try pop(.ref(nullable: true, concrete: x))

        // GC arrays.
        case .arrayNew:
            let x = o.a
            let a = try arrayType(x)
            try pop(.i32)
            try pop(a.elem.unpacked)
            push(.ref(nullable: false, concrete: x))
        case .arrayNewDefault:
            let x = o.a
            let a = try arrayType(x)
            guard a.elem.isDefaultable else { throw fail("array.new_default: element type \(types.describe(a.elem)) of type \(x) is not defaultable") }
            try pop(.i32)
            push(.ref(nullable: false, concrete: x))
        case .arrayNewFixed:
            let x = o.a, n = o.b
            let a = try arrayType(x)
            try popMany(a.elem.unpacked, n)
            push(.ref(nullable: false, concrete: x))
        case .arrayNewData, .arrayInitData:
            let x = o.a, d = o.b
            let a = try arrayType(x)
            if opcode == .arrayInitData && !a.mutable { throw fail("array is immutable: array.init_data on type \(x)") }
            guard !a.elem.isRef else { throw fail("array type is not numeric or vector: \(opcode.name) on an array of \(types.describe(a.elem))") }
            try dataIndex(d)
            try pop(.i32)
            try pop(.i32)
            if opcode == .arrayNewData {
                push(.ref(nullable: false, concrete: x))
            } else {
                try pop(.i32)
                try pop(.ref(nullable: true, concrete: x))
            }
        case .arrayNewElem, .arrayInitElem:
            let x = o.a, e = o.b
            let a = try arrayType(x)
            if opcode == .arrayInitElem && !a.mutable { throw fail("array is immutable: array.init_elem on type \(x)") }
            let et = try elemIndex(e)
            if !types.isSub(et, a.elem) {
                throw fail("type mismatch in \(opcode.name): segment \(e) of \(types.describe(et)) into an array of \(types.describe(a.elem))")
            }
            try pop(.i32)
            try pop(.i32)
            if opcode == .arrayNewElem {
                push(.ref(nullable: false, concrete: x))
            } else {
                try pop(.i32)
                try pop(.ref(nullable: true, concrete: x))
            }
        case .arrayGet, .arrayGetS, .arrayGetU:
            let x = o.a
            let a = try arrayType(x)
            if (opcode == .arrayGet) == a.elem.isPacked {
                throw fail(a.elem.isPacked ? "type mismatch in array.get: the element is packed, use array.get_s or array.get_u"
                                           : "type mismatch in \(opcode.name): the element is not packed, use array.get")
            }
            try pop(.i32)
            try pop(.ref(nullable: true, concrete: x))
            push(a.elem.unpacked)
        case .arraySet:
            let x = o.a
            let a = try arrayType(x)
            guard a.mutable else { throw fail("array is immutable: array.set on type \(x)") }
            try pop(a.elem.unpacked)
            try pop(.i32)
            try pop(.ref(nullable: true, concrete: x))
        case .arrayLen:
            try pop(.ref(nullable: true, .array))
            push(.i32)
        case .arrayFill:
            let x = o.a
            let a = try arrayType(x)
            guard a.mutable else { throw fail("array is immutable: array.fill on type \(x)") }
            try pop(.i32)
            try pop(a.elem.unpacked)
            try pop(.i32)
            try pop(.ref(nullable: true, concrete: x))
        case .arrayCopy:
            let x = o.a, y = o.b
            let d = try arrayType(x), s = try arrayType(y)
            guard d.mutable else { throw fail("array is immutable: array.copy into type \(x)") }
            if !types.isSubStorage(s.elem, d.elem) {
                throw fail("type mismatch in array.copy: elements of \(types.describe(s.elem)) into an array of \(types.describe(d.elem))")
            }
            try pop(.i32)
            try pop(.i32)
            try pop(.ref(nullable: true, concrete: y))
            try pop(.i32)
            try pop(.ref(nullable: true, concrete: x))

        default:
            throw fail("unsupported instruction \(opcode.name)")
        }
    }
}

/// Per-opcode data the validator needs on every instruction, precomputed from the opcode table
/// so the loop does not touch `OpcodeInfo` (which holds strings).
struct OpTables: Sendable {
    /// Stands for the address type of the memory an instruction names.
    static let addressCode: UInt8 = 9

    /// 0 when the opcode needs special typing; else the start of its codes in `codes` (bits 0–15),
    /// the parameter count (bits 16–19) and the result count (bits 20–23).
    var sig: [UInt32] = []
    /// Value kinds (`VT.kI32` ...) or `addressCode`.
    var codes: [UInt8] = []
    var natural: [UInt8] = []
    var atomic: [Bool] = []
    var lanes: [UInt8] = []
    var constant: [Bool] = []

    /// Opcode raw value + 1 by single byte; 0 where the byte is a prefix or unassigned.
    var singleByte = [UInt16](repeating: 0, count: 256)
    /// 1-based index into `prefixed` by prefix byte; 0 when the byte is no prefix.
    var prefixSlot = [UInt8](repeating: 0, count: 256)
    /// Opcode raw value + 1 by sub-opcode, one table per prefix.
    var prefixed: [[UInt16]] = []
    var immediates: [ImmediateKind] = []

    static let shared = OpTables()

    init() {
        for op in Opcode.allCases {
            let info = op.info
            immediates.append(info.immediate)
            if info.prefix == 0 {
                singleByte[Int(info.code)] = op.rawValue + 1
            } else {
                if prefixSlot[Int(info.prefix)] == 0 {
                    prefixed.append([])
                    prefixSlot[Int(info.prefix)] = UInt8(prefixed.count)
                }
                let slot = Int(prefixSlot[Int(info.prefix)]) - 1
                let code = Int(info.code)
                if prefixed[slot].count <= code { prefixed[slot] += [UInt16](repeating: 0, count: code + 1 - prefixed[slot].count) }
                prefixed[slot][code] = op.rawValue + 1
            }
            natural.append(info.naturalAlignment ?? 0)
            atomic.append(info.prefix == 0xFE && info.immediate == .memArg)
            constant.append(info.isConstant)
            var lane: UInt8 = 0
            for (prefix, n) in [("i8x16.", 16), ("i16x8.", 8), ("i32x4.", 4), ("i64x2.", 2), ("f32x4.", 4), ("f64x2.", 2)]
            where info.name.hasPrefix(prefix) {
                lane = UInt8(n)
            }
            lanes.append(lane)
            guard let signature = info.signature else {
                sig.append(0)
                continue
            }
            let sides = signature.split(separator: "-", omittingEmptySubsequences: false)
            let params = sides[0].split(separator: " "), results = sides.count > 1 ? sides[1].dropFirst().split(separator: " ") : []
            func code(_ s: Substring) -> UInt8 {
                switch s {
                case "i32": return VT.kI32
                case "i64": return VT.kI64
                case "f32": return VT.kF32
                case "f64": return VT.kF64
                case "v128": return VT.kV128
                case "a": return OpTables.addressCode
                default: fatalError("unknown type \(s) in the signature of \(info.name)")
                }
            }
            let start = codes.count
            for p in params { codes.append(code(p)) }
            for r in results { codes.append(code(r)) }
            sig.append(1 << 31 | UInt32(start) | UInt32(params.count) << 16 | UInt32(results.count) << 20)
        }
    }
}
