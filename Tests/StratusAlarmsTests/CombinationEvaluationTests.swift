import Foundation
import Testing
@testable import StratusAlarms

@Suite struct CombinationEvaluationTests {
    let a = UUID(uuidString: "00000000-0000-0000-0000-00000000000a")!
    let b = UUID(uuidString: "00000000-0000-0000-0000-00000000000b")!

    func decide(
        _ op: CombinationRule.Operator, _ current: AlarmState, _ sa: AlarmState?, _ sb: AlarmState?, repeat: Bool = false
    ) -> AlarmDecision? {
        CombinationEvaluation.decide(
            current: current, repeatActions: `repeat`, rule: CombinationRule(operator: op, alarmIDs: [a, b]),
            states: [(a, sa), (b, sb)])
    }

    @Test func andNeedsEveryAlarm() throws {
        let alarm = try #require(decide(.and, .insufficientData, .alarm, .alarm))
        #expect(alarm.state == .alarm)
        #expect(alarm.reason == "Transition to alarm due to alarms \(a.lowercaseText),\(b.lowercaseText) in state alarm")
        #expect(alarm.reasonData == .combination(alarmIDs: [a.lowercaseText, b.lowercaseText]))
        let ok = try #require(decide(.and, .alarm, .alarm, .ok))
        #expect(ok.state == .ok)
        #expect(ok.reason == "Transition to ok due to alarms \(b.lowercaseText) in state ok")
        #expect(ok.reasonData.pythonJSON == #"{"type": "combination", "alarm_ids": ["\#(b.lowercaseText)"]}"#)
    }

    @Test func orNeedsOneAlarm() throws {
        #expect(try #require(decide(.or, .ok, .ok, .alarm)).state == .alarm)
        #expect(try #require(decide(.or, .alarm, .ok, .ok)).state == .ok)
    }

    @Test func missingOrUnknownSubAlarmsAreInsufficient() throws {
        let unknown = try #require(decide(.and, .ok, .alarm, nil))
        #expect(unknown.state == .insufficientData)
        #expect(unknown.reason == "Alarms \(b.lowercaseText) are in unknown state")
        #expect(unknown.reasonData == .combination(alarmIDs: [b.lowercaseText]))
        #expect(try #require(decide(.and, .alarm, .insufficientData, .insufficientData)).reason
            == "Alarms \(a.lowercaseText),\(b.lowercaseText) are in unknown state")
        // Already unknown: nothing.
        #expect(decide(.and, .insufficientData, .alarm, nil) == nil)
    }

    @Test func orWithOneAlarmIsSufficientDespiteUnknowns() throws {
        let alarm = try #require(decide(.or, .insufficientData, .insufficientData, .alarm))
        #expect(alarm.state == .alarm)
        #expect(alarm.reason == "Transition to alarm due to alarms \(b.lowercaseText) in state alarm")
        #expect(try #require(decide(.or, .ok, nil, .ok)).state == .insufficientData)
    }

    @Test func repeatActionsRemains() throws {
        #expect(decide(.and, .alarm, .alarm, .alarm) == nil)
        let again = try #require(decide(.and, .alarm, .alarm, .alarm, repeat: true))
        #expect(again.reason == "Remaining as alarm due to alarms \(a.lowercaseText),\(b.lowercaseText) in state alarm")
    }
}
