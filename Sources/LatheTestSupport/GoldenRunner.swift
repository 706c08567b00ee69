import Foundation
import LatheIR

/// Runs one golden `.lir` file and reports mismatches; with `LATHE_BLESS=1` rewrites its expectations.
///
/// File format: the first non-empty line names the kind of test.
/// - `test print`: the file parses and verifies; printing is a fixed point (`print(parse(p)) == p`);
///   `; CHECK: text` lines must match printed lines in order (substring), `; NEXT: text` the line
///   right after the previous match. Bless rewrites the CHECK/NEXT block at the end of the file.
/// - `test verify`: every verifier error must be announced by `; error: text` (substring of the
///   message) on the line of the offending instruction, block header or function header, and every
///   announcement must happen. CHECK/NEXT lines match the rendered report. Bless rewrites the
///   `; error:` comments.
/// - `test interpret`: the file verifies; each `; run: %f(args) == results` or `; run: %f(args)
///   traps CODE` line runs on a fresh interpreter. Bless rewrites the part after the call.
/// - `test optimize PASSES`: the file verifies; each `; run:` line holds on it (as for `interpret`);
///   `optimize` (PASSES is a comma-separated list) transforms the module (`; set KEY: VALUE` lines
///   configure it); every function of the result verifies,
///   every `; run:` line still holds, and CHECK/NEXT lines match the printed result. Bless rewrites
///   the CHECK/NEXT block, never the run lines (they must hold before and after).
public struct GoldenRunner {
    public let path: String
    var lines: [String]
    var failures: [String] = []
    let bless: Bool
    /// Runs the named passes on the module, for `test optimize` files (nil: such files fail).
    ///
    /// `settings` holds the file's `; set KEY: VALUE` lines (for instance `; set internal: %helper`).
    public var optimize: ((_ passes: [String], _ module: inout Module, _ settings: [String: String]) throws -> Void)?

    public init(path: String) throws {
        self.path = path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        bless = ProcessInfo.processInfo.environment["LATHE_BLESS"] == "1"
    }

    var kind: String {
        (lines.first { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? "").trimmingCharacters(in: .whitespaces)
    }

    /// Lines with the header replaced by a comment so the parser sees only IR (line numbers kept).
    var irText: String {
        var seenHeader = false
        return lines.map { line in
            if !seenHeader && line.hasPrefix("test ") { seenHeader = true; return "; " + line }
            return line
        }.joined(separator: "\n") + "\n"
    }

    /// The file's `; set KEY: VALUE` lines.
    var settings: [String: String] {
        var out: [String: String] = [:]
        for line in lines where line.hasPrefix("; set ") {
            let rest = line.dropFirst("; set ".count)
            guard let colon = rest.firstIndex(of: ":") else { continue }
            out[String(rest[..<colon])] = rest[rest.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return out
    }

    mutating func fail(_ line: Int?, _ message: String) {
        failures.append("\(path)\(line.map { ":\($0)" } ?? ""): \(message)")
    }

    /// Runs the file; returns failure messages (empty when everything matched or was blessed).
    public mutating func run() -> [String] {
        let parsed: ParsedModule
        do { parsed = try parseModule(irText) } catch {
            fail(error.line, "parse error: \(error.message) (column \(error.column))")
            return failures
        }
        checkRoundTrip(parsed)
        switch kind {
        case "test print": runPrint(parsed)
        case "test verify": runVerify(parsed)
        case "test interpret": runInterpret(parsed)
        case let k where k.hasPrefix("test optimize "): runOptimize(parsed, passes: String(k.dropFirst("test optimize ".count)))
        default: fail(1, "unknown test kind '\(kind)'")
        }
        if bless { try? (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8) }
        // Blessing rewrites expectations; what it cannot rewrite (run lines of `optimize` files, which
        // must hold before and after) still fails.
        return failures
    }

    // MARK: kinds

    mutating func requireValid(_ parsed: ParsedModule) -> Bool {
        var ok = true
        for (f, map) in zip(parsed.module.functions, parsed.sourceMaps) {
            let report = f.verify()
            if !report.isValid { fail(map.functionLine, "does not verify:\n\(report.render())"); ok = false }
        }
        return ok
    }

    /// Every kind: printed text parses back to the same text.
    mutating func checkRoundTrip(_ parsed: ParsedModule) {
        let printed = parsed.module.text
        do {
            let again = try parseModule(printed).module.text
            if again != printed { fail(nil, "printing is not a fixed point:\n\(printed)\n---\n\(again)") }
        } catch { fail(nil, "printed text does not parse: \(error)") }
    }

    mutating func runPrint(_ parsed: ParsedModule) {
        _ = requireValid(parsed)
        checkLines(against: parsed.module.text, blessable: true)
    }

    mutating func runVerify(_ parsed: ParsedModule) {
        var actual: [Int: [String]] = [:]
        var rendered = ""
        for (f, map) in zip(parsed.module.functions, parsed.sourceMaps) {
            let report = f.verify()
            rendered += report.render()
            for e in report.errors {
                let line: Int
                switch e.location {
                case .function: line = map.functionLine
                case .block(let b): line = map.blockLines[b]
                case .inst(let i): line = map.instLines[i]
                }
                actual[line, default: []].append(e.message)
            }
        }
        let marker = "; error:"
        if bless {
            for n in lines.indices {
                if let r = lines[n].range(of: marker) { lines[n] = String(lines[n][..<r.lowerBound]).replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) }
                for m in actual[n + 1] ?? [] { lines[n] += " \(marker) \(m)" }
            }
            return
        }
        for (n, line) in lines.enumerated() {
            let expected = line.components(separatedBy: marker).dropFirst().map { $0.trimmingCharacters(in: .whitespaces) }
            var got = actual.removeValue(forKey: n + 1) ?? []
            for e in expected {
                if let k = got.firstIndex(where: { $0.contains(e) }) { got.remove(at: k) }
                else { fail(n + 1, "expected error '\(e)' was not reported") }
            }
            for g in got { fail(n + 1, "unexpected error: \(g)") }
        }
        for (line, messages) in actual { for m in messages { fail(line, "unexpected error: \(m)") } }
        checkLines(against: rendered, blessable: false)
    }

    mutating func runOptimize(_ parsed: ParsedModule, passes: String) {
        guard requireValid(parsed) else { return }
        guard let optimize else { fail(1, "no optimizer to run '\(passes)'"); return }
        checkRuns(parsed.module, blessable: false, stage: "before optimizing")
        var module = parsed.module
        let names = passes.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        do { try optimize(names, &module, settings) } catch {
            fail(1, "optimizing failed: \(error)")
            return
        }
        for f in module.functions {
            let k = parsed.module.index(of: f.name)
            let report = f.verify()
            if !report.isValid { fail(k.map { parsed.sourceMaps[$0].functionLine }, "result does not verify:\n\(report.render())") }
        }
        checkRuns(module, blessable: false, stage: "after optimizing")
        checkLines(against: module.text, blessable: true)
    }

    mutating func runInterpret(_ parsed: ParsedModule) {
        guard requireValid(parsed) else { return }
        checkRuns(parsed.module, blessable: true, stage: nil)
    }

    /// Checks every `; run:` line against `module`; with bless and `blessable`, rewrites the expectations instead.
    mutating func checkRuns(_ module: Module, blessable: Bool, stage: String?) {
        let marker = "; run:"
        for n in lines.indices {
            guard let r = lines[n].range(of: marker) else { continue }
            let body = String(lines[n][r.upperBound...]).trimmingCharacters(in: .whitespaces)
            let invocation: RunInvocation
            do { invocation = try RunInvocation(parsing: body, in: module) } catch {
                fail(n + 1, "bad run line: \(error)"); continue
            }
            var interpreter = Interpreter(module: module, fuel: 1_000_000)
            let outcome = interpreter.call(invocation.function, invocation.args)
            if bless && blessable {
                let call = body.components(separatedBy: " == ")[0].components(separatedBy: " traps ")[0]
                lines[n] = String(lines[n][..<r.upperBound]) + " " + call + " " + RunInvocation.describe(outcome)
            } else if !invocation.isSatisfied(by: outcome) {
                var detail = RunInvocation.describe(outcome)
                if case .failure(let t) = outcome { detail += " (\(t))" }
                fail(n + 1, "\(body): got \(detail)\(stage.map { " (\($0))" } ?? "")")
            }
        }
    }

    /// FileCheck-style matching of `; CHECK:` / `; NEXT:` lines against `output`.
    mutating func checkLines(against output: String, blessable: Bool) {
        let outLines = output.components(separatedBy: "\n")
        if bless && blessable {
            lines.removeAll { $0.hasPrefix("; CHECK:") || $0.hasPrefix("; NEXT:") }
            while lines.last?.isEmpty == true { lines.removeLast() }
            lines.append("")
            for (k, l) in outLines.enumerated() where !(k == outLines.count - 1 && l.isEmpty) {
                lines.append((k == 0 ? "; CHECK: " : "; NEXT: ") + l)
            }
            return
        }
        var cursor = -1
        for (n, line) in lines.enumerated() {
            if line.hasPrefix("; CHECK:") {
                let pattern = String(line.dropFirst("; CHECK:".count)).trimmingCharacters(in: .whitespaces)
                guard let k = outLines.indices.first(where: { $0 > cursor && outLines[$0].contains(pattern) }) else {
                    fail(n + 1, "CHECK not found after output line \(cursor + 1): \(pattern)\noutput:\n\(output)")
                    return
                }
                cursor = k
            } else if line.hasPrefix("; NEXT:") {
                let pattern = String(line.dropFirst("; NEXT:".count)).trimmingCharacters(in: .whitespaces)
                guard cursor + 1 < outLines.count, pattern.isEmpty ? outLines[cursor + 1].trimmingCharacters(in: .whitespaces).isEmpty : outLines[cursor + 1].contains(pattern) else {
                    fail(n + 1, "NEXT expected '\(pattern)' on output line \(cursor + 2), found '\(cursor + 1 < outLines.count ? outLines[cursor + 1] : "<end>")'")
                    return
                }
                cursor += 1
            }
        }
    }
}
