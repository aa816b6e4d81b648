import Hummingbird
import StratusCore
import Synchronization
import Testing
@testable import StratusPolling

/// `endpoint` discovery from a static catalog file and from a fake Keystone served over HTTP.
@Suite(.timeLimit(.minutes(1))) struct EndpointDiscoveryTests {
    @Test func readsAStaticYAMLCatalog() throws {
        let catalog = try ServiceCatalogFile.load(path: EndpointTestSupport.fixture("catalog/catalog.yaml"))
        #expect(catalog.services.map(\.type) == ["compute", "image"])
        #expect(catalog.urls(serviceType: "compute", interface: "public", region: nil)
            == ["http://nova.example:8774/v2.1", "http://nova2.example:8774/v2.1"])
        #expect(catalog.urls(serviceType: "compute", interface: "public", region: "RegionOne") == ["http://nova.example:8774/v2.1"])
        #expect(catalog.urls(serviceType: "compute", interface: "internal", region: nil) == ["http://nova.internal:8774/v2.1"])
        #expect(catalog.urls(serviceType: "image", interface: "public", region: "RegionOne") == ["http://glance.example:9292"])
        #expect(catalog.urls(serviceType: "network", interface: "public", region: nil).isEmpty)
    }

    @Test func readsASavedKeystoneTokenAsJSON() throws {
        let catalog = try ServiceCatalogFile.load(path: EndpointTestSupport.fixture("catalog/token.json"))
        #expect(catalog.urls(serviceType: "volumev3", interface: "public", region: "RegionOne") == ["http://cinder.example:8776/v3/p1"])
    }

    @Test func catalogErrorsCarryFileAndLine() {
        let path = EndpointTestSupport.fixture("catalog/bad-url.yaml")
        #expect {
            try ServiceCatalogFile.load(path: path)
        } throws: { error in
            let error = error as? ConfigurationError
            return error?.file == path && error?.line == 4 && error?.reason.contains("must be an http(s) URL") == true
        }
        #expect(throws: ConfigurationError.self) { try ServiceCatalogFile.parse("- type: compute\n  endpoints: {a: 1}\n", file: "c.yaml") }
        #expect(throws: ConfigurationError.self) { try ServiceCatalogFile.parse("- endpoints: []\n", file: "c.yaml") }
        #expect(throws: ConfigurationError.self) { try ServiceCatalogFile.parse("{services: []}\n", file: "c.yaml") }
        #expect(throws: ConfigurationError.self) { try ServiceCatalogFile.load(path: "/nonexistent/catalog.yaml") }
    }

    @Test func discoversEndpointsOfAStaticCatalog() async throws {
        let services = try EndpointServices(credentials: ServiceCredentialsConfiguration(
            regionName: "RegionOne", catalogFile: EndpointTestSupport.fixture("catalog/catalog.yaml")))
        let discoverer = EndpointDiscoverer(services: services)
        let context = try EndpointTestSupport.context()
        let resources = try await discoverer.discover(parameter: "compute", context: context)
        #expect(resources.map(\.id) == ["http://nova.example:8774/v2.1"])
        #expect(resources.first?.kind == .endpoint)
        #expect(resources.first?.attributes["service_type"] == "compute")
        #expect(try await discoverer.discover(parameter: nil, context: context).isEmpty)
    }

    @Test func discoveryWithoutACatalogSaysWhatToConfigure() async throws {
        let discoverer = EndpointDiscoverer(services: EndpointServices(source: .none))
        await #expect {
            try await discoverer.discover(parameter: "compute", context: try EndpointTestSupport.context())
        } throws: { error in
            (error as? EndpointError)?.code == .catalog
                && (error as? EndpointError)?.reason.contains("service_credentials.auth_url") == true
        }
    }

    /// A fake Keystone (`POST /v3/auth/tokens`) whose catalog points at a fake Nova on the same
    /// server; Nova answers only with the token.
    static func keystoneRouter(counter: EndpointTestCounter) -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/identity/v3/auth/tokens") { request, _ -> EditedResponse<String> in
            counter.increment("auth")
            let body = try await request.body.collect(upTo: 1 << 20)
            let text = String(buffer: body)
            counter.record("auth-body", text)
            let host = request.head.authority ?? ""
            guard text.contains("\"secret\"") else {
                return EditedResponse(status: .unauthorized, response: #"{"error": {"code": 401}}"#)
            }
            let token = "token-\(counter.count("auth"))"
            return EditedResponse(
                status: .created, headers: [.init("X-Subject-Token")!: token],
                response: #"""
                    {"token": {"expires_at": "2099-01-01T00:00:00.000000Z", "catalog": [
                      {"type": "compute", "name": "nova", "endpoints": [
                        {"interface": "public", "region_id": "RegionOne", "region": "RegionOne", "url": "http://\#(host)/compute/v2.1"},
                        {"interface": "admin", "region_id": "RegionOne", "region": "RegionOne", "url": "http://\#(host)/admin/v2.1"},
                        {"interface": "public", "region_id": "RegionTwo", "region": "RegionTwo", "url": "http://\#(host)/two/v2.1"}]},
                      {"type": "identity", "name": "keystone", "endpoints": [
                        {"interface": "public", "region_id": "RegionOne", "url": "http://\#(host)/identity"}]}]}}
                    """#)
        }
        router.get("/compute/v2.1/os-hypervisors/detail") { request, _ -> String in
            let token = request.headers.first { $0.name.rawName.lowercased() == "x-auth-token" }?.value
            counter.record("nova-token", token ?? "")
            guard token?.hasPrefix("token-") == true else { throw HTTPError(.unauthorized) }
            return #"{"hypervisors": [{"id": 1, "vcpus_used": 6, "hypervisor_hostname": "cmp1"}, {"id": 2, "vcpus_used": 0, "hypervisor_hostname": "cmp2"}]}"#
        }
        return router
    }

    @Test func discoversFromKeystoneAndPollsWithItsToken() async throws {
        let counter = EndpointTestCounter()
        try await EndpointTestSupport.withServer(Self.keystoneRouter(counter: counter)) { (base: String) async throws -> Void in
            let credentials = ServiceCredentialsConfiguration(
                authURL: base + "/identity", username: "ceilometer", password: "secret", projectName: "service",
                regionName: "RegionOne")
            let services = try EndpointServices(credentials: credentials)
            let context = try EndpointTestSupport.context()
            let discoverer = EndpointDiscoverer(services: services)
            let resources = try await discoverer.discover(parameter: "compute", context: context)
            #expect(resources.map(\.id) == ["\(base)/compute/v2.1"])
            #expect(try await discoverer.discover(parameter: "compute", context: context).count == 1)
            #expect(counter.count("auth") == 1)

            let body = try JSONNodeParser.parse(counter.value("auth-body") ?? "")
            #expect(body["auth"]?["identity"]?["methods"] == .array([.string("password")]))
            #expect(body["auth"]?["identity"]?["password"]?["user"]?["name"] == .string("ceilometer"))
            #expect(body["auth"]?["identity"]?["password"]?["user"]?["domain"]?["name"] == .string("Default"))
            #expect(body["auth"]?["scope"]?["project"]?["name"] == .string("service"))

            let pollster = DynamicPollster(
                definition: try EndpointTestSupport.definition("""
                    - name: dynamic.hypervisor.vcpus.used
                      sample_type: gauge
                      unit: vcpu
                      endpoint_type: compute
                      url_path: os-hypervisors/detail
                      value_attribute: vcpus_used
                      metadata_fields: [hypervisor_hostname]
                    """),
                services: services)
            let samples = try await pollster.poll(resources: resources, context: context)
            #expect(counter.value("nova-token") == "token-1")
            #expect(samples.map(\.resourceID) == ["1", "2"])
            #expect(samples.map(\.volume) == [.int(6), .int(0)])
            #expect(samples.first?.resourceMetadata["hypervisor_hostname"] == "cmp1")
        }
    }

    @Test func wrongCredentialsAreAnAuthenticationError() async throws {
        let counter = EndpointTestCounter()
        try await EndpointTestSupport.withServer(Self.keystoneRouter(counter: counter)) { (base: String) async throws -> Void in
            let services = try EndpointServices(credentials: ServiceCredentialsConfiguration(
                authURL: base + "/identity/v3/", username: "ceilometer", password: "wrong", projectName: "service"))
            await #expect {
                try await EndpointDiscoverer(services: services).discover(parameter: "compute", context: try EndpointTestSupport.context())
            } throws: { error in
                let error = error as? EndpointError
                return error?.code == .authentication && error?.status == 401
            }
        }
    }

    @Test func anExpiredTokenIsRenewed() async throws {
        let counter = EndpointTestCounter()
        try await EndpointTestSupport.withServer(Self.keystoneRouter(counter: counter)) { (base: String) async throws -> Void in
            let clock = EndpointTestClock(nanoseconds: 4_070_908_800 * 1_000_000_000 - 30 * 1_000_000_000)
            let session = KeystoneSession(
                credentials: ServiceCredentialsConfiguration(
                    authURL: base + "/identity", username: "ceilometer", password: "secret", projectName: "service"),
                now: { clock.now })
            // 30 s before expiry: inside the renewal margin, so every call authenticates; long before
            // expiry, the token is reused.
            var tokens: [String] = []
            tokens.append(try await session.authToken())
            tokens.append(try await session.authToken())
            clock.set(1_000)
            tokens.append(try await session.authToken())
            tokens.append(try await session.authToken())
            #expect(tokens == ["token-1", "token-2", "token-2", "token-2"])
        }
    }

    @Test func registrationsBuildPollstersAndDiscoverersFromTheEnvironment() async throws {
        let definitions = DynamicPollsterLoader.read(directories: [EndpointTestSupport.fixture("dynamic/valid")]).definitions
        let registrations = EndpointPollsters.registrations(definitions: definitions)
        #expect(registrations.pollsters.map(\.meterName) == ["dynamic.server.status", "dynamic.queue.depth", "dynamic.volume.size"])
        #expect(registrations.pollsters.allSatisfy { $0.namespaces == ["central"] })
        #expect(registrations.discoverers.map(\.name) == ["endpoint", "dynamic_pollster"])
        let context = try EndpointTestSupport.context()
        let pollster = try registrations.pollsters[0].make(context.environment)
        #expect(pollster.defaultDiscovery == "endpoint:compute")
        let endpoint = try registrations.discoverers[0].make(context.environment)
        // No [service_credentials]: discovery explains what to configure.
        await #expect(throws: EndpointError.self) { try await endpoint.discover(parameter: "compute", context: context) }
    }

    @Test func tokensURLAcceptsEveryAuthURLSpelling() {
        #expect(KeystoneSession.tokensURL("http://k:5000") == "http://k:5000/v3/auth/tokens")
        #expect(KeystoneSession.tokensURL("http://k:5000/") == "http://k:5000/v3/auth/tokens")
        #expect(KeystoneSession.tokensURL("http://k/identity/v3") == "http://k/identity/v3/auth/tokens")
        #expect(KeystoneSession.tokensURL("http://k/identity/v3/") == "http://k/identity/v3/auth/tokens")
    }
}

/// A settable clock for token expiry.
final class EndpointTestClock: Sendable {
    private let storage: Mutex<Int64>

    init(nanoseconds: Int64) { storage = Mutex(nanoseconds) }

    var now: Int64 { storage.withLock { $0 } }

    func set(_ nanoseconds: Int64) { storage.withLock { $0 = nanoseconds } }
}
