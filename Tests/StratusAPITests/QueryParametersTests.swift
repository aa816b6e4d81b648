@testable import StratusAPI
import Testing

@Suite("Query parameters as Gnocchi reads them")
struct QueryParametersTests {
    @Test func pairsAreFormDecodedInOrderAndBlankValuesKept() {
        let query = QueryParameters(query: "a=1&b=x+y&a=%E2%9C%94&flag&c=&d=%zz&e=50%25")
        #expect(query.values("a") == ["1", "✔"])
        #expect(query.value("a") == "✔")
        #expect(query.value("b") == "x y")
        #expect(query.value("flag") == "")
        #expect(query.contains("c") && query.value("c") == "")
        #expect(query.value("d") == "%zz")
        #expect(query.value("e") == "50%")
        #expect(query.isRepeated("a") && !query.isRepeated("b"))
        #expect(query.value("missing") == nil)
        #expect(QueryParameters(query: nil).pairs.isEmpty)
        #expect(QueryParameters(query: "").pairs.isEmpty)
    }

    @Test(arguments: [
        ("1", true), ("t", true), ("TRUE", true), ("on", true), ("y", true), ("Yes", true), (" true ", true),
        ("0", false), ("f", false), ("False", false), ("off", false), ("n", false), ("NO", false),
    ])
    func strtoboolReadsOsloStrings(text: String, expected: Bool) throws {
        #expect(try QueryParameters.strtobool("details", text) == expected)
    }

    @Test func strtoboolRejectsAnythingElseWithGnocchisMessage() {
        #expect {
            try QueryParameters.strtobool("refresh", "2")
        } throws: { error in
            (error as? APIError)?.description == .string(
                "Unable to parse `refresh': Unrecognized value '2', acceptable values are: "
                    + "'0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'")
        }
    }

    @Test func boolUsesTheDefaultWhenAbsentAndRejectsRepeats() throws {
        #expect(try QueryParameters(query: "").bool("details", default: true))
        #expect(try !QueryParameters(query: "details=no").bool("details", default: true))
        #expect(throws: APIError.self) { try QueryParameters(query: "details=true&details=false").bool("details", default: true) }
        #expect(throws: APIError.self) { try QueryParameters(query: "details=").bool("details", default: true) }
    }

    @Test func paginationClampsTheLimitAndKeepsSortsInOrder() throws {
        let page = try QueryParameters(query: "limit=5000&marker=abc&sort=name:desc&sort=id").pagination(maxLimit: 1000, defaultSorts: ["id:asc"])
        #expect(page.limit == 1000)
        #expect(page.marker == "abc")
        #expect(page.sorts == ["name:desc", "id"])
        let defaults = try QueryParameters(query: nil).pagination(maxLimit: 1000, defaultSorts: ["id:asc"])
        #expect(defaults == .init(limit: 1000, marker: nil, sorts: ["id:asc"]))
        #expect(try QueryParameters(query: "limit=+7").pagination(maxLimit: 10, defaultSorts: []).limit == 7)
    }

    @Test(arguments: [
        ("limit=0", "value must be at least 1 for dictionary value @ data['limit']"),
        ("limit=-1", "value must be at least 1 for dictionary value @ data['limit']"),
        ("limit=ten", "expected int for dictionary value @ data['limit']"),
        ("limit=1.5", "expected int for dictionary value @ data['limit']"),
        ("limit=1&limit=2", "expected int for dictionary value @ data['limit']"),
        ("marker=a&marker=b", "expected str for dictionary value @ data['marker']"),
    ])
    func paginationRejectsBadArgumentsAsGnocchi(query: String, reason: String) {
        #expect {
            try QueryParameters(query: query).pagination(maxLimit: 1000, defaultSorts: [])
        } throws: { error in
            (error as? APIError)?.description == ["cause": "Argument value error", "reason": .string(reason)]
        }
    }

    @Test func sortsParseDirectionsAndAppendUniqueKeys() throws {
        let sorts = try QueryParameters.sorts(
            [" name :desc", "unit", "creator:asc-nullslast", "status:"], validKeys: ["id", "name", "unit", "creator", "status"], unique: ["id"])
        #expect(sorts == [
            .init(key: "name", ascending: false), .init(key: "unit"), .init(key: "creator", nulls: .last),
            .init(key: "status"), .init(key: "id"),
        ])
        #expect(try QueryParameters.sorts(["id:desc"], validKeys: ["id"], unique: ["id"]) == [.init(key: "id", ascending: false)])
    }

    @Test func sortsRejectUnknownKeysAndDirectionsAsOsloDB() {
        #expect {
            try QueryParameters.sorts(["bogus:sideways"], validKeys: ["id"])
        } throws: { error in
            (error as? APIError)?.description == "Invalid pagination: `Sort key supplied is invalid: bogus'"
        }
        #expect {
            try QueryParameters.sorts(["id:sideways"], validKeys: ["id"])
        } throws: { error in
            (error as? APIError)?.description == .string(
                "Invalid pagination: `Unknown sort direction, must be one of: "
                    + "asc-nullsfirst, asc-nullslast, desc-nullsfirst, desc-nullslast'")
        }
    }

    @Test func pythonIntAcceptsWhatIntAccepts() {
        #expect(QueryParameters.pythonInt(" 42 ") == 42)
        #expect(QueryParameters.pythonInt("-0") == 0)
        #expect(QueryParameters.pythonInt("1_000") == 1000)
        #expect(QueryParameters.pythonInt("007") == 7)
        for bad in ["", "+", "1.0", "1e3", "_1", "1_", "1__0", "0x10", "١"] {
            #expect(QueryParameters.pythonInt(bad) == nil, "\(bad)")
        }
    }

    @Test func pythonQuoteEncodesLikeUrllib() {
        #expect(QueryParameters.pythonQuote("/v1/archive_policy/a b+c~d.e_f-g") == "/v1/archive_policy/a%20b%2Bc~d.e_f-g")
        #expect(QueryParameters.pythonQuote("/✔") == "/%E2%9C%94")
    }

    @Test func pythonReprQuotesLikePython() {
        #expect(PythonRepr.string("foo") == "'foo'")
        #expect(PythonRepr.string("it's") == "\"it's\"")
        #expect(PythonRepr.string("a'b\"c") == "'a\\'b\"c'")
        #expect(PythonRepr.string("tab\there\u{1}") == "'tab\\there\\x01'")
        #expect(PythonRepr.string("é") == "'é'")
    }
}
