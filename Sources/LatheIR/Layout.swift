import LatheEntity

/// The order of blocks in a function and of instructions in blocks, as doubly linked lists.
///
/// Insertion and removal are O(1). Each instruction carries a sequence number, increasing along
/// its block, so `instComesBefore` is one comparison; when an insertion finds no gap between its
/// neighbours the block is renumbered (rare: numbers are spaced by `stride`).
public struct Layout: Sendable {
    struct BlockNode: Sendable {
        var prev = Block.reservedValue, next = Block.reservedValue
        var first = Inst.reservedValue, last = Inst.reservedValue
        var inLayout = false
    }
    struct InstNode: Sendable {
        var block = Block.reservedValue
        var prev = Inst.reservedValue, next = Inst.reservedValue
        var seq: UInt32 = 0
    }

    static let stride: UInt32 = 16

    private var blockNodes = SecondaryMap<Block, BlockNode>(default: BlockNode())
    private var instNodes = SecondaryMap<Inst, InstNode>(default: InstNode())
    public private(set) var firstBlock: Block? = nil
    public private(set) var lastBlock: Block? = nil

    public init() {}

    /// Makes room for instructions below `n` without reallocating.
    public mutating func reserveCapacity(instructions n: Int) { instNodes.reserveCapacity(n) }

    // MARK: blocks

    public func isInserted(_ block: Block) -> Bool { blockNodes[block].inLayout }
    public var entryBlock: Block? { firstBlock }

    public mutating func appendBlock(_ block: Block) {
        precondition(!isInserted(block), "\(block) is already in the layout")
        blockNodes[block] = BlockNode(prev: lastBlock ?? .reservedValue, inLayout: true)
        if let last = lastBlock { blockNodes[last].next = block } else { firstBlock = block }
        lastBlock = block
    }

    public mutating func insertBlock(_ block: Block, before other: Block) {
        precondition(!isInserted(block) && isInserted(other))
        let prev = blockNodes[other].prev
        blockNodes[block] = BlockNode(prev: prev, next: other, inLayout: true)
        blockNodes[other].prev = block
        if prev.isReserved { firstBlock = block } else { blockNodes[prev].next = block }
    }

    /// Removes an empty block from the order.
    public mutating func removeBlock(_ block: Block) {
        precondition(isInserted(block) && blockNodes[block].first.isReserved, "only empty, inserted blocks can be removed")
        let n = blockNodes[block]
        if n.prev.isReserved { firstBlock = n.next.isReserved ? nil : n.next } else { blockNodes[n.prev].next = n.next }
        if n.next.isReserved { lastBlock = n.prev.isReserved ? nil : n.prev } else { blockNodes[n.next].prev = n.prev }
        blockNodes[block] = BlockNode()
    }

    public func nextBlock(_ block: Block) -> Block? { let n = blockNodes[block].next; return n.isReserved ? nil : n }
    public func prevBlock(_ block: Block) -> Block? { let p = blockNodes[block].prev; return p.isReserved ? nil : p }

    /// Blocks in layout order.
    public var blocks: [Block] {
        var out: [Block] = []
        var b = firstBlock
        while let cur = b { out.append(cur); b = nextBlock(cur) }
        return out
    }

    // MARK: instructions

    public func block(of inst: Inst) -> Block? { let b = instNodes[inst].block; return b.isReserved ? nil : b }
    public func firstInst(_ block: Block) -> Inst? { let i = blockNodes[block].first; return i.isReserved ? nil : i }
    public func lastInst(_ block: Block) -> Inst? { let i = blockNodes[block].last; return i.isReserved ? nil : i }
    public func nextInst(_ inst: Inst) -> Inst? { let i = instNodes[inst].next; return i.isReserved ? nil : i }
    public func prevInst(_ inst: Inst) -> Inst? { let i = instNodes[inst].prev; return i.isReserved ? nil : i }

    /// Instructions of `block` in order.
    public func insts(_ block: Block) -> [Inst] {
        var out: [Inst] = []
        var i = firstInst(block)
        while let cur = i { out.append(cur); i = nextInst(cur) }
        return out
    }

    public mutating func appendInst(_ inst: Inst, to block: Block) {
        precondition(isInserted(block), "\(block) is not in the layout")
        precondition(instNodes[inst].block.isReserved, "\(inst) is already in the layout")
        let last = blockNodes[block].last
        let seq = last.isReserved ? Self.stride : instNodes[last].seq &+ Self.stride
        instNodes[inst] = InstNode(block: block, prev: last, seq: seq)
        if last.isReserved { blockNodes[block].first = inst } else { instNodes[last].next = inst }
        blockNodes[block].last = inst
        if seq < Self.stride { renumber(block) }
    }

    public mutating func insertInst(_ inst: Inst, before other: Inst) {
        let block = instNodes[other].block
        precondition(!block.isReserved, "\(other) is not in the layout")
        let prev = instNodes[other].prev
        instNodes[inst] = InstNode(block: block, prev: prev, next: other)
        instNodes[other].prev = inst
        if prev.isReserved { blockNodes[block].first = inst } else { instNodes[prev].next = inst }
        let lo = prev.isReserved ? 0 : instNodes[prev].seq
        let hi = instNodes[other].seq
        if hi - lo >= 2 { instNodes[inst].seq = lo + (hi - lo) / 2 } else { renumber(block) }
    }

    public mutating func removeInst(_ inst: Inst) {
        let n = instNodes[inst]
        precondition(!n.block.isReserved, "\(inst) is not in the layout")
        if n.prev.isReserved { blockNodes[n.block].first = n.next } else { instNodes[n.prev].next = n.next }
        if n.next.isReserved { blockNodes[n.block].last = n.prev } else { instNodes[n.next].prev = n.prev }
        instNodes[inst] = InstNode()
    }

    private mutating func renumber(_ block: Block) {
        var seq = Self.stride
        var i = firstInst(block)
        while let cur = i { instNodes[cur].seq = seq; seq &+= Self.stride; i = nextInst(cur) }
    }

    /// Whether `a` comes strictly before `b`; both must be in the same block.
    public func instComesBefore(_ a: Inst, _ b: Inst) -> Bool {
        precondition(instNodes[a].block == instNodes[b].block, "sequence numbers compare within one block")
        return instNodes[a].seq < instNodes[b].seq
    }

    public func sequenceNumber(_ inst: Inst) -> UInt32 { instNodes[inst].seq }
}
