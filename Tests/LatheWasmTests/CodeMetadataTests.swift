import LatheWasm
import XCTest

final class CodeMetadataTests: XCTestCase {
    func testPayloadRoundTripsAndRejectsTrailingBytes() throws {
        let metadata = CodeMetadata(functions: [(3, [.init(offset: 0, payload: [127])]), (5, [.init(offset: 9, payload: [1]), .init(offset: 14, payload: [0])])])
        let bytes = metadata.payload
        XCTAssertEqual(try CodeMetadata(payload: bytes[...]), metadata)
        XCTAssertThrowsError(try CodeMetadata(payload: (bytes + [0])[...]))
        XCTAssertThrowsError(try CodeMetadata(payload: bytes.dropLast()))
    }

    /// Rewritten functions lose their instruction-level items (stale offsets) and keep function-level ones; others keep everything.
    func testStaleItemsOfRewrittenFunctionsAreDropped() throws {
        let hints = CodeMetadata(functions: [(3, [.init(offset: 0, payload: [127]), .init(offset: 7, payload: [1])]), (4, [.init(offset: 5, payload: [1])]), (6, [.init(offset: 5, payload: [0])])])
        var module = Module()
        module.customSections = [
            CustomSection(name: "metadata.code.branch_hint", payload: hints.payload[...], after: .code),
            CustomSection(name: "producers", payload: [0][...], after: .code),
            CustomSection(name: "metadata.code.inline", payload: [1, 2][...], after: .code),
        ]
        module.dropStaleCodeMetadata(rewrittenFunctions: [3, 4])
        XCTAssertEqual(module.customSections.map(\.name), ["metadata.code.branch_hint", "producers"], "undecodable metadata is dropped, other sections stay")
        let kept = try CodeMetadata(payload: module.customSections[0].payload)
        XCTAssertEqual(kept, CodeMetadata(functions: [(3, [.init(offset: 0, payload: [127])]), (6, [.init(offset: 5, payload: [0])])]))
    }
}
