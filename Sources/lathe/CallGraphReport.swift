import LatheWasm

/// The call sites left in a module that an inliner was expected to remove: calls to hinted, tiny or single-call-site functions reachable from the entries.
struct CallGraphReport {
    /// Why a call is listed.
    enum Reason: String, CaseIterable {
        /// The call site's inline hint, else the callee's function-level hint, is 127 (always inline).
        case hinted
        /// The callee has fewer instructions than the size limit.
        case tiny
        /// The callee has exactly one direct call site in the module.
        case singleCaller = "single-caller"
    }

    /// One remaining call.
    struct Call {
        var caller: UInt32
        var callee: UInt32
        /// Byte offset of the call in the caller's body, as code metadata counts it.
        var offset: UInt32
        var calleeSize: Int
        var hint: UInt8?
        var reasons: [Reason]
        /// Function indices from an entry to the caller, then the callee.
        var path: [UInt32]
    }

    /// A reachable function with calls whose targets are not known statically.
    struct UnknownEdges {
        var function: UInt32
        var callIndirect: Int
        var callRef: Int
    }

    let module: Module
    var entries: [UInt32] = []
    var calls: [Call] = []
    var unknownEdges: [UnknownEdges] = []
    var reachableCount = 0

    /// The function's name-section name, else its export name, else `func[i]`.
    func name(_ f: UInt32) -> String {
        if let n = module.names?.functions[f] { return n }
        if let e = module.exports.first(where: { $0.kind == .function && $0.index == f }) { return e.name }
        return "func[\(f)]"
    }

    /// Resolves an entry given as an export name, a name-section name or an index.
    static func resolveEntry(_ text: String, in module: Module) -> UInt32? {
        if let e = module.exports.first(where: { $0.kind == .function && $0.name == text }) { return e.index }
        if let f = module.names?.functions.first(where: { $0.value == text })?.key { return f }
        let total = module.importedFunctionCount + module.functions.count
        if let i = UInt32(text), Int(i) < total { return i }
        return nil
    }

    /// Walks the call graph from `entries` (default: the exported functions and the start function).
    init(module: Module, entries given: [UInt32]?, maxSize: Int) throws(WasmError) {
        self.module = module
        let imported = module.importedFunctionCount
        var entries = given ?? module.exports.filter { $0.kind == .function }.map(\.index)
        if given == nil, let s = module.start { entries.append(s) }
        var seenEntry = Set<UInt32>()
        self.entries = entries.filter { seenEntry.insert($0).inserted }

        // Per defined function: size and call sites (callee, offset) or unknown-edge counts.
        var sizes: [Int] = []
        var sites: [[(callee: UInt32, offset: UInt32)]] = []
        var unknown: [(Int, Int)] = []
        var callSiteCount: [UInt32: Int] = [:]
        for (i, body) in module.bodies.enumerated() {
            var it = body.makeIterator()
            var size = 0
            var list: [(callee: UInt32, offset: UInt32)] = []
            var indirect = 0, ref = 0
            let base = module.codeMetadataOffsetOfCode(definedFunction: i) - body.code.startIndex
            while let inst = try it.next() {
                if it.finished { break }
                size += 1
                switch inst.opcode {
                case .call, .returnCall:
                    if let callee = inst.index {
                        list.append((callee, UInt32(it.offset + base)))
                        callSiteCount[callee, default: 0] += 1
                    }
                case .callIndirect, .returnCallIndirect: indirect += 1
                case .callRef, .returnCallRef: ref += 1
                default: break
                }
            }
            sizes.append(size)
            sites.append(list)
            unknown.append((indirect, ref))
        }

        // Function-level hints (offset 0) and call-site hints.
        var functionHints: [UInt32: UInt8] = [:]
        for sectionName in Module.inlineHintSections {
            for section in module.customSections where section.name == sectionName {
                guard let metadata = try? CodeMetadata(payload: section.payload) else { continue }
                for f in metadata.functions {
                    for item in f.items where item.offset == 0 && !item.payload.isEmpty && functionHints[f.index] == nil {
                        functionHints[f.index] = item.payload[0]
                    }
                }
            }
        }
        let siteHints = module.callSiteInlineHints()

        // Breadth-first from all entries at once: the parent of each function on a shortest path.
        var parent: [UInt32: UInt32] = [:]
        var visited = Set(self.entries)
        var queue = self.entries
        var head = 0
        while head < queue.count {
            let f = queue[head]
            head += 1
            let defined = Int(f) - imported
            guard defined >= 0, defined < sites.count else { continue }
            for site in sites[defined] where visited.insert(site.callee).inserted {
                parent[site.callee] = f
                queue.append(site.callee)
            }
        }
        reachableCount = queue.count

        func path(to f: UInt32) -> [UInt32] {
            var p = [f]
            var cur = f
            while let up = parent[cur] { p.append(up); cur = up }
            return p.reversed()
        }

        for f in queue {
            let defined = Int(f) - imported
            guard defined >= 0, defined < sites.count else { continue }
            if unknown[defined].0 + unknown[defined].1 > 0 {
                unknownEdges.append(UnknownEdges(function: f, callIndirect: unknown[defined].0, callRef: unknown[defined].1))
            }
            for site in sites[defined] {
                let calleeDefined = Int(site.callee) - imported
                guard calleeDefined >= 0, calleeDefined < sizes.count else { continue }  // imports cannot be inlined
                let hint = siteHints[f]?[site.offset] ?? functionHints[site.callee]
                var reasons: [Reason] = []
                if hint == 127 { reasons.append(.hinted) }
                if sizes[calleeDefined] < maxSize { reasons.append(.tiny) }
                if callSiteCount[site.callee] == 1 { reasons.append(.singleCaller) }
                if reasons.isEmpty { continue }
                calls.append(Call(caller: f, callee: site.callee, offset: site.offset, calleeSize: sizes[calleeDefined],
                                  hint: hint, reasons: reasons, path: path(to: f) + [site.callee]))
            }
        }
    }

    /// The reasons among `failOn` that some listed call has.
    func matched(_ failOn: Set<Reason>) -> [Reason] {
        Reason.allCases.filter { r in failOn.contains(r) && calls.contains { $0.reasons.contains(r) } }
    }

    func text(file: String, maxSize: Int) -> String {
        var s = "\(file): \(calls.count) remaining call\(calls.count == 1 ? "" : "s") to inline candidates "
        s += "(\(entries.count) entr\(entries.count == 1 ? "y" : "ies"), \(reachableCount) reachable functions, tiny < \(maxSize) instructions)\n"
        for c in calls {
            let hint = c.hint.map { " hint \($0)" } ?? ""
            s += "  \(name(c.caller)) -> \(name(c.callee))  size \(c.calleeSize)\(hint)  [\(c.reasons.map(\.rawValue).joined(separator: ","))]\n"
            s += "    path: \(c.path.map(name).joined(separator: " > "))\n"
        }
        if !unknownEdges.isEmpty {
            s += "unknown call edges (not followed):\n"
            for u in unknownEdges {
                s += "  \(name(u.function)): \(u.callIndirect) call_indirect, \(u.callRef) call_ref\n"
            }
        }
        return s
    }

    func jsonObject(file: String, maxSize: Int, failed: [Reason]) -> [String: Any] {
        [
            "file": file, "max_size": maxSize, "reachable": reachableCount,
            "entries": entries.map(name),
            "calls": calls.map { c -> [String: Any] in
                var o: [String: Any] = [
                    "caller": name(c.caller), "caller_index": c.caller, "callee": name(c.callee), "callee_index": c.callee,
                    "callee_size": c.calleeSize, "offset": c.offset, "reasons": c.reasons.map(\.rawValue), "path": c.path.map(name),
                ]
                if let h = c.hint { o["hint"] = Int(h) }
                return o
            },
            "unknown_edges": unknownEdges.map { ["function": name($0.function), "call_indirect": $0.callIndirect, "call_ref": $0.callRef] },
            "failed": failed.map(\.rawValue),
        ]
    }
}
