import Foundation
import Testing
@testable import StratusCore

@Suite struct ConfigurationFileTests {
    static let sample = """
        # Stratus test configuration
        api:
          host: 127.0.0.1
          port: 9000
          max_limit: "500"
          enable_proxy_headers_parsing: yes
          operation_timeout: 30 seconds

        metricd:
          workers: 4
          metric_processing_delay: 5
          greedy: false
          cleanup_batch_size: abc
          ratio: 0.25
          methods: [mean, max]
          list_as_text: "mean, max ,, min"
          nested:
            a: 1
          empty:

        indexer:
        """

    static func load(
        _ yaml: String = sample, environment: [String: String] = [:], overrides: [String] = []
    ) throws -> ConfigurationFile {
        try ConfigurationFile.parse(yaml: yaml, file: "stratus.yaml", environment: environment, overrides: overrides)
    }

    @Test func typedGettersReadTheFile() throws {
        let configuration = try Self.load()
        let api = configuration.section("api")
        #expect(try api.string("host", default: "0.0.0.0") == "127.0.0.1")
        #expect(try api.int("port", default: 8041) == 9000)
        #expect(try api.int("max_limit", default: 1000) == 500)
        #expect(try api.bool("enable_proxy_headers_parsing", default: false) == true)
        #expect(try api.duration("operation_timeout", default: 10) == 30_000_000_000)
        #expect(try api.string("port", default: "") == "9000")
        let metricd = configuration.section("metricd")
        #expect(try metricd.double("ratio", default: 1) == 0.25)
        #expect(try metricd.duration("metric_processing_delay", default: 60) == 5_000_000_000)
        #expect(try metricd.bool("greedy", default: true) == false)
        #expect(try metricd.stringList("methods", default: []) == ["mean", "max"])
        #expect(try metricd.stringList("list_as_text", default: []) == ["mean", "max", "min"])
    }

    @Test func missingKeysNullsAndSectionsUseDefaults() throws {
        let configuration = try Self.load()
        #expect(try configuration.section("api").int("missing", default: 7) == 7)
        #expect(try configuration.section("metricd").string("empty", default: "d") == "d")
        #expect(try configuration.section("metricd").optionalString("empty") == nil)
        #expect(configuration.section("metricd").contains("empty") == false)
        #expect(try configuration.section("indexer").string("url", default: "") == "")
        #expect(try configuration.section("storage").duration("x", default: 1.5) == 1_500_000_000)
        #expect(try configuration.section("statsd").stringList("x", default: ["a"]) == ["a"])
    }

    @Test func wrongTypeNamesFileLineKeyAndValue() throws {
        let metricd = try Self.load().section("metricd")
        let error = #expect(throws: ConfigurationError.self) { try metricd.int("cleanup_batch_size", default: 1) }
        #expect(error?.file == "stratus.yaml")
        #expect(error?.line == 13)
        #expect(error?.description == "stratus.yaml:13: metricd.cleanup_batch_size must be an integer, got 'abc'")
    }

    @Test(arguments: [
        ("int", 14, "metricd.ratio must be an integer, got '0.25'"),
        ("bool", 14, "metricd.ratio must be a boolean (true or false), got '0.25'"),
        ("duration-list", 15, "metricd.methods must be a duration, got a list"),
        ("string-mapping", 17, "metricd.nested must be a string, got a mapping"),
        ("list-mapping", 17, "metricd.nested must be a list of strings, got a mapping"),
        ("double", 13, "metricd.cleanup_batch_size must be a number, got 'abc'"),
        ("duration", 13, "metricd.cleanup_batch_size must be a duration (seconds, or e.g. '5 minutes'), got 'abc'"),
    ])
    func everyGetterReportsItsType(getter: String, line: Int, reason: String) throws {
        let metricd = try Self.load().section("metricd")
        let error = #expect(throws: ConfigurationError.self) {
            switch getter {
            case "int": _ = try metricd.int("ratio", default: 0)
            case "bool": _ = try metricd.bool("ratio", default: false)
            case "duration-list": _ = try metricd.duration("methods", default: 0)
            case "string-mapping": _ = try metricd.string("nested", default: "")
            case "list-mapping": _ = try metricd.stringList("nested", default: [])
            case "double": _ = try metricd.double("cleanup_batch_size", default: 0)
            default: _ = try metricd.duration("cleanup_batch_size", default: 0)
            }
        }
        #expect(error == ConfigurationError(file: "stratus.yaml", line: line, reason: reason))
    }

    @Test(arguments: [
        ("true", true), ("True", true), ("yes", true), ("on", true), ("1", true), ("t", true), ("y", true),
        ("false", false), ("FALSE", false), ("no", false), ("off", false), ("0", false), ("f", false), ("n", false),
    ])
    func booleansAsOsloReadsThem(text: String, expected: Bool) throws {
        let section = try Self.load("api:\n  flag: \(text)\n").section("api")
        #expect(try section.bool("flag", default: !expected) == expected)
    }

    @Test func precedenceIsOverrideThenEnvironmentThenFileThenDefault() throws {
        let yaml = "metricd:\n  workers: 4\n  greedy: false\n  cleanup_batch_size: 50\n"
        let environment = ["STRATUS_METRICD_WORKERS": "8", "STRATUS_METRICD_GREEDY": "true", "HOME": "/root"]
        let configuration = try Self.load(yaml, environment: environment, overrides: ["metricd.workers=16"])
        let metricd = configuration.section("metricd")
        #expect(try metricd.int("workers", default: 1) == 16)                 // override
        #expect(try metricd.bool("greedy", default: false) == true)           // environment
        #expect(try metricd.int("cleanup_batch_size", default: 1) == 50)      // file
        #expect(try metricd.int("metric_cleanup_delay", default: 300) == 300) // default
        #expect(metricd.keys == ["cleanup_batch_size", "greedy", "workers"])
    }

    @Test func laterOverridesWinAndValuesMayContainEqualsSigns() throws {
        let configuration = try ConfigurationFile.load(
            path: nil, environment: [:],
            overrides: ["indexer.url=sqlite:///a", "indexer.url=postgresql://u:p@h/db?sslmode=require&x=1", "api.host= "])
        #expect(try configuration.section("indexer").string("url", default: "") == "postgresql://u:p@h/db?sslmode=require&x=1")
        #expect(try configuration.section("api").string("host", default: "") == " ")
        #expect(configuration.path == nil)
    }

    @Test func environmentVariablesMapToSectionsWithUnderscores() throws {
        let configuration = try ConfigurationFile.load(
            path: nil,
            environment: [
                "STRATUS_ARCHIVE_POLICY_DEFAULT_AGGREGATION_METHODS": "mean,last",
                "STRATUS_INDEXER_URL": "sqlite:///tmp/x.db",
                "STRATUS_UNKNOWN_THING": "1",
                "STRATUS_API_": "ignored",
                "OTHER_API_PORT": "1",
            ],
            overrides: [])
        #expect(try configuration.section("archive_policy").stringList("default_aggregation_methods", default: [])
            == ["mean", "last"])
        #expect(try configuration.section("indexer").string("url", default: "") == "sqlite:///tmp/x.db")
        #expect(configuration.section("api").keys.isEmpty)
    }

    @Test func environmentAndOverrideErrorsNameTheirSource() throws {
        let configuration = try ConfigurationFile.load(
            path: nil, environment: ["STRATUS_METRICD_WORKERS": "many"], overrides: ["api.port=http"])
        let environmentError = #expect(throws: ConfigurationError.self) {
            try configuration.section("metricd").int("workers", default: 1)
        }
        #expect(environmentError?.description
            == "metricd.workers must be an integer, got 'many' (from environment variable STRATUS_METRICD_WORKERS)")
        let overrideError = #expect(throws: ConfigurationError.self) {
            try configuration.section("api").int("port", default: 1)
        }
        #expect(overrideError?.description
            == "api.port must be an integer, got 'http' (from command-line override 'api.port=http')")
    }

    @Test(arguments: [
        ("metricd.workers", "invalid override 'metricd.workers': expected section.key=value"),
        ("workers=4", "invalid override 'workers=4': expected section.key=value"),
        (".workers=4", "invalid override '.workers=4': expected section.key=value"),
        ("metricd.=4", "invalid override 'metricd.=4': expected section.key=value"),
        ("metric.workers=4", "invalid override 'metric.workers=4': unknown section 'metric'; valid sections: "
            + "api, archive_policy, compute, cors, evaluator, incoming, indexer, metricd, notification, polling, publisher, "
            + "service_credentials, statsd, storage"),
    ])
    func rejectsMalformedOverrides(override: String, reason: String) {
        #expect(throws: ConfigurationError(reason: reason)) {
            try ConfigurationFile.load(path: nil, environment: [:], overrides: [override])
        }
    }

    @Test func unknownKeyInFileIsReportedAtItsLineWithTheValidKeys() throws {
        let yaml = "api:\n  port: 1\n\nmetricd:\n  workers: 2\n  wrokers: 3\n  zzz: 1\n"
        let metricd = try Self.load(yaml).section("metricd")
        let error = #expect(throws: ConfigurationError.self) { try metricd.checkKnownKeys(["workers", "greedy"]) }
        #expect(error?.description == "stratus.yaml:6: unknown option 'metricd.wrokers'; valid options: greedy, workers")
        #expect(throws: Never.self) { try Self.load(yaml).section("api").checkKnownKeys(["port"]) }
    }

    @Test func unknownKeyInOverrideIsReported() throws {
        let configuration = try ConfigurationFile.load(path: nil, environment: [:], overrides: ["api.prot=1"])
        #expect(throws: ConfigurationError(
            reason: "unknown option 'api.prot' in command-line override 'api.prot=1'; valid options: host, port")) {
            try configuration.section("api").checkKnownKeys(["host", "port"])
        }
    }

    @Test func unknownEnvironmentKeysAreIgnored() throws {
        let configuration = try ConfigurationFile.load(
            path: nil, environment: ["STRATUS_API_TOKEN": "secret"], overrides: [])
        #expect(throws: Never.self) { try configuration.section("api").checkKnownKeys(["host"]) }
    }

    @Test func unknownSectionIsReportedAtItsLine() {
        let yaml = "api:\n  port: 1\n# comment\nmetrics:\n  workers: 2\n"
        #expect(throws: ConfigurationError(
            file: "stratus.yaml", line: 4,
            reason: "unknown section 'metrics'; valid sections: api, archive_policy, compute, cors, evaluator, incoming, indexer, "
                + "metricd, notification, polling, publisher, service_credentials, statsd, storage")) {
            try Self.load(yaml)
        }
    }

    @Test(arguments: [
        ("api: [1, 2]\n", 1, "section 'api' must be a mapping of options, got a list"),
        ("api: 3\n", 1, "section 'api' must be a mapping of options, got a scalar"),
        ("- api\n- metricd\n", 1, "the configuration must be a mapping of sections, got a list"),
        ("\n\njust text\n", 3, "the configuration must be a mapping of sections, got a scalar"),
    ])
    func rejectsWrongShapes(yaml: String, line: Int, reason: String) {
        #expect(throws: ConfigurationError(file: "stratus.yaml", line: line, reason: reason)) {
            try Self.load(yaml)
        }
    }

    @Test(arguments: [
        ("api:\n  port: 1\n  host: [unclosed\n", 4),
        ("api:\n  port: 1\n port2: 3\n", 3),
        ("api:\n  port: \"open\n", 3),
        ("api:\n\tport: 1\n", 2),
        ("api:\n  port: 1\n  port: 2\n", 2),
    ])
    func invalidYAMLReportsTheLineYamsGives(yaml: String, line: Int) {
        let error = #expect(throws: ConfigurationError.self) { try Self.load(yaml) }
        #expect(error?.file == "stratus.yaml")
        #expect(error?.line == line)
        #expect(error?.reason.hasPrefix("invalid YAML: ") == true)
    }

    @Test func emptyFileMeansDefaults() throws {
        #expect(try Self.load("").section("api").keys.isEmpty)
        #expect(try Self.load("# only a comment\n").section("api").keys.isEmpty)
        #expect(try Self.load("~\n").section("api").keys.isEmpty)
    }

    @Test func loadsFromDiskAndReportsUnreadableFiles() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("stratus-core-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("stratus.yaml").path
        try "metricd:\n  workers: x\n".write(toFile: path, atomically: true, encoding: .utf8)

        let configuration = try ConfigurationFile.load(path: path, environment: [:], overrides: [])
        #expect(configuration.path == path)
        let error = #expect(throws: ConfigurationError.self) { try configuration.section("metricd").int("workers", default: 1) }
        #expect(error?.description == "\(path):2: metricd.workers must be an integer, got 'x'")

        let missing = directory.appendingPathComponent("missing.yaml").path
        let missingError = #expect(throws: ConfigurationError.self) {
            try ConfigurationFile.load(path: missing, environment: [:], overrides: [])
        }
        #expect(missingError?.file == missing)
        #expect(missingError?.line == nil)
        #expect(missingError?.reason.hasPrefix("cannot read configuration file") == true)
    }

    @Test func errorDescriptionFormats() {
        #expect(ConfigurationError(file: "a.yaml", line: 3, reason: "r").description == "a.yaml:3: r")
        #expect(ConfigurationError(file: "a.yaml", reason: "r").description == "a.yaml: r")
        #expect(ConfigurationError(reason: "r").description == "r")
    }

    @Test func sectionErrorLocatesTheKey() throws {
        let section = try Self.load().section("api")
        #expect(section.error("port", "bad").description == "stratus.yaml:4: bad")
        #expect(section.error("absent", "bad").description == "stratus.yaml:2: bad")
        #expect(section.line(of: "host") == 3)
    }
}
