import Carbonara
import Testing

private let minute: Int64 = 60_000_000_000
private let t0: Int64 = 1_704_110_400_000_000_000 // 2024-01-01T12:00:00Z

/// Series at 60 s: a = 1, 3, 5 at t0, t0+1m, t0+2m; b = 3, 5, 7 at t0, t0+1m, t0+3m.
private let a = TimeSeries(timestamps: [t0, t0 + minute, t0 + 2 * minute], values: [1, 3, 5])
private let b = TimeSeries(timestamps: [t0, t0 + minute, t0 + 3 * minute], values: [3, 5, 7])
private let keys = [MetricLookup("a", "mean"), MetricLookup("b", "mean")]

/// Runs `text` over the series it names (a alone unless it names b).
private func run(_ text: String, fill: AggregatesFill? = .dropNA, overlap: Double = 100, start: Int64? = nil, stop: Int64? = nil)
    throws -> CrossSeriesAggregator.Result {
    let both = text.contains("(b ") || text.contains(" b ")
    return try CrossSeriesAggregator.aggregate(
        AggregateOperation.parse(text), lookupKeys: both ? keys : [keys[0]],
        samplings: [.init(granularity: minute, series: both ? [a, b] : [a])],
        options: .init(start: start, stop: stop, fill: fill, neededOverlap: overlap))
}

private func values(_ result: CrossSeriesAggregator.Result, column: Int = 0) -> [Double] {
    result.blocks.flatMap { $0.columns[column].values }
}

@Suite("Aggregates: the operation language")
struct AggregatesOperationTests {
    @Test func sExpressionAndJSONFormsGiveTheSameTree() throws {
        let text = try AggregateOperation.parse("(aggregate mean (metric (a mean) (b max)))")
        let json = try AggregateOperation.parse(OperationNode.list([
            .string("aggregate"), .string("mean"),
            .list([.string("metric"), .list([.string("a"), .string("mean")]), .list([.string("b"), .string("max")])]),
        ]))
        #expect(text == json)
        #expect(text.references == [MetricLookup("a", "mean"), MetricLookup("b", "max")])
        // Numbers in the S-expression form are strings coerced as Python's float() does.
        #expect(try AggregateOperation.parse("(+ (metric a mean) 1_5e-1)") ==
            .binary(.add, spelling: "+", .metric([MetricLookup("a", "mean")], listForm: false), .constant(1.5)))
        #expect(try AggregateOperation.parse("(resample mean 5m (metric a mean))") ==
            .resample("mean", 5 * minute, .metric([MetricLookup("a", "mean")], listForm: false)))
    }

    @Test(arguments: [
        ("", "Expected '('  (at char 0), (line:1, col:1)"),
        ("mean", "Expected '(', found 'mean'  (at char 0), (line:1, col:1)"),
        ("(metric (a mean)", "Expected ')', found end of text  (at char 16), (line:1, col:17)"),
    ])
    func unparsableStringsReportWhereAndWhy(_ text: String, _ detail: String) {
        #expect(throws: AggregatesError(code: .unparsableOperations, cause: "Invalid operations",
                                        reason: "Fail to parse the operations string", detail: .string(detail))) {
            try AggregateOperation.parse(text)
        }
    }

    @Test func invalidTreesGetVoluptuousMessages() {
        func reason(_ node: OperationNode) -> String? {
            do { _ = try AggregateOperation.parse(node); return nil } catch { return error.reason }
        }
        #expect(reason(.list([.string("foo"), .list([.string("metric"), .string("a"), .string("mean")])]))
            == "'foo' operation invalid for dictionary value @ data['operations']")
        #expect(reason(.list([.string("metric"), .string("a"), .integer(1)])) == "None @ data['operations'][0]")
        #expect(reason(.integer(3)) == "Expected a tuple/list, got a <class 'int'> for dictionary value @ data['operations']")
        #expect(reason(.list([])) == "Operation must not be empty for dictionary value @ data['operations']")
        #expect(reason(.list([.string("rolling"), .string("mean"), .integer(0), .list([.string("metric"), .string("a"), .string("mean")])]))
            == "'rolling' operation invalid for dictionary value @ data['operations']")
    }

    @Test func deeplyNestedOperationsAreRefusedNotOverflowingTheStack() {
        let text = String(repeating: "(abs ", count: 10_000) + "(metric a mean)" + String(repeating: ")", count: 10_000)
        #expect(throws: AggregatesError.self) { try AggregateOperation.parse(text) }
        var node = OperationNode.list([.string("metric"), .string("a"), .string("mean")])
        for _ in 0..<500 { node = .list([.string("abs"), node]) }
        #expect(throws: AggregatesError.self) { try AggregateOperation.parse(node) }
        var fine = OperationNode.list([.string("metric"), .string("a"), .string("mean")])
        for _ in 0..<100 { fine = .list([.string("abs"), fine]) }
        #expect(throws: Never.self) { try AggregateOperation.parse(fine) }
    }

    @Test func aggregateReducesAcrossSeriesIgnoringMissingPoints() throws {
        #expect(values(try run("(aggregate mean (metric (a mean) (b mean)))")) == [2, 4, 5, 7])
        #expect(values(try run("(aggregate sum (metric (a mean) (b mean)))")) == [4, 8, 5, 7])
        #expect(values(try run("(aggregate count (metric (a mean) (b mean)))")) == [2, 2, 1, 1])
        #expect(values(try run("(aggregate max (metric (a mean) (b mean)))")) == [3, 5, 5, 7])
        // Population standard deviation: |1 - 3| / 2 = 1; a single value has std 0.
        #expect(values(try run("(aggregate std (metric (a mean) (b mean)))")) == [1, 1, 0, 0])
        #expect(values(try run("(aggregate var (metric (a mean) (b mean)))")) == [1, 1, 0, 0])
        // rate: differences of the means 2, 4, 5, 7, stamped at the later point.
        let rate = try run("(aggregate rate:mean (metric (a mean) (b mean)))")
        #expect(values(rate) == [2, 1, 2])
        #expect(rate.blocks[0].columns[0].timestamps == [t0 + minute, t0 + 2 * minute, t0 + 3 * minute])
    }

    @Test func fillModes() throws {
        #expect(values(try run("(aggregate mean (metric (a mean) (b mean)))", fill: .value(0))) == [2, 4, 2.5, 3.5])
        #expect(values(try run("(aggregate mean (metric (a mean) (b mean)))", fill: .forwardFill)) == [2, 4, 5, 6])
        #expect(values(try run("(aggregate mean (metric (a mean) (b mean)))", fill: .backwardFill)) == [2, 4, 6, 7])
        let null = try run("(- (metric a mean) (metric b mean))", fill: .null)
        #expect(values(null).prefix(2) == [-2, -2])
        #expect(values(null).dropFirst(2).allSatisfy { $0.isNaN })
        #expect(values(try run("(- (metric a mean) (metric b mean))")) == [-2, -2])
        #expect(AggregatesFill("full_ffill") == .fullForwardFill)
        #expect(AggregatesFill(" 1.5 ") == .value(1.5))
        #expect(AggregatesFill("zero") == nil)
    }

    @Test func neededOverlapCutsToTheCommonRangeOrFails() throws {
        #expect(values(try run("(aggregate mean (metric (a mean) (b mean)))", fill: nil)) == [2, 4])
        #expect(throws: AggregatesError.unaggregable(
            "Less than 100.000000% of datapoints overlap in this timespan (50.00%)",
            references: .list([.list([.string("a"), .string("mean")]), .list([.string("b"), .string("mean")])]))) {
            try run("(aggregate mean (metric (a mean) (b mean)))", fill: nil, start: t0, stop: t0 + 4 * minute)
        }
        #expect(values(try run("(aggregate mean (metric (a mean) (b mean)))", fill: nil, overlap: 50, start: t0, stop: t0 + 4 * minute))
            == [2, 4, 5, 7])
    }

    @Test func binaryUnaryAndTimestampOperators() throws {
        let product = try run("(* (metric (a mean) (b mean)) 10)")
        #expect(!product.isAggregated)
        #expect(values(product, column: 0) == [10, 30, 50])
        #expect(values(product, column: 1) == [30, 50, 70])
        #expect(values(try run("(>= (metric a mean) 3)")) == [0, 1, 1])
        #expect(values(try run("(% (metric a mean) -2)")) == [-1, -1, -1])
        #expect(values(try run("(clip (metric a mean) 2 4)")) == [2, 3, 4])
        #expect(values(try run("(neg (abs (metric a mean)))")) == [-1, -3, -5])
        #expect(values(try run("(round (/ (metric a mean) 2))")) == [0, 2, 2])
        #expect(values(try run("(rateofchange (metric a mean))")) == [2, 2])
        // 2 per minute = 1/30 per second; the first point has no predecessor.
        let perSecond = try run("(rateofchangesec (metric a mean))", fill: .null)
        #expect(values(perSecond)[0].isNaN)
        #expect(values(perSecond)[1...] == [2.0 / 60, 2.0 / 60])
        #expect(values(try run("(rolling max 2 (metric a mean))")) == [3, 5])
        // Series are aligned on the union of every referenced series' timestamps: a has no point at t0+3m.
        #expect(values(try run("(>= (metric (a mean) (b mean)) 3)"), column: 0) == [0, 1, 1, 0])
        let resampled = try run("(resample sum 120 (metric a mean))")
        #expect(values(resampled) == [4, 5])
        #expect(resampled.blocks[0].granularity == 2 * minute)
        #expect(throws: AggregatesError.self) { try run("(+ (metric a mean) (resample mean 120 (metric b mean)))") }
        #expect(throws: AggregatesError.self) { try run("(rolling mean 4 (metric a mean))") }
    }
}
