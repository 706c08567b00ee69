import ArgumentParser
import Foundation

/// `lathe bench compare BASE.csv NEW.csv`: per-row deltas, geometric means, and a loud flag on changed outputs.
struct BenchCompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two `lathe bench` CSV files.",
        discussion: """
            Rows match by module, tool and level. Prints each row's size, gzip size, optimize time, peak memory \
            and run time with the change, then the geometric mean of the NEW/BASE ratios per column. A changed \
            output hash, a failed output check or a failed optimizer in NEW is flagged with !!! and makes the \
            exit status 1 (--allow-hash-changes: changed hashes are listed but do not fail).
            """
    )

    @Argument(help: "The baseline CSV.") var base: String
    @Argument(help: "The new CSV.") var new: String
    @Flag(help: "Changed output hashes are expected (an optimizer change); still fail on failed checks.") var allowHashChanges = false

    func run() throws {
        do {
            let comparison = BenchComparison(base: try BenchCSV.read(base), new: try BenchCSV.read(new))
            print(comparison.text(allowHashChanges: allowHashChanges), terminator: "")
            if comparison.fails(allowHashChanges: allowHashChanges) { throw ExitCode(1) }
        } catch let e as ExitCode {
            throw e
        } catch {
            throw ExitCode(report(error))
        }
    }
}

/// Two bench tables matched row by row.
struct BenchComparison {
    /// The compared numeric columns: name and value.
    static let columns: [(String, @Sendable (BenchRow) -> Double?)] = [
        ("size", { Double($0.size) }), ("code", { Double($0.code) }), ("gzip", { Double($0.gzip) }), ("opt_ms", { $0.optMilliseconds }),
        ("peak_kib", { $0.peakKiB.map(Double.init) }), ("run_ms", { $0.runMilliseconds }), ("run_cpu_ms", { $0.runCPUMilliseconds }),
    ]

    var pairs: [(base: BenchRow, new: BenchRow)] = []
    var onlyBase: [BenchRow] = []
    var onlyNew: [BenchRow] = []

    init(base: [BenchRow], new: [BenchRow]) {
        var byKey: [String: BenchRow] = [:]
        for r in base { byKey[r.key] = r }
        var matched = Set<String>()
        for r in new {
            if let b = byKey[r.key] { pairs.append((b, r)); matched.insert(r.key) } else { onlyNew.append(r) }
        }
        onlyBase = base.filter { !matched.contains($0.key) }
    }

    var hashChanges: [BenchRow] { pairs.filter { $0.base.sha256 != $0.new.sha256 }.map(\.new) }
    var failedRows: [BenchRow] { (pairs.map(\.new) + onlyNew).filter { $0.output == "FAIL" || $0.status != "ok" } }

    func fails(allowHashChanges: Bool) -> Bool { !failedRows.isEmpty || (!allowHashChanges && !hashChanges.isEmpty) }

    /// The geometric mean of NEW/BASE over the pairs where both values are positive, and how many pairs that is.
    func geometricMean(_ value: (BenchRow) -> Double?) -> (ratio: Double, count: Int)? {
        var sum = 0.0, n = 0
        for (b, r) in pairs {
            guard let x = value(b), let y = value(r), x > 0, y > 0 else { continue }
            sum += log(y / x)
            n += 1
        }
        return n == 0 ? nil : (exp(sum / Double(n)), n)
    }

    static func delta(_ a: Double?, _ b: Double?) -> String {
        guard let a, let b else { return "-" }
        let change = a == 0 ? (b == 0 ? 0 : Double.infinity) : (b - a) / a * 100
        return String(format: "%@ -> %@ (%+.1f%%)", format(a), format(b), change)
    }

    static func format(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e12 ? String(Int(v)) : String(format: "%.2f", v) }

    func text(allowHashChanges: Bool) -> String {
        var s = ""
        for (b, r) in pairs {
            s += "\(r.key)\n"
            for (name, value) in Self.columns { s += "  \(name.padding(toLength: 10, withPad: " ", startingAt: 0)) \(Self.delta(value(b), value(r)))\n" }
            if b.sha256 != r.sha256 { s += "  !!! output hash changed: \(b.sha256.prefix(16)) -> \(r.sha256.prefix(16))\n" }
            if r.output == "FAIL" { s += "  !!! OUTPUT CHECK FAILED\n" }
            if r.status != "ok" { s += "  !!! \(r.status)\n" }
        }
        for r in onlyBase { s += "only in base: \(r.key)\n" }
        for r in onlyNew { s += "only in new: \(r.key)\(r.output == "FAIL" ? " !!! OUTPUT CHECK FAILED" : "")\n" }
        s += "geometric mean of new/base over \(pairs.count) matched rows:\n"
        for (name, value) in Self.columns {
            if let g = geometricMean(value) {
                s += "  \(name.padding(toLength: 10, withPad: " ", startingAt: 0)) \(String(format: "%.4f", g.ratio)) (\(String(format: "%+.1f%%", (g.ratio - 1) * 100)), \(g.count) rows)\n"
            }
        }
        if !hashChanges.isEmpty {
            s += "!!! \(hashChanges.count) output hash\(hashChanges.count == 1 ? "" : "es") changed\(allowHashChanges ? " (allowed)" : ""): \(hashChanges.map(\.key).joined(separator: ", "))\n"
        }
        if !failedRows.isEmpty {
            s += "!!! \(failedRows.count) failed row\(failedRows.count == 1 ? "" : "s"): \(failedRows.map(\.key).joined(separator: ", "))\n"
        }
        return s
    }
}

/// `lathe bench render IN.csv [--markdown OUT.md] [--svg OUT.svg]`: the table and chart of an earlier run.
struct BenchRenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "render", abstract: "Write the Markdown table and SVG chart of a `lathe bench` CSV.")

    @Argument(help: "A CSV written by `lathe bench --csv`.") var csv: String
    @Option(help: "Write the Markdown table here (default: print it).") var markdown: String?
    @Option(help: "Write the SVG chart here.") var svg: String?
    @Option(help: "The peer ratios are relative to (default: wasm-opt, else the first peer).") var reference: String?

    func run() throws {
        do {
            let rows = try BenchCSV.read(csv)
            let ref = reference ?? BenchRender.defaultReference(rows)
            let table = BenchRender.markdown(rows, reference: ref)
            if let markdown { try writeAtomically(Array(table.utf8), to: markdown) } else { print(table, terminator: "") }
            if let svg { try writeAtomically(Array(BenchRender.svg(rows, reference: ref).utf8), to: svg) }
        } catch {
            throw ExitCode(report(error))
        }
    }
}
