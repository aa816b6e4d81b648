import Foundation
@testable import StratusAPI
import StratusIndex
import Testing

/// The JSON resource query schema (`ResourceSearchSchema`) and the `filter=` grammar, against the answers of
/// Gnocchi 4.7.1's voluptuous schema and pyparsing grammar (recorded with the upstream code).
@Suite struct SearchQueryParserTests {
    static let creator = "admin:admin"

    static func json(_ text: String) throws -> JSONValue { try JSONValue.parse(Array(text.utf8)) }

    static func expression(_ text: String) throws -> SearchExpression? {
        try ResourceSearchSchema.parse(try json(text), creator: creator)
    }

    // MARK: - JSON

    @Test func jsonQueriesBecomeExpressions() throws {
        #expect(try Self.expression("{}") == nil)
        #expect(try Self.expression(#"{"=": {"name": "x"}}"#) == .equal("name", .string("x")))
        #expect(try Self.expression(#"{"≥": {"flavor": 2}}"#) == .comparison(.greaterThanOrEqual, attribute: "flavor", value: .integer(2)))
        #expect(try Self.expression(#"{"ne": {"flavor": 2.5}}"#) == .comparison(.notEqual, attribute: "flavor", value: .number(2.5)))
        #expect(try Self.expression(#"{"like": {"name": null}}"#) == .comparison(.like, attribute: "name", value: .null))
        #expect(try Self.expression(#"{"in": {"a": [null, true, 1.5]}}"#)
            == .comparison(.in, attribute: "a", value: .list([.null, .bool(true), .number(1.5)])))
        #expect(try Self.expression(#"{"∧": [{"=": {"a": 1}}, {"not": {"lt": {"b": "x"}}}]}"#)
            == .and([.equal("a", .integer(1)), .not(.comparison(.lessThan, attribute: "b", value: .string("x")))]))
        #expect(try Self.expression(#"{"∨": [{"eq": {"a": 1}}]}"#) == .or([.equal("a", .integer(1))]))
    }

    @Test func idValuesAreConvertedAsResourceIds() throws {
        // uuid5 of "abc\0admin:admin", as Gnocchi's ResourceUUID computes it.
        #expect(try Self.expression(#"{"=": {"id": "abc"}}"#) == .equal("id", .string("a1b9976e-f8e8-51cc-866c-a7b110352553")))
        #expect(try Self.expression(#"{"or": [{"in": {"id": ["a", "b"]}}]}"#) == .or([.comparison(.in, attribute: "id", value: .list([
            .string("05b66ff0-08c0-560e-9adc-3efc147fedb6"), .string("6235b80b-a4e4-5fbd-b7a7-b4c30d70eba9"),
        ]))]))
        #expect(try Self.expression(#"{"=": {"id": "{12345678-1234-1234-1234-123456789ABC}"}}"#)
            == .equal("id", .string("12345678-1234-1234-1234-123456789abc")))
    }

    /// (body, reason, detail path) as voluptuous words them.
    @Test(arguments: [
        (#"{"=": {"name": "x", "b": 1}}"#, "length of value must be at most 1 for dictionary value @ data['=']", ["="]),
        (#"{"=": {}}"#, "length of value must be at least 1 for dictionary value @ data['=']", ["="]),
        (#"{"=": {"name": [1]}}"#, "expected str for dictionary value @ data['=']['name']", ["=", "name"]),
        (#"{"=": {"name": {"a": 1}}}"#, "expected str for dictionary value @ data['=']['name']", ["=", "name"]),
        (#"{"=": "x"}"#, "expected a dictionary for dictionary value @ data['=']", ["="]),
        (#"{"=": "xy"}"#, "length of value must be at most 1 for dictionary value @ data['=']", ["="]),
        (#"{"=": []}"#, "length of value must be at least 1 for dictionary value @ data['=']", ["="]),
        (#"{"=": [1]}"#, "expected a dictionary for dictionary value @ data['=']", ["="]),
        (#"{"=": 5}"#, "invalid value or type for dictionary value @ data['=']", ["="]),
        (#"{"foo": {"name": 1}}"#, "not a valid value @ data['foo']", ["foo"]),
        (#"{"lifespan": 1}"#, "not a valid value @ data['lifespan']", ["lifespan"]),
        (#"{"=": {"id": "a/b"}}"#, "'/' is not supported in resource id for dictionary value @ data['=']['id']", ["=", "id"]),
        (#"{"=": {"id": 5}}"#, "expected str for dictionary value @ data['=']['id']", ["=", "id"]),
        (#"{"=": {"host": "a\u0000b"}}"#, "NUL characters are not allowed for dictionary value @ data['=']['host']", ["=", "host"]),
        (#"{"in": {"host": ["a\u0000"]}}"#, "NUL characters are not allowed @ data['in']['host'][0]", ["in", "host", "0"]),
        (#"{"like": {"id": "abc"}}"#, "value must not be one of ['id'] @ data['like']['id']", ["like", "id"]),
        (#"{"in": {"id": []}}"#, "length of value must be at least 1 for dictionary value @ data['in']['id']", ["in", "id"]),
        (#"{"in": {"name": []}}"#, "length of value must be at least 1 for dictionary value @ data['in']['name']", ["in", "name"]),
        (#"{"in": {"name": "x"}}"#, "expected a list for dictionary value @ data['in']['name']", ["in", "name"]),
        (#"{"in": {"name": [[1]]}}"#, "expected str @ data['in']['name'][0]", ["in", "name", "0"]),
        (#"{"in": {"name": [1, {"a": 1}]}}"#, "expected str @ data['in']['name'][1]", ["in", "name", "1"]),
        (#"{"in": {"id": ["a/b"]}}"#, "'/' is not supported in resource id @ data['in']['id'][0]", ["in", "id", "0"]),
        (#"{"in": {"name": [1], "x": [2]}}"#, "length of value must be at most 1 for dictionary value @ data['in']", ["in"]),
        (#"{"and": []}"#, "length of value must be at least 1 for dictionary value @ data['and']", ["and"]),
        (#"{"and": {"=": {"a": 1}}}"#, "expected a list for dictionary value @ data['and']", ["and"]),
        (#"{"and": [{"=": {"a": 1}}, {"foo": 1}]}"#, "not a valid value @ data['and'][1]['foo']", ["and", "1", "foo"]),
        (#"{"and": [{"=": {"a": 1}}, {"=": {"b": [1]}}]}"#, "expected str for dictionary value @ data['and'][1]['=']['b']", ["and", "1", "=", "b"]),
        (#"{"and": [5]}"#, "invalid value or type @ data['and'][0]", ["and", "0"]),
        (#"{"and": [[]]}"#, "expected a dictionary @ data['and'][0]", ["and", "0"]),
        (#"{"and": [{"a": 1, "b": 2}]}"#, "length of value must be at most 1 @ data['and'][0]", ["and", "0"]),
        (#"{"not": {"=": {"a": 1}}, "and": []}"#, "length of value must be at most 1", []),
        (#"{"not": []}"#, "expected a dictionary for dictionary value @ data['not']", ["not"]),
        (#"{"not": 5}"#, "invalid value or type for dictionary value @ data['not']", ["not"]),
        (#"{"not": {"=": {"a": [2]}}}"#, "expected str for dictionary value @ data['not']['=']['a']", ["not", "=", "a"]),
        (#"{"not": {"foo": 1}}"#, "not a valid value @ data['not']['foo']", ["not", "foo"]),
        ("[]", "expected a dictionary", []),
        (#""x""#, "expected a dictionary", []),
        ("5", "invalid value or type", []),
        ("null", "invalid value or type", []),
    ])
    func jsonSchemaViolationsAreWordedAsVoluptuous(_ body: String, _ reason: String, _ path: [String]) throws {
        do {
            _ = try Self.expression(body)
            Issue.record("accepted \(body)")
        } catch let failure as ResourceSearchSchema.Failure {
            #expect(failure == .violation(SchemaViolation(message: "", path: [], isDictionaryValue: false)) || true)
            guard case .violation(let violation) = failure else {
                Issue.record("not a schema violation: \(failure)")
                return
            }
            #expect(violation.reason == reason)
            #expect(violation.path.map(\.text) == path)
        }
    }

    @Test func emptyNestedQueriesCannotBeParsed() throws {
        for body in [#"{"and": [{}]}"#, #"{"not": {}}"#] {
            #expect(throws: ResourceSearchSchema.Failure.search(.invalidQuery)) { try Self.expression(body) }
        }
        let error = ResourceSearchSchema.Failure.search(.invalidQuery).apiError
        #expect(error.status == .badRequest)
        #expect(error.description == .string("Unable to parse this query"))
    }

    // MARK: - filter=

    static func filter(_ text: String) throws -> SearchExpression? {
        try SearchFilterParser.expression(text, creator: creator)
    }

    @Test func filterStringsFollowGnocchisGrammar() throws {
        #expect(try Self.filter("name = 'x'") == .equal("name", .string("x")))
        #expect(try Self.filter("'name' = \"x y\"") == .equal("name", .string("x y")))
        #expect(try Self.filter("a=1") == .equal("a", .number(1)))
        #expect(try Self.filter("a = -1.5e3") == .equal("a", .number(-1500)))
        #expect(try Self.filter("a = 1.") == .equal("a", .number(1)))
        #expect(try Self.filter("a = True") == .equal("a", .bool(true)))
        #expect(try Self.filter("a != false") == .comparison(.notEqual, attribute: "a", value: .bool(false)))
        #expect(try Self.filter("a = None") == .equal("a", .null))
        #expect(try Self.filter("a eq none") == .equal("a", .null))
        #expect(try Self.filter("a ≥ 1") == .comparison(.greaterThanOrEqual, attribute: "a", value: .number(1)))
        #expect(try Self.filter("a = 12345678-1234-1234-1234-123456789012")
            == .equal("a", .string("12345678-1234-1234-1234-123456789012")))
        #expect(try Self.filter("name in [1, 'a', true, null]")
            == .comparison(.in, attribute: "name", value: .list([.number(1), .string("a"), .bool(true), .null])))
        #expect(try Self.filter("name like 'x%'") == .comparison(.like, attribute: "name", value: .string("x%")))
        #expect(try Self.filter("started_at > '2014-01-01'")
            == .comparison(.greaterThan, attribute: "started_at", value: .string("2014-01-01")))
        #expect(try Self.filter("lifespan > 3600") == .comparison(.greaterThan, attribute: "lifespan", value: .number(3600)))
        #expect(try Self.filter("id = abc") == .equal("id", .string("a1b9976e-f8e8-51cc-866c-a7b110352553")))
        #expect(try Self.filter("nullable = 1") == .equal("nullable", .number(1)))
        #expect(try Self.filter("notes = 1") == .equal("notes", .number(1)))
        #expect(try Self.filter("a = Nonesuch") == .equal("a", .string("Nonesuch")))
    }

    @Test func filterOperatorsBindNotThenAndThenOr() throws {
        let a = SearchExpression.equal("a", .number(1)), b = SearchExpression.equal("b", .number(2))
        let c = SearchExpression.equal("c", .number(3)), d = SearchExpression.equal("d", .number(4))
        #expect(try Self.filter("a = 1 and b = 2 and c = 3") == .and([a, b, c]))
        #expect(try Self.filter("a = 1 or b = 2 or c = 3") == .or([a, b, c]))
        #expect(try Self.filter("a = 1 and b = 2 or c = 3 and d = 4") == .or([.and([a, b]), .and([c, d])]))
        #expect(try Self.filter("a = 1 ∧ b = 2 ∨ c = 3") == .or([.and([a, b]), c]))
        #expect(try Self.filter("(a = 1 or b = 2) and c = 3") == .and([.or([a, b]), c]))
        #expect(try Self.filter("not a = 1 and b = 2") == .and([.not(a), b]))
        #expect(try Self.filter("not not a = 1") == .not(.not(a)))
        #expect(try Self.filter("¬(a = 1 or b = 2)") == .not(.or([a, b])))
        #expect(try Self.filter("  ( ( a = 1 ) )  ") == a)
    }

    /// Every syntax error names what was expected, what was found and where.
    @Test(arguments: [
        ("", "Invalid filter: Expected an attribute name, a parenthesis or 'not', found end of text  (at char 0), (line:1, col:1)"),
        ("   ", "Invalid filter: Expected an attribute name, a parenthesis or 'not', found end of text  (at char 3), (line:1, col:4)"),
        ("name = ", "Invalid filter: Expected a value, found end of text  (at char 7), (line:1, col:8)"),
        ("name ~ 1", "Invalid filter: Expected a comparison operator, found '~'  (at char 5), (line:1, col:6)"),
        ("name", "Invalid filter: Expected a comparison operator, found end of text  (at char 4), (line:1, col:5)"),
        ("a = 1 and", "Invalid filter: Expected an attribute name, a parenthesis or 'not', found end of text  (at char 9), (line:1, col:10)"),
        ("id == foobar", "Invalid filter: Expected a value, found '='  (at char 4), (line:1, col:5)"),
        ("a = 1 b = 2", "Invalid filter: Expected end of text, found 'b'  (at char 6), (line:1, col:7)"),
        ("a = 5abc", "Invalid filter: Expected end of text, found 'abc'  (at char 5), (line:1, col:6)"),
        ("host = compute-1", "Invalid filter: Expected end of text, found '-'  (at char 14), (line:1, col:15)"),
        ("(a = 1", "Invalid filter: Expected ')', found end of text  (at char 6), (line:1, col:7)"),
        ("a = 1)", "Invalid filter: Expected end of text, found ')'  (at char 5), (line:1, col:6)"),
        ("a in [1, 2", "Invalid filter: Expected ',' or ']', found end of text  (at char 10), (line:1, col:11)"),
        ("a in [1,]", "Invalid filter: Expected a value, found ']'  (at char 8), (line:1, col:9)"),
        ("a = .5", "Invalid filter: Expected a value, found '.'  (at char 4), (line:1, col:5)"),
        ("3 = 3", "Invalid filter: Expected an attribute name, a parenthesis or 'not', found '3'  (at char 0), (line:1, col:1)"),
        ("= 1", "Invalid filter: Expected an attribute name, a parenthesis or 'not', found '='  (at char 0), (line:1, col:1)"),
        ("a = 'it''s'", "Invalid filter: Expected end of text, found \"'\"  (at char 8), (line:1, col:9)"),
        ("name = \"unterminated", "Invalid filter: Expected a closing '\"', found end of text  (at char 20), (line:1, col:21)"),
        ("a = 1\nand b", "Invalid filter: Expected a comparison operator, found end of text  (at char 11), (line:2, col:6)"),
    ])
    func filterSyntaxErrorsSayWhereAndWhy(_ text: String, _ message: String) throws {
        do {
            _ = try SearchFilterParser.json(text)
            Issue.record("parsed \(text)")
        } catch {
            #expect(error.description == message)
            #expect(error.apiError.status == .badRequest)
        }
    }

    @Test func deepNestingIsRefusedNotACrash() throws {
        let deep = String(repeating: "(", count: 100_000) + "a = 1" + String(repeating: ")", count: 100_000)
        #expect(throws: SearchFilterParser.SyntaxError.self) { try SearchFilterParser.json(deep) }
        let nots = String(repeating: "not ", count: 100_000) + "a = 1"
        #expect(throws: SearchFilterParser.SyntaxError.self) { try SearchFilterParser.json(nots) }
        let lists = "a in " + String(repeating: "[", count: 100_000)
        #expect(throws: SearchFilterParser.SyntaxError.self) { try SearchFilterParser.json(lists) }
        let fine = String(repeating: "(", count: 200) + "a = 1" + String(repeating: ")", count: 200)
        #expect(try SearchFilterParser.json(fine) == ["=": ["a": 1.0]])
    }

    @Test func filterValuesGoThroughTheJSONSchema() throws {
        for (text, reason) in [
            ("name in []", "length of value must be at least 1 for dictionary value @ data['in']['name']"),
            ("id like 'x%'", "value must not be one of ['id'] @ data['like']['id']"),
            ("a = [1, [2]]", "expected str for dictionary value @ data['=']['a']"),
            ("id = 'a/b'", "'/' is not supported in resource id for dictionary value @ data['=']['id']"),
        ] {
            do {
                _ = try Self.filter(text)
                Issue.record("accepted \(text)")
            } catch let error as APIError {
                let description: JSONValue = error.description
                #expect(description["cause"] == .string("Invalid input"))
                #expect(description["reason"] == .string(reason))
            }
        }
    }

    // MARK: - Metric value predicates

    static func predicate(_ text: String) throws -> MetricValuePredicate {
        try MetricValuePredicate.parse(try json(text))
    }

    @Test func metricPredicatesEvaluateLikePython() throws {
        let ge50 = try Self.predicate(#"{">=": 50}"#)
        #expect(ge50.matches(50) && !ge50.matches(49.9))
        let nested = try Self.predicate(#"{">=": [{"+": 23}, 50]}"#)
        #expect(nested.matches(27) && !nested.matches(26))
        let both = try Self.predicate(#"{"and": [{">": 1}, {"<": 5}, {"≠": 3}]}"#)
        #expect(both.matches(2) && !both.matches(3) && !both.matches(5))
        let either = try Self.predicate(#"{"∨": [{"=": 1}, {"eq": [{"%": 2}, 0]}]}"#)
        #expect(either.matches(1) && either.matches(4) && !either.matches(3))
        let notOne = try Self.predicate(#"{"not": [{"=": 1}]}"#)
        #expect(notOne.matches(2) && !notOne.matches(1))
        #expect(try Self.predicate(#"{"and": []}"#).matches(0))
        #expect(!(try Self.predicate(#"{"or": []}"#).matches(0)))
        // Python's modulo takes the divisor's sign; arithmetic alone keeps nonzero results.
        #expect(try Self.predicate(#"{"=": [{"mod": 3}, 2]}"#).matches(-1))
        #expect(try Self.predicate(#"{"-": 3}"#).matches(4) && !(try Self.predicate(#"{"-": 3}"#).matches(3)))
        #expect(try Self.predicate(#"{"=": [{"**": 2}, 9]}"#).matches(-3))
        #expect(try Self.predicate(#"{"<": [{"÷": 2}, {"×": [1, 3]}]}"#).matches(5))
        #expect(try Self.predicate(#"{">=": true}"#).matches(1))
        #expect(!(try Self.predicate(#"{">": 0}"#).matches(.nan)))
    }

    @Test(arguments: [
        (#"{">=": "x"}"#, "expected float for dictionary value @ data['>=']"),
        (#"{"foo": 1}"#, "not a valid value @ data['foo']"),
        ("{}", "length of value must be at least 1"),
        (#"{">=": [1]}"#, "expected float for dictionary value @ data['>=']"),
        (#"{">=": [1, 2, 3]}"#, "expected float for dictionary value @ data['>=']"),
        (#"{">=": [1, "x"]}"#, "expected a dictionary @ data['>='][1]"),
        (#"{"and": {">=": 1}}"#, "not a valid value @ data['and']"),
        (#"{"and": [{"foo": 1}]}"#, "not a valid value @ data['and'][0]['foo']"),
        ("[]", "length of value must be at least 1"),
        ("5", "invalid value or type"),
        (#"{">=": 1, "<": 2}"#, "length of value must be at most 1"),
        (#"{"and": [5]}"#, "invalid value or type @ data['and'][0]"),
        (#"{">=": [{"foo": 1}, 2]}"#, "not a valid value @ data['>='][0]['foo']"),
    ])
    func metricPredicateViolationsAreWordedAsVoluptuous(_ body: String, _ reason: String) throws {
        do {
            _ = try Self.predicate(body)
            Issue.record("accepted \(body)")
        } catch let violation as SchemaViolation {
            #expect(violation.reason == reason)
        }
    }
}
