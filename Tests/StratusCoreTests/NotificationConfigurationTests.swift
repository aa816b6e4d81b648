import Testing
@testable import StratusCore

@Suite struct NotificationConfigurationTests {
    static func section(_ yaml: String) throws -> ConfigurationSection {
        try ConfigurationFile.parse(yaml: yaml, file: "stratus.yaml").section("notification")
    }

    @Test func defaults() throws {
        let configuration = try NotificationConfiguration(Self.section(""))
        #expect(configuration == NotificationConfiguration())
        #expect(configuration.port == 8045)
        #expect(configuration.host == "0.0.0.0")
        #expect(configuration.pipelineCfgFile == "pipeline.yaml" && !configuration.pipelineCfgFileIsExplicit)
        #expect(configuration.pipelinePollingInterval == 20_000_000_000)
    }

    @Test func readsOptionsAndAcceptsCeilometersMessagingOptions() throws {
        let configuration = try NotificationConfiguration(Self.section("""
            notification:
              port: 9000
              pipeline_cfg_file: /etc/stratus/pipeline.yaml
              pipeline_polling_interval: 5
              batch_size: 100
              workers: 4
              messaging_urls: ["rabbit://x"]
            """))
        #expect(configuration.port == 9000)
        #expect(configuration.pipelineCfgFileIsExplicit)
        #expect(configuration.pipelinePollingInterval == 5_000_000_000)
        #expect(configuration.batchSize == 100)
    }

    @Test(arguments: [
        ("notification:\n  port: 70000\n", 2, "notification.port must be between 0 and 65535, got 70000"),
        ("notification:\n  batch_size: 0\n", 2, "notification.batch_size must be 1 or more, got 0"),
        ("notification:\n  flush_interval: 0\n", 2, "notification.flush_interval must be positive"),
        ("notification:\n  colour: red\n", 2, "unknown option"),
    ])
    func badValuesNameFileLineAndReason(_ yaml: String, _ line: Int, _ reason: String) throws {
        #expect {
            try NotificationConfiguration(Self.section(yaml))
        } throws: { error in
            let text = "\(error)"
            return text.contains("stratus.yaml:\(line)") && text.contains(reason)
        }
    }

    @Test func pollingAcceptsTheNotifierPublisherAndSpoolOptions() throws {
        let section = try ConfigurationFile.parse(yaml: """
            polling:
              publishers: ["notifier://ctl1:8045,ctl2"]
              spool_dir: /srv/spool
              spool_max_bytes: 1024
            """, file: "stratus.yaml").section("polling")
        let polling = try PollingConfiguration(section)
        #expect(polling.publishers == ["notifier://ctl1:8045,ctl2"])
        #expect(polling.spoolDir == "/srv/spool")
        #expect(polling.spoolMaxBytes == 1024)
        #expect(try PollingConfiguration(ConfigurationFile.parse(yaml: "", file: "s.yaml").section("polling")).spoolDir == "/var/lib/stratus/spool")
    }
}
