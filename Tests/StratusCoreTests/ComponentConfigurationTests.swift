import Testing
@testable import StratusCore

@Suite struct ComponentConfigurationTests {
    static func section(_ name: String, _ yaml: String = "", overrides: [String] = []) throws -> ConfigurationSection {
        try ConfigurationFile.parse(yaml: yaml, file: "stratus.yaml", overrides: overrides).section(name)
    }

    @Test func defaultsMatchGnocchi() throws {
        let empty = try ConfigurationFile.load(path: nil, environment: [:], overrides: [])
        let api = try APIConfiguration(empty.section("api"))
        #expect(api == APIConfiguration())
        #expect(api.host == "0.0.0.0")
        #expect(api.port == 8041)
        #expect(api.authMode == "basic")
        #expect(api.maxLimit == 1000)
        #expect(api.operationTimeout == 10_000_000_000)
        #expect(api.enableProxyHeadersParsing == false)

        let metricd = try MetricdConfiguration(empty.section("metricd"))
        #expect(metricd.workers == SystemInfo.processorCount)
        #expect(metricd.workers >= 1)
        #expect(metricd.metricProcessingDelay == 60_000_000_000)
        #expect(metricd.metricReportingDelay == 120_000_000_000)
        #expect(metricd.metricCleanupDelay == 300_000_000_000)
        #expect(metricd.cleanupBatchSize == 10_000)
        #expect(metricd.greedy == true)
        #expect(metricd == MetricdConfiguration())

        #expect(try IndexerConfiguration(empty.section("indexer")).url == "")
        #expect(try StorageConfiguration(empty.section("storage")) == StorageConfiguration(driver: "file", basePath: nil))
        #expect(try IncomingConfiguration(empty.section("incoming"))
            == IncomingConfiguration(driver: "file", basePath: nil, sacks: 128))
        #expect(try ArchivePolicyConfiguration(empty.section("archive_policy")).defaultAggregationMethods
            == ["mean", "min", "max", "sum", "std", "count"])
        #expect(StratusVersion.string == "0.1.0")
    }

    @Test func readsEveryOption() throws {
        let yaml = """
            api:
              host: "::"
              port: 0
              auth_mode: remoteuser
              max_limit: 50
              operation_timeout: 1.5
              enable_proxy_headers_parsing: true
            metricd:
              workers: 3
              metric_processing_delay: 2s
              metric_reporting_delay: -1
              metric_cleanup_delay: 1 hour
              cleanup_batch_size: 7
              greedy: off
            indexer:
              url: postgresql://stratus@db/stratus
            storage:
              driver: postgresql
              file_basepath: /srv/storage
            incoming:
              driver: file
              file_basepath: /srv/incoming
              sacks: 32
            archive_policy:
              default_aggregation_methods: [mean, 95pct, "rate:last"]
            """
        let configuration = try ConfigurationFile.parse(yaml: yaml, file: "stratus.yaml")
        #expect(try APIConfiguration(configuration.section("api")) == APIConfiguration(
            host: "::", port: 0, authMode: "remoteuser", maxLimit: 50, operationTimeout: 1_500_000_000,
            enableProxyHeadersParsing: true))
        #expect(try MetricdConfiguration(configuration.section("metricd")) == MetricdConfiguration(
            workers: 3, metricProcessingDelay: 2_000_000_000, metricReportingDelay: -1_000_000_000,
            metricCleanupDelay: 3_600_000_000_000, cleanupBatchSize: 7, greedy: false))
        #expect(try IndexerConfiguration(configuration.section("indexer")).url == "postgresql://stratus@db/stratus")
        #expect(try StorageConfiguration(configuration.section("storage"))
            == StorageConfiguration(driver: "postgresql", basePath: "/srv/storage"))
        #expect(try IncomingConfiguration(configuration.section("incoming"))
            == IncomingConfiguration(driver: "file", basePath: "/srv/incoming", sacks: 32))
        #expect(try ArchivePolicyConfiguration(configuration.section("archive_policy")).defaultAggregationMethods
            == ["mean", "95pct", "rate:last"])
    }

    @Test(arguments: [
        ("api", "api:\n  port: 70000\n", "stratus.yaml:2: api.port must be between 0 and 65535, got 70000"),
        ("api", "api:\n  auth_mode: ldap\n",
         "stratus.yaml:2: api.auth_mode must be one of basic, keystone, noauth, remoteuser, got 'ldap'"),
        ("api", "api:\n  max_limit: 0\n", "stratus.yaml:2: api.max_limit must be at least 1, got 0"),
        ("api", "api:\n  operation_timeout: -1\n", "stratus.yaml:2: api.operation_timeout must not be negative"),
        ("api", "api:\n  host: h\n  prot: 1\n",
         "stratus.yaml:3: unknown option 'api.prot'; valid options: auth_mode, enable_proxy_headers_parsing, host, "
            + "max_limit, metadata_cache_ttl, operation_timeout, port"),
        ("metricd", "metricd:\n  workers: 0\n", "stratus.yaml:2: metricd.workers must be at least 1, got 0"),
        ("metricd", "metricd:\n\n  workers: many\n", "stratus.yaml:3: metricd.workers must be an integer, got 'many'"),
        ("metricd", "metricd:\n  metric_processing_delay: 0\n",
         "stratus.yaml:2: metricd.metric_processing_delay must be positive"),
        ("metricd", "metricd:\n  metric_reporting_delay: 0\n",
         "stratus.yaml:2: metricd.metric_reporting_delay must be positive, or negative to disable reporting"),
        ("metricd", "metricd:\n  metric_cleanup_delay: -5\n", "stratus.yaml:2: metricd.metric_cleanup_delay must be positive"),
        ("metricd", "metricd:\n  cleanup_batch_size: 0\n", "stratus.yaml:2: metricd.cleanup_batch_size must be at least 1, got 0"),
        ("metricd", "metricd:\n  greedy: maybe\n", "stratus.yaml:2: metricd.greedy must be a boolean (true or false), got 'maybe'"),
        ("metricd", "metricd:\n  processing_replicas: 3\n",
         "stratus.yaml:2: unknown option 'metricd.processing_replicas'; valid options: cleanup_batch_size, greedy, "
            + "metric_cleanup_delay, metric_processing_delay, metric_reporting_delay, workers"),
        ("storage", "storage:\n  driver: ceph\n", "stratus.yaml:2: storage.driver must be one of file, postgresql, got 'ceph'"),
        ("incoming", "incoming:\n  driver: redis\n",
         "stratus.yaml:2: incoming.driver must be one of file, postgresql, got 'redis'"),
        ("incoming", "incoming:\n  sacks: 0\n", "stratus.yaml:2: incoming.sacks must be between 1 and 65535, got 0"),
        ("incoming", "incoming:\n  sacks: 65536\n", "stratus.yaml:2: incoming.sacks must be between 1 and 65535, got 65536"),
        ("indexer", "indexer:\n  uri: x\n", "stratus.yaml:2: unknown option 'indexer.uri'; valid options: url"),
        ("archive_policy", "archive_policy:\n  default_aggregation_methods: mean, avg\n",
         "stratus.yaml:2: archive_policy.default_aggregation_methods: unknown aggregation method 'avg'"),
    ])
    func rejectsBadValuesAtTheirLine(name: String, yaml: String, description: String) throws {
        let section = try Self.section(name, yaml)
        let error = #expect(throws: ConfigurationError.self) {
            switch name {
            case "api": _ = try APIConfiguration(section)
            case "metricd": _ = try MetricdConfiguration(section)
            case "storage": _ = try StorageConfiguration(section)
            case "incoming": _ = try IncomingConfiguration(section)
            case "indexer": _ = try IndexerConfiguration(section)
            default: _ = try ArchivePolicyConfiguration(section)
            }
        }
        #expect(error?.description == description)
    }

    @Test func overridesApplyToComponents() throws {
        let section = try Self.section("metricd", "metricd:\n  workers: 2\n", overrides: ["metricd.workers=5"])
        #expect(try MetricdConfiguration(section).workers == 5)
    }

    @Test(arguments: [
        ("mean", true), ("count", true), ("1pct", true), ("99pct", true), ("rate:mean", true), ("rate:95pct", true),
        ("0pct", false), ("100pct", false), ("05pct", false), ("pct", false), ("rate:", false), ("rate:rate:mean", false),
        ("avg", false), ("*", false), ("Mean", false),
    ])
    func validatesAggregationMethodsAsGnocchi(method: String, valid: Bool) {
        #expect(ArchivePolicyConfiguration.isValidMethod(method) == valid)
    }
}
