#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import StratusCore
import Yams

/// Reads a static service catalog (`service_credentials.catalog_file`), YAML or JSON, in
/// Keystone's catalog shape: a list of services, or a mapping whose `catalog` key (or
/// `token.catalog`, a saved token response) holds the list.
///
/// ```yaml
/// - type: compute
///   name: nova
///   endpoints:
///     - {interface: public, region: RegionOne, url: "http://controller:8774/v2.1"}
/// ```
public enum ServiceCatalogFile {
    /// Reads and checks the file.
    /// - Throws: `ConfigurationError` with the file, line and reason when the file cannot be
    ///   read or is not a valid catalog.
    public static func load(path: String) throws(ConfigurationError) -> ServiceCatalog {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError(file: path, reason: "cannot read the service catalog file: \(error)")
        }
        return try parse(text, file: path)
    }

    /// Parses catalog text.
    /// - Parameters:
    ///   - text: YAML or JSON.
    ///   - file: The name used in errors.
    /// - Throws: `ConfigurationError` with the line and reason.
    public static func parse(_ text: String, file: String) throws(ConfigurationError) -> ServiceCatalog {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw DynamicPollsterYAML.error(error, text: text, file: file)
        } catch {
            throw ConfigurationError(file: file, reason: "invalid YAML: \(error)")
        }
        guard let root, !DynamicPollsterYAML.isNull(root) else { return ServiceCatalog(services: []) }
        var list = root
        if case .mapping = root {
            if let catalog = root["catalog"] {
                list = catalog
            } else if let token = root["token"], let catalog = token["catalog"] {
                list = catalog
            } else {
                throw ConfigurationError(
                    file: file, line: root.mark?.line,
                    reason: "a service catalog must be a list of services, or a mapping with a 'catalog' list")
            }
        }
        guard case .sequence(let items) = list else {
            throw ConfigurationError(
                file: file, line: list.mark?.line,
                reason: "the catalog must be a list of services, got \(DynamicPollsterYAML.kind(of: list))")
        }
        var services: [ServiceCatalog.Service] = []
        for item in items {
            let line = item.mark?.line
            guard case .mapping = item else {
                throw ConfigurationError(file: file, line: line, reason: "a catalog service must be a mapping")
            }
            guard let type = item["type"]?.string, !type.isEmpty else {
                throw ConfigurationError(file: file, line: line, reason: "a catalog service needs a 'type' (compute, image, …)")
            }
            var endpoints: [ServiceCatalog.Endpoint] = []
            if let list = item["endpoints"], !DynamicPollsterYAML.isNull(list) {
                guard case .sequence(let entries) = list else {
                    throw ConfigurationError(
                        file: file, line: list.mark?.line, reason: "'endpoints' of service '\(type)' must be a list")
                }
                for entry in entries {
                    let entryLine = entry.mark?.line
                    guard case .mapping = entry, let url = entry["url"]?.string, !url.isEmpty else {
                        throw ConfigurationError(
                            file: file, line: entryLine, reason: "an endpoint of service '\(type)' needs a 'url'")
                    }
                    guard URLReference.isAbsoluteHTTP(url) else {
                        throw ConfigurationError(
                            file: file, line: entry["url"]?.mark?.line ?? entryLine,
                            reason: "endpoint url '\(url)' of service '\(type)' must be an http(s) URL")
                    }
                    let interface = ServiceCredentialsConfiguration.normalizedInterface(entry["interface"]?.string ?? "public")
                    guard ServiceCredentialsConfiguration.interfaces.contains(interface) else {
                        throw ConfigurationError(
                            file: file, line: entry["interface"]?.mark?.line ?? entryLine,
                            reason: "endpoint interface must be public, internal or admin, got '\(interface)'")
                    }
                    let region = entry["region_id"]?.string ?? entry["region"]?.string
                    endpoints.append(ServiceCatalog.Endpoint(interface: interface, region: region, url: url))
                }
            }
            services.append(ServiceCatalog.Service(type: type, name: item["name"]?.string, endpoints: endpoints))
        }
        return ServiceCatalog(services: services)
    }
}
