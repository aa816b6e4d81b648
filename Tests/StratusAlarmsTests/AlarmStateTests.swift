import Testing
@testable import StratusAlarms

@Suite struct AlarmStateTests {
    @Test func statesAreSpelledAsAodhSpellsThem() {
        #expect(AlarmState.allCases.map(\.rawValue) == ["ok", "alarm", "insufficient data"])
        #expect(AlarmState(rawValue: "insufficient data") == .insufficientData)
        #expect(AlarmState(rawValue: "insufficient_data") == nil)
    }
}
