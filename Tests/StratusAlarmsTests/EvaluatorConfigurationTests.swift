import StratusCore
import Testing

@Suite struct EvaluatorConfigurationTests {
    func read(_ yaml: String, overrides: [String] = []) throws(ConfigurationError) -> EvaluatorConfiguration {
        try EvaluatorConfiguration(ConfigurationFile.parse(yaml: yaml, file: "stratus.yaml", overrides: overrides).section("evaluator"))
    }

    func error(_ yaml: String, overrides: [String] = []) -> String? {
        do {
            _ = try read(yaml, overrides: overrides)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func defaultsAreAodhs() throws {
        let configuration = try read("")
        #expect(configuration == EvaluatorConfiguration())
        #expect(configuration.evaluationInterval == 60 * Timestamps.nanosecondsPerSecond)
        #expect(configuration.restNotifierMaxRetries == 0)
        #expect(configuration.additionalIngestionLag == 0)
        #expect(configuration.gnocchiURL == nil)
        #expect(configuration.authMode == "basic" && configuration.user == "admin")
    }

    @Test func readsEveryOption() throws {
        let configuration = try read("""
            evaluator:
              evaluation_interval: 10
              gnocchi_url: https://gnocchi.example.com:8041
              auth_mode: keystone
              user_id: aodh
              project_id: service
              roles: admin,service
              rest_notifier_max_retries: 3
              additional_ingestion_lag: 120
              max_concurrency: 16
              http_timeout: 5 seconds
            """)
        #expect(configuration == EvaluatorConfiguration(
            evaluationInterval: 10 * Timestamps.nanosecondsPerSecond, gnocchiURL: "https://gnocchi.example.com:8041",
            authMode: "keystone", userID: "aodh", projectID: "service", roles: "admin,service", restNotifierMaxRetries: 3,
            additionalIngestionLag: 120, maxConcurrency: 16, httpTimeout: 5 * Timestamps.nanosecondsPerSecond))
        #expect(try read("", overrides: ["evaluator.evaluation_interval=0.5"]).evaluationInterval == 500_000_000)
    }

    @Test func errorsCarryFileLineAndReason() {
        #expect(error("evaluator:\n  additional_ingestion_lag: 86401\n")
            == "stratus.yaml:2: evaluator.additional_ingestion_lag must be between 0 and 86400, got 86401")
        #expect(error("evaluator:\n  rest_notifier_max_retries: -1\n")
            == "stratus.yaml:2: evaluator.rest_notifier_max_retries must be at least 0, got -1")
        #expect(error("evaluator:\n  evaluation_interval: 0\n") == "stratus.yaml:2: evaluator.evaluation_interval must be positive")
        #expect(error("evaluator:\n  max_concurrency: 0\n") == "stratus.yaml:2: evaluator.max_concurrency must be at least 1, got 0")
        #expect(error("evaluator:\n  gnocchi_url: ftp://x\n")
            == "stratus.yaml:2: evaluator.gnocchi_url must be an http:// or https:// URL, got 'ftp://x'")
        #expect(error("evaluator:\n  auth_mode: kerberos\n")
            == "stratus.yaml:2: evaluator.auth_mode must be one of basic, keystone, noauth, remoteuser, token, got 'kerberos'")
        #expect(error("evaluator:\n  auth_mode: token\n") == "stratus.yaml:2: evaluator.auth_mode token needs evaluator.token")
        #expect(error("evaluator:\n  bogus: 1\n")?.hasPrefix("stratus.yaml:2:") == true)
    }
}
