import XCTest
final class Q: XCTestCase { func testX() {} }
