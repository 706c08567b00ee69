import LatheIR

/// `merge-functions`: functions with identical bodies become one; calls to the others go to it.
///
/// Two functions are identical when their IR prints the same apart from the name (the printer numbers
/// values and blocks canonically, and declarations name callees, so equal text means equal behaviour).
/// The lowest-indexed copy stays. Calls and `ref.func`s anywhere in the IR are redirected to it;
/// a copy nothing outside the IR reaches is removed, a root copy stays (its identity may be observed).
public struct MergeFunctions: ModulePass {
    public init() {}
    public var name: String { "merge-functions" }
    public var summary: String { "Merges functions with identical bodies: calls go to one copy and unreachable copies are removed." }

    public func run(_ program: inout ProgramIR, options: ModulePassOptions) -> Set<Int> {
        // Cheap buckets first (signature, block and instruction counts); only colliding functions are printed.
        var buckets: [String: [Int]] = [:]
        for (k, e) in program.entries.enumerated() where !e.isRemoved {
            guard let f = e.function else { continue }
            buckets["\(f.signature) \(f.layout.blocks.count) \(f.layoutInstructionCount)", default: []].append(k)
        }
        var replacement: [String: String] = [:]
        var changed = Set<Int>()
        for (_, members) in buckets.sorted(by: { $0.value[0] < $1.value[0] }) where members.count > 1 {
            var byText: [String: Int] = [:]
            for k in members {
                let body = bodyText(program.entries[k].function!)
                if let canonical = byText[body] {
                    replacement[program.entries[k].name] = program.entries[canonical].name
                    if !program.entries[k].isRoot {
                        program.entries[k].isRemoved = true
                        changed.insert(k)
                    }
                } else {
                    byText[body] = k
                }
            }
        }
        if replacement.isEmpty { return changed }
        for k in program.entries.indices where !program.entries[k].isRemoved {
            guard var f = program.entries[k].function else { continue }
            var renamed = false
            for r in f.functionRefs.keys {
                if let to = replacement[f.functionRefs[r].name] {
                    f.functionRefs[r].name = to
                    renamed = true
                }
            }
            if renamed {
                program.entries[k].function = f
                changed.insert(k)
            }
        }
        return changed
    }

    /// The printed function without its header line's name.
    func bodyText(_ f: Function) -> String {
        var copy = f
        copy.name = ""
        return copy.text
    }
}
