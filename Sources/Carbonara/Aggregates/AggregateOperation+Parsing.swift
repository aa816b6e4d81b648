import StratusCore

extension AggregateOperation {
    /// Validates a raw tree as Gnocchi 4.7.1's `OperationsSchema` does (the top level cannot be a number).
    /// - Throws: `AggregatesError` (`invalidOperations`) whose `reason` is voluptuous' message for the body key
    ///   `operations` (`'foo' operation invalid for dictionary value @ data['operations']`) and whose `detail`
    ///   is the error path (`["operations"]`).
    public static func parse(_ node: OperationNode) throws(AggregatesError) -> AggregateOperation {
        switch validateOperation(node) {
        case .success(let operation):
            return operation
        case .failure(let failure):
            let reason: String
            let path: [OperationNode]
            switch failure {
            case .plain(let message):
                reason = "\(message) for dictionary value @ data['operations']"
                path = [.string("operations")]
            case .metricArguments(let index):
                reason = "None @ data['operations'][\(index)]"
                path = [.string("operations"), .string(String(index))]
            }
            throw AggregatesError(code: .invalidOperations, cause: "Invalid input", reason: reason, detail: .list(path))
        }
    }

    /// Parses the S-expression form, then validates it.
    /// - Throws: `AggregatesError` (`unparsableOperations` or `invalidOperations`).
    public static func parse(_ text: String) throws(AggregatesError) -> AggregateOperation {
        try parse(SExpressionParser.parse(text))
    }

    /// Why a node does not validate: a plain message about the node, or voluptuous' `None` error at an index of
    /// the arguments of a `metric` node (which, having the longest path, wins over every other message).
    enum SchemaFailure: Error, Equatable {
        case plain(String)
        case metricArguments(Int)
    }

    static func validateOperation(_ node: OperationNode, depth: Int = 0) -> Result<AggregateOperation, SchemaFailure> {
        guard depth < SExpressionParser.maximumDepth else {
            return .failure(.plain("Operations nested more than \(SExpressionParser.maximumDepth) levels deep"))
        }
        guard case .list(let items) = node else {
            return .failure(.plain("Expected a tuple/list, got a <class '\(node.pythonTypeName)'>"))
        }
        guard let head = items.first else { return .failure(.plain("Operation must not be empty")) }
        guard items.count >= 2 else { return .failure(.plain("Operation need at least one argument")) }
        if head == .string("metric") { return validateMetric(Array(items.dropFirst())) }

        var metricFailure: SchemaFailure?
        func attempt(_ build: () -> Result<AggregateOperation, SchemaFailure>) -> AggregateOperation? {
            switch build() {
            case .success(let operation): return operation
            case .failure(let failure):
                if case .metricArguments = failure, metricFailure == nil { metricFailure = failure }
                return nil
            }
        }
        let name = head.stringValue ?? ""
        let args = Array(items.dropFirst())
        // Same order as Gnocchi's OperationsSchemaBase (after MetricSchema).
        let d = depth + 1
        if name == "clip", args.count == 3, let op = attempt({ clip(args, d) }) { return .success(op) }
        if let op = BinaryOperator.spellings[name], args.count == 2,
           let result = attempt({ subNodes(args, d).map { .binary(op, spelling: name, $0[0], $0[1]) } }) {
            return .success(result)
        }
        if name == "clip", args.count == 2, let op = attempt({ clip(args, d) }) { return .success(op) }
        if let op = UnaryOperator.spellings[name], args.count == 1,
           let result = attempt({ subNode(args[0], d).map { .unary(op, spelling: name, $0) } }) {
            return .success(result)
        }
        if let op = TimestampedUnaryOperator(rawValue: name), args.count == 1,
           let result = attempt({ subNode(args[0], d).map { .timestamped(op, $0) } }) {
            return .success(result)
        }
        if name == "aggregate", args.count == 2, let method = args[0].stringValue.flatMap(CrossMethod.init),
           let result = attempt({ subNode(args[1], d).map { .aggregate(method, $0) } }) {
            return .success(result)
        }
        if name == "resample", args.count == 3, let method = args[0].stringValue.flatMap(CrossMethod.init),
           let span = timespan(args[1]),
           let result = attempt({ subNode(args[2], d).map { .resample(method.name, span, $0) } }) {
            return .success(result)
        }
        if name == "rolling", args.count == 3, let method = args[0].stringValue.flatMap(CrossMethod.init),
           let window = pythonInt(args[1]), window >= 1, window <= Int64(Int32.max),
           let result = attempt({ subNode(args[2], d).map { .rolling(method, Int(window), $0) } }) {
            return .success(result)
        }
        return .failure(metricFailure ?? .plain("'\(head.pythonStr)' operation invalid"))
    }

    private static func clip(_ args: [OperationNode], _ depth: Int) -> Result<AggregateOperation, SchemaFailure> {
        subNodes(args, depth).map { .clip($0[0], $0[1], $0.count > 2 ? $0[2] : nil) }
    }

    /// `MetricSchema` on the arguments: `ID AGG`, or one or more `[ID, AGG]` pairs.
    private static func validateMetric(_ args: [OperationNode]) -> Result<AggregateOperation, SchemaFailure> {
        if args.count == 2, let name = args[0].stringValue, let aggregation = args[1].stringValue {
            return .success(.metric([MetricLookup(name, aggregation)], listForm: false))
        }
        var lookups = [MetricLookup]()
        var allLists = true
        var firstBad: Int?
        for (index, arg) in args.enumerated() {
            guard case .list(let pair) = arg else {
                allLists = false
                continue
            }
            if pair.count == 2, let name = pair[0].stringValue, let aggregation = pair[1].stringValue {
                lookups.append(MetricLookup(name, aggregation))
            } else if firstBad == nil {
                firstBad = index
            }
        }
        if allLists, firstBad == nil, !lookups.isEmpty { return .success(.metric(lookups, listForm: true)) }
        return .failure(.metricArguments(allLists ? (firstBad ?? 0) : 0))
    }

    /// `OperationsSubNodeSchema`: an operation, else a number (`Coerce(float)`).
    private static func subNode(_ node: OperationNode, _ depth: Int) -> Result<AggregateOperation, SchemaFailure> {
        if case .list = node { return validateOperation(node, depth: depth) }
        if let value = pythonFloat(node) { return .success(.constant(value)) }
        return .failure(.plain("expected float"))
    }

    private static func subNodes(_ nodes: [OperationNode], _ depth: Int) -> Result<[AggregateOperation], SchemaFailure> {
        var result = [AggregateOperation]()
        for node in nodes {
            switch subNode(node, depth) {
            case .success(let op): result.append(op)
            case .failure(let failure): return .failure(failure)
            }
        }
        return .success(result)
    }

    /// Python `float(value)`.
    static func pythonFloat(_ node: OperationNode) -> Double? {
        switch node {
        case .integer(let i): Double(i)
        case .number(let d): d
        case .bool(let b): b ? 1 : 0
        case .string(let s): PythonFormat.parseFloat(s)
        default: nil
        }
    }

    /// Python `int(value)` (`Coerce(int)`): floats truncated, strings of digits only.
    static func pythonInt(_ node: OperationNode) -> Int64? {
        switch node {
        case .integer(let i): return i
        case .number(let d): return d.isFinite && abs(d) < 9.2e18 ? Int64(d.rounded(.towardZero)) : nil
        case .bool(let b): return b ? 1 : 0
        case .string(let s):
            var text = Substring(s.trimmingPythonWhitespace())
            var negative = false
            if let first = text.first, first == "+" || first == "-" {
                negative = first == "-"
                text = text.dropFirst()
            }
            guard let first = text.first, first.isASCII, first.isNumber, let last = text.last, last != "_",
                  !text.contains("__"), text.allSatisfy({ ($0.isASCII && $0.isNumber) || $0 == "_" }),
                  let value = Int64(text.filter { $0 != "_" }) else { return nil }
            return negative ? -value : value
        default: return nil
        }
    }

    /// `utils.to_timespan(value)`: seconds as a number or a pytimeparse duration, positive, in nanoseconds.
    static func timespan(_ node: OperationNode) -> Int64? {
        let nanoseconds: Int64
        switch node {
        case .string(let s):
            guard let parsed = try? Durations.parse(s) else { return nil }
            nanoseconds = parsed
        case .integer, .number, .bool:
            guard let seconds = pythonFloat(node), seconds.isFinite, abs(seconds) < 9.2e9 else { return nil }
            nanoseconds = Int64((seconds * 1e9).rounded(.towardZero))
        default:
            return nil
        }
        return nanoseconds > 0 ? nanoseconds : nil
    }
}

extension OperationNode {
    var stringValue: String? { if case .string(let s) = self { s } else { nil } }
}
