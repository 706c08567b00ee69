import Foundation

/// Timings and counts per phase of an optimization run, rendered as a table or JSON (`--perf`, `--perf=json`).
///
/// Sequential phases (read, validate, write) have a wall time. Phases run per function on several
/// threads (lift, each pass, lower) have a summed thread time; the parallel region they share has a wall time.
public struct PerfReport: Sendable {
    public struct Row: Sendable, Equatable {
        public var phase: String
        public var wallNanoseconds: UInt64?
        public var threadNanoseconds: UInt64?
        public var instructionsIn: Int?
        public var instructionsOut: Int?
        public var functions: Int?
        public var functionsChanged: Int?
        /// A part of the phase above it (indented in the table).
        public var nested: Bool

        public init(phase: String, nested: Bool = false, wall: UInt64? = nil, thread: UInt64? = nil, instructionsIn: Int? = nil, instructionsOut: Int? = nil,
                    functions: Int? = nil, functionsChanged: Int? = nil) {
            self.phase = phase
            wallNanoseconds = wall
            threadNanoseconds = thread
            self.instructionsIn = instructionsIn
            self.instructionsOut = instructionsOut
            self.functions = functions
            self.functionsChanged = functionsChanged
            self.nested = nested
        }
    }

    public var threads: Int
    public var rows: [Row] = []

    public init(threads: Int) { self.threads = threads }

    /// One row per pipeline position (`name` twice becomes `name`, `name#2`).
    ///
    /// A whole-program run also has a row per stage of several function passes run in parallel, with
    /// its wall time beside their summed thread time; a module pass runs alone, so its wall time is its time.
    public mutating func addPasses(_ stats: PipelineStatistics, nested: Bool = true) {
        var seen: [String: Int] = [:]
        var stageOf: [Int: PipelineStatistics.Stage] = [:]
        for stage in stats.stages { stageOf[stage.positions.lowerBound] = stage }
        for (k, p) in stats.passes.enumerated() {
            var wall: UInt64?
            if let stage = stageOf[k] {
                if stage.positions.count == 1 {
                    wall = stage.wallNanoseconds
                } else {
                    let names = stage.positions.map { stats.passes[$0].name }
                    let thread = stage.positions.reduce(UInt64(0)) { $0 + stats.passes[$1].nanoseconds }
                    rows.append(Row(phase: "parallel \(names.first!)…\(names.last!) (\(names.count) passes)", nested: nested,
                                    wall: stage.wallNanoseconds, thread: thread))
                }
            }
            seen[p.name, default: 0] += 1
            let n = seen[p.name]!
            rows.append(Row(phase: "pass " + (n == 1 ? p.name : "\(p.name)#\(n)"), nested: nested, wall: wall, thread: p.nanoseconds,
                            instructionsIn: p.instructionsIn, instructionsOut: p.instructionsOut,
                            functions: p.functions, functionsChanged: p.changed))
        }
    }

    /// An aligned text table (milliseconds), for stderr.
    public var table: String {
        func ms(_ ns: UInt64?) -> String { ns.map { String(format: "%.2f", Double($0) / 1e6) } ?? "-" }
        func num(_ n: Int?) -> String { n.map(String.init) ?? "-" }
        let header = ["phase", "wall ms", "thread ms", "insts in", "insts out", "functions", "changed"]
        let body = rows.map { r in
            [(r.nested ? "  " : "") + r.phase, ms(r.wallNanoseconds), ms(r.threadNanoseconds), num(r.instructionsIn), num(r.instructionsOut), num(r.functions), num(r.functionsChanged)]
        }
        let all = [header] + body
        let widths = header.indices.map { c in all.map { $0[c].count }.max() ?? 0 }
        let lines = all.map { cells in
            cells.enumerated().map { c, s in
                c == 0 ? s.padding(toLength: widths[c], withPad: " ", startingAt: 0) : String(repeating: " ", count: widths[c] - s.count) + s
            }.joined(separator: "  ")
        }
        return "lathe perf (\(threads) thread\(threads == 1 ? "" : "s"))\n" + lines.joined(separator: "\n") + "\n"
    }

    /// The same figures as JSON: `{"threads": N, "phases": [{"phase": ..., "wall_ns": ..., ...}]}`; absent figures are left out.
    public var json: String {
        func quoted(_ s: String) -> String {
            var out = "\""
            for u in s.unicodeScalars {
                switch u {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
                default: out.unicodeScalars.append(u)
                }
            }
            return out + "\""
        }
        let phases = rows.map { r in
            var fields = ["\"phase\": \(quoted(r.phase))"]
            if let v = r.wallNanoseconds { fields.append("\"wall_ns\": \(v)") }
            if let v = r.threadNanoseconds { fields.append("\"thread_ns\": \(v)") }
            if let v = r.instructionsIn { fields.append("\"instructions_in\": \(v)") }
            if let v = r.instructionsOut { fields.append("\"instructions_out\": \(v)") }
            if let v = r.functions { fields.append("\"functions\": \(v)") }
            if let v = r.functionsChanged { fields.append("\"functions_changed\": \(v)") }
            return "    {" + fields.joined(separator: ", ") + "}"
        }
        return "{\n  \"threads\": \(threads),\n  \"phases\": [\n" + phases.joined(separator: ",\n") + "\n  ]\n}\n"
    }
}
