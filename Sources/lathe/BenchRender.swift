import Foundation

extension BenchRow {
    /// The run time the table and chart use: CPU time when measured (steadier on a shared machine), else wall time.
    var runTime: Double? { runCPUMilliseconds ?? runMilliseconds }
}

/// The Markdown table and SVG chart of a bench table: Lathe's sizes and run times relative to a reference tool.
enum BenchRender {
    /// `wasm-opt` when present, else the first peer, else `input` (the unoptimized module).
    static func defaultReference(_ rows: [BenchRow]) -> String {
        let tools = rows.map(\.tool)
        if tools.contains("wasm-opt") { return "wasm-opt" }
        return tools.first { $0 != "lathe" && $0 != "input" } ?? "input"
    }

    /// The levels in first-seen order, and the programs likewise.
    static func levels(_ rows: [BenchRow]) -> [String] { unique(rows.filter { $0.tool != "input" }.map(\.level)) }
    static func programs(_ rows: [BenchRow]) -> [String] { unique(rows.map(\.program)) }
    static func tools(_ rows: [BenchRow]) -> [String] { unique(rows.map(\.tool).filter { $0 != "input" }) }

    static func unique(_ xs: [String]) -> [String] {
        var seen = Set<String>()
        return xs.filter { seen.insert($0).inserted }
    }

    /// The row of a tool for a module at a level (`input` has one row per module).
    static func row(_ rows: [BenchRow], module: String, tool: String, level: String) -> BenchRow? {
        rows.first { $0.module == module && $0.tool == tool && (tool == "input" || $0.level == level) && $0.status == "ok" }
    }

    /// Per program and level: geometric means of lathe/reference for size and run time over the program's modules.
    struct Summary {
        var program: String
        var level: String
        var size: Double?
        var code: Double?
        var gzip: Double?
        var run: Double?
        var modules: Int
        var failures: Int
    }

    static func summaries(_ rows: [BenchRow], reference: String) -> [Summary] {
        var out: [Summary] = []
        for program in programs(rows) {
            let modules = unique(rows.filter { $0.program == program }.map(\.module))
            for level in levels(rows) {
                var size: [Double] = [], code: [Double] = [], gzip: [Double] = [], run: [Double] = []
                var failures = 0
                for m in modules {
                    let l = rows.first { $0.module == m && $0.tool == "lathe" && $0.level == level }
                    if l == nil || l!.status != "ok" || l!.output == "FAIL" { failures += 1 }
                    guard let l, l.status == "ok", let r = row(rows, module: m, tool: reference, level: level) else { continue }
                    if l.size > 0, r.size > 0 { size.append(Double(l.size) / Double(r.size)) }
                    if l.code > 0, r.code > 0 { code.append(Double(l.code) / Double(r.code)) }
                    if l.gzip > 0, r.gzip > 0 { gzip.append(Double(l.gzip) / Double(r.gzip)) }
                    if let a = l.runTime, let b = r.runTime, a > 0, b > 0 { run.append(a / b) }
                }
                out.append(Summary(program: program, level: level, size: geometricMean(size), code: geometricMean(code), gzip: geometricMean(gzip), run: geometricMean(run), modules: modules.count, failures: failures))
            }
        }
        return out
    }

    static func geometricMean(_ xs: [Double]) -> Double? {
        xs.isEmpty ? nil : exp(xs.reduce(0) { $0 + log($1) } / Double(xs.count))
    }

    static func ratio(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "-" }
    static func ms(_ v: Double?) -> String { v.map { String(format: "%.1f", $0) } ?? "-" }

    static func markdown(_ rows: [BenchRow], reference: String) -> String {
        let toolNames = tools(rows)
        var s = "### Lathe relative to \(reference) (geometric mean over each program's modules; below 1 is better for Lathe)\n\n"
        s += "| program | level | modules | file size | code size | gzip size | run time | lathe failures |\n|---|---|---:|---:|---:|---:|---:|---:|\n"
        for sum in summaries(rows, reference: reference) {
            s += "| \(sum.program) | -O\(sum.level) | \(sum.modules) | \(ratio(sum.size)) | \(ratio(sum.code)) | \(ratio(sum.gzip)) | \(ratio(sum.run)) | \(sum.failures) |\n"
        }
        s += "\n### Per module: output file bytes, run time in ms (median CPU time when measured, else wall), optimize wall time in ms\n\n"
        s += "| module | level | input |" + toolNames.map { " \($0) |" }.joined() + " input run |" + toolNames.map { " \($0) run |" }.joined()
            + toolNames.map { " \($0) opt |" }.joined() + " outputs |\n"
        s += "|---|---|---:|" + String(repeating: "---:|", count: toolNames.count * 3 + 1) + "---|\n"
        for module in unique(rows.map(\.module)) {
            let input = row(rows, module: module, tool: "input", level: "-")
            for level in levels(rows) {
                let cells = toolNames.map { row(rows, module: module, tool: $0, level: level) }
                guard cells.contains(where: { $0 != nil }) || rows.contains(where: { $0.module == module && $0.level == level }) else { continue }
                let failed = rows.filter { $0.module == module && ($0.level == level || $0.tool == "input") && ($0.output == "FAIL" || $0.status != "ok") }
                let checked = rows.contains { $0.module == module && !$0.output.isEmpty }
                let verdict = !failed.isEmpty ? "FAIL: " + failed.map(\.tool).joined(separator: ", ") : (checked ? "ok" : "-")
                s += "| \(module) | -O\(level) | \(input.map { String($0.size) } ?? "-") |"
                s += cells.map { " \($0.map { String($0.size) } ?? "failed") |" }.joined()
                s += " \(ms(input?.runTime)) |" + cells.map { " \(ms($0?.runTime)) |" }.joined()
                s += cells.map { " \(ms($0?.optMilliseconds)) |" }.joined() + " \(verdict) |\n"
            }
        }
        return s
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// A grouped bar chart: per program and level, Lathe's size and run time relative to the reference, with a line at 1.
    static func svg(_ rows: [BenchRow], reference: String) -> String {
        let groups = summaries(rows, reference: reference)
        let barWidth = 14.0, groupWidth = 44.0, left = 56.0, top = 40.0, plotHeight = 220.0, bottom = 90.0
        let width = left + Double(max(groups.count, 1)) * groupWidth + 20
        let height = top + plotHeight + bottom
        let maxRatio = max(1.25, (groups.flatMap { [$0.code ?? 0, $0.run ?? 0] }.max() ?? 1) * 1.1)
        func y(_ v: Double) -> Double { top + plotHeight * (1 - v / maxRatio) }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(f(width))\" height=\"\(f(height))\" viewBox=\"0 0 \(f(width)) \(f(height))\" font-family=\"sans-serif\" font-size=\"11\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"\(f(left))\" y=\"16\" font-size=\"13\">Lathe relative to \(escape(reference)) (below 1: Lathe smaller or faster)</text>\n"
        s += "<rect x=\"\(f(left))\" y=\"22\" width=\"10\" height=\"10\" fill=\"#4e79a7\"/><text x=\"\(f(left + 14))\" y=\"31\">code size</text>\n"
        s += "<rect x=\"\(f(left + 80))\" y=\"22\" width=\"10\" height=\"10\" fill=\"#f28e2b\"/><text x=\"\(f(left + 94))\" y=\"31\">run time</text>\n"
        var tick = 0.0
        let step = maxRatio > 2.5 ? 0.5 : 0.25
        while tick <= maxRatio + 1e-9 {
            s += "<line x1=\"\(f(left))\" x2=\"\(f(width - 10))\" y1=\"\(f(y(tick)))\" y2=\"\(f(y(tick)))\" stroke=\"#ddd\"/>"
            s += "<text x=\"\(f(left - 6))\" y=\"\(f(y(tick) + 4))\" text-anchor=\"end\">\(String(format: "%.2f", tick))</text>\n"
            tick += step
        }
        s += "<line x1=\"\(f(left))\" x2=\"\(f(width - 10))\" y1=\"\(f(y(1)))\" y2=\"\(f(y(1)))\" stroke=\"black\" stroke-dasharray=\"4 3\"/>\n"
        for (i, g) in groups.enumerated() {
            let x0 = left + Double(i) * groupWidth + 6
            for (k, (value, color)) in [(g.code, "#4e79a7"), (g.run, "#f28e2b")].enumerated() {
                guard let value else { continue }
                let x = x0 + Double(k) * barWidth
                s += "<rect x=\"\(f(x))\" y=\"\(f(y(value)))\" width=\"\(f(barWidth - 2))\" height=\"\(f(y(0) - y(value)))\" fill=\"\(color)\"><title>\(escape(g.program)) -O\(escape(g.level)) \(k == 0 ? "code size" : "run time"): \(String(format: "%.3f", value))</title></rect>\n"
            }
            let lx = x0 + barWidth, ly = top + plotHeight + 12
            s += "<text x=\"\(f(lx))\" y=\"\(f(ly))\" text-anchor=\"end\" transform=\"rotate(-45 \(f(lx)) \(f(ly)))\">\(escape(g.program)) -O\(escape(g.level))</text>\n"
        }
        s += "<line x1=\"\(f(left))\" x2=\"\(f(left))\" y1=\"\(f(top))\" y2=\"\(f(y(0)))\" stroke=\"black\"/>\n"
        s += "</svg>\n"
        return s
    }
}
