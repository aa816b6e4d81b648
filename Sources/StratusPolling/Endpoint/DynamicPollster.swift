import Logging
import StratusCore

/// A pollster defined in YAML (reference B5): asks its URL on each endpoint, follows
/// `next_sample_url_attribute` pages, and turns every entry of the answers into a sample.
///
/// A failing endpoint is logged once per cycle and the other endpoints are still polled; an
/// endpoint that could not be reached is not asked again by other dynamic pollsters in the same
/// cycle.
public struct DynamicPollster: Pollster {
    /// The definition.
    public let definition: DynamicPollsterDefinition
    let services: EndpointServices
    let extractor: DynamicSampleExtractor

    /// Pages followed at most in one poll of one endpoint.
    static let maximumPages = 10_000

    /// Creates the pollster.
    public init(definition: DynamicPollsterDefinition, services: EndpointServices) {
        self.definition = definition
        self.services = services
        self.extractor = DynamicSampleExtractor(definition: definition)
    }

    public var meterName: String { definition.name }

    /// `endpoint:<endpoint_type>`, or `dynamic_pollster:<name>` for a full-URL pollster.
    public var defaultDiscovery: String? {
        definition.defaultDiscovery ?? "\(DynamicURLDiscoverer.name):\(definition.name)"
    }

    /// Polls every endpoint. When every endpoint asked failed, throws one error naming them,
    /// which the agent logs once and counts; when only some failed, logs a warning for each and
    /// returns the others' samples.
    public func poll(resources: [PollingResource], context: PollContext) async throws -> [Sample] {
        var samples: [Sample] = []
        var failures: [(url: String, error: EndpointError, kept: Int)] = []
        var succeeded = 0
        for base in bases(resources) {
            let result = await pollEndpoint(base, context: context)
            samples.append(contentsOf: result.samples)
            if let failure = result.failure {
                failures.append((failure.url, failure.error, result.samples.count))
            } else if !result.skipped {
                succeeded += 1
            }
        }
        if succeeded == 0, samples.isEmpty, !failures.isEmpty {
            let reasons = failures.map(\.error.reason).joined(separator: "; ")
            throw EndpointError(failures.count == 1 ? failures[0].error.code : .unreachable, reasons, status: failures.first?.error.status)
        }
        for failure in failures {
            context.logger.warning(
                "Dynamic pollster request failed",
                metadata: [
                    "pollster": "\(definition.name)", "endpoint.url": "\(failure.url)", "error": "\(failure.error.reason)",
                    "samples.kept": "\(failure.kept)",
                ])
        }
        return samples
    }

    /// What one endpoint gave.
    struct EndpointResult {
        var samples: [Sample] = []
        /// The request that failed, if one did (earlier pages' samples are kept).
        var failure: (url: String, error: EndpointError)?
        /// True when the endpoint was not asked (unreachable earlier in the cycle).
        var skipped = false
    }

    /// The base URLs to poll: each endpoint's URL for an OpenStack pollster; the `url_path`
    /// itself (once) for a full-URL pollster.
    func bases(_ resources: [PollingResource]) -> [String] {
        guard definition.endpointType != nil else { return resources.isEmpty ? [] : [definition.urlPath] }
        var seen: Set<String> = []
        return resources.compactMap { resource in
            let url = resource.url ?? resource.id
            return seen.insert(url).inserted ? url : nil
        }
    }

    /// The first request's URL for a base.
    func firstURL(base: String) -> String {
        guard definition.endpointType != nil else { return definition.urlPath }
        return URLReference.join(base.hasSuffix("/") ? base : base + "/", definition.urlPath)
    }

    /// All pages of one endpoint; a failure ends the pages and is returned, not logged.
    func pollEndpoint(_ base: String, context: PollContext) async -> EndpointResult {
        let unreachableKey = "endpoint.unreachable.\(base)"
        if context.cache.value(unreachableKey, as: String.self) != nil {
            context.logger.debug(
                "Endpoint unreachable earlier in this cycle, skipped",
                metadata: ["pollster": "\(definition.name)", "endpoint.url": "\(base)"])
            return EndpointResult(skipped: true)
        }
        var failure: (url: String, error: EndpointError)?
        var samples: [Sample] = []
        var skipped = 0
        var problems: [String] = []
        var visited: Set<String> = []
        var next: String? = firstURL(base: base)
        while let url = next, visited.count < Self.maximumPages {
            guard visited.insert(url).inserted else { break }
            next = nil
            let body: [UInt8]
            do {
                body = try await fetch(url)
            } catch {
                if error.code == .unreachable { context.cache.set(unreachableKey, error.reason) }
                failure = (url, error)
                break
            }
            let page: DynamicSampleExtractor.Page
            do {
                page = extractor.extract(try extractor.decode(body), endpoint: definition.endpointType == nil ? definition.urlPath : base)
            } catch {
                failure = (url, EndpointError(error.code, "\(url): \(error.reason)"))
                break
            }
            samples.append(contentsOf: page.samples)
            skipped += page.skipped
            problems.append(contentsOf: page.problems)
            next = page.nextURL
        }
        if let first = problems.first {
            context.logger.warning(
                "Dynamic pollster left out entries",
                metadata: [
                    "pollster": "\(definition.name)", "endpoint.url": "\(base)", "entries.left_out": "\(problems.count)",
                    "reason": "\(first)",
                ])
        }
        if skipped > 0 {
            context.logger.debug(
                "Dynamic pollster skipped entries by skip_sample_values",
                metadata: ["pollster": "\(definition.name)", "entries.skipped": "\(skipped)"])
        }
        return EndpointResult(samples: samples, failure: failure)
    }

    /// One GET, with the definition's headers, its timeout and, for OpenStack endpoints under
    /// Keystone, a token (renewed once on 401).
    func fetch(_ url: String) async throws(EndpointError) -> [UInt8] {
        var headers = definition.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        if !headers.contains(where: { $0.0.lowercased() == "accept" }) { headers.insert(("Accept", "application/json"), at: 0) }
        var session: KeystoneSession?
        if definition.endpointType != nil, case .keystone(let keystone) = services.source {
            session = keystone
            headers.append(("X-Auth-Token", try await keystone.authToken()))
        }
        var response = try await services.http.send("GET", url: url, headers: headers, timeout: definition.timeout)
        if response.status == 401, let session {
            await session.invalidate()
            headers.removeAll { $0.0 == "X-Auth-Token" }
            headers.append(("X-Auth-Token", try await session.authToken()))
            response = try await services.http.send("GET", url: url, headers: headers, timeout: definition.timeout)
        }
        guard response.status == 200 else {
            throw EndpointError(
                .httpStatus, "\(url) answered \(response.status): \(KeystoneSession.excerpt(response.body))",
                status: response.status)
        }
        return response.body
    }
}

/// The discoverer of full-URL dynamic pollsters: `dynamic_pollster:<name>` gives the pollster's
/// `url_path` as its one resource.
public struct DynamicURLDiscoverer: Discoverer {
    /// The discovery name.
    public static let name = "dynamic_pollster"

    let urls: [String: String]

    /// Creates the discoverer for `definitions` (those with a full `url_path`).
    public init(definitions: [DynamicPollsterDefinition]) {
        var urls: [String: String] = [:]
        for definition in definitions where definition.endpointType == nil {
            urls[definition.name] = definition.urlPath
        }
        self.urls = urls
    }

    public func discover(parameter: String?, context: PollContext) async throws -> [PollingResource] {
        guard let parameter, let url = urls[parameter] else { return [] }
        return [.endpoint(url, attributes: ["pollster": .string(parameter)])]
    }
}
