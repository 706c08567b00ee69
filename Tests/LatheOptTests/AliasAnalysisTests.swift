import LatheEntity
import LatheIR
import LatheOpt
import Testing

let memoryLoopIR = """
    function %f(i32, i32) -> i32 {
        mem0 = memory 1
        gv0 = global i32 mutable
        gv1 = global i64 mutable
        gv2 = global i32
        sig0 = (i32) -> i32
        fn0 = %f sig0
    block0(v0: i32, v1: i32):
        v2 = iconst.i32 8
        v3 = iadd v0, v2
        v4 = iconst.i32 -4
        v5 = iadd v4, v3
        v6 = iconst.i32 12
        v7 = isub v5, v6
        v20 = iconst.i32 100
        jump block1

    block1:
        v8 = load.i32 v0
        store v8, v5
        istore16 v8, v7+14
        brif v8, block1, block2

    block2:
        global_set gv0, v8
        v9 = call fn0(v8)
        store v9, v20+4
        v10 = load.i64 v20
        brif v9, block2, block3

    block3:
        return v9
    }
    """

@Suite struct AliasAnalysisTests {
    func location(_ f: Function, block: Int, inst: Int) -> MemoryLocation {
        AliasAnalysis.location(of: f.layout.insts(f.layout.blocks[block])[inst], in: f)!
    }

    @Test func constantsArePeeledIntoTheDisplacement() throws {
        let f = try parseFunctions(memoryLoopIR)[0]
        let v0 = f.dfg.params(f.layout.blocks[0])[0]
        let load = location(f, block: 1, inst: 0)
        let store = location(f, block: 1, inst: 1)
        let narrow = location(f, block: 1, inst: 2)
        #expect(load.base == v0 && load.displacement == 0 && load.width == 4 && load.addressBits == 32)
        #expect(store.base == v0 && store.displacement == 4 && store.width == 4)
        // -12 + 14 after +4: 6, modulo 2^32.
        #expect(narrow.base == v0 && narrow.displacement == 6 && narrow.width == 2)
        #expect(!AliasAnalysis.mayAlias(load, store) && !AliasAnalysis.mayAlias(store, load))
        #expect(AliasAnalysis.mayAlias(store, narrow))
        let absolute = location(f, block: 2, inst: 2)
        #expect(absolute.base == nil && absolute.displacement == 104)
        let absoluteLoad = location(f, block: 2, inst: 3)
        #expect(absoluteLoad.width == 8 && AliasAnalysis.mayAlias(absolute, absoluteLoad))
        #expect(AliasAnalysis.mayAlias(absolute, load))
    }

    @Test func disjointnessHoldsModuloTheAddressWidth() {
        let v = Value(index: 0)
        func at(_ d: UInt64, _ w: UInt64, bits: Int = 32, base: Value? = v) -> MemoryLocation {
            MemoryLocation(memory: 0, base: base, displacement: d, width: w, addressBits: bits)
        }
        #expect(!AliasAnalysis.mayAlias(at(0, 4), at(4, 4)))
        #expect(AliasAnalysis.mayAlias(at(0, 4), at(3, 4)))
        #expect(AliasAnalysis.mayAlias(at(3, 4), at(0, 4)))
        // 0xFFFFFFFE..0x1 wraps onto 0: a 4-byte access at -2 overlaps one at 0 modulo 2^32.
        #expect(AliasAnalysis.mayAlias(at(0xFFFF_FFFE, 4), at(0, 4)))
        #expect(!AliasAnalysis.mayAlias(at(0xFFFF_FFFC, 4), at(0, 4)))
        #expect(!AliasAnalysis.mayAlias(at(0xFFFF_FFFF_FFFF_FFF8, 8, bits: 64), at(0, 8, bits: 64)))
        #expect(AliasAnalysis.mayAlias(at(0xFFFF_FFFF_FFFF_FFFC, 8, bits: 64), at(0, 8, bits: 64)))
        // Different bases prove nothing, nor do different memory indices alone.
        #expect(AliasAnalysis.mayAlias(at(0, 4), at(64, 4, base: Value(index: 1))))
        #expect(AliasAnalysis.mayAlias(at(0, 4, base: nil), at(64, 4)))
    }

    @Test func globalWritesReachGlobalsOfTheSameTypeAndMutability() throws {
        let f = try parseFunctions(memoryLoopIR)[0]
        let set = f.layout.insts(f.layout.blocks[2])[0]
        #expect(AliasAnalysis.mayClobber(global: set, GlobalRef(index: 0), in: f))
        #expect(!AliasAnalysis.mayClobber(global: set, GlobalRef(index: 1), in: f))
        #expect(!AliasAnalysis.mayClobber(global: set, GlobalRef(index: 2), in: f))
        #expect(AliasAnalysis.isImmutable(GlobalRef(index: 2), in: f))
    }

    @Test func loopSummariesAreCachedAndGoWithLoopsOrEffects() throws {
        let f = try parseFunctions(memoryLoopIR)[0]
        var cache = AnalysisCache()
        let summaries = cache.loopEffects(f)
        #expect(summaries.count == 2)
        #expect(summaries[0].memoryWrites.count == 2 && !summaries[0].hasCall && summaries[0].globalWrites.isEmpty)
        #expect(summaries[1].memoryWrites.count == 1 && summaries[1].hasCall && summaries[1].globalWrites.count == 1)
        _ = cache.loopEffects(f)
        #expect(cache.loopEffectsComputations == 1 && cache.memoryEffectsComputations == 1)
        cache.invalidate(keeping: .all)
        _ = cache.loopEffects(f)
        #expect(cache.loopEffectsComputations == 1)
        cache.invalidate(keeping: [.cfg, .dominators, .loops])
        _ = cache.loopEffects(f)
        #expect(cache.loopEffectsComputations == 2 && cache.memoryEffectsComputations == 2 && cache.loopComputations == 1)
        cache.invalidate(keeping: [.memoryEffects])
        _ = cache.loopEffects(f)
        #expect(cache.loopEffectsComputations == 3 && cache.memoryEffectsComputations == 2 && cache.loopComputations == 2)
    }
}
