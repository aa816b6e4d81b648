import Foundation
import StratusCore

/// Where the notification agent's pipeline.yaml is: the configured `pipeline_cfg_file`, absolute,
/// or relative to the configuration file's directory, then to the working directory. When no
/// file is found and none was named explicitly, the built-in ``DefaultPipeline`` applies.
public enum PipelineFileLocation {
    /// The file to load, or nil for the built-in default.
    /// - Throws: ``PipelineDefinitionError`` when an explicitly named file does not exist.
    public static func resolve(
        _ path: String, explicit: Bool, configurationFile: String?,
        workingDirectory: String = FileManager.default.currentDirectoryPath
    ) throws(PipelineDefinitionError) -> String? {
        var candidates: [String] = []
        if path.hasPrefix("/") {
            candidates = [path]
        } else {
            if let configurationFile, let slash = configurationFile.lastIndex(of: "/") {
                candidates.append(String(configurationFile[...slash]) + path)
            }
            candidates.append(workingDirectory + "/" + path)
        }
        if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) { return found }
        guard !explicit else {
            throw PipelineDefinitionError([ConfigurationError(
                file: configurationFile,
                reason: "notification.pipeline_cfg_file: pipeline definitions file not found: " + candidates.joined(separator: " or "))])
        }
        return nil
    }
}
