import Testing
import LatheFuzz

@Test func generatorVersionIsPositive() {
    #expect(LatheFuzz.generatorVersion > 0)
}
