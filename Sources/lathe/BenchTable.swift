import Foundation
import LatheWasm

/// Opcode counters of a module's code, as `lathe bench` reports them.
struct OpcodeCounters: Equatable {
    /// Column names, in CSV order.
    static let names = ["calls", "call_indirect", "call_ref", "struct_new", "array_new", "ref_cast", "loads", "stores", "i64_pack", "i64_unpack", "v128"]

    /// Values in `names` order.
    var values = [Int](repeating: 0, count: names.count)

    /// Counts over every function body.
    ///
    /// calls: `call` and `return_call`; call_indirect and call_ref include their tail forms; struct_new:
    /// `struct.new` and `struct.new_default`; array_new: every `array.new*`; ref_cast: both `ref.cast`
    /// forms; loads and stores: every linear-memory access (plain, SIMD, atomic); i64_pack: the adjacent
    /// sequence `i64.extend_i32_u|s; i64.const 32; i64.shl` (a 32-bit value moved to the high half);
    /// i64_unpack: `i64.const 32; i64.shr_u|s; i32.wrap_i64` (the high half taken out); v128: SIMD and
    /// relaxed-SIMD instructions.
    init(module: Module) throws(WasmError) {
        for body in module.bodies {
            var it = body.makeIterator()
            var previous: [Instruction] = []
            while let inst = try it.next() {
                count(inst, after: previous)
                previous.append(inst)
                if previous.count > 2 { previous.removeFirst() }
            }
        }
    }

    init(values: [Int]) { self.values = values }

    private mutating func bump(_ name: String) { values[Self.names.firstIndex(of: name)!] += 1 }

    private mutating func count(_ inst: Instruction, after previous: [Instruction]) {
        let op = inst.opcode
        switch op {
        case .call, .returnCall: bump("calls")
        case .callIndirect, .returnCallIndirect: bump("call_indirect")
        case .callRef, .returnCallRef: bump("call_ref")
        case .structNew, .structNewDefault: bump("struct_new")
        case .arrayNew, .arrayNewDefault, .arrayNewFixed, .arrayNewData, .arrayNewElem: bump("array_new")
        case .refCast, .refCastNullable: bump("ref_cast")
        default: break
        }
        if op.isLoad { bump("loads") }
        if op.isStore { bump("stores") }
        if op.info.feature == .simd || op.info.feature == .relaxedSimd { bump("v128") }
        guard previous.count == 2 else { return }
        if op == .i64Shl, previous[1].immediate == .i64(32), previous[1].opcode == .i64Const,
           previous[0].opcode == .i64ExtendI32U || previous[0].opcode == .i64ExtendI32S {
            bump("i64_pack")
        }
        if op == .i32WrapI64, previous[1].opcode == .i64ShrU || previous[1].opcode == .i64ShrS,
           previous[0].opcode == .i64Const, previous[0].immediate == .i64(32) {
            bump("i64_unpack")
        }
    }
}

/// One row of the bench table: a module's output from one tool at one level (the input itself has tool `input`).
struct BenchRow: Equatable {
    static let header = ["module", "program", "tool", "level", "status", "size", "code", "gzip", "opt_ms", "peak_kib", "sha256"]
        + OpcodeCounters.names + ["run_ms", "run_cpu_ms", "output"]

    var module: String
    var program: String
    var tool: String
    var level: String
    /// `ok`, or why there is no output.
    var status = "ok"
    var size = 0
    /// Bytes of the code section, header included: like for like across tools that keep or drop custom sections.
    var code = 0
    var gzip = 0
    var optMilliseconds: Double?
    var peakKiB: Int?
    var sha256 = ""
    var counters = OpcodeCounters(values: [Int](repeating: 0, count: OpcodeCounters.names.count))
    /// Median wall time of the runs under the engine, when it ran.
    var runMilliseconds: Double?
    /// Median CPU time (user + system) of those runs: steadier than wall time on a shared machine.
    var runCPUMilliseconds: Double?
    /// `ok` or `FAIL` when checked against the expected output, else empty.
    var output = ""

    var key: String { "\(module) \(tool) -O\(level)" }

    var fields: [String] {
        let opt: String = optMilliseconds.map { String(format: "%.1f", $0) } ?? ""
        let peak: String = peakKiB.map { String($0) } ?? ""
        let run: String = runMilliseconds.map { String(format: "%.2f", $0) } ?? ""
        let runCPU: String = runCPUMilliseconds.map { String(format: "%.2f", $0) } ?? ""
        var out: [String] = [module, program, tool, level, status, String(size), String(code), String(gzip), opt, peak, sha256]
        out += counters.values.map { String($0) }
        out += [run, runCPU, output]
        return out
    }

    init(module: String, program: String, tool: String, level: String) {
        self.module = module; self.program = program; self.tool = tool; self.level = level
    }

    /// Reads a row from CSV fields named by `header`.
    init(fields: [String], header: [String], line: Int, file: String) throws {
        func field(_ name: String) throws -> String {
            guard let i = header.firstIndex(of: name) else { throw CLIError("\(file): no column '\(name)' in the header") }
            guard i < fields.count else { throw CLIError("\(file):\(line): \(fields.count) fields, expected \(header.count)") }
            return fields[i]
        }
        func int(_ name: String) throws -> Int {
            let text = try field(name)
            guard let v = Int(text) else { throw CLIError("\(file):\(line): column '\(name)': '\(text)' is not an integer") }
            return v
        }
        func optionalDouble(_ name: String) throws -> Double? {
            let text = try field(name)
            if text.isEmpty { return nil }
            guard let v = Double(text) else { throw CLIError("\(file):\(line): column '\(name)': '\(text)' is not a number") }
            return v
        }
        module = try field("module"); program = try field("program"); tool = try field("tool"); level = try field("level")
        status = try field("status"); size = try int("size"); code = try int("code"); gzip = try int("gzip")
        optMilliseconds = try optionalDouble("opt_ms"); peakKiB = try optionalDouble("peak_kib").map { Int($0) }
        sha256 = try field("sha256")
        counters = OpcodeCounters(values: try OpcodeCounters.names.map { try int($0) })
        runMilliseconds = try optionalDouble("run_ms")
        runCPUMilliseconds = header.contains("run_cpu_ms") ? try optionalDouble("run_cpu_ms") : nil
        output = try field("output")
    }
}

/// CSV text of rows, and rows from CSV text (fields are never quoted: none holds a comma).
enum BenchCSV {
    static func text(_ rows: [BenchRow]) -> String {
        ([BenchRow.header] + rows.map(\.fields)).map { $0.map { $0.replacingOccurrences(of: ",", with: ";") }.joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    static func read(_ path: String) throws -> [BenchRow] {
        let bytes = try readFile(path)
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        guard let first = lines.first else { throw CLIError("\(path): empty file, expected a CSV header") }
        let header = first.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard header.contains("module"), header.contains("tool") else { throw CLIError("\(path):1: not a lathe bench CSV header") }
        return try lines.dropFirst().enumerated().map { i, line in
            try BenchRow(fields: line.split(separator: ",", omittingEmptySubsequences: false).map(String.init), header: header, line: i + 2, file: path)
        }
    }
}
