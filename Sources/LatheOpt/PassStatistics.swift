import Dispatch
import LatheIR

/// What one pipeline position did over the functions it ran on.
public struct PassStatistics: Sendable, Equatable {
    public var name: String
    /// Functions the pass ran on, and how many of them it changed.
    public var functions = 0
    public var changed = 0
    /// Instructions in the layout before and after the pass, summed over functions.
    public var instructionsIn = 0
    public var instructionsOut = 0
    /// Time spent in the pass, summed over threads.
    public var nanoseconds: UInt64 = 0

    public init(name: String) { self.name = name }

    public mutating func add(_ o: PassStatistics) {
        functions += o.functions
        changed += o.changed
        instructionsIn += o.instructionsIn
        instructionsOut += o.instructionsOut
        nanoseconds += o.nanoseconds
    }
}

/// Statistics of every position of a pipeline (a pass named twice has two entries).
public struct PipelineStatistics: Sendable, Equatable {
    public var passes: [PassStatistics]
    /// Time spent verifying after passes (`verifyEach`), summed over threads.
    public var verifyNanoseconds: UInt64 = 0
    /// Wall time of each stage of a whole-program run: a run of consecutive function passes over all
    /// functions in parallel, or one module pass alone. Empty when functions stream one at a time.
    public var stages: [Stage] = []

    /// Pipeline positions that ran together, and their wall time.
    public struct Stage: Sendable, Equatable {
        public var positions: Range<Int>
        public var wallNanoseconds: UInt64
    }

    public init(passNames: [String]) { passes = passNames.map { PassStatistics(name: $0) } }

    /// Adds another function's (or thread's) figures, position by position.
    public mutating func add(_ o: PipelineStatistics) {
        precondition(o.passes.count == passes.count, "statistics of different pipelines")
        for k in passes.indices { passes[k].add(o.passes[k]) }
        verifyNanoseconds += o.verifyNanoseconds
        stages += o.stages
    }
}

extension Function {
    /// Instructions in the layout (removed instructions stay in the data flow graph and are not counted).
    public var layoutInstructionCount: Int {
        var n = 0
        var block = layout.entryBlock
        while let b = block {
            var inst = layout.firstInst(b)
            while let i = inst { n += 1; inst = layout.nextInst(i) }
            block = layout.nextBlock(b)
        }
        return n
    }
}

/// Monotonic nanoseconds, for phase timings.
@inline(__always) public func monotonicNanoseconds() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
