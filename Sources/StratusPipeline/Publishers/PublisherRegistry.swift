/// The publishers pipeline.yaml may name, by URL scheme: a table built at compile time.
///
/// A factory must not do I/O: validation (`stratus pipeline validate`) builds every publisher
/// of a file to check its URL, then throws them away.
public struct PublisherRegistry: Sendable {
    /// Builds a publisher from its URL.
    public typealias Factory = @Sendable (PublisherURL, PublisherContext) throws -> any Publisher

    /// The factories by scheme.
    public var factories: [String: Factory]
    /// Schemes whose publishers are shared by the sinks of one pipeline that name the same URL:
    /// `gnocchi://` keeps one queue and one sender for the whole pipeline, so that every sink's
    /// measures of a resource go in the same request instead of one request per sink.
    public var sharedSchemes: Set<String>

    /// Creates a registry.
    public init(_ factories: [String: Factory], sharedSchemes: Set<String> = []) {
        self.factories = factories
        self.sharedSchemes = sharedSchemes
    }

    /// The built-in publishers (reference B9). Register further schemes here (`notifier`, …) —
    /// one line each.
    public static let builtIn = PublisherRegistry([
        "file": { url, _ in try FilePublisher(url: url) },
        "log": { _, context in LogPublisher(logger: context.logger) },
        "test": { _, _ in TestPublisher() },
        "gnocchi": { url, context in try GnocchiPublisher(url: url, context: context) },
        "http": { url, context in try HTTPPublisher(url: url, context: context) },
        "https": { url, context in try HTTPPublisher(url: url, context: context) },
        "prometheus": { url, context in try PrometheusPublisher(url: url, context: context) },
        "udp": { url, context in try UDPPublisher(url: url, context: context) },
    ], sharedSchemes: ["gnocchi"])

    /// Adds (or replaces) the factory of `scheme`.
    public mutating func register(_ scheme: String, _ factory: @escaping Factory) {
        factories[scheme.lowercased()] = factory
    }

    /// A copy with `scheme` registered.
    public func registering(_ scheme: String, _ factory: @escaping Factory) -> PublisherRegistry {
        var copy = self
        copy.register(scheme, factory)
        return copy
    }

    /// The schemes, sorted.
    public var schemes: [String] { factories.keys.sorted() }

    /// Builds the publisher of `url`.
    /// - Throws: ``PublisherConfigurationError`` for an unknown scheme or a URL its factory rejects.
    public func make(_ url: PublisherURL, context: PublisherContext) throws(PublisherConfigurationError) -> any Publisher {
        guard let factory = factories[url.scheme] else {
            throw PublisherConfigurationError(
                "unknown publisher scheme '\(url.scheme)' in '\(url.text)'; valid: " + schemes.map { $0 + "://" }.joined(separator: ", "))
        }
        do {
            return try factory(url, context)
        } catch let error as PublisherConfigurationError {
            throw error
        } catch {
            throw PublisherConfigurationError("publisher '\(url.text)': \(error)")
        }
    }
}
