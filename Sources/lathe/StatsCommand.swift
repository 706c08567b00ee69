import ArgumentParser
import Foundation
import LatheWasm

/// `lathe stats FILE [--json]`: sizes, counts and per-opcode counts of a module.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stats", abstract: "Sizes, counts and opcode counters of a module.")

    @Argument(help: "A module (.wasm or .wat).") var file: String
    @Flag(help: "Machine-readable output.") var json = false

    func run() throws {
        do {
            let (module, bytes) = try loadModule(file)
            let stats = try ModuleStats(module: module, bytes: bytes)
            if json {
                let data = try JSONSerialization.data(withJSONObject: stats.jsonObject(file: file), options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
                print(String(decoding: data, as: UTF8.self))
            } else {
                print(stats.text(file: file), terminator: "")
            }
        } catch {
            throw ExitCode(report(error))
        }
    }
}

/// The figures `lathe stats` reports.
struct ModuleStats {
    /// Counters compiler authors watch, in display order, and the opcodes each one sums.
    static let watched: [(String, @Sendable (Opcode) -> Bool)] = [
        ("call", { $0 == .call }),
        ("call_indirect", { $0 == .callIndirect }),
        ("call_ref", { $0 == .callRef }),
        ("return_call*", { $0 == .returnCall || $0 == .returnCallIndirect || $0 == .returnCallRef }),
        ("struct.new*", { $0 == .structNew || $0 == .structNewDefault }),
        ("array.new*", { [.arrayNew, .arrayNewDefault, .arrayNewFixed, .arrayNewData, .arrayNewElem].contains($0) }),
        ("ref.cast", { $0 == .refCast || $0 == .refCastNullable }),
        ("ref.test", { $0 == .refTest || $0 == .refTestNullable }),
        ("br_on_cast*", { $0 == .brOnCast || $0 == .brOnCastFail }),
        ("local.get", { $0 == .localGet }),
        ("local.set", { $0 == .localSet }),
        ("local.tee", { $0 == .localTee }),
        ("loads", { $0.isLoad }),
        ("stores", { $0.isStore }),
        ("v128 ops", { $0.info.feature == .simd || $0.info.feature == .relaxedSimd }),
        ("i64.extend_i32_u", { $0 == .i64ExtendI32U }),
        ("i64.shl", { $0 == .i64Shl }),
        ("i64.or", { $0 == .i64Or }),
        ("i64.shr_u", { $0 == .i64ShrU }),
        ("i32.wrap_i64", { $0 == .i32WrapI64 }),
    ]

    var fileSize: Int
    var gzipSize: Int
    var sha256: String
    var sections: [(name: String, size: Int)]
    var counts: [(String, Int)]
    var opcodeCounts: [Opcode: Int]
    var instructionCount: Int

    init(module: Module, bytes: [UInt8]) throws {
        fileSize = bytes.count
        gzipSize = gzipCompressedSize(bytes)
        sha256 = sha256Hex(bytes)
        sections = Self.sectionSizes(bytes)
        counts = [
            ("types", module.types.count), ("imports", module.imports.count),
            ("functions", module.functions.count), ("globals", module.globals.count),
            ("exports", module.exports.count), ("tables", module.tables.count),
            ("memories", module.memories.count), ("tags", module.tags.count),
            ("element segments", module.elements.count), ("data segments", module.data.count),
        ]
        var opcodes: [Opcode: Int] = [:]
        var total = 0
        for body in module.bodies {
            var it = body.makeIterator()
            while let inst = try it.next() {
                opcodes[inst.opcode, default: 0] += 1
                total += 1
            }
        }
        opcodeCounts = opcodes
        instructionCount = total
    }

    /// The id and total size (header included) of each top-level section, in file order.
    static func sectionSizes(_ bytes: [UInt8]) -> [(name: String, size: Int)] {
        var r = ByteReader(bytes: bytes)
        r.position = 8
        var out: [(String, Int)] = []
        while !r.isAtEnd {
            let start = r.position
            guard let id = try? r.readByte(), let size = try? r.readU32() else { break }
            var name = SectionID(rawValue: id)?.name ?? "unknown"
            if id == 0, var nr = Optional(r), let n = try? nr.readName() { name = "custom \"\(n)\"" }
            r.position += Int(size)
            out.append((name, r.position - start))
        }
        return out
    }

    func watchedCounts() -> [(String, Int)] {
        Self.watched.map { name, matches in
            (name, opcodeCounts.reduce(0) { $0 + (matches($1.key) ? $1.value : 0) })
        }
    }

    func text(file: String) -> String {
        var s = "\(file)\n"
        s += "  size        \(fileSize) bytes\n  gzip        \(gzipSize) bytes\n  sha256      \(sha256)\n"
        s += "sections:\n"
        for (name, size) in sections { s += "  \(name.padding(toLength: 24, withPad: " ", startingAt: 0)) \(size)\n" }
        s += "counts:\n"
        for (name, n) in counts { s += "  \(name.padding(toLength: 24, withPad: " ", startingAt: 0)) \(n)\n" }
        s += "instructions: \(instructionCount)\n"
        s += "watched opcodes:\n"
        for (name, n) in watchedCounts() { s += "  \(name.padding(toLength: 24, withPad: " ", startingAt: 0)) \(n)\n" }
        s += "all opcodes:\n"
        for (op, n) in opcodeCounts.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key.rawValue < $1.key.rawValue }) {
            s += "  \(op.name.padding(toLength: 24, withPad: " ", startingAt: 0)) \(n)\n"
        }
        return s
    }

    func jsonObject(file: String) -> [String: Any] {
        [
            "file": file, "size": fileSize, "gzip_size": gzipSize, "sha256": sha256,
            "sections": sections.map { ["name": $0.name, "size": $0.size] },
            "counts": Dictionary(uniqueKeysWithValues: counts),
            "instructions": instructionCount,
            "watched": Dictionary(uniqueKeysWithValues: watchedCounts()),
            "opcodes": Dictionary(opcodeCounts.map { ($0.key.name + ($0.key == .selectTyped ? " (typed)" : ""), $0.value) }, uniquingKeysWith: +),
        ]
    }
}

extension Opcode {
    /// Reads linear memory (plain, SIMD and atomic loads).
    var isLoad: Bool {
        (info.immediate == .memArg || info.immediate == .memArgLane) && name.contains("load")
    }
    /// Writes linear memory (plain, SIMD and atomic stores).
    var isStore: Bool {
        (info.immediate == .memArg || info.immediate == .memArgLane) && name.contains("store")
    }
}
