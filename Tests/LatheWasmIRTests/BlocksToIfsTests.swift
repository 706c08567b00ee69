import LatheWasm
@testable import LatheWasmIR
import XCTest

/// `LoweredCode.blocksToIfs` on hand-built entry lists: which blocks become `if`s, and the labels of
/// the branches that leave them.
final class BlocksToIfsTests: XCTestCase {
    typealias Entry = LoweredCode.Entry

    func rewrite(_ entries: [Entry]) -> [String] {
        var code = LoweredCode()
        code.entries = entries
        code.blocksToIfs()
        return code.entries.map { e in e.shape == .index ? "\(e.opcode) \(e.a)" : "\(e.opcode)" }
    }

    func block() -> Entry { Entry(opcode: .block, shape: .emptyBlock) }
    func end() -> Entry { Entry(opcode: .end, shape: .none) }
    func nop() -> Entry { Entry(opcode: .nop, shape: .none) }
    func get(_ i: UInt32) -> Entry { Entry(opcode: .localGet, shape: .index, a: i) }
    func brIf(_ l: UInt32) -> Entry { Entry(opcode: .brIf, shape: .index, a: l) }

    func testNestedBlocksBecomeIfsAndABranchLeavingBothLosesTwoLevels() {
        let out = rewrite([
            block(),            // A: first branch is the br_if 0 after i32.eqz
            block(),            // B: first branch is br_if 0 after local.get 1
            get(0), brIf(2),    // leaves A and B (to the function's label) from their S parts
            get(1), brIf(0),
            nop(),
            end(),
            get(2), Entry(opcode: .i32Eqz, shape: .none), brIf(0),
            nop(),
            end(),
            end(),
        ])
        XCTAssertEqual(out, [
            "localGet 0", "brIf 0",
            "localGet 1", "i32Eqz", "if", "nop", "end",
            "localGet 2", "if", "nop", "end",
            "end",
        ])
    }

    func testABranchFromTheTailKeepsItsLabelAndAComparisonIsNegated() {
        let out = rewrite([
            block(),
            get(0), get(1), Entry(opcode: .i32LtS, shape: .none), brIf(0),
            block(), get(2), brIf(1), end(),   // in T: names the `if` now, same depth
            end(),
            end(),
        ])
        XCTAssertEqual(out, ["localGet 0", "localGet 1", "i32GeS", "if", "block", "localGet 2", "brIf 1", "end", "end", "end"])
    }

    func testBlocksWithABranchTableOrElseBeforeTheirBranchStay() {
        let table = [
            block(),
            get(0), Entry(opcode: .brTable, shape: .other),
            get(1), brIf(0),
            end(),
            end(),
        ]
        XCTAssertEqual(rewrite(table).first, "block")
        let nestedBranchFirst = [
            block(),
            block(), get(0), brIf(1), end(),   // the first branch to the outer block is not directly inside it
            get(1), brIf(0),
            end(),
            end(),
        ]
        XCTAssertEqual(rewrite(nestedBranchFirst).filter { $0 == "if" }.count, 0)
    }
}
