import Foundation
import LatheOpt
import LatheTestSupport
import LatheWasm
import Testing

@testable import LatheFuzz

/// The mutator, the mutation fuzzer and the kept mutants that once crashed or hung.
@Suite struct MutationTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Small seeds: the example module and the modules of a few spec scripts (when the suite is present).
    static let seeds: [[UInt8]] = {
        var out = MutationSeeds.load([repositoryRoot.appendingPathComponent("examples").path])
        let suite = SpecSuite.directory(repositoryRoot: repositoryRoot)
        for name in ["block.wast", "loop.wast", "br_table.wast", "call.wast", "local_tee.wast", "memory.wast"] {
            out += MutationSeeds.modules(inFile: suite.appendingPathComponent(name).path)
        }
        return out
    }()

    @Test func splitMixIsTheReferenceSequence() {
        // The first outputs of SplitMix64 seeded with 0 (the published reference values).
        var rng = SplitMix64(seed: 0)
        #expect(rng.next() == 0xE220_A839_7B1D_CDAF)
        #expect(rng.next() == 0x6E78_9E6A_A1B9_65F4)
    }

    @Test func lebEncodingsDecodeBack() {
        for value: UInt64 in [0, 1, 127, 128, 624_485, 0xFFFF_FFFF, UInt64.max] {
            for minLength in [1, 5, 10] {
                let enc = MutationLEB.unsigned(value, minLength: minLength)
                #expect(enc.count >= minLength)
                let dec = MutationLEB.decode(enc, at: 0)
                #expect(dec?.value == value && dec?.length == enc.count)
            }
        }
        #expect(MutationLEB.unsigned(624_485) == [0xE5, 0x8E, 0x26])
    }

    @Test func sectionsCutAndJoinAValidModuleExactly() throws {
        let bytes = try #require(Self.seeds.first)
        let layout = try #require(MutationSections(bytes))
        #expect(layout.sections.count > 3 && layout.tail.isEmpty)
        #expect(layout.bytes == bytes)
        let code = try #require(layout.indices(of: 10).last)
        let vector = try #require(MutationVector(codePayload: layout.sections[code].payload))
        #expect(!vector.entries.isEmpty && vector.codePayload == layout.sections[code].payload)
    }

    @Test func sameSeedGivesTheSameMutants() {
        let a = MutationFuzzer(seeds: Self.seeds, options: { var o = MutationFuzzer.Options(); o.seed = 42; return o }())
        let b = MutationFuzzer(seeds: Self.seeds, options: { var o = MutationFuzzer.Options(); o.seed = 42; return o }())
        let c = MutationFuzzer(seeds: Self.seeds, options: { var o = MutationFuzzer.Options(); o.seed = 43; return o }())
        let first = (0..<200).map { a.mutant($0) }
        #expect(first == (0..<200).map { b.mutant($0) })
        #expect(first != (0..<200).map { c.mutant($0) })
        // Mutants differ from their seeds and from each other.
        #expect(Set(first).count > 150)
        #expect(first.filter { Self.seeds.contains($0) }.count < 20)
    }

    @Test func everyMutationKindChangesSomeModule() {
        let seed = Self.seeds[0], donor = Self.seeds[Self.seeds.count - 1]
        for kind in WasmMutator.Kind.allCases {
            var changed = false
            for s in 0..<20 where !changed {
                var rng = SplitMix64(seed: UInt64(s))
                changed = WasmMutator.mutate(seed, kind: kind, donor: donor, rng: &rng) != seed
            }
            #expect(changed, "\(kind) never changed the module")
        }
    }

    @Test func shortRunReachesEveryStageWithoutFindings() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-mutation-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        var options = MutationFuzzer.Options()
        options.seed = 7
        options.count = 200
        options.hangThreshold = 60
        options.outputDirectory = dir
        let fuzzer = MutationFuzzer(seeds: Self.seeds, options: options)
        var seen = 0
        let report = try fuzzer.run { index, bytes in
            // The input is on disk before it runs, so a crash leaves its reproducer.
            let onDisk = FileManager.default.contents(atPath: dir.appendingPathComponent("current-input.wasm").path)
            #expect(onDisk.map(Array.init) == bytes)
            #expect(index == seen)
            seen += 1
        }
        #expect(report.inputsRun == 200 && seen == 200)
        #expect(report.rejectedAtRead > 0)
        #expect(report.rejectedAtValidate > 0)
        #expect(report.optimized > 0)
        #expect(report.rejectedAtRead + report.rejectedAtValidate + report.optimized + report.findings.count == 200)
        #expect(report.findings.isEmpty, "\(report.summary)")
        #expect(report.slowestIndex >= 0 && report.slowestInput == fuzzer.mutant(report.slowestIndex))
    }

    @Test func slowInputsAreKeptAsHangs() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-mutation-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        var options = MutationFuzzer.Options()
        options.count = 40
        options.hangThreshold = 0
        options.outputDirectory = dir
        let report = try MutationFuzzer(seeds: Self.seeds, options: options).run()
        // Every input takes longer than no time at all: all are hangs, each kept on disk.
        #expect(report.hangs.count == 40)
        for kept in report.hangs {
            let path = try #require(kept.path)
            #expect(FileManager.default.contents(atPath: path).map(Array.init) == kept.bytes)
        }
    }

    @Test func checkOneInputSortsInputsByStage() {
        #expect(MutationFuzzer.checkOneInput(bytes: []).isRejectedAtRead)
        #expect(MutationFuzzer.checkOneInput(bytes: [0, 0x61, 0x73, 0x6D, 1, 0, 0, 0]) == .optimized)
        // A function returning i32 whose body is empty: reads, does not validate.
        let invalid: [UInt8] = [0, 0x61, 0x73, 0x6D, 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, 0x7F, 3, 2, 1, 0, 10, 4, 1, 2, 0, 0x0B]
        if case .rejectedAtValidate = MutationFuzzer.checkOneInput(bytes: invalid) {} else { Issue.record("expected a validation error") }
    }

    /// Every kept mutant (inputs that once crashed, hung or broke the optimizer) now gets an answer.
    @Test func keptMutantsGetAnAnswer() throws {
        let dir = Self.repositoryRoot.appendingPathComponent("Tests/LatheFuzzTests/mutants")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix(".wasm") }.sorted()
        for name in names {
            let bytes = try #require(FileManager.default.contents(atPath: dir.appendingPathComponent(name).path))
            let start = DispatchTime.now().uptimeNanoseconds
            let outcome = MutationFuzzer.checkOneInput(bytes: Array(bytes))
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            #expect(!outcome.isFinding, "\(name): \(outcome)")
            #expect(seconds < 30, "\(name) took \(seconds) s")
        }
    }
}

extension MutationFuzzer.Outcome {
    var isRejectedAtRead: Bool {
        if case .rejectedAtRead = self { return true }
        return false
    }
}
