#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import StratusCore

/// Where an agent's polling definitions come from: a file, or the embedded default.
public struct PollingDefinitionsFile: Sendable, Hashable {
    /// The file, or nil for ``DefaultPollingDefinitions``.
    public let path: String?

    /// Definitions from `path` (nil: the embedded default).
    public init(path: String?) {
        self.path = path
    }

    /// The file `polling.cfg_file` designates: an absolute path as is; a relative one beside
    /// the configuration file, else in the working directory. When `cfg_file` was not set and
    /// no such file exists, nil (the embedded default).
    /// - Throws: `ConfigurationError` when `cfg_file` was set explicitly and the file is missing.
    public static func resolve(
        _ polling: PollingConfiguration, configurationFile: String?, workingDirectory: String = FileManager.default.currentDirectoryPath
    ) throws(ConfigurationError) -> PollingDefinitionsFile {
        var candidates: [String] = []
        if polling.cfgFile.hasPrefix("/") {
            candidates = [polling.cfgFile]
        } else {
            if let configurationFile, let slash = configurationFile.lastIndex(of: "/") {
                candidates.append(String(configurationFile[...slash]) + polling.cfgFile)
            }
            candidates.append(workingDirectory + "/" + polling.cfgFile)
        }
        if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) {
            return PollingDefinitionsFile(path: found)
        }
        if polling.cfgFileIsExplicit {
            throw ConfigurationError(
                file: configurationFile,
                reason: "polling.cfg_file: polling definitions file not found: " + candidates.joined(separator: " or "))
        }
        return PollingDefinitionsFile(path: nil)
    }

    /// The current text.
    /// - Throws: ``PollingDefinitionsError`` when the file cannot be read.
    public func text() throws(PollingDefinitionsError) -> String {
        guard let path else { return DefaultPollingDefinitions.yaml }
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw PollingDefinitionsError([ConfigurationError(file: path, reason: "cannot read polling definitions: \(error)")])
        }
    }

    /// Parses `text` and checks it against the loaded plug-ins.
    /// - Throws: ``PollingDefinitionsError`` with every problem.
    public func parse(_ text: String, plugins: PollingPlugins?) throws(PollingDefinitionsError) -> PollingDefinitions {
        let definitions = try PollingDefinitions.parse(yaml: text, file: path ?? DefaultPollingDefinitions.fileName)
        if let plugins {
            let problems = plugins.problems(in: definitions)
            if !problems.isEmpty { throw PollingDefinitionsError(problems) }
        }
        return definitions
    }
}
