import Logging
import StratusCore
@testable import StratusCompute
import Synchronization
import Testing

@Suite struct ReconnectBackoffTests {
    @Test func doublesUpToTheMaximumAndResetsOnSuccess() {
        var backoff = ReconnectBackoff(initialDelay: 1, maximumDelay: 5)
        #expect(backoff.mayAttempt(at: 0))
        backoff.recordFailure(at: 10)
        #expect(backoff.currentDelay == 1)
        #expect(!backoff.mayAttempt(at: 10.5))
        #expect(backoff.mayAttempt(at: 11))
        backoff.recordFailure(at: 11)
        #expect(backoff.currentDelay == 2)
        #expect(!backoff.mayAttempt(at: 12.9))
        backoff.recordFailure(at: 13)
        #expect(backoff.currentDelay == 4)
        backoff.recordFailure(at: 17)
        #expect(backoff.currentDelay == 5)
        for _ in 0..<100 { backoff.recordFailure(at: 17) }
        #expect(backoff.currentDelay == 5)
        backoff.recordSuccess()
        #expect(backoff.failures == 0)
        #expect(backoff.mayAttempt(at: 0))
    }
}

@Suite struct LibvirtConnectionTests {
    @Test func unknownDriverIsATypedErrorWithLibvirtsCode() {
        do {
            _ = try LibvirtConnection(uri: "nosuchdriver:///nowhere")
            Issue.record("opening an unknown driver succeeded")
        } catch {
            #expect(error.code != 0)
            #expect(error.operation == "virConnectOpenReadOnly")
            #expect(!error.message.isEmpty)
            #expect(error.kind == .connection || error.kind == .other)
        }
    }

    @Test func missingNodeFileIsATypedError() {
        #expect(throws: LibvirtError.self) { try LibvirtConnection(uri: "test:///nonexistent/node.xml") }
    }

    @Test func deferredConnectionRetriesWithBackoff() {
        let clock = Mutex<Double>(100)
        let connection = LibvirtConnection(
            connectingLaterIfNeeded: "test:///nonexistent/node.xml", backoff: ReconnectBackoff(initialDelay: 10, maximumDelay: 60),
            now: { clock.withLock { $0 } })
        #expect(!connection.isAlive)
        #expect(connection.consecutiveFailures == 1)
        // Within the backoff delay the last error is returned without a new attempt.
        #expect(throws: LibvirtError.self) { try connection.listAllDomains() }
        #expect(connection.consecutiveFailures == 1)
        clock.withLock { $0 = 111 }
        #expect(throws: LibvirtError.self) { try connection.listAllDomains() }
        #expect(connection.consecutiveFailures == 2)
        // The next attempt waits twice as long.
        clock.withLock { $0 = 125 }
        #expect(throws: LibvirtError.self) { try connection.listAllDomains() }
        #expect(connection.consecutiveFailures == 2)
        clock.withLock { $0 = 131 }
        #expect(throws: LibvirtError.self) { try connection.listAllDomains() }
        #expect(connection.consecutiveFailures == 3)
    }

    @Test func errorKindsFollowLibvirtCodes() {
        func kind(_ code: Int32, _ domain: Int32 = 0) -> LibvirtError.Kind {
            LibvirtError(code: code, domain: domain, message: "m", operation: "op").kind
        }
        #expect(kind(3) == .unsupported)  // VIR_ERR_NO_SUPPORT
        #expect(kind(74) == .unsupported)  // VIR_ERR_ARGUMENT_UNSUPPORTED
        #expect(kind(84) == .unsupported)  // VIR_ERR_OPERATION_UNSUPPORTED
        #expect(kind(42) == .noDomain)  // VIR_ERR_NO_DOMAIN
        #expect(kind(55) == .operationInvalid)  // VIR_ERR_OPERATION_INVALID
        #expect(kind(39) == .connection)  // VIR_ERR_RPC
        #expect(kind(38, 13) == .connection)  // system error from the remote driver
        #expect(kind(1, 7) == .connection)  // internal error from the RPC layer
        #expect(kind(38, 10) == .other)  // system error elsewhere
        #expect(kind(8) == .other)  // VIR_ERR_INVALID_ARG
    }

    @Test func defaultTestDriverAnswersPerDomainCalls() throws {
        let connection = try LibvirtConnection(uri: "test:///default")
        #expect(connection.isAlive)
        let domains = try connection.listAllDomains()
        #expect(domains.map(\.name) == ["test"])
        let domain = domains[0]
        let info = try domain.info()
        #expect(info.state == 1)
        #expect(info.vcpuCount == 2)
        #expect(try domain.vcpuTimes(maximum: info.vcpuCount).count == 2)
        let memory = try domain.memoryStats()
        #expect(memory.actualBalloon == 2_097_152)
        do {
            _ = try domain.blockStatsFlags("vda")
            Issue.record("the test driver answered virDomainBlockStatsFlags")
        } catch {
            #expect(error.kind == .unsupported)
            #expect(error.code == 3)
        }
        do {
            _ = try connection.lookupDomain(uuid: "00000000-0000-0000-0000-000000000000")
            Issue.record("found a domain that does not exist")
        } catch {
            #expect(error.kind == .noDomain)
        }
        let bulk = try connection.allDomainStats(groups: BulkStats.groups)
        #expect(bulk.count == 1)
        #expect(bulk[0].uuid == domain.uuid)
        #expect(BulkStats.state(bulk[0].parameters) == 1)
    }

    @Test func invalidatedConnectionReopens() throws {
        let connection = try LibvirtConnection(uri: "test:///default")
        connection.invalidate()
        #expect(!connection.isAlive)
        #expect(try connection.listAllDomains().count == 1)
        #expect(connection.isAlive)
    }
}

@Suite struct ComputeConfigurationTests {
    @Test func defaultsMatchCeilometer() throws {
        let configuration = try ComputeConfiguration(ConfigurationFile.parse(yaml: "{}", file: "s.yaml").section("compute"))
        #expect(configuration == ComputeConfiguration())
        #expect(configuration.libvirtURI == "qemu:///system")
        #expect(!configuration.reportStoppedInstanceMetrics)
    }

    @Test func readsEveryOption() throws {
        let file = try ConfigurationFile.parse(yaml: """
            compute:
              libvirt_uri: test:///default
              report_stopped_instance_metrics: true
              reconnect_initial_delay: 2
              reconnect_max_delay: 30 seconds
            """, file: "s.yaml")
        let configuration = try ComputeConfiguration(file.section("compute"))
        #expect(configuration.libvirtURI == "test:///default")
        #expect(configuration.reportStoppedInstanceMetrics)
        #expect(configuration.reconnectInitialDelay == 2_000_000_000)
        #expect(configuration.reconnectMaxDelay == 30_000_000_000)
    }

    @Test(arguments: [
        ("compute:\n  libvirt_ur: x\n", 2, "unknown option"),
        ("compute:\n  libvirt_uri: ''\n", 2, "compute.libvirt_uri"),
        ("compute:\n  reconnect_initial_delay: 10\n  reconnect_max_delay: 5\n", 3, "reconnect_max_delay"),
    ])
    func badValuesNameFileLineAndReason(_ yaml: String, _ line: Int, _ reason: String) throws {
        let file = try ConfigurationFile.parse(yaml: yaml, file: "s.yaml")
        do {
            _ = try ComputeConfiguration(file.section("compute"))
            Issue.record("accepted \(yaml)")
        } catch {
            #expect(error.file == "s.yaml")
            #expect(error.line == line)
            #expect(error.reason.contains(reason))
        }
    }
}

@Suite struct SHA224Tests {
    @Test(arguments: [
        ("abc", "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"),
        ("", "d14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f"),
        (String(repeating: "x", count: 200), "3ef8bae4a84311d748956ef862adec84a5745f44618cb3909def1e13"),
    ])
    func matchesPythonHashlib(_ text: String, _ digest: String) {
        #expect(SHA224.hexDigest(text) == digest)
    }
}
