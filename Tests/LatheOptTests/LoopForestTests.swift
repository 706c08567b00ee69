import LatheIR
import LatheOpt
import Testing

let nestedLoopsIR = """
    function %f(i32) -> i32 {
    block0(v0: i32):
        jump block1(v0)

    block1(v1: i32):
        jump block2(v1)

    block2(v2: i32):
        brif v2, block2(v2), block3

    block3:
        brif v1, block1(v1), block4

    block4:
        brif v0, block5, block6

    block5:
        jump block4

    block6:
        return v0

    block7:
        jump block7
    }
    """

@Suite struct LoopForestTests {
    @Test func nestedAndSiblingLoopsWithParentsDepthsAndLatches() throws {
        let f = try parseFunctions(nestedLoopsIR)[0]
        var cache = AnalysisCache()
        let forest = cache.loops(f)
        let b = f.layout.blocks
        // Outer loop block1..block3, inner self-loop block2, sibling loop block4/block5; block7 is unreachable.
        #expect(forest.loops.map(\.header) == [b[1], b[2], b[4]])
        #expect(forest.loops[0].blocks == [b[1], b[2], b[3]])
        #expect(forest.loops[0].latches == [b[3]])
        #expect(forest.loops[1].blocks == [b[2]] && forest.loops[1].latches == [b[2]])
        #expect(forest.loops[2].blocks == [b[4], b[5]])
        #expect(forest.loops.map(\.parent) == [nil, 0, nil])
        #expect(forest.loops.map(\.depth) == [1, 2, 1])
        #expect(forest.innermostLoop(b[2]) == 1 && forest.innermostLoop(b[3]) == 0 && forest.innermostLoop(b[6]) == nil)
        #expect(forest.contains(0, b[2]) && !forest.contains(1, b[3]) && !forest.contains(0, b[4]))
        #expect(forest.innermostLoop(b[7]) == nil)
    }

    @Test func loopsAreCachedAndGoWithTheDominatorTree() throws {
        let f = try parseFunctions(nestedLoopsIR)[0]
        var cache = AnalysisCache()
        _ = cache.loops(f)
        _ = cache.loops(f)
        #expect(cache.loopComputations == 1 && cache.dominatorComputations == 1)
        cache.invalidate(keeping: .all)
        _ = cache.loops(f)
        #expect(cache.loopComputations == 1)
        cache.invalidate(keeping: [.cfg, .loops])
        #expect(cache.valid == .cfg)
        _ = cache.loops(f)
        #expect(cache.loopComputations == 2 && cache.dominatorComputations == 2)
    }
}
