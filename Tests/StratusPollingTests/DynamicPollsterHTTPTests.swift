import Hummingbird
import StratusCore
import Testing
@testable import StratusPolling

/// Dynamic pollsters against a real HTTP server on a loopback port.
@Suite(.timeLimit(.minutes(1))) struct DynamicPollsterHTTPTests {
    static func header(_ request: Request, _ name: String) -> String? {
        request.headers.first { $0.name.rawName.lowercased() == name.lowercased() }?.value
    }

    /// A Nova-like listing in three pages: `next` relative, then absolute, then none.
    static func serversRouter(counter: EndpointTestCounter) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/v2.1/servers/detail") { request, _ -> String in
            counter.increment("servers")
            counter.record("api-version", header(request, "X-OpenStack-Nova-API-Version") ?? "")
            counter.record("accept", header(request, "Accept") ?? "")
            let host = request.head.authority ?? ""
            switch request.uri.queryParameters.get("marker") {
            case nil:
                return #"""
                    {"servers": [
                      {"id": "s1", "status": "ACTIVE", "name": "web", "flavor": {"name": "m1.small"}, "user_id": "u1", "tenant_id": "p1"},
                      {"id": "s2", "status": "SHUTOFF", "name": "db", "flavor": {"name": "m1.large"}, "user_id": "u2", "tenant_id": "p1"}],
                     "next": "servers/detail?marker=s2"}
                    """#
            case "s2":
                return #"""
                    {"servers": [
                      {"id": "s3", "status": "DELETED", "name": "old", "flavor": {"name": "m1.small"}, "user_id": "u1", "tenant_id": "p2"},
                      {"id": "s4", "status": "ERROR", "name": "bad", "flavor": {"name": "m1.tiny"}, "user_id": "u1", "tenant_id": "p2"}],
                     "next": "http://\#(host)/v2.1/servers/detail?marker=s4"}
                    """#
            default:
                return #"{"servers": [{"id": "s5", "status": "ACTIVE", "name": "last", "flavor": {"name": "m1.small"}, "user_id": "u3", "tenant_id": "p3"}]}"#
            }
        }
        router.get("/broken/servers/detail") { _, _ -> String in
            counter.increment("broken")
            throw HTTPError(.internalServerError)
        }
        return router
    }

    @Test func followsPagesMapsValuesSkipsAndMapsMetadata() async throws {
        let counter = EndpointTestCounter()
        let definition = try DynamicPollsterLoader.read(directories: [EndpointTestSupport.fixture("dynamic/valid")])
            .definitions.first { $0.name == "dynamic.server.status" }
        let pollster = DynamicPollster(definition: try #require(definition), services: EndpointServices(source: .none))
        let logs = EndpointTestLogs()
        let samples = try await EndpointTestSupport.withServer(Self.serversRouter(counter: counter)) { base in
            try await pollster.poll(resources: [.endpoint(base + "/v2.1")], context: try EndpointTestSupport.context(logs: logs))
        }
        #expect(counter.count("servers") == 3)
        #expect(counter.value("api-version") == "2.46")
        #expect(counter.value("accept") == "application/json")
        #expect(samples.map(\.resourceID) == ["s1", "s2", "s4", "s5"])
        #expect(samples.map(\.volume) == [.int(1), .int(0), .int(-1), .int(1)])
        #expect(samples.map(\.userID) == ["u1", "u2", "u1", "u3"])
        #expect(samples.map(\.projectID) == ["p1", "p1", "p2", "p3"])
        #expect(samples.first?.resourceMetadata == ["display_name": "web", "flavor.name": "m1.small"])
        #expect(samples.allSatisfy { $0.name == "dynamic.server.status" && $0.unit == "server" && $0.type == .gauge })
        #expect(logs.warnings.isEmpty)
    }

    @Test func aFailingEndpointIsLoggedOnceAndTheOthersArePolled() async throws {
        let counter = EndpointTestCounter()
        let pollster = DynamicPollster(
            definition: try EndpointTestSupport.definition("""
                - name: dyn.servers
                  sample_type: gauge
                  unit: server
                  endpoint_type: compute
                  url_path: servers/detail
                  value_attribute: status
                  value_mapping: {ACTIVE: 1}
                  default_value: 0
                """),
            services: EndpointServices(source: .none))
        let logs = EndpointTestLogs()
        let samples = try await EndpointTestSupport.withServer(Self.serversRouter(counter: counter)) { base in
            try await pollster.poll(
                resources: [.endpoint(base + "/broken"), .endpoint(base + "/v2.1/")],
                context: try EndpointTestSupport.context(logs: logs))
        }
        #expect(samples.map(\.resourceID) == ["s1", "s2"])
        #expect(counter.count("broken") == 1)
        #expect(logs.warnings.count == 1)
        let warning = try #require(logs.warnings.first)
        #expect(warning.message == "Dynamic pollster request failed")
        #expect(warning.metadata["error"]?.contains("answered 500") == true)
        #expect(warning.metadata["pollster"] == "dyn.servers")
    }

    @Test func anUnreachableEndpointIsNotAskedAgainInTheSameCycle() async throws {
        let definition = """
            - name: dyn.NAME
              sample_type: gauge
              unit: x
              endpoint_type: compute
              url_path: things
              value_attribute: v
              timeout: 1
            """
        let first = DynamicPollster(
            definition: try EndpointTestSupport.definition(definition.replacingNAME("a")), services: EndpointServices(source: .none))
        let second = DynamicPollster(
            definition: try EndpointTestSupport.definition(definition.replacingNAME("b")), services: EndpointServices(source: .none))
        let logs = EndpointTestLogs()
        let context = try EndpointTestSupport.context(logs: logs)
        // Port 1 on loopback: connection refused. Every endpoint failed: one error for the agent
        // to log and count.
        let dead = PollingResource.endpoint("http://127.0.0.1:1/v1")
        await #expect {
            try await first.poll(resources: [dead], context: context)
        } throws: { error in
            (error as? EndpointError)?.code == .unreachable && (error as? EndpointError)?.reason.contains("127.0.0.1:1") == true
        }
        #expect(try await second.poll(resources: [dead], context: context).isEmpty)
        #expect(logs.lines.contains { $0.message == "Endpoint unreachable earlier in this cycle, skipped" })
        #expect(logs.warnings.isEmpty)
        // A new cycle (new cache) tries again.
        let next = try EndpointTestSupport.context(logs: logs)
        await #expect(throws: EndpointError.self) { try await second.poll(resources: [dead], context: next) }
    }

    @Test func aSingleFailingEndpointIsOneErrorForTheAgent() async throws {
        let counter = EndpointTestCounter()
        let pollster = DynamicPollster(
            definition: try EndpointTestSupport.definition("""
                - name: dyn.servers
                  sample_type: gauge
                  unit: server
                  endpoint_type: compute
                  url_path: servers/detail
                  value_attribute: status
                """),
            services: EndpointServices(source: .none))
        let logs = EndpointTestLogs()
        try await EndpointTestSupport.withServer(Self.serversRouter(counter: counter)) { (base: String) async throws -> Void in
            await #expect {
                try await pollster.poll(resources: [.endpoint(base + "/broken")], context: try EndpointTestSupport.context(logs: logs))
            } throws: { error in
                let error = error as? EndpointError
                return error?.code == .httpStatus && error?.status == 500 && error?.reason.contains("/broken/servers/detail answered 500") == true
            }
        }
        #expect(logs.warnings.isEmpty)
    }

    @Test func aFullURLPollsterPollsItsURLThroughItsOwnDiscovery() async throws {
        let router = Router()
        router.get("/queues") { request, _ -> String in
            #"{"queues": [{"queue": "q1", "stats": {"depth": 12}}, {"queue": "q2", "stats": {"depth": 0}}]}"#
        }
        let logs = EndpointTestLogs()
        try await EndpointTestSupport.withServer(router) { (base: String) async throws -> Void in
            let definition = try EndpointTestSupport.definition("""
                - name: dynamic.queue.depth
                  sample_type: gauge
                  unit: message
                  url_path: "\(base)/queues"
                  value_attribute: stats.depth
                  resource_id_attribute: queue
                  headers: {Authorization: "Bearer abc"}
                """)
            let context = try EndpointTestSupport.context(logs: logs)
            let discoverer = DynamicURLDiscoverer(definitions: [definition])
            let pollster = DynamicPollster(definition: definition, services: EndpointServices(source: .none))
            let discovery = try #require(pollster.defaultDiscovery)
            #expect(discovery == "dynamic_pollster:dynamic.queue.depth")
            let resources = try await discoverer.discover(parameter: "dynamic.queue.depth", context: context)
            #expect(resources.map(\.id) == ["\(base)/queues"])
            #expect(try await discoverer.discover(parameter: "other", context: context).isEmpty)
            let samples = try await pollster.poll(resources: resources, context: context)
            #expect(samples.map(\.resourceID) == ["q1", "q2"])
            #expect(samples.map(\.volume) == [.int(12), .int(0)])
        }
        #expect(logs.warnings.isEmpty)
    }

    @Test func aPaginationLoopStops() async throws {
        let counter = EndpointTestCounter()
        let router = Router()
        router.get("/loop/things") { _, _ -> String in
            counter.increment("loop")
            return #"{"things": [{"id": "a", "v": 1}], "next": "things"}"#
        }
        let pollster = DynamicPollster(
            definition: try EndpointTestSupport.definition("""
                - name: dyn.loop
                  sample_type: gauge
                  unit: x
                  endpoint_type: compute
                  url_path: things
                  value_attribute: v
                  next_sample_url_attribute: next
                """),
            services: EndpointServices(source: .none))
        let samples = try await EndpointTestSupport.withServer(router) { base in
            try await pollster.poll(resources: [.endpoint(base + "/loop")], context: try EndpointTestSupport.context())
        }
        #expect(samples.count == 1)
        #expect(counter.count("loop") == 1)
    }
}

extension String {
    fileprivate func replacingNAME(_ name: String) -> String {
        split(separator: "NAME", omittingEmptySubsequences: false).joined(separator: name)
    }
}
