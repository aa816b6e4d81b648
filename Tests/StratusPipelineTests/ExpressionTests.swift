import StratusCore
import Testing
@testable import StratusPipeline

@Suite("Sample expressions")
struct ExpressionTests {
    @Test func cpuUtilScaleUsesCPUNumberOrOne() throws {
        let expression = try SampleExpression("100.0 / (10**9 * (resource_metadata.cpu_number or 1))")
        let twoCPUs = Sample.make("cpu", 0, metadata: ["cpu_number": 2])
        #expect(try expression.evaluate(sample: twoCPUs) == 100.0 / 2e9)
        let noMetadata = Sample.make("cpu", 0)
        #expect(try expression.evaluate(sample: noMetadata) == 100.0 / 1e9)
        let zero = Sample.make("cpu", 0, metadata: ["cpu_number": 0])
        #expect(try expression.evaluate(sample: zero) == 100.0 / 1e9)
    }

    @Test(arguments: [
        ("volume * 1.0 / 1024", 2048.0, 2.0),
        ("2 ** 3 ** 2", 0, 512.0),
        ("-2 ** 2", 0, -4.0),
        ("2 ** -1", 0, 0.5),
        ("7 // 2 + 7 % 3", 0, 4.0),
        ("-7 % 3", 0, 2.0),
        ("(volume + 1) * 2", 4, 10.0),
        ("volume or 5", 0, 5.0),
        ("1e3 + .5", 0, 1000.5),
        ("not volume", 0, 1.0),
        ("volume and 3", 1, 3.0),
    ])
    func evaluatesArithmeticAsPython(text: String, volume: Double, expected: Double) throws {
        let expression = try SampleExpression(text)
        #expect(try expression.evaluate(sample: .make("m", .double(volume))) == expected)
    }

    @Test(arguments: ["", "1 +", "(1", "volume volume", "import os", "__import__('os')", "$(cpu)", "volume; 1", "resource_metdata.x"])
    func rejectsInvalidExpressions(text: String) {
        #expect(throws: ExpressionError.self) { try SampleExpression(text) }
    }

    @Test func evaluationErrorsAreTyped() throws {
        #expect(throws: ExpressionError.self) { try SampleExpression("volume / 0").evaluate(sample: .make("m", 1)) }
        #expect(throws: ExpressionError.self) { try SampleExpression("name * 2").evaluate(sample: .make("m", 1)) }
        #expect(throws: ExpressionError.self) { try SampleExpression("resource_metadata.x * 2").evaluate(sample: .make("m", 1)) }
    }

    @Test func meterReferencesReadVolumesAndFields() throws {
        let expression = try SampleExpression("$(memory.usage) * 100 / $(memory) + $(memory).resource_metadata.extra", allowsMeterReferences: true)
        #expect(expression.meterNames == ["memory.usage", "memory"])
        let value = try expression.evaluate(meters: [
            "memory.usage": .make("memory.usage", 256), "memory": .make("memory", 1024, metadata: ["extra": 1]),
        ])
        #expect(value == 26)
    }

    @Test func deepNestingIsRejectedNotCrashing() {
        let text = String(repeating: "(", count: 500) + "1" + String(repeating: ")", count: 500)
        #expect(throws: ExpressionError.self) { try SampleExpression(text) }
    }
}
