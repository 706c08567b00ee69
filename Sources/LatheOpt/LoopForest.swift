import LatheEntity
import LatheIR

/// Natural loops of a function, from back edges (edges to a block that dominates their source).
///
/// Back edges to one header make one loop. Natural loops with different headers are disjoint or
/// nested, so the loops form a forest: `parent` is the innermost loop strictly containing a loop.
/// Loops are listed with their headers in reverse postorder, so an enclosing loop comes before the
/// loops inside it. Blocks unreachable from the entry belong to no loop.
public struct LoopForest: Sendable {
    public struct Loop: Sendable, Equatable {
        public var header: Block
        /// Blocks of the loop (inner loops' blocks included) in reverse postorder, header first.
        public var blocks: [Block]
        /// Blocks with a back edge to the header.
        public var latches: [Block]
        /// Index of the innermost loop strictly containing this one.
        public var parent: Int?
        /// 1 for an outermost loop.
        public var depth: Int
    }

    public private(set) var loops: [Loop] = []
    /// The innermost loop containing each block, -1 for none.
    private var innermost = SecondaryMap<Block, Int32>(default: -1)

    public init() {}

    public init(cfg: ControlFlowGraph, dominators: DominatorTree) { compute(cfg: cfg, dominators: dominators) }

    /// Recomputes the loops from `cfg` and its dominator tree.
    public mutating func compute(cfg: ControlFlowGraph, dominators dom: DominatorTree) {
        loops.removeAll()
        innermost.removeAll()
        var rpoNumber = SecondaryMap<Block, Int>(default: -1)
        for (n, b) in dom.reversePostorder.enumerated() { rpoNumber[b] = n }
        var inLoop = EntitySet<Block>()
        for h in dom.reversePostorder {
            var latches: [Block] = []
            for p in cfg.predecessors[h] where dom.dominates(h, p) && !latches.contains(p) { latches.append(p) }
            if latches.isEmpty { continue }
            // Every block reaching a latch without passing the header is dominated by the header.
            inLoop.removeAll()
            inLoop.insert(h)
            var body = [h]
            var stack = latches
            while let b = stack.popLast() {
                guard inLoop.insert(b) else { continue }
                body.append(b)
                for p in cfg.predecessors[b] where dom.isReachable(p) { stack.append(p) }
            }
            body.sort { rpoNumber[$0] < rpoNumber[$1] }
            // Enclosing loops were listed earlier (their headers dominate this one), inner ones not yet.
            let parent = innermost[h] >= 0 ? Int(innermost[h]) : nil
            let index = Int32(loops.count)
            loops.append(Loop(header: h, blocks: body, latches: latches, parent: parent, depth: parent.map { loops[$0].depth + 1 } ?? 1))
            for b in body { innermost[b] = index }
        }
    }

    /// The innermost loop containing `b`.
    public func innermostLoop(_ b: Block) -> Int? { innermost[b] >= 0 ? Int(innermost[b]) : nil }

    /// Whether loop `loop` contains `b`, directly or through an inner loop.
    public func contains(_ loop: Int, _ b: Block) -> Bool {
        var l = innermost[b] >= 0 ? Int(innermost[b]) : nil
        while let k = l {
            if k == loop { return true }
            l = loops[k].parent
        }
        return false
    }

    /// Records a block added to the function (a preheader) as part of `loop` and the loops around
    /// it, placed just before `successor` (a block of `loop`) in their block lists.
    public mutating func addBlock(_ b: Block, to loop: Int?, before successor: Block) {
        innermost[b] = Int32(loop ?? -1)
        var l = loop
        while let k = l {
            let at = loops[k].blocks.firstIndex(of: successor) ?? loops[k].blocks.count
            loops[k].blocks.insert(b, at: at)
            l = loops[k].parent
        }
    }
}
