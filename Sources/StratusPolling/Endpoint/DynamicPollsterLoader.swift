#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import StratusCore

/// Loads the dynamic pollster definitions of `polling.pollsters_definitions_dirs`: every
/// `*.yaml` / `*.yml` file of each directory, in name order (Ceilometer reads `*.yaml`).
public enum DynamicPollsterLoader {
    /// What a set of directories holds.
    public struct Result: Sendable {
        /// The valid definitions, first of each name only.
        public var definitions: [DynamicPollsterDefinition]
        /// Every error, with file, line and reason.
        public var errors: [ConfigurationError]
        /// Definitions left out because an earlier one has the same name (Ceilometer skips
        /// duplicates), located at the duplicate.
        public var duplicates: [ConfigurationError]
    }

    /// Reads every definition file of `directories`. A directory that does not exist gives
    /// nothing (the default `/etc/stratus/pollsters.d` usually does not); one that cannot be
    /// listed is an error.
    public static func read(directories: [String]) -> Result {
        var result = Result(definitions: [], errors: [], duplicates: [])
        var byName: [String: DynamicPollsterDefinition] = [:]
        for directory in directories {
            for file in definitionFiles(in: directory, errors: &result.errors) {
                let text: String
                do {
                    text = try String(contentsOfFile: file, encoding: .utf8)
                } catch {
                    result.errors.append(ConfigurationError(file: file, reason: "cannot read pollster definitions: \(error)"))
                    continue
                }
                let parsed = DynamicPollsterDefinitionParser.parse(text, file: file)
                result.errors.append(contentsOf: parsed.errors)
                for definition in parsed.definitions {
                    if let first = byName[definition.name] {
                        result.duplicates.append(ConfigurationError(
                            file: definition.file, line: definition.line,
                            reason: "duplicate pollster '\(definition.name)' skipped; first defined at \(first.location)"))
                        continue
                    }
                    byName[definition.name] = definition
                    result.definitions.append(definition)
                }
            }
        }
        return result
    }

    /// Reads the definitions for an agent.
    /// - Parameters:
    ///   - directories: `polling.pollsters_definitions_dirs`.
    ///   - logger: Duplicates are logged as warnings.
    /// - Returns: The definitions.
    /// - Throws: `ConfigurationError` for the first invalid definition (start-up stops, as the
    ///   issue asks); ``validate(directories:)`` lists all of them.
    public static func load(directories: [String], logger: Logger) throws(ConfigurationError) -> [DynamicPollsterDefinition] {
        let result = read(directories: directories)
        if let first = result.errors.first { throw first }
        for duplicate in result.duplicates {
            logger.warning(
                "Duplicate dynamic pollster skipped",
                metadata: ["file": "\(duplicate.file ?? "")", "line": "\(duplicate.line ?? 0)", "reason": "\(duplicate.reason)"])
        }
        return result.definitions
    }

    /// Every error of the definitions in `directories`, for `stratus polling validate`: invalid
    /// YAML, missing or invalid fields, unsupported features; each with file, line and reason.
    /// Duplicate names are not errors (they are skipped at start-up, as in Ceilometer).
    public static func validate(directories: [String]) -> [ConfigurationError] {
        read(directories: directories).errors
    }

    /// The definition files of a directory, sorted.
    static func definitionFiles(in directory: String, errors: inout [ConfigurationError]) -> [String] {
        guard FileManager.default.fileExists(atPath: directory) else { return [] }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            errors.append(ConfigurationError(file: directory, reason: "cannot list pollster definitions directory: \(error)"))
            return []
        }
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        return names
            .filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && !$0.hasPrefix(".") }
            .sorted()
            .map { base + $0 }
    }
}
