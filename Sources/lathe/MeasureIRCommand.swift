import ArgumentParser
import Foundation
import LatheIR

/// `lathe measure ir`: build, verify and print a large function; ns per instruction for each step.
///
/// The function has `blocks` blocks of straight-line integer, float and memory code chained by
/// conditional branches, written through `FunctionBuilder` with SSA variables, so building also
/// measures SSA construction. Parsing the printed text is measured too.
struct MeasureIRCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ir", abstract: "IR build/verify/print speed.")

    @Option(help: "Number of instructions to build (approximately).") var instructions = 1_000_000
    @Option(help: "Repetitions; the best time of each step is reported.") var repeats = 3

    func run() throws {
        var best = [String: Double]()
        var count = 0
        for _ in 0..<repeats {
            var t = ContinuousClock.now
            let f = Self.buildFunction(instructions: instructions)
            let build = ContinuousClock.now - t
            count = f.dfg.instCount
            t = ContinuousClock.now
            let report = f.verify()
            let verify = ContinuousClock.now - t
            guard report.isValid else { throw ValidationError("generated function does not verify:\n\(report.render())") }
            t = ContinuousClock.now
            let text = f.text
            let printing = ContinuousClock.now - t
            t = ContinuousClock.now
            let reparsed = try parseFunction(text)
            let parse = ContinuousClock.now - t
            guard reparsed.dfg.instCount == count else { throw ValidationError("reparse lost instructions") }
            for (step, d) in [("build", build), ("verify", verify), ("print", printing), ("parse", parse)] {
                let ns = Double(d.components.seconds) * 1e9 + Double(d.components.attoseconds) / 1e9
                best[step] = min(best[step] ?? .infinity, ns)
            }
        }
        print("instructions: \(count)")
        for step in ["build", "verify", "print", "parse"] {
            let ns = best[step]!
            print("\(step.padding(toLength: 7, withPad: " ", startingAt: 0)) \(String(format: "%8.1f", ns / Double(count))) ns/instruction  (\(String(format: "%.1f", ns / 1e6)) ms)")
        }
    }

    /// About `instructions` instructions in blocks of ~1000, with two loop-carried variables.
    static func buildFunction(instructions: Int) -> Function {
        var b = FunctionBuilder(name: "measure", signature: Signature(params: [.i32, .i64], results: [.i64]))
        _ = b.declareMemory(MemoryDecl(minPages: 1))
        let x = b.declareVar(.i32), y = b.declareVar(.i64)
        let entry = b.createBlock()
        let params = b.appendFunctionParams(entry)
        b.switchToBlock(entry)
        b.sealBlock(entry)
        b.defVar(x, params[0])
        b.defVar(y, params[1])
        let perBlock = 1000
        var emitted = 0
        while emitted < instructions - perBlock {
            let next = b.createBlock(), side = b.createBlock()
            let start = b.dfg.instCount
            // 16 instructions per round
            while b.dfg.instCount - start < perBlock - 24 {
                let a = b.useVar(x), w = b.useVar(y)
                let c1 = b.iconst(.i32, 7)
                let s = b.iadd(a, c1)
                let m = b.imul(s, a)
                let e = b.uextend(.i64, m)
                let w2 = b.bxor(w, e)
                let cmp = b.icmp(.ult, s, m)
                let sel = b.select(cmp, s, m)
                let addr = b.band(sel, b.iconst(.i32, 0xfff8))
                b.store(w2, addr)
                let loaded = b.load(.i64, addr, offset: 8)
                let f = b.fcvtFromSint(.f64, loaded)
                let g = b.fmul(f, b.f64const(0.5))
                let back = b.fcvtToSintSat(.i64, g)
                b.defVar(x, b.ireduce(.i32, back))
                b.defVar(y, back)
            }
            b.brif(b.useVar(x), next, [], side, [])
            b.switchToBlock(side); b.sealBlock(side)
            b.defVar(y, b.iadd(b.useVar(y), b.iconst(.i64, 1)))
            b.jump(next)
            b.switchToBlock(next); b.sealBlock(next)
            emitted = b.dfg.instCount
        }
        b.return([b.useVar(y)])
        return b.finalize()
    }
}
